"""An intervention's participants (group and role) and the import of a feedback file (upload ->
preview -> confirm, as the import page; nothing is written before confirm)."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from werkzeug.wrappers import Response

from kirkpatrick.domain.errors import KirkpatrickError, NotFound
from kirkpatrick.domain.vocab import Group
from kirkpatrick.services import participants
from kirkpatrick.web import authz, forms
from kirkpatrick.web.authz import Action
from kirkpatrick.web.common import _, account, audit, engine, reading, writing
from kirkpatrick.web.record_forms import FeedbackUploadForm, ParticipantForm

bp = Blueprint("people", __name__)
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
PENDING = "feedback_upload"


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
            form.role.errors = [str(exc)]
    return render_template(
        "web/record_form.html",
        form=form,
        title=_("Participant %(code)s", code=pcode),
        code=code,
        back_url=url_for("people.participants", code=code),
    )


# ---------------------------------------------------------------- feedback files


def _folder() -> Path:
    folder = Path(current_app.config["UPLOAD_DIR"])
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _pending(code: str) -> tuple[Path, str] | None:
    item = session.get(PENDING)
    if not isinstance(item, dict) or item.get("code") != code:
        return None
    path = _folder() / Path(str(item.get("file", ""))).name
    if not path.is_file():
        return None
    return path, str(item.get("name", ""))


def _discard() -> None:
    item = session.pop(PENDING, None)
    if isinstance(item, dict):
        (_folder() / Path(str(item.get("file", "x"))).name).unlink(missing_ok=True)


@bp.route("/i/<code>/feedback-import", methods=["GET", "POST"])
def feedback_upload(code: str) -> str | Response:
    with reading() as s:
        authz.require(s, account(), Action.EDIT, code)
    form = FeedbackUploadForm()
    if form.validate_on_submit():
        name = Path(form.file.data.filename or "upload").name
        suffix = Path(name).suffix.lower()
        if suffix not in SUFFIXES:
            form.file.errors = [_("Use a .csv, .tsv or .xlsx file.")]
        else:
            _discard()
            stored = f"{secrets.token_hex(16)}{suffix}"
            form.file.data.save(_folder() / stored)
            session[PENDING] = {"code": code, "file": stored, "name": name[:200]}
            return redirect(url_for("people.feedback_preview", code=code))
    return render_template(
        "web/record_form.html",
        form=form,
        title=_("Import quotes"),
        code=code,
        intro=_("Step 1 of 3: choose the file. Nothing is saved until you confirm after the preview."),
        button=_("Upload and preview"),
        enctype="multipart/form-data",
    )


@bp.route("/i/<code>/feedback-import/preview")
def feedback_preview(code: str) -> str | Response:
    with reading() as s:
        authz.require(s, account(), Action.EDIT, code)
    pending = _pending(code)
    if pending is None:
        return redirect(url_for("people.feedback_upload", code=code))
    path, name = pending
    result = participants.preview_feedback(engine(), path, code)
    return render_template("web/feedback_preview.html", code=code, p=result, name=name)


@bp.route("/i/<code>/feedback-import/confirm", methods=["POST"])
def feedback_confirm(code: str) -> Response:
    with reading() as s:
        authz.require(s, account(), Action.EDIT, code)
    pending = _pending(code)
    if not forms.PlainForm().validate_on_submit() or pending is None:
        abort(400)
    path, name = pending
    try:
        with writing() as s:
            quotes, cleared = participants.import_feedback_file(s, path, code)
            audit(s, "feedback_import", code, f"{name}: {quotes} quotes, {cleared} cleared")
    except KirkpatrickError:
        return redirect(url_for("people.feedback_preview", code=code))
    _discard()
    flash(_("Imported %(n)s quotes.", n=quotes))
    return redirect(url_for("interventions.page", code=code) + "#quotes")


@bp.route("/i/<code>/feedback-import/cancel", methods=["POST"])
def feedback_cancel(code: str) -> Response:
    with reading() as s:
        authz.require(s, account(), Action.EDIT, code)
    if forms.PlainForm().validate_on_submit():
        _discard()
    return redirect(url_for("interventions.page", code=code))
