"""Fixtures of the web tests: an application over the sample catalogue, with organisations and
one user per role in each of two client organisations and two consultancies."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from kirkpatrick.services import accounts
from kirkpatrick.storage import db

PASSWORD = "correct horse battery"
# (email, role, organisation): "own" users own or run NRB-LG-2024; "other" users VBY-KURS-2025.
USERS = {
    "admin": ("admin@x.example", "admin", None),
    "consultant": ("konsult@a.example", "consultant", "Konsult A"),
    "consultant_other": ("konsult@b.example", "consultant", "Konsult B"),
    "hr": ("hr@norrby.example", "hr", "Norrby kommun"),
    "hr_other": ("hr@vasterby.example", "hr", "Västerby stad"),
    "client": ("chef@norrby.example", "client", "Norrby kommun"),
    "client_other": ("chef@vasterby.example", "client", "Västerby stad"),
}
OWN = "NRB-LG-2024"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with small costs: the tests check behaviour, not the hash's strength."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def people(catalogue: Engine) -> dict[str, int]:
    ids = {}
    with db.transaction(catalogue) as s:
        for key, (email, role, org) in USERS.items():
            ids[key] = accounts.create_user(s, email, PASSWORD, role, org).id
        accounts.link_client(s, "Norrby kommun", "Norrby kommun, Socialkontoret")
        accounts.link_client(s, "Västerby stad", "Västerby stad, Utbildningsförvaltningen")
        accounts.link_intervention(s, "Konsult A", OWN)
        accounts.link_intervention(s, "Konsult B", "VBY-KURS-2025")
        accounts.link_intervention(s, "Konsult B", "VBY-COACH-2024")
    return ids


@pytest.fixture
def app(
    catalogue: Engine, people: dict[str, int], db_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    from kirkpatrick.web import create_app

    upload_dir = tmp_path_factory.mktemp("uploads")
    made = create_app(db_url, secret="test-secret-" + "x" * 20, config={"UPLOAD_DIR": str(upload_dir)})
    yield made
    made.extensions["kirkpatrick_engine"].dispose()


@pytest.fixture
def as_user(app: Flask, people: dict[str, int]) -> Callable[[str | None], FlaskClient]:
    """A test client signed in as one of USERS (the session is written directly: signing in
    itself is tested on its own)."""

    def make(key: str | None) -> FlaskClient:
        client = app.test_client()
        if key is not None:
            with client.session_transaction() as session:
                session.update(uid=people[key], sv=0, lang="en")
        return client

    return make


def without_tokens(text: str) -> str:
    """A page without its CSRF tokens, which are signed with the time (two pages a second apart
    differ there and nowhere else), for tests that compare two pages byte for byte."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', text)


def csrf(client: FlaskClient, path: str = "/sign-in") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert match, page[:500]
    return match.group(1)
