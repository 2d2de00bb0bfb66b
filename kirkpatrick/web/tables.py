"""Importing a small table through the web, as the CLI's ``feedback import``, ``measure import``
and ``intervention import`` do: upload -> preview (the first rows, the count, or the error with its
line) -> confirm. Nothing is written before confirm: the upload waits in a private folder under a
random name that only the uploader's signed session knows (as on the measurements' import page).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlalchemy.orm import Session as OrmSession
from werkzeug.wrappers import Response

from kirkpatrick.domain.errors import KirkpatrickError
from kirkpatrick.reports.environment import N_
from kirkpatrick.services import accounts, tables
from kirkpatrick.web import authz, forms, uploaded
from kirkpatrick.web.authz import Action, Area
from kirkpatrick.web.common import _, account, audit, engine, reading, writing
from kirkpatrick.web.record_forms import TableUploadForm

bp = Blueprint("tables", __name__)
PENDING = "table_upload"


@dataclass(frozen=True)
class Kind:
    prefix: str  # the upload page's address; preview, confirm and cancel are below it
    title: str
    file_label: str
    columns: str
    count: str  # "what to import" in the preview
    audit: str


KINDS = {
    "feedback": Kind(
        "/i/<code>/feedback-import",
        N_("Import quotes"),
        N_("Feedback file (.csv, .tsv or .xlsx)"),
        N_("Columns: text, and optionally level, theme, cleared and intervention."),
        N_("Quotes to import"),
        "feedback_import",
    ),
    "measures": Kind(
        "/measures/import",
        N_("Import measures"),
        N_("Catalogue file (.csv, .tsv or .xlsx)"),
        N_(
            "Columns: code, name, level, scale_min, scale_max, and optionally higher_is_better, reliability, items, "
            "wording, labels and no_answer; several values in a cell separated by |. A row whose code is "
            "measure.item gives the wording of an item."
        ),
        N_("Measures to import"),
        "measure_import",
    ),
    "interventions": Kind(
        "/interventions/import",
        N_("Import interventions"),
        N_("File of interventions (.csv, .tsv or .xlsx)"),
        N_(
            "Columns: code, client, title, target_group, format, start, end, and optionally consultant, factors "
            "(the transfer factors used, separated by spaces), sessions (dates separated by spaces) and notes. "
            "New clients are created."
        ),
        N_("Interventions to import"),
        "intervention_import",
    ),
    "delivery": Kind(
        "/contracts/<code>/delivery-import",
        N_("Import a delivery summary"),
        N_("Delivery summary (.csv, .tsv or .xlsx)"),
        N_(
            "Columns: service (a contracted service's format), period_start, period_end, sessions, and "
            "optionally participants and note."
        ),
        N_("Rows to import"),
        "delivery_import",
    ),
    "interviews": Kind(
        "/contracts/<code>/interviews-import",
        N_("Import interviews"),
        N_("File of interviews (.csv, .tsv or .xlsx)"),
        N_("Columns: interview, role, unit, date, interviewer, and one column per award criterion with its grade."),
        N_("Interviews to import"),
        "interview_import",
    ),
    "contract_quotes": Kind(
        "/contracts/<code>/quotes-import",
        N_("Import the interviews' quotes"),
        N_("File of quotes (.csv, .tsv or .xlsx)"),
        N_("Columns: interview, theme, text, and optionally cleared."),
        N_("Quotes to import"),
        "contract_quote_import",
    ),
}
CONTRACT_KINDS = {"delivery": "delivery", "interviews": "interviews", "contract_quotes": "quotes"}


def _allow(kind: str, code: str | None) -> tables.Run:
    """Authorise the user for this import (else 401/403/404) and return the import to run."""
    me = account()
    if kind == "feedback":
        with reading() as s:
            authz.require(s, me, Action.EDIT, code or "")
        return tables.feedback(code or "")
    if kind == "measures":
        authz.require_role(me, Area.CATALOGUE)
        return tables.measures()
    if kind in CONTRACT_KINDS:
        with reading() as s:
            authz.require_contract_edit(s, me, code or "")
        return tables.contract_import(CONTRACT_KINDS[kind], code or "")
    runner = authz.require_role(me, Area.NEW_INTERVENTION).organisation_id
    assert runner is not None

    def link(s: OrmSession, added: str) -> None:
        accounts.link_intervention(s, runner, added)

    return tables.interventions(link)


def _url(kind: str, step: str, code: str | None) -> str:
    endpoint = f"tables.{kind}_{step}"
    return url_for(endpoint, code=code) if code else url_for(endpoint)


def _back(kind: str, code: str | None) -> str:
    if kind == "feedback":
        return url_for("interventions.page", code=code) + "#quotes"
    if kind in CONTRACT_KINDS:
        return url_for("contracts.show", code=code)
    return url_for("catalogue.measures") if kind == "measures" else url_for("interventions.start")


def _back_text(kind: str, code: str | None) -> str:
    if kind in CONTRACT_KINDS:
        return code or ""
    return _("Measures") if kind == "measures" else _("Interventions")


def _pending(kind: str, code: str | None) -> tuple[Path, str] | None:
    kept = uploaded.pending(PENDING, kind=kind, code=code)
    return None if kept is None else (kept[0], str(kept[1].get("name", "")))


def upload(kind: str, code: str | None = None) -> str | Response:
    _allow(kind, code)
    info = KINDS[kind]
    form = TableUploadForm()
    form.file.label.text, form.file.description = info.file_label, info.columns
    if form.validate_on_submit() and uploaded.keep(form.file, PENDING, kind=kind, code=code):
        return redirect(_url(kind, "preview", code))
    return render_template(
        "web/record_form.html",
        form=form,
        title=_(info.title),
        code=code if kind == "feedback" else None,
        back_url=None if kind == "feedback" else _back(kind, code),
        back_text=_back_text(kind, code),
        intro=_("Step 1 of 3: choose the file. Nothing is saved until you confirm after the preview."),
        button=_("Upload and preview"),
        enctype="multipart/form-data",
    )


def preview(kind: str, code: str | None = None) -> str | Response:
    run = _allow(kind, code)
    pending = _pending(kind, code)
    if pending is None:
        return redirect(_url(kind, "upload", code))
    path, name = pending
    return render_template(
        "web/table_preview.html",
        kind=kind,
        code=code,
        p=tables.preview(engine(), path, run),
        name=name,
        count_label=_(KINDS[kind].count),
        urls={step: _url(kind, step, code) for step in ("upload", "confirm", "cancel")},
        back_url=_back(kind, code),
        back_text=_back_text(kind, code),
    )


def confirm(kind: str, code: str | None = None) -> Response:
    run = _allow(kind, code)
    pending = _pending(kind, code)
    if not forms.PlainForm().validate_on_submit() or pending is None:
        abort(400)
    path, name = pending
    try:
        with writing() as s:
            count, cleared = run(s, path)
            detail = f"{name}: {count} " + (f"quotes, {cleared} cleared" if kind == "feedback" else kind)
            audit(s, KINDS[kind].audit, code, detail)
    except KirkpatrickError:
        return redirect(_url(kind, "preview", code))
    uploaded.discard(PENDING)
    flash(_("Imported %(n)s rows.", n=count))
    return redirect(_back(kind, code))


def cancel(kind: str, code: str | None = None) -> Response:
    _allow(kind, code)
    if forms.PlainForm().validate_on_submit():
        uploaded.discard(PENDING)
    return redirect(_back(kind, code))


for _kind, _info in KINDS.items():
    for _step, _view, _suffix, _methods in (
        ("upload", upload, "", ["GET", "POST"]),
        ("preview", preview, "/preview", ["GET"]),
        ("confirm", confirm, "/confirm", ["POST"]),
        ("cancel", cancel, "/cancel", ["POST"]),
    ):
        bp.add_url_rule(_info.prefix + _suffix, f"{_kind}_{_step}", _view, methods=_methods, defaults={"kind": _kind})
