"""Accounts: users, organisations, who owns what, sign-in with throttling, and the web audit log.

Throttling lives in the database (``sign_in_attempt``) so that it holds across worker processes.
The facts that authorisation needs (which organisation owns or runs an intervention) are read
here; the decision itself is made in ``kirkpatrick.web.authz``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.domain.errors import Duplicate, InvalidInput, NotFound
from kirkpatrick.storage.accounts import (
    AuditEvent,
    ClientOwner,
    InterventionRunner,
    Organisation,
    OrgKind,
    Role,
    SignInAttempt,
    User,
)
from kirkpatrick.storage.models import Client, Intervention

MIN_PASSWORD = 10
THROTTLE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 30
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_hasher = PasswordHasher()
# Verified against when the account does not exist, so that both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a password of anyone")
ROLE_KIND = {Role.CONSULTANT: OrgKind.CONSULTANCY, Role.HR: OrgKind.CLIENT, Role.CLIENT: OrgKind.CLIENT}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Account:
    """The signed-in user as the web layer sees it (no password hash)."""

    id: int
    email: str
    role: Role
    organisation_id: int | None
    organisation: str | None
    session_version: int


def _account(user: User) -> Account:
    org = user.organisation
    return Account(
        user.id, user.email, user.role, user.organisation_id, org.name if org else None, user.session_version
    )


def normalise_email(email: str) -> str:
    clean = email.strip().lower()
    if not _EMAIL.fullmatch(clean) or len(clean) > 320:
        raise InvalidInput(f"not an e-mail address: {email!r}")
    return clean


# ---------------------------------------------------------------- organisations


def get_organisation(session: OrmSession, name: str) -> Organisation:
    found = session.scalars(select(Organisation).where(Organisation.name == name.strip())).one_or_none()
    if found is None:
        raise NotFound(f"no organisation {name!r}")
    return found


def organisation_for(session: OrmSession, name: str, kind: OrgKind) -> Organisation:
    """The organisation ``name``, created as ``kind`` on first sight; an existing one must be of ``kind``."""
    clean = name.strip()
    if not clean or len(clean) > 300:
        raise InvalidInput("organisation name must be 1 to 300 characters")
    found = session.scalars(select(Organisation).where(Organisation.name == clean)).one_or_none()
    if found is None:
        found = Organisation(name=clean, kind=kind)
        session.add(found)
        session.flush()
    elif found.kind != kind:
        raise InvalidInput(f"organisation {clean!r} is a {found.kind.value}, not a {kind.value}")
    return found


def list_organisations(session: OrmSession) -> list[dict[str, Any]]:
    users = dict(session.execute(select(User.organisation_id, func.count()).group_by(User.organisation_id)).all())
    clients: dict[int, list[str]] = {}
    for org_id, name in session.execute(select(ClientOwner.organisation_id, Client.name).join(Client)):
        clients.setdefault(org_id, []).append(name)
    return [
        {
            "id": o.id,
            "name": o.name,
            "kind": o.kind.value,
            "users": users.get(o.id, 0),
            "clients": clients.get(o.id, []),
        }
        for o in session.scalars(select(Organisation).order_by(Organisation.name))
    ]


def link_client(session: OrmSession, organisation: str, client: str) -> None:
    """Client organisation ``organisation`` owns client ``client`` (and so its interventions' data)."""
    org = get_organisation(session, organisation)
    if org.kind != OrgKind.CLIENT:
        raise InvalidInput(f"{org.name!r} is a consultancy; clients belong to client organisations")
    row = session.scalars(select(Client).where(Client.name == client.strip())).one_or_none()
    if row is None:
        raise NotFound(f"no client {client!r}")
    owner = session.get(ClientOwner, row.id)
    if owner is None:
        session.add(ClientOwner(client_id=row.id, organisation_id=org.id))
    else:
        owner.organisation_id = org.id
    session.flush()


def link_intervention(session: OrmSession, organisation: str | int, code: str) -> None:
    """Consultancy ``organisation`` (name or id) runs intervention ``code``."""
    org = session.get(Organisation, organisation) if isinstance(organisation, int) else None
    org = org or get_organisation(session, str(organisation))
    if org.kind != OrgKind.CONSULTANCY:
        raise InvalidInput(f"{org.name!r} is a client organisation; interventions are run by consultancies")
    found = session.scalars(select(Intervention.id).where(Intervention.code == code)).one_or_none()
    if found is None:
        raise NotFound(f"no intervention {code!r}")
    runner = session.get(InterventionRunner, found)
    if runner is None:
        session.add(InterventionRunner(intervention_id=found, organisation_id=org.id))
    else:
        runner.organisation_id = org.id
    session.flush()


# ---------------------------------------------------------------- users


def create_user(session: OrmSession, email: str, password: str, role: str, organisation: str | None) -> Account:
    clean = normalise_email(email)
    try:
        parsed = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r} (expected admin, consultant, hr or client)") from None
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD} characters")
    org: Organisation | None = None
    if parsed != Role.ADMIN:
        if not organisation:
            raise InvalidInput(f"a {parsed.value} user needs an organisation (--org NAME)")
        org = organisation_for(session, organisation, ROLE_KIND[parsed])
    if session.scalars(select(User.id).where(User.email == clean)).first() is not None:
        raise Duplicate(f"user {clean} already exists")
    user = User(
        email=clean,
        password_hash=_hasher.hash(password),
        role=parsed,
        organisation=org,
        active=True,
        session_version=0,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return _account(user)


def count_users(session: OrmSession) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def list_users(session: OrmSession) -> list[dict[str, Any]]:
    rows = session.execute(select(User, Organisation.name).outerjoin(Organisation).order_by(User.email))
    return [
        {"id": u.id, "email": u.email, "role": u.role.value, "organisation": org, "active": u.active} for u, org in rows
    ]


def set_active(session: OrmSession, user_id: int, active: bool) -> str:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    user.active = active
    user.session_version += 1  # signs the user out everywhere
    session.flush()
    return user.email


def find_user(session: OrmSession, email: str) -> Account:
    user = session.scalars(select(User).where(User.email == normalise_email(email))).one_or_none()
    if user is None:
        raise NotFound(f"no user {email}")
    return _account(user)


def get_user(session: OrmSession, user_id: int) -> Account:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    return _account(user)


def edit_user(
    session: OrmSession, user_id: int, email: str, role: str, organisation: str | None, password: str | None = None
) -> tuple[Account, list[str]]:
    """Change a user's e-mail address, role and organisation (created if new, as ``create_user``),
    and set a new password when one is given. Returns the user and the names of what changed;
    a change of role, organisation or password signs the user out everywhere."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    clean = normalise_email(email)
    try:
        parsed = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r} (expected admin, consultant, hr or client)") from None
    org: Organisation | None = None
    if parsed != Role.ADMIN:
        if not (organisation or "").strip():
            raise InvalidInput(f"a {parsed.value} user needs an organisation")
        org = organisation_for(session, organisation or "", ROLE_KIND[parsed])
    if clean != user.email and session.scalars(select(User.id).where(User.email == clean)).first() is not None:
        raise Duplicate(f"user {clean} already exists")
    changed = [
        what
        for what, differs in (
            ("e-mail", clean != user.email),
            ("role", parsed != user.role),
            ("organisation", (org.id if org else None) != user.organisation_id),
            ("password", bool(password)),
        )
        if differs
    ]
    if password:
        if len(password) < MIN_PASSWORD:
            raise InvalidInput(f"password must have at least {MIN_PASSWORD} characters")
        user.password_hash = _hasher.hash(password)
    user.email, user.role, user.organisation = clean, parsed, org
    if set(changed) & {"role", "organisation", "password"}:
        user.session_version += 1  # signs the user out everywhere
    session.flush()
    return _account(user), changed


def load_account(session: OrmSession, user_id: int, session_version: int) -> Account | None:
    """The account behind a session cookie, if it is still active and the cookie still valid."""
    user = session.get(User, user_id)
    if user is None or not user.active or user.session_version != session_version:
        return None
    return _account(user)


def _recent_failures(session: OrmSession, column: Any, value: str, since: dt.datetime) -> int:
    stmt = select(func.count()).where(column == value, SignInAttempt.at >= since, SignInAttempt.success.is_(False))
    return int(session.scalar(stmt) or 0)


def authenticate(session: OrmSession, email: str, password: str, address: str) -> Account | None:
    """The account if ``email`` and ``password`` match and neither the account nor the address is
    throttled; else None, with no hint of which. Every attempt is recorded."""
    now = utcnow()
    key = email.strip().lower()[:320]
    since = now - THROTTLE_WINDOW
    throttled = (
        _recent_failures(session, SignInAttempt.email, key, since) >= MAX_FAILURES_PER_ACCOUNT
        or _recent_failures(session, SignInAttempt.address, address, since) >= MAX_FAILURES_PER_ADDRESS
    )
    user = session.scalars(select(User).where(User.email == key)).one_or_none()
    ok = False
    try:
        ok = _hasher.verify(user.password_hash if user is not None else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    ok = ok and user is not None and user.active and not throttled
    session.add(SignInAttempt(at=now, email=key, address=address[:64], success=ok))
    if not ok or user is None:
        session.flush()
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    session.flush()
    return _account(user)


# ---------------------------------------------------------------- audit


def audit(
    session: OrmSession,
    actor: Account | str | None,
    action: str,
    target: str | None = None,
    detail: str | None = None,
    *,
    organisation_id: int | None = None,
) -> None:
    """Write one audit event (in the caller's transaction)."""
    email = actor.email if isinstance(actor, Account) else actor
    if organisation_id is None and isinstance(actor, Account):
        organisation_id = actor.organisation_id
    session.add(
        AuditEvent(
            at=utcnow(),
            actor=email,
            organisation_id=organisation_id,
            action=action[:40],
            target=target[:300] if target else None,
            detail=detail,
        )
    )
    session.flush()


def list_audit_events(
    session: OrmSession, organisation_ids: list[int] | None, *, codes: list[str] | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """The newest events: all (``None``), or those of the given organisations or interventions."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if organisation_ids is not None:
        stmt = stmt.where(AuditEvent.organisation_id.in_(organisation_ids) | AuditEvent.target.in_(codes or []))
    return [
        {"at": e.at, "actor": e.actor, "action": e.action, "target": e.target, "detail": e.detail}
        for e in session.scalars(stmt)
    ]


# ---------------------------------------------------------------- facts for authorisation


@dataclass(frozen=True)
class Ownership:
    """Who an intervention's data belongs to: its client's organisation and its consultancy."""

    intervention_id: int
    code: str
    client_org: int | None
    runner_org: int | None


def ownership(session: OrmSession, code: str) -> Ownership | None:
    row = session.execute(
        select(Intervention.id, Intervention.code, ClientOwner.organisation_id, InterventionRunner.organisation_id)
        .outerjoin(ClientOwner, ClientOwner.client_id == Intervention.client_id)
        .outerjoin(InterventionRunner, InterventionRunner.intervention_id == Intervention.id)
        .where(Intervention.code == code)
    ).first()
    return Ownership(*row) if row is not None else None


def visible_condition(account: Account) -> Any:
    """A WHERE clause on Intervention: the interventions ``account`` may see (none for admins)."""
    if account.role == Role.CONSULTANT:
        return Intervention.id.in_(
            select(InterventionRunner.intervention_id).where(
                InterventionRunner.organisation_id == account.organisation_id
            )
        )
    if account.role in (Role.HR, Role.CLIENT):
        return Intervention.client_id.in_(
            select(ClientOwner.client_id).where(ClientOwner.organisation_id == account.organisation_id)
        )
    return Intervention.id.is_(None)


# ---------------------------------------------------------------- demo

DEMO_PASSWORD = "demo-password"
DEMO_CONSULTANCY = "Ljungdahl & Grelsson Ledarskap"
DEMO_USERS = (
    ("admin@demo.example", Role.ADMIN, None),
    ("konsult@demo.example", Role.CONSULTANT, DEMO_CONSULTANCY),
    ("hr@norrby.example", Role.HR, "Norrby kommun"),
    ("chef@norrby.example", Role.CLIENT, "Norrby kommun"),
    ("hr@vasterby.example", Role.HR, "Västerby stad"),
)


def add_demo_accounts(session: OrmSession) -> list[str]:
    """Demo users (password ``demo-password``): the consultancy runs every intervention, and
    each client organisation owns the clients whose name starts with its own."""
    for email, role, org in DEMO_USERS:
        create_user(session, email, DEMO_PASSWORD, role.value, org)
    for code in session.scalars(select(Intervention.code)):
        link_intervention(session, DEMO_CONSULTANCY, code)
    for org in ("Norrby kommun", "Västerby stad"):
        for name in session.scalars(select(Client.name).where(Client.name.startswith(org))):
            link_client(session, org, name)
    return [email for email, _role, _org in DEMO_USERS]
