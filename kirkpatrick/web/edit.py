"""Forms that change an intervention: add and edit it, sessions, transfer factors, quotes,
erasure of a participant and deletion of the whole intervention."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from kirkpatrick.domain.errors import KirkpatrickError
from kirkpatrick.services import accounts, records, sharing
from kirkpatrick.storage import erasure
from kirkpatrick.web import authz, errors, forms
from kirkpatrick.web.authz import Action, Area
from kirkpatrick.web.common import _, account, audit, reading, writing

bp = Blueprint("edit", __name__)


def _fields(form: forms.InterventionForm) -> records.InterventionFields:
    return records.InterventionFields(
        title=form.title.data,
        client=form.client.data,
        consultant=form.consultant.data or "",
        target_group=form.target_group.data,
        format=form.format.data,
        start=form.start.data.isoformat() if form.start.data else None,
        end=form.end.data.isoformat() if form.end.data else None,
        notes=form.notes.data or "",
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response:
    me = authz.require_role(account(), Area.NEW_INTERVENTION)
    form = forms.InterventionForm()
    if form.validate_on_submit():
        try:
            with writing() as s:
                added = records.add_intervention(s, form.code.data or "", _fields(form), create_client=True)
                assert me.organisation_id is not None
                accounts.link_intervention(s, me.organisation_id, added.code)
                audit(s, "intervention_add", added.code)
                code = added.code
            flash(_("Intervention saved."))
            return redirect(url_for("interventions.page", code=code))
        except KirkpatrickError as exc:
            form.code.errors = [errors.message(exc)]
    return render_template("web/form.html", form=form, title=_("New intervention"), code=None)


@bp.route("/i/<code>/edit", methods=["GET", "POST"])
def edit(code: str) -> str | Response:
    with reading() as s:
        authz.require(s, account(), Action.EDIT, code)
        d = records.describe_intervention(s, code)
    form = forms.InterventionForm()
    del form.code
    if not form.is_submitted():
        import datetime as dt

        form.title.data, form.client.data, form.consultant.data = d["title"], d["client"]["name"], d["consultant"]
        form.target_group.data, form.format.data, form.notes.data = d["target_group"], d["format"], d["notes"]
        form.start.data, form.end.data = dt.date.fromisoformat(d["start"]), dt.date.fromisoformat(d["end"])
    if form.validate_on_submit():
        try:
            with writing() as s:
                records.edit_intervention(s, code, _fields(form))
                audit(s, "intervention_edit", code)
            flash(_("Intervention saved."))
            return redirect(url_for("interventions.page", code=code))
        except KirkpatrickError as exc:
            form.title.errors = [errors.message(exc)]
    return render_template("web/form.html", form=form, title=_("Edit intervention"), code=code)


def _small_form(code: str, form_class: type, title: str, save: object) -> str | Response:
    with reading() as s:
        authz.require(s, account(), Action.EDIT, code)
    form = form_class()
    if form.validate_on_submit():
        try:
            with writing() as s:
                save(s, form)  # type: ignore[operator]
            flash(_("Saved."))
            return redirect(url_for("interventions.page", code=code))
        except KirkpatrickError as exc:
            first = next(iter(form))
            first.errors = [errors.message(exc)]
    return render_template("web/form.html", form=form, title=title, code=code)


@bp.route("/i/<code>/sessions", methods=["GET", "POST"])
def sessions(code: str) -> str | Response:
    def save(s: object, form: forms.SessionForm) -> None:
        records.add_sessions(s, code, [form.date.data.isoformat()])  # type: ignore[arg-type,union-attr]
        audit(s, "session_add", code, str(form.date.data))  # type: ignore[arg-type]

    return _small_form(code, forms.SessionForm, _("Add a session"), save)


@bp.route("/i/<code>/factors", methods=["GET", "POST"])
def factors(code: str) -> str | Response:
    def save(s: object, form: forms.FactorForm) -> None:
        records.set_factor(s, code, form.factor.data or "", bool(form.present.data), form.note.data or None)  # type: ignore[arg-type]
        audit(s, "factor_set", code, form.factor.data)  # type: ignore[arg-type]

    return _small_form(code, forms.FactorForm, _("Set a transfer factor"), save)


@bp.route("/i/<code>/quotes", methods=["GET", "POST"])
def quotes(code: str) -> str | Response:
    def save(s: object, form: forms.FeedbackForm) -> None:
        records.add_feedback(
            s, code, form.text.data or "", level=form.level.data or None, theme=form.theme.data or None,  # type: ignore[arg-type]
            cleared=bool(form.cleared.data),
        )  # fmt: skip
        audit(s, "quote_add", code)  # type: ignore[arg-type]

    return _small_form(code, forms.FeedbackForm, _("Add a quote"), save)


@bp.route("/i/<code>/quotes/<int:quote>/<any(clear,withdraw):what>", methods=["POST"])
def clear(code: str, quote: int, what: str) -> Response:
    me = account()
    with reading() as s:
        authz.require(s, me, Action.EDIT, code)
    if forms.PlainForm().validate_on_submit():
        assert me is not None
        try:
            with writing() as s:
                sharing.clear_feedback(s, me, code, quote, what == "clear")
        except KirkpatrickError:
            from flask import abort

            abort(404)
    return redirect(url_for("interventions.page", code=code) + "#quotes")


@bp.route("/i/<code>/erase", methods=["GET", "POST"])
def erase(code: str) -> str | Response:
    with reading() as s:
        authz.require(s, account(), Action.ERASE, code)
        contents = erasure.intervention_contents(s, code)
    erase_form, delete_form = forms.EraseForm(prefix="erase"), forms.DeleteForm(prefix="delete")
    if "erase-participant" in request.form and erase_form.validate_on_submit():
        try:
            with writing() as s:
                done = erasure.forget_participant(s, code, erase_form.participant.data or "")
                audit(s, "participant_erase", code, ", ".join(f"{k}: {v}" for k, v in done.removed.items()))
            flash(_("The participant's data was erased."))
            return redirect(url_for("interventions.page", code=code))
        except KirkpatrickError:
            erase_form.participant.errors = [_("No such participant in this intervention.")]
    if "delete-confirm" in request.form and delete_form.validate_on_submit():
        with reading() as s:
            authz.require(s, account(), Action.EDIT, code)
        if (delete_form.confirm.data or "").strip() != code:
            delete_form.confirm.errors = [_("The code does not match.")]
        else:
            with writing() as s:
                done = erasure.delete_intervention(s, code)
                audit(s, "intervention_delete", code, ", ".join(f"{k}: {v}" for k, v in done.removed.items()))
            flash(_("The intervention was deleted."))
            return redirect(url_for("interventions.start"))
    return render_template(
        "web/erase.html", code=code, contents=contents, erase_form=erase_form, delete_form=delete_form
    )
