"""Contract follow-up pages: the contracts one may see, a contract's details and its follow-up
report (docs/contracts.md). Which contracts a user sees is decided by ``authz.sees_contract``."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from kirkpatrick.reports.contract import build_context, render_contract
from kirkpatrick.services import contracts
from kirkpatrick.web import authz, security
from kirkpatrick.web.authz import Area
from kirkpatrick.web.common import LANGS, account, audit, lang, reading, writing
from kirkpatrick.web.interventions import report_response

bp = Blueprint("contracts", __name__)


@bp.route("/contracts")
def index() -> str:
    me = authz.require_role(account(), Area.CONTRACTS)
    with reading() as s:
        visible = set(authz.visible_contracts(s, me))
        rows = [row for row in contracts.list_contracts(s) if row["code"] in visible]
    return render_template("web/contracts.html", rows=rows)


@bp.route("/contracts/<code>")
def show(code: str) -> str:
    with reading() as s:
        authz.require_contract(s, account(), code)
        follow = contracts.follow_up(s, code)
    return render_template(
        "web/contract.html", code=code, r=build_context(follow, lang()), interviews=follow.interviews
    )


def _report(code: str) -> tuple[str, str]:
    report_lang = request.args.get("lang", lang())
    report_lang = report_lang if report_lang in LANGS else lang()
    with reading() as s:
        authz.require_contract(s, account(), code)
        return render_contract(contracts.follow_up(s, code), report_lang), report_lang


@bp.route("/contracts/<code>/report")
def report(code: str) -> Response:
    html, _lang = _report(code)
    return report_response(html, security.REPORT_CSP)


@bp.route("/contracts/<code>/report.html")
def download(code: str) -> Response:
    html, report_lang = _report(code)
    with writing() as s:
        audit(s, "download", code, f"contract report, html, {report_lang}")
    response = Response(html.encode("utf-8"), mimetype="text/html")
    response.headers["Content-Disposition"] = f'attachment; filename="contract-{code}-{report_lang}.html"'
    return response
