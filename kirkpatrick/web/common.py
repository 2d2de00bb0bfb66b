"""What every view shares: the engine, the signed-in account, the language, translation,
database sessions and the audit helper."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app, g, request
from sqlalchemy import Engine
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.reports.environment import translations
from kirkpatrick.services import accounts
from kirkpatrick.services.accounts import Account
from kirkpatrick.storage import db

LANGS = ("sv", "en")


def engine() -> Engine:
    return current_app.extensions["kirkpatrick_engine"]  # type: ignore[no-any-return]


def account() -> Account | None:
    found = g.get("account")
    return found if isinstance(found, Account) else None


def lang() -> str:
    value = g.get("lang", "sv")
    return value if value in LANGS else "sv"


def _(message: str, **values: Any) -> str:
    """``message`` in the page's language, with ``%(name)s`` placeholders filled."""
    text = translations(lang()).gettext(message)
    return text % values if values else text


def address() -> str:
    return (request.remote_addr or "-")[:64]


@contextmanager
def reading() -> Iterator[OrmSession]:
    with db.reading(engine()) as session:
        yield session


@contextmanager
def writing() -> Iterator[OrmSession]:
    with db.transaction(engine()) as session:
        yield session


def audit(session: OrmSession, action: str, target: str | None = None, detail: str | None = None, **kw: Any) -> None:
    accounts.audit(session, account(), action, target, detail, **kw)
