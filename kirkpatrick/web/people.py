"""An intervention's participants: their list, and a form for a participant's group and role."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from kirkpatrick.domain.errors import KirkpatrickError, NotFound
from kirkpatrick.domain.vocab import Group
from kirkpatrick.services import participants
from kirkpatrick.web import authz, errors
from kirkpatrick.web.authz import Action
from kirkpatrick.web.common import _, account, audit, reading, writing
from kirkpatrick.web.record_forms import ParticipantForm

bp = Blueprint("people", __name__)


@bp.route("/i/<code>/participants", endpoint="participants")
def participant_list(code: str) -> str:
    with reading() as s:
        authz.require(s, account(), Action.EDIT, code)
        rows = [{**row, "group": Group(row["group"])} for row in participants.list_participants(s, code)]
    return render_template("web/participants.html", code=code, rows=rows)


@bp.route("/i/<code>/participants/<int:participant>", methods=["GET", "POST"])
def participant(code: str, participant: int) -> str | Response:
    with reading() as s:
        authz.require(s, account(), Action.EDIT, code)
        try:
            stored = participants.get_participant(s, code, participant)
            pcode, group, role = stored.code, stored.group.value, stored.role
        except NotFound:
            abort(404)
    form = ParticipantForm()
    if not form.is_submitted():
        form.group.data, form.role.data = group, role
    if form.validate_on_submit():
        try:
            with writing() as s:
                done = participants.set_participant(s, code, participant, form.group.data or "", form.role.data)
                audit(s, "participant_edit", code, f"{pcode}: {done.group.value}, {done.role or '-'}")
            flash(_("Saved."))
            return redirect(url_for("people.participants", code=code))
        except KirkpatrickError as exc:
            form.role.errors = [errors.message(exc)]
    return render_template(
        "web/record_form.html",
        form=form,
        title=_("Participant %(code)s", code=pcode),
        code=code,
        back_url=url_for("people.participants", code=code),
        back_text=_("Participants"),
    )
