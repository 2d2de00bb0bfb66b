"""Share links: create and revoke (signed in), open (anyone holding a valid link)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from kirkpatrick.domain.errors import KirkpatrickError
from kirkpatrick.services import sharing
from kirkpatrick.web import authz, forms, security
from kirkpatrick.web.authz import Action
from kirkpatrick.web.common import _, account, address, reading, writing
from kirkpatrick.web.interventions import _report_html, report_response

bp = Blueprint("sharing", __name__)


@bp.route("/i/<code>/share", methods=["POST"])
def create(code: str) -> str | Response:
    me = account()
    with reading() as s:
        authz.require(s, me, Action.SHARE, code)
    form = forms.ShareForm()
    if not form.validate_on_submit():
        flash(_("The link was not created: give 1 to 365 days."))
        return redirect(url_for("interventions.page", code=code))
    assert me is not None
    with writing() as s:
        token = sharing.create_link(s, me, code, days=int(form.days.data or 30), lang=form.lang.data or "sv")
    # Shown once, on this page: the token is never put in a cookie or a URL we redirect to.
    url = url_for("sharing.shared", token=token, _external=True)
    return render_template("web/shared_created.html", code=code, url=url)


@bp.route("/i/<code>/share/<int:link>/revoke", methods=["POST"])
def revoke(code: str, link: int) -> Response:
    me = account()
    with reading() as s:
        authz.require(s, me, Action.SHARE, code)
    if forms.PlainForm().validate_on_submit():
        assert me is not None
        try:
            with writing() as s:
                sharing.revoke(s, me, code, link)
        except KirkpatrickError:
            abort(404)
        flash(_("The link was revoked."))
    return redirect(url_for("interventions.page", code=code) + "#share")


@bp.route("/r/<token>")  # a shared report; /s/ is a survey link
def shared(token: str) -> Response:
    with writing() as s:
        opened = sharing.open_link(s, token, address())
    if opened is None:
        abort(404)
    response = report_response(_report_html(opened.code, opened.lang), security.SHARED_REPORT_CSP)
    return response
