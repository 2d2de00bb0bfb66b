"""Forms of the contract follow-up: a new contract with its call-offs, and linking or unlinking
call-offs (the CLI's ``contract add`` and ``contract call-off``). A consultant may call off only
interventions their consultancy runs; another code reads as missing. In the browser a contract is
seen by those who own every one of its call-offs (``authz.sees_contract``), so it keeps one at least.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from sqlalchemy.orm import Session as OrmSession
from werkzeug.wrappers import Response

from kirkpatrick.domain.errors import InvalidInput, KirkpatrickError
from kirkpatrick.services import contracts
from kirkpatrick.services.accounts import Account, ownership
from kirkpatrick.web import authz, errors
from kirkpatrick.web.authz import Area
from kirkpatrick.web.common import _, account, audit, reading, writing
from kirkpatrick.web.record_forms import CallOffForm, ContractForm

bp = Blueprint("contract_forms", __name__)


def _own_codes(s: OrmSession, me: Account, text: str) -> list[str]:
    """The codes typed, each an intervention ``me`` may edit; else the same error as a missing one."""
    codes = text.split()
    for code in codes:
        facts = ownership(s, code)
        if facts is None or not authz.may(me, authz.Action.EDIT, facts):
            raise InvalidInput(f"no intervention with code {code!r}")
    return codes


def _lines(text: str | None) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


@bp.route("/contracts/new", methods=["GET", "POST"])
def new() -> str | Response:
    me = authz.require_role(account(), Area.NEW_INTERVENTION)  # consultants: the supplier's side
    form = ContractForm()
    if form.validate_on_submit():
        fields = contracts.ContractFields(
            form.registration_number.data or "", form.title.data or "", form.buyer.data or "",
            form.supplier.data or "", form.start.data.isoformat() if form.start.data else "",
            form.end.data.isoformat() if form.end.data else "", form.scale.data or "1-5",
            _lines(form.criteria.data), _lines(form.services.data), form.notes.data or None,
        )  # fmt: skip
        try:
            with writing() as s:
                calls = _own_codes(s, me, form.call_offs.data or "")
                added = contracts.add_contract(s, form.code.data or "", fields)
                contracts.set_call_offs(s, added.code, calls)
                audit(s, "contract_add", added.code, " ".join(calls))
                code = added.code
            flash(_("Contract %(code)s saved.", code=code))
            return redirect(url_for("contracts.show", code=code))
        except KirkpatrickError as exc:
            text = str(exc)
            about = next(
                (n for k, n in (("intervention", "call_offs"), ("criteri", "criteria"), ("service", "services"),
                                ("scale", "scale"), ("date", "end"), ("already exists", "code")) if k in text),
                "code",
            )  # fmt: skip
            form[about].errors = [errors.message(exc)]
    return render_template(
        "web/record_form.html", form=form, title=_("New contract"), back_url=url_for("contracts.index"),
        back_text=_("Contracts"),
    )  # fmt: skip


@bp.route("/contracts/<code>/call-offs", methods=["GET", "POST"])
def call_offs(code: str) -> str | Response:
    with reading() as s:
        authz.require_contract_edit(s, account(), code)
    me = account()
    assert me is not None
    form = CallOffForm()
    if form.validate_on_submit():
        try:
            with writing() as s:
                calls = _own_codes(s, me, form.call_offs.data or "")
                done = contracts.set_call_offs(s, code, calls, remove=bool(form.remove.data))
                if not contracts.call_off_ownership(s, code).get(code):
                    raise InvalidInput("a contract keeps one call-off at least (without one no one can see it)")
                audit(s, "call_off_remove" if form.remove.data else "call_off_add", code, " ".join(done))
            flash(_("Saved."))
            return redirect(url_for("contracts.show", code=code))
        except KirkpatrickError as exc:
            form.call_offs.errors = [errors.message(exc)]
    return render_template(
        "web/record_form.html", form=form, title=_("Call-offs of %(code)s", code=code),
        back_url=url_for("contracts.show", code=code), back_text=code,
    )  # fmt: skip
