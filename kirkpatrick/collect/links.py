"""Personal links: 256 random bits per token; the database keeps only its SHA-256."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.storage.collect import Invitation, Link

TOKEN_BYTES = 32  # 256 bits; the issue asks for at least 128
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def looks_like_token(token: str) -> bool:
    return bool(_TOKEN.fullmatch(token))


def issue_link(session: OrmSession, invitation_id: int) -> str:
    """A new working token for the invitation; only its hash is stored. Earlier tokens keep working."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(Link(token_hash=hash_token(token), invitation_id=invitation_id))
    session.flush()
    return token


def find_invitation(session: OrmSession, token: str) -> Invitation | None:
    """The invitation a token opens, or None (a malformed or unknown token: same answer, same work)."""
    digest = hash_token(token) if looks_like_token(token) else hash_token("x" * 43)
    found = session.scalars(
        select(Invitation).join(Link, Link.invitation_id == Invitation.id).where(Link.token_hash == digest)
    ).one_or_none()
    return found if looks_like_token(token) else None
