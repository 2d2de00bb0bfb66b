"""``kirkpatrick user add``, ``serve`` refusing production without a key, /healthz, the migration."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select, text

from kirkpatrick.cli import main
from kirkpatrick.storage import db
from kirkpatrick.storage.accounts import User
from kirkpatrick.storage.models import Client
from kirkpatrick.web import security
from tests.conftest import Cli


def test_user_add_reads_the_password_from_stdin(cli: Cli, engine: Engine) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["--db", cli.url, "user", "add", "HR@Norrby.se", "--role", "hr", "--org", "Norrby kommun"],
        input="a long enough password\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "hr@norrby.se" in result.output
    with db.reading(engine) as s:
        user = s.scalars(select(User)).one()
        assert user.email == "hr@norrby.se" and user.organisation is not None
        assert "a long enough password" not in user.password_hash
    again = runner.invoke(main, ["--db", cli.url, "user", "add", "hr@norrby.se", "--role", "admin"], input="x" * 12)
    assert again.exit_code == 1 and "Error: user hr@norrby.se already exists" in again.output
    short = runner.invoke(main, ["--db", cli.url, "user", "add", "a@b.se", "--role", "admin"], input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    no_org = runner.invoke(main, ["--db", cli.url, "user", "add", "c@b.se", "--role", "client"], input="x" * 12)
    assert no_org.exit_code == 1 and "needs an organisation" in no_org.output


def test_serve_refuses_production_without_a_secret(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(security.SECRET_ENV, raising=False)
    monkeypatch.delenv(security.SECRET_FILE_ENV, raising=False)
    result = cli("serve", "--production", ok=False)
    assert result.exit_code == 1 and "no secret key" in result.output


def test_healthz(engine: Engine, db_url: str) -> None:
    from kirkpatrick.web import create_app

    app = create_app(db_url, secret="k" * 32)
    assert app.test_client().get("/healthz").status_code == 200
    app.extensions["kirkpatrick_engine"].dispose()


def test_healthz_fails_when_the_database_is_gone(tmp_path: object) -> None:
    from pathlib import Path

    from kirkpatrick.web import create_app

    folder = Path(str(tmp_path)) / "gone"
    folder.mkdir()
    app = create_app(f"sqlite:///{folder / 'x.db'}", secret="k" * 32)
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()  # SQLite cannot create the file now: the database is unreachable
    assert app.test_client().get("/healthz").status_code == 503


def test_upgrade_from_0003_keeps_rows(raw_engine: Engine) -> None:
    from alembic import command

    with db.writer(raw_engine).begin() as c:
        command.upgrade(db.alembic_config(c), "0003")
    with raw_engine.begin() as c:
        c.execute(text("INSERT INTO client (name) VALUES ('Norrby kommun')"))
    db.init_db(raw_engine)
    assert db.current_revision(raw_engine) == db.head_revision()
    with db.transaction(raw_engine) as s:
        from kirkpatrick.services import accounts

        accounts.create_user(s, "hr@n.se", "x" * 12, "hr", "Norrby")
        accounts.link_client(s, "Norrby", "Norrby kommun")
    with db.reading(raw_engine) as s:
        assert s.scalar(select(func.count()).select_from(Client)) == 1
    with db.migrating(raw_engine) as c:
        command.downgrade(db.alembic_config(c), "0003")
    with raw_engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM client")).scalar() == 1
