"""Signing in and out, and the language choice."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from kirkpatrick.reports.environment import N_
from kirkpatrick.services import accounts
from kirkpatrick.web.common import LANGS, _, address, audit, reading, writing
from kirkpatrick.web.forms import PlainForm, SignInForm

bp = Blueprint("auth", __name__)
FAILED = N_("Sign-in failed. Check the e-mail address and the password. After repeated failures, wait 15 minutes.")


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never ``//host`` or a scheme) is followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("interventions.start")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> str | Response:
    form = SignInForm()
    if form.validate_on_submit():
        with writing() as s:
            found = accounts.authenticate(s, form.email.data or "", form.password.data or "", address())
            if found is None:
                accounts.audit(s, None, "sign_in_failed", None, f"from {address()}")
            else:
                accounts.audit(s, found, "sign_in", None, f"from {address()}")
        if found is not None:
            lang = session.get("lang", "sv")
            session.clear()  # a new session at sign-in: nothing from before carries over
            session.permanent = True
            session.update(uid=found.id, sv=found.session_version, lang=lang)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors = [FAILED]
    with reading() as s:
        first_run = accounts.count_users(s) == 0
    return render_template("web/sign_in.html", form=form, first_run=first_run)


@bp.route("/sign-out", methods=["POST"])
def sign_out() -> Response:
    if PlainForm().validate_on_submit():
        with writing() as s:
            audit(s, "sign_out")
    lang = session.get("lang", "sv")
    session.clear()
    session["lang"] = lang
    flash(_("You are signed out."))
    return redirect(url_for("auth.sign_in"))


@bp.route("/language", methods=["POST"])
def language() -> Response:
    if PlainForm().validate_on_submit() and request.form.get("lang") in LANGS:
        session["lang"] = request.form["lang"]
    return redirect(_safe_next(request.form.get("back")))
