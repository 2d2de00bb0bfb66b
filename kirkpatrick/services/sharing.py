"""Read-only share links to one report: created with an expiry, revocable, every opening logged.

The token is shown once; the database keeps its SHA-256, so a copy of the database opens nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.domain.errors import InvalidInput, NotFound
from kirkpatrick.services.accounts import Account, audit, ownership, utcnow
from kirkpatrick.storage.accounts import ShareLink
from kirkpatrick.storage.models import Intervention

MAX_DAYS = 365


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_link(session: OrmSession, account: Account, code: str, *, days: int, lang: str) -> str:
    """A new link's token (shown once) to intervention ``code``'s report in ``lang``."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"a link must expire within 1 to {MAX_DAYS} days")
    if lang not in ("sv", "en"):
        raise InvalidInput("language must be sv or en")
    facts = ownership(session, code)
    if facts is None:
        raise NotFound(f"no intervention {code!r}")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        ShareLink(
            token_hash=_digest(token),
            intervention_id=facts.intervention_id,
            lang=lang,
            created_by=account.id,
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
    )
    audit(session, account, "share_create", code, f"expires in {days} days, {lang}", organisation_id=facts.client_org)
    return token


def list_links(session: OrmSession, code: str) -> list[dict[str, Any]]:
    now = utcnow()
    rows = session.scalars(
        select(ShareLink).join(Intervention).where(Intervention.code == code).order_by(ShareLink.id.desc())
    )
    return [
        {
            "id": s.id,
            "lang": s.lang,
            "created_at": s.created_at,
            "expires_at": s.expires_at,
            "revoked": s.revoked_at is not None,
            "active": s.revoked_at is None and s.expires_at > now,
        }
        for s in rows
    ]


def revoke(session: OrmSession, account: Account, code: str, link_id: int) -> None:
    link = session.scalars(
        select(ShareLink).join(Intervention).where(Intervention.code == code, ShareLink.id == link_id)
    ).one_or_none()
    if link is None:
        raise NotFound("no such link")
    if link.revoked_at is None:
        link.revoked_at = utcnow()
    facts = ownership(session, code)
    audit(
        session, account, "share_revoke", code, f"link {link_id}", organisation_id=facts.client_org if facts else None
    )


@dataclass(frozen=True)
class Opened:
    code: str
    lang: str


def open_link(session: OrmSession, token: str, address: str) -> Opened | None:
    """The report a valid, unexpired, unrevoked token opens (the opening is logged); else None."""
    if not token or len(token) > 100:
        return None
    link = session.scalars(select(ShareLink).where(ShareLink.token_hash == _digest(token))).one_or_none()
    if link is None:
        return None
    code = session.scalars(select(Intervention.code).where(Intervention.id == link.intervention_id)).one()
    facts = ownership(session, code)
    org = facts.client_org if facts else None
    if link.revoked_at is not None or link.expires_at <= utcnow():
        audit(session, None, "share_refused", code, f"link {link.id} from {address}", organisation_id=org)
        return None
    audit(session, None, "share_open", code, f"link {link.id} from {address}", organisation_id=org)
    return Opened(code, link.lang)


def clear_feedback(session: OrmSession, account: Account, code: str, feedback_id: int, cleared: bool) -> None:
    """Clear a quote for reports (or withdraw the clearance)."""
    from kirkpatrick.storage.models import Feedback

    row = session.scalars(
        select(Feedback).join(Intervention).where(Intervention.code == code, Feedback.id == feedback_id)
    ).one_or_none()
    if row is None:
        raise NotFound("no such quote")
    row.cleared = cleared
    audit(session, account, "quote_cleared" if cleared else "quote_withdrawn", code, f"quote {feedback_id}")
