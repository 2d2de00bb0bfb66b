"""The portfolio, success cases, the audit log and the health check."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select, text

from kirkpatrick.domain.errors import KirkpatrickError
from kirkpatrick.services import accounts, analysis, success_cases
from kirkpatrick.services import portfolio as portfolio_service
from kirkpatrick.storage.accounts import Role
from kirkpatrick.storage.models import Intervention
from kirkpatrick.web import authz
from kirkpatrick.web.authz import Action, Area
from kirkpatrick.web.common import account, engine, reading

bp = Blueprint("misc", __name__)


@bp.route("/healthz")
def healthz() -> tuple[str, int]:
    try:
        with engine().connect() as c:
            c.execute(text("SELECT 1"))
    except Exception:
        return "database unreachable\n", 503
    return "ok\n", 200


@bp.route("/portfolio")
def portfolio() -> str:
    me = authz.require_role(account(), Area.PORTFOLIO)
    filters_in = {
        k: (request.args.get(k) or "").strip() or None for k in ("client", "consultant", "format", "since", "until")
    }
    error = None
    result = None
    try:
        from kirkpatrick.domain.vocab import Format
        from kirkpatrick.services.records import parse_date

        filters = portfolio_service.PortfolioFilters(
            client=filters_in["client"],
            consultant=filters_in["consultant"],
            format=Format(filters_in["format"]) if filters_in["format"] else None,
            since=parse_date(filters_in["since"], what="since") if filters_in["since"] else None,
            until=parse_date(filters_in["until"], what="until") if filters_in["until"] else None,
        )
        with reading() as s:
            mine = set(s.scalars(select(Intervention.code).where(accounts.visible_condition(me))))
            chosen = [i for i in portfolio_service.select_interventions(s, filters) if i.code in mine]
            codes = [i.code for i in chosen]
            headlines = analysis.headline_effects(s, codes) if codes else []
        result = portfolio_service.assemble(chosen, headlines, filters=filters)
    except (KirkpatrickError, ValueError) as exc:
        error = str(exc)
    return render_template("web/portfolio.html", p=result, f=filters_in, error=error)


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
