"""Every "may this user see or do this" decision of the web application, in one place.

Views call :func:`require` (an intervention-bound action) or :func:`require_role` (everything
else). A foreign or unknown intervention answers 404, the same as a missing one, so that a
guessed code tells nothing. The rules (docs/web.md):

- a consultant acts on the interventions their consultancy runs;
- HR and client users act on the interventions of the clients their organisation owns;
- a client user reads reports only; HR also sees statistics, uploads, shares and exports;
- an admin manages users and organisations and sees no intervention data;
- a contract is seen by whoever owns the data of every one of its call-offs (:func:`sees_contract`).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from flask import abort
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.services import catalogue, contracts
from kirkpatrick.services.accounts import Account, Ownership, ownership
from kirkpatrick.storage.accounts import Role


class Action(StrEnum):
    READ_REPORT = "read_report"  # the report, in the page or as a download
    READ_DETAILS = "read_details"  # details, statistics, data quality, Excel, audit of it
    EDIT = "edit"  # intervention, sessions, factors, quotes
    UPLOAD = "upload"  # measurements
    SHARE = "share"  # create and revoke share links
    ERASE = "erase"  # a participant's data, or the whole intervention
    SUCCESS_CASES = "success_cases"
    SURVEY = "survey"  # questionnaires, waves, respondents, e-mail texts, tracking and sending of built-in collection
    SURVEY_BANK = "survey_bank"  # add questions of one's own to the question bank


class Area(StrEnum):
    START = "start"  # the start page (an admin's is the user list)
    NEW_INTERVENTION = "new_intervention"
    PORTFOLIO = "portfolio"
    AUDIT = "audit"
    ADMIN = "admin"
    CONTRACTS = "contracts"  # contract follow-up pages; which contracts, see sees_contract
    CATALOGUE = "catalogue"  # the measures catalogue; which measures may change, see require_measure
    CLIENTS = "clients"  # clients (buyers of interventions); which ones, see require_client


ALLOWED: dict[Role, frozenset[Action]] = {
    Role.CONSULTANT: frozenset(Action),
    Role.HR: frozenset(
        {Action.READ_REPORT, Action.READ_DETAILS, Action.UPLOAD, Action.SHARE, Action.ERASE, Action.SURVEY}
    ),
    Role.CLIENT: frozenset({Action.READ_REPORT}),
    Role.ADMIN: frozenset(),
}
AREAS: dict[Role, frozenset[Area]] = {
    Role.CONSULTANT: frozenset(
        {Area.START, Area.NEW_INTERVENTION, Area.PORTFOLIO, Area.AUDIT, Area.CONTRACTS, Area.CATALOGUE, Area.CLIENTS}
    ),
    Role.HR: frozenset({Area.START, Area.AUDIT, Area.CONTRACTS}),
    Role.CLIENT: frozenset({Area.START, Area.CONTRACTS}),
    Role.ADMIN: frozenset({Area.ADMIN, Area.AUDIT, Area.CLIENTS}),
}


def owns(account: Account, facts: Ownership) -> bool:
    """Whether the intervention's data belongs to the account's organisation."""
    if account.organisation_id is None:
        return False
    if account.role == Role.CONSULTANT:
        return facts.runner_org == account.organisation_id
    if account.role in (Role.HR, Role.CLIENT):
        return facts.client_org == account.organisation_id
    return False


def may(account: Account, action: Action, facts: Ownership) -> bool:
    return action in ALLOWED[account.role] and owns(account, facts)


def require(session: OrmSession, account: Account | None, action: Action, code: str) -> Ownership:
    """The intervention's ownership facts if ``account`` may do ``action`` on it; else 404 (or 401
    when nobody is signed in)."""
    if account is None:
        abort(401)
    facts = ownership(session, code)
    if facts is None or not owns(account, facts):
        abort(404)
    if action not in ALLOWED[account.role]:
        abort(403)  # their own organisation's intervention, but not their role's to do
    return facts


def may_area(account: Account, area: Area) -> bool:
    return area in AREAS[account.role]


def require_role(account: Account | None, area: Area) -> Account:
    if account is None:
        abort(401)
    if not may_area(account, area):
        abort(403)
    return account


def sees_contract(account: Account, call_offs: Sequence[Ownership]) -> bool:
    """The contract rule: a contract with at least one call-off is visible to a user who owns
    (:func:`owns`) every one of its call-offs: consultants of the consultancy that runs them, HR
    and client users of the organisation that owns their clients. A contract without call-offs, or
    with a call-off of another organisation, is visible to no one in the browser (its report shows
    every call-off's results); admins see none."""
    return (
        account.role in (Role.CONSULTANT, Role.HR, Role.CLIENT)
        and bool(call_offs)
        and all(owns(account, facts) for facts in call_offs)
    )


def visible_contracts(session: OrmSession, account: Account) -> list[str]:
    """The codes of the contracts ``account`` may see."""
    return [code for code, facts in contracts.call_off_ownership(session).items() if sees_contract(account, facts)]


def require_contract(session: OrmSession, account: Account | None, code: str) -> None:
    """Nothing if ``account`` may see contract ``code``; else 404, the same as a missing one (401
    when nobody is signed in)."""
    if account is None:
        abort(401)
    facts = contracts.call_off_ownership(session, code).get(code)
    if facts is None or not sees_contract(account, facts):
        abort(404)


# ---------------------------------------------------------------- the catalogue and clients
# The catalogue is shared: anyone with Area.CATALOGUE reads it and adds to it, but a measure may be
# changed only by a user who owns every intervention with values on it (a change of reliability or
# direction changes those interventions' results). Clients: an admin manages all of them; a
# consultant those whose interventions (one at least) are all run by their consultancy.


def require_measure(session: OrmSession, account: Account | None, code: str) -> None:
    """Nothing if ``account`` may change measure ``code``; 404 if there is no such measure, 403 if
    another organisation's values use it (401 when nobody is signed in)."""
    require_role(account, Area.CATALOGUE)
    assert account is not None
    users = catalogue.measure_owners(session, code)
    if users is None:
        abort(404)
    if not all(owns(account, facts) for facts in users):
        abort(403)


def may_change_measure(account: Account, users: Sequence[Ownership]) -> bool:
    return may_area(account, Area.CATALOGUE) and all(owns(account, facts) for facts in users)


def require_client(session: OrmSession, account: Account | None, client_id: int) -> None:
    """Nothing if ``account`` may edit client ``client_id``; else 404, the same as a missing one."""
    require_role(account, Area.CLIENTS)
    assert account is not None
    if not any(row.id == client_id for row in visible_clients(session, account)):
        abort(404)


def visible_clients(session: OrmSession, account: Account) -> list[catalogue.ClientRow]:
    if account.role == Role.ADMIN:
        return catalogue.list_clients(session)
    if account.role == Role.CONSULTANT and account.organisation_id is not None:
        return catalogue.list_clients(session, runner=account.organisation_id)
    return []


def require_contract_edit(session: OrmSession, account: Account | None, code: str) -> None:
    """Nothing if ``account`` may add to contract ``code`` (interviews, quotes, delivery summaries):
    a consultant who sees it. Another role that sees it: 403; a contract not seen: 404."""
    require_contract(session, account, code)
    assert account is not None
    if account.role != Role.CONSULTANT:
        abort(403)
