"""The import page: upload -> preview (the file, the tool, the mapping, the rows left out, the
figures, the problems) -> confirm. Everything goes through ``services.importing``, the service
the command line uses, so a file imports the same through either door.

Nothing is written before confirm: the upload waits in a private folder under a random name that
only the uploader's signed session knows. It is parsed once, when it arrives; the preview page
shows the kept result however often it is loaded. Messages name the file as the user called it.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_wtf.file import FileField
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectField

from kirkpatrick.domain.errors import KirkpatrickError
from kirkpatrick.io.problems import Problem
from kirkpatrick.io.sniff import DELIMITERS, Dialect
from kirkpatrick.io.surveys import SECRET_VARIABLE
from kirkpatrick.io.validate import ImportFailed
from kirkpatrick.reports.environment import N_
from kirkpatrick.services import importing
from kirkpatrick.web import authz, forms, security, uploaded
from kirkpatrick.web.authz import Action
from kirkpatrick.web.common import _, account, audit, engine, reading, writing

bp = Blueprint("imports", __name__)
CACHE = importing.PreviewCache()
KEYS, MAPPING = "upload_keys", "upload_mapping"

# What became of a column, in the page's language (``ColumnMapping.kind`` and ``detail``).
KINDS = {
    "matched": N_("measure or item"),
    "metadata": N_("ignored: information about the response"),
    "derived": N_("ignored: the survey tool's own column"),
    "participant": N_("participant"),
    "ignored": N_("ignored by the mapping file"),
    "unmatched": N_("ignored: no match in the catalogue"),
}
HOW = {
    "wording": N_("by its wording"),
    "tag": N_("by its export tag"),
    "code": N_("by its code"),
    "mapping file": N_("by the mapping file"),
}
DERIVED = {
    "NPS group": N_("NPS group"),
    "text of an 'other' choice": N_("text of an 'other' choice"),
    "score computed by the tool": N_("score computed by the tool"),
    "spam or duplicate check": N_("spam or duplicate check"),
    "text analysis by the tool": N_("text analysis by the tool"),
    "quiz points": N_("quiz points"),
    "quiz feedback": N_("quiz feedback"),
    "embedded data": N_("embedded data"),
}
TOOLS = {
    "qualtrics": "Qualtrics",
    "surveymonkey": "SurveyMonkey",
    "msforms": "Microsoft Forms",
    "googleforms": "Google Forms",
    "swedish": N_("Other survey tool (one header row)"),
}
_WORDS = {"comma": N_("comma"), "semicolon": N_("semicolon"), "tab": N_("tab"), "point": N_("point")}


class ImportForm(forms.UploadForm):
    source = SelectField(
        N_("Survey tool (exports)"),
        choices=forms._pairs(("", N_("Detect")), *TOOLS.items()),
        validate_choice=False,  # absent (a form of an older page, a script): detected; unknown: ignored
    )
    key_file = FileField(N_("Key file of e-mail addresses and codes (optional, .csv)"))
    mapping = FileField(N_("Mapping file saved from an earlier import (optional, .csv)"))
    keep_partial = BooleanField(N_("Keep unfinished responses"))
    strict_people = BooleanField(N_("Refuse the file if a row cannot be a participant"))


def _pending(code: str) -> tuple[Path, importing.ImportRequest, str, str] | None:
    kept = uploaded.pending("upload", code=code)
    if kept is None:
        return None
    path, item = kept
    keys = uploaded.pending(KEYS, code=code, upload=item.get("file"))
    mapping = uploaded.pending(MAPPING, code=code, upload=item.get("file"))
    request_ = importing.ImportRequest(
        intervention=code,
        layout=item.get("layout"),
        source=item.get("source") if item.get("source") in TOOLS else None,
        wave=item.get("wave"),
        rater=item.get("rater"),
        keep_partial=bool(item.get("keep_partial")),
        strict_people=bool(item.get("strict_people")),
        key_file=importing.read_key_file(keys[0], str(keys[1].get("name"))) if keys else {},
        mapping=importing.read_mapping(mapping[0], str(mapping[1].get("name"))) if mapping else {},
        secret=current_app.config.get("PSEUDONYM_SECRET") or os.environ.get(SECRET_VARIABLE),
    )
    return path, request_, str(item.get("name", "")), str(item.get("file", ""))


def _result(code: str) -> tuple[importing.ImportResult, str] | None:
    """The dry run of the pending upload: kept from when it arrived, else run once and kept."""
    try:
        pending = _pending(code)
    except KirkpatrickError as exc:  # a key or mapping file that cannot be read
        result = importing.ImportResult("", None, problems=[_problem_of(exc)], problem_count=1)
        return result, ""
    if pending is None:
        return None
    path, request_, name, token = pending
    cached = CACHE.get(token)
    if cached is not None:
        return cached, name
    try:
        table = importing.open_file(path, request_, name)
    except ImportFailed as exc:
        result = importing.ImportResult(name, None, problems=list(exc.problems), problem_count=exc.count)
    except KirkpatrickError as exc:
        result = importing.ImportResult(name, None, problems=[_problem_of(exc)], problem_count=1)
    else:
        result = importing.preview(engine(), table, request_)
    CACHE.put(token, result)
    return result, name


@bp.route("/i/<code>/import", methods=["GET", "POST"])
def upload(code: str) -> str | Response:
    with reading() as s:
        authz.require(s, account(), Action.UPLOAD, code)
    form = ImportForm()
    choices: dict[str, Any] = {name: getattr(form, name).data or None for name in ("layout", "wave", "rater", "source")}
    choices.update(keep_partial=bool(form.keep_partial.data), strict_people=bool(form.strict_people.data))
    uploaded.sweep()  # abandoned uploads of anyone, older than the folder's limit
    if form.validate_on_submit() and uploaded.keep(form.file, "upload", code=code, **choices):
        token = str(uploaded.pending("upload", code=code)[1]["file"])  # type: ignore[index]
        extras_ok = all(
            not (field.data and getattr(field.data, "filename", ""))
            or uploaded.keep(field, key, code=code, upload=token)
            for field, key in ((form.key_file, KEYS), (form.mapping, MAPPING))
        )
        if extras_ok:
            _result(code)  # parsed once, now
            target = url_for("imports.preview", code=code)
            if request.headers.get("X-Upload-Progress") == "1":  # sent by upload.js, which goes there itself
                return Response(status=204, headers={"X-Next": target})
            return redirect(target)
    g.csp = security.UPLOAD_PAGE_CSP  # our own upload.js, and its request back to this site
    return render_template("web/import.html", form=form, code=code)


@bp.route("/i/<code>/import/preview")
def preview(code: str) -> str | Response:
    with reading() as s:
        authz.require(s, account(), Action.UPLOAD, code)
    found = _result(code)
    if found is None:
        return redirect(url_for("imports.upload", code=code))
    result, name = found
    return render_template(
        "web/preview.html",
        code=code,
        p=result,
        name=name,
        tool=_(TOOLS[result.tool]) if result.tool in TOOLS else None,
        dialect=_dialect(result.dialect),
        problems=[_shown(p) for p in result.problems],
        columns=[_column(c) for c in result.survey.columns] if result.survey else [],
        excluded=[_excluded(e) for e in result.survey.excluded] if result.survey else [],
        free_text=_free_text(result),
        form=forms.PlainForm(),
    )


def _shown(p: Problem) -> dict[str, Any]:
    """A problem in the page's language: its code through the catalogue, with its values."""
    return {"line": p.line, "column": p.column, "message": _(p.code, **dict(p.values))}


def _problem_of(exc: KirkpatrickError) -> Problem:
    message = getattr(exc, "message", None) or str(exc)
    return Problem(message, {}, None, getattr(exc, "line", None), getattr(exc, "column", None))


def _column(c: Any) -> dict[str, Any]:
    if c.target is not None:
        what = c.target.code + (f" ({c.target.measure})" if c.target.item else "")
        return {"header": c.header, "target": what, "why": _(HOW.get(c.how, c.how))}
    why = _(KINDS.get(c.kind, c.kind))
    if c.kind == "derived":
        why = f"{why}: {_(DERIVED.get(c.detail, c.detail))}"
    elif c.kind == "metadata":
        why = f"{why} ({c.detail})"
    elif c.kind == "unmatched" and c.suggestions:
        why = f"{why}. " + _("Closest in the catalogue: %(closest)s", closest="; ".join(c.suggestions))
    return {"header": c.header, "target": "", "why": why}


def _excluded(e: Any) -> dict[str, Any]:
    detail = _(e.detail, **e.values) if e.detail else ""
    return {"line": e.line, "reason": _(e.reason), "detail": detail}


def _free_text(result: importing.ImportResult) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for question, _answer in result.survey.free_text if result.survey else []:
        counts[question] = counts.get(question, 0) + 1
    return list(counts.items())


def _dialect(dialect: Dialect | None) -> str:
    """How the file is written, from the dialect record, in the page's language."""
    if dialect is None:
        return ""
    if dialect.format == "xlsx":
        return _("xlsx, sheet %(sheet)s", sheet=repr(dialect.sheet))
    delimiter = DELIMITERS.get(dialect.delimiter or "", repr(dialect.delimiter))
    return _(
        "csv, %(encoding)s, delimiter %(delimiter)s, decimal %(decimal)s",
        encoding=str(dialect.encoding),
        delimiter=_(_WORDS[delimiter]) if delimiter in _WORDS else delimiter,
        decimal=_(_WORDS["comma" if dialect.decimal == "," else "point"]),
    )


@bp.route("/i/<code>/import/mapping.csv")
def mapping_file(code: str) -> Response:
    """The pending export's column mapping, to edit and give back with a later wave's export."""
    with reading() as s:
        authz.require(s, account(), Action.UPLOAD, code)
    found = _result(code)
    if found is None or found[0].survey is None:
        abort(404)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["column", "code"])
    writer.writerows(importing.mapping_rows(found[0].survey))
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="mapping-{code}.csv"'},
    )


@bp.route("/i/<code>/import/confirm", methods=["POST"])
def confirm(code: str) -> Response:
    with reading() as s:
        facts = authz.require(s, account(), Action.UPLOAD, code)
    form = forms.PlainForm()
    try:
        pending = _pending(code)
    except KirkpatrickError:
        return redirect(url_for("imports.preview", code=code))
    if not form.validate_on_submit() or pending is None:
        abort(400)
    path, request_, name, token = pending
    try:
        result = importing.run(engine(), importing.open_file(path, request_, name), request_, dry_run=False)
    except KirkpatrickError:  # changed since the preview (another import): show the preview again
        CACHE.drop(token)
        return redirect(url_for("imports.preview", code=code))
    _forget(token)
    imported = result.summary.imported if result.summary else 0
    with writing() as s:
        audit(s, "import", code, f"{name}: {imported} values", organisation_id=facts.client_org)
    flash(_("Imported %(n)s values.", n=imported))
    return redirect(url_for("interventions.page", code=code))


@bp.route("/i/<code>/import/cancel", methods=["POST"])
def cancel(code: str) -> Response:
    with reading() as s:
        authz.require(s, account(), Action.UPLOAD, code)
    if forms.PlainForm().validate_on_submit():
        kept = uploaded.pending("upload", code=code)
        _forget(str(kept[1].get("file", "")) if kept else "")
    return redirect(url_for("interventions.page", code=code))


def _forget(token: str) -> None:
    CACHE.drop(token)
    for key in ("upload", KEYS, MAPPING):
        uploaded.discard(key)
