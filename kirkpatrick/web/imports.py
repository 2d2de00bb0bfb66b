"""The import page: upload -> preview (format, mapping, first rows, errors) -> confirm.

Nothing is written before confirm: the upload waits in a private folder under a random name
that only the uploader's signed session knows.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from kirkpatrick.domain.errors import InvalidInput, KirkpatrickError
from kirkpatrick.io.importing import ImportFailed, ImportOptions
from kirkpatrick.reports.environment import N_
from kirkpatrick.services import uploads
from kirkpatrick.web import authz, errors, forms, security, uploaded
from kirkpatrick.web.authz import Action
from kirkpatrick.web.common import _, account, audit, engine, reading, writing

bp = Blueprint("imports", __name__)


def _pending(code: str) -> tuple[Path, ImportOptions, str] | None:
    kept = uploaded.pending("upload", code=code)
    if kept is None:
        return None
    path, item = kept
    options = ImportOptions(
        intervention=code, layout=item.get("layout"), wave=item.get("wave"), rater=item.get("rater")
    )
    return path, options, str(item.get("name", ""))


@bp.route("/i/<code>/import", methods=["GET", "POST"])
def upload(code: str) -> str | Response:
    with reading() as s:
        authz.require(s, account(), Action.UPLOAD, code)
    form = forms.UploadForm()
    choices = {name: getattr(form, name).data or None for name in ("layout", "wave", "rater")}
    if form.validate_on_submit() and uploaded.keep(form.file, "upload", code=code, **choices):
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
    pending = _pending(code)
    if pending is None:
        return redirect(url_for("imports.upload", code=code))
    path, options, name = pending
    try:
        result = uploads.preview(engine(), path, options)
    except KirkpatrickError as exc:
        result = uploads.Preview("", None, [], [], None, [uploads.ErrorRow(None, None, errors.message(exc))], 1)
    else:  # the importer's sentences, in the page's language
        result.errors = [
            uploads.ErrorRow(e.line, e.column, errors.translate(e.message, InvalidInput)) for e in result.errors
        ]
    return render_template(
        "web/preview.html", code=code, p=result, dialect=_dialect(result.dialect), name=name, form=forms.PlainForm()
    )


_CSV = re.compile(r"csv, (?P<encoding>[^,]+), delimiter (?P<delimiter>.+), decimal (?P<decimal>comma|point)")
_XLSX = re.compile(r"xlsx, sheet (?P<sheet>.+)")
_WORDS = {"comma": N_("comma"), "semicolon": N_("semicolon"), "tab": N_("tab"), "point": N_("point")}


def _dialect(text: str) -> str:
    """The importer's one-line description of the file (``csv, utf-8, delimiter comma, decimal
    point``) in the page's language."""
    found = _CSV.fullmatch(text)
    if found is not None:
        delimiter = found["delimiter"]
        return _(
            "csv, %(encoding)s, delimiter %(delimiter)s, decimal %(decimal)s",
            encoding=found["encoding"],
            delimiter=_(_WORDS[delimiter]) if delimiter in _WORDS else delimiter,
            decimal=_(_WORDS[found["decimal"]]),
        )
    found = _XLSX.fullmatch(text)
    return _("xlsx, sheet %(sheet)s", sheet=found["sheet"]) if found is not None else text


@bp.route("/i/<code>/import/confirm", methods=["POST"])
def confirm(code: str) -> Response:
    with reading() as s:
        facts = authz.require(s, account(), Action.UPLOAD, code)
    form = forms.PlainForm()
    pending = _pending(code)
    if not form.validate_on_submit() or pending is None:
        abort(400)
    path, options, name = pending
    try:
        summary = uploads.run_import(engine(), path, options, dry_run=False)
    except ImportFailed:
        return redirect(url_for("imports.preview", code=code))
    except KirkpatrickError:
        return redirect(url_for("imports.preview", code=code))
    uploaded.discard("upload")
    with writing() as s:
        audit(s, "import", code, f"{name}: {summary.imported} values", organisation_id=facts.client_org)
    flash(_("Imported %(n)s values.", n=summary.imported))
    return redirect(url_for("interventions.page", code=code))


@bp.route("/i/<code>/import/cancel", methods=["POST"])
def cancel(code: str) -> Response:
    if forms.PlainForm().validate_on_submit():
        uploaded.discard("upload")
    return redirect(url_for("interventions.page", code=code))
