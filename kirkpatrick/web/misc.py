"""The portfolio, success cases, the audit log and the health check."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from flask import Blueprint, Response, abort, g, render_template, request
from sqlalchemy import select, text

from kirkpatrick.domain import policy
from kirkpatrick.domain.errors import KirkpatrickError
from kirkpatrick.domain.parsing import parse_date, parse_vocab
from kirkpatrick.domain.vocab import Format, Level
from kirkpatrick.io.xlsx_export import workbook_bytes
from kirkpatrick.reports import portfolio as portfolio_report_lib
from kirkpatrick.reports.environment import label
from kirkpatrick.reports.pdf import html_to_pdf
from kirkpatrick.services import accounts, analysis, success_cases
from kirkpatrick.services import portfolio as portfolio_service
from kirkpatrick.services.accounts import Account
from kirkpatrick.storage.accounts import Role
from kirkpatrick.storage.models import Intervention
from kirkpatrick.web import authz, errors, security
from kirkpatrick.web.authz import Action, Area
from kirkpatrick.web.common import LANGS, account, audit, engine, lang, reading, writing

bp = Blueprint("misc", __name__)


@bp.route("/healthz")
def healthz() -> tuple[str, int]:
    try:
        with engine().connect() as c:
            c.execute(text("SELECT 1"))
    except Exception:
        return "database unreachable\n", 503
    return "ok\n", 200


FILTER_KEYS = ("client", "consultant", "format", "since", "until")
DOWNLOADS = {
    "html": "text/html",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


def _chosen() -> dict[str, str | None]:
    """The page's filters as typed (query string), for the form and the report's links."""
    return {k: (request.args.get(k) or "").strip()[:300] or None for k in FILTER_KEYS}


def _selection(
    me: Account, typed: dict[str, str | None]
) -> tuple[portfolio_service.PortfolioFilters, list[portfolio_service.InterventionInfo]]:
    """The filters as typed, parsed, and the interventions ``me`` may see that match them."""
    filters = portfolio_service.PortfolioFilters(
        client=typed["client"],
        consultant=typed["consultant"],
        format=parse_vocab(Format, typed["format"], what="format") if typed["format"] else None,
        since=parse_date(typed["since"], what="since") if typed["since"] else None,
        until=parse_date(typed["until"], what="until") if typed["until"] else None,
    )
    with reading() as s:
        mine = set(s.scalars(select(Intervention.code).where(accounts.visible_condition(me))))
        return filters, [i for i in portfolio_service.select_interventions(s, filters) if i.code in mine]


def _portfolio(me: Account, typed: dict[str, str | None]) -> portfolio_service.Portfolio:
    """The portfolio of the interventions ``me`` may see that match the filters, with the
    default anonymity threshold (a level of fewer participants is left out, as in the CLI)."""
    filters, chosen = _selection(me, typed)
    codes = [i.code for i in chosen]
    with reading() as s:
        headlines = analysis.headline_effects(s, codes, min_group=policy.DEFAULT_MIN_GROUP) if codes else []
    return portfolio_service.assemble(chosen, headlines, filters=filters, min_group=policy.DEFAULT_MIN_GROUP)


def _report_lang() -> str:
    wanted = request.args.get("lang", lang())
    return wanted if wanted in LANGS else lang()


@bp.route("/portfolio")
def portfolio() -> str:
    me = authz.require_role(account(), Area.PORTFOLIO)
    typed = _chosen()
    error, count = None, None
    try:  # the report itself is computed once, by the frame (and each download)
        count = len(_selection(me, typed)[1])
    except KirkpatrickError as exc:
        error = errors.message(exc)
    return render_template(
        "web/portfolio.html",
        count=count,
        min_group=policy.DEFAULT_MIN_GROUP,
        f=typed,
        error=error,
        query={k: v for k, v in typed.items() if v},
        formats=list(Format),
    )


@bp.route("/portfolio/report")
def portfolio_report() -> Response:
    """The full portfolio report (the CLI's ``portfolio -o``), shown in the portfolio page's frame."""
    me = authz.require_role(account(), Area.PORTFOLIO)
    try:
        html = portfolio_report_lib.render(_portfolio(me, _chosen()), _report_lang())
    except KirkpatrickError:
        abort(400)
    g.csp = security.REPORT_CSP
    return Response(html, mimetype="text/html")


@bp.route("/portfolio/download.<fmt>")
def portfolio_download(fmt: str) -> Response:
    me = authz.require_role(account(), Area.PORTFOLIO)
    if fmt not in DOWNLOADS:
        abort(404)
    report_lang = _report_lang()
    try:
        result = _portfolio(me, _chosen())
    except KirkpatrickError:
        abort(400)
    if fmt == "csv":
        out = io.StringIO()
        portfolio_service.write_export(result, out)
        data = out.getvalue().encode("utf-8")
    elif fmt == "xlsx":
        data = workbook_bytes(_level_sheets(result, report_lang))
    else:
        html = portfolio_report_lib.render(result, report_lang)
        data = html.encode("utf-8") if fmt == "html" else _pdf(html)
    with writing() as s:
        audit(s, "download", "portfolio", f"{fmt}, {report_lang}, {len(result.interventions)} interventions")
    response = Response(data, mimetype=DOWNLOADS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="portfolio-{report_lang}.{fmt}"'
    return response


def _level_sheets(
    result: portfolio_service.Portfolio, report_lang: str
) -> list[tuple[str, list[str], list[list[object]]]]:
    """The effects that were pooled, one sheet per level, numbers as numbers (the CSV's columns)."""
    header = [c for c in portfolio_service.EXPORT_COLUMNS if c != "level"]
    rows = result.export_rows()
    return [
        (
            label(level, report_lang),
            header,
            [[None if r[c] == "" else r[c] for c in header] for r in rows if r["level"] == level.value],
        )
        for level in Level
    ]


def _pdf(html: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="kirkpatrick-pdf-") as folder:
        source, target = Path(folder) / "portfolio.html", Path(folder) / "portfolio.pdf"
        source.write_text(html, encoding="utf-8")
        html_to_pdf(source, target)
        return target.read_bytes()


@bp.route("/i/<code>/success-cases")
def cases(code: str) -> str:
    with reading() as s:
        authz.require(s, account(), Action.SUCCESS_CASES, code)
        found = success_cases.success_cases(s, code)
    return render_template("web/success_cases.html", code=code, c=found.to_dict())


@bp.route("/audit")
def audit_log() -> str:
    me = authz.require_role(account(), Area.AUDIT)
    with reading() as s:
        if me.role == Role.ADMIN:
            rows = accounts.list_audit_events(s, None)
        else:
            codes = list(s.scalars(select(Intervention.code).where(accounts.visible_condition(me))))
            rows = accounts.list_audit_events(s, [me.organisation_id or -1], codes=codes)
    return render_template("web/audit.html", rows=rows)
