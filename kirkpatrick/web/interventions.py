"""The start page, the intervention page, the report and the downloads."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from flask import Blueprint, Response, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from kirkpatrick.collect import tracking
from kirkpatrick.io.xlsx_export import workbook_bytes
from kirkpatrick.reports.intervention import render_intervention
from kirkpatrick.reports.pdf import html_to_pdf
from kirkpatrick.services import analysis, records, sharing, start_page
from kirkpatrick.storage.accounts import Role
from kirkpatrick.web import authz, forms, security
from kirkpatrick.web.authz import Action, Area
from kirkpatrick.web.common import LANGS, account, audit, lang, reading, writing
from kirkpatrick.web.stats_table import tables

bp = Blueprint("interventions", __name__)


@bp.route("/")
def start() -> str | BaseResponse:
    me = account()
    if me is None:
        return redirect(url_for("auth.sign_in"))
    if me.role == Role.ADMIN:
        return redirect(url_for("admin.users"))
    authz.require_role(me, Area.START)
    chosen = start_page.StartFilters.parse(request.args.get("q"), request.args.get("status"), request.args.get("page"))
    with reading() as s:
        found = start_page.start_page(s, me, dt.date.today(), chosen)
    return render_template("web/start.html", p=found, Status=start_page.Status)


@bp.route("/i/<code>")
def page(code: str) -> str:
    me = account()
    with reading() as s:
        authz.require(s, me, Action.READ_REPORT, code)
        assert me is not None
        details = stats = links = None
        if Action.READ_DETAILS in authz.ALLOWED[me.role]:
            details = records.describe_intervention(s, code)
            stats = tables(analysis.analyse(s, code), lang())
        else:
            facts = analysis.analyse(s, code).facts
            details = {"code": facts.code, "title": facts.title}
        if Action.SHARE in authz.ALLOWED[me.role]:
            links = sharing.list_links(s, code)
    return render_template(
        "web/intervention.html",
        code=code,
        d=details,
        stats=stats,
        links=links,
        allowed=authz.ALLOWED[me.role],
        Action=Action,
        share_form=forms.ShareForm(),
        plain=forms.PlainForm(),
        new_token=None,
    )


def _report_html(code: str, report_lang: str) -> str:
    with reading() as s:
        return render_intervention(analysis.analyse(s, code), report_lang, tracking.response_tracking(s, code))


def report_response(html: str, csp: str) -> Response:
    g.csp = csp
    return Response(html, mimetype="text/html")


@bp.route("/i/<code>/report")
def report(code: str) -> Response:
    with reading() as s:
        authz.require(s, account(), Action.READ_REPORT, code)
    report_lang = request.args.get("lang", lang())
    return report_response(_report_html(code, report_lang if report_lang in LANGS else lang()), security.REPORT_CSP)


@bp.route("/i/<code>/download.<fmt>")
def download(code: str, fmt: str) -> Response:
    me = account()
    needed = Action.READ_DETAILS if fmt == "xlsx" else Action.READ_REPORT
    with reading() as s:
        facts = authz.require(s, me, needed, code)
    if fmt not in ("html", "pdf", "xlsx"):
        from flask import abort

        abort(404)
    report_lang = request.args.get("lang", lang())
    report_lang = report_lang if report_lang in LANGS else lang()
    if fmt == "xlsx":
        with reading() as s:
            result = analysis.analyse(s, code)
        data = workbook_bytes([(t.title, t.header, t.rows) for t in tables(result, report_lang)])
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "pdf":
        html = _report_html(code, report_lang)
        with tempfile.TemporaryDirectory(prefix="kirkpatrick-pdf-") as folder:
            source, target = Path(folder) / "report.html", Path(folder) / "report.pdf"
            source.write_text(html, encoding="utf-8")
            html_to_pdf(source, target)
            data = target.read_bytes()
        mimetype = "application/pdf"
    else:
        data = _report_html(code, report_lang).encode("utf-8")
        mimetype = "text/html"
    with writing() as s:
        audit(s, "download", code, f"{fmt}, {report_lang}", organisation_id=facts.client_org)
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{code}-{report_lang}.{fmt}"'
    return response
