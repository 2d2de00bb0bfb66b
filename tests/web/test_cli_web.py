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


def test_serve_send_every_needs_mail_settings(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIRKPATRICK_SMTP_URL", raising=False)
    result = cli("serve", "--send-every", "5", ok=False)
    assert result.exit_code == 2 and "--send-every needs $KIRKPATRICK_SMTP_URL" in result.output


def test_serve_send_every_runs_the_scheduler_beside_the_server(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from flask import Flask

    from kirkpatrick.collect import mail, schedule

    monkeypatch.setenv("KIRKPATRICK_SMTP_URL", "smtp://127.0.0.1:1")
    seen: dict[str, object] = {}

    class Recording(schedule.SendScheduler):
        def start(self) -> schedule.SendScheduler:
            seen["interval"] = self.interval
            seen["send"] = self.send
            return self

        def stop(self, timeout: float | None = 30.0) -> bool:
            seen["stopped"] = True
            return True

    def run(self: Flask, **kwargs: object) -> None:
        seen["serving"] = kwargs["port"]
        assert "stopped" not in seen  # the schedule runs while the server does

    sent: list[object] = []
    monkeypatch.setattr(schedule, "SendScheduler", Recording)
    monkeypatch.setattr(Flask, "run", run)
    monkeypatch.setattr(mail, "send_due_now", lambda engine, **kw: sent.append(engine))
    result = cli("serve", "--port", "8123", "--send-every", "15")
    assert "every 15 min" in result.output
    assert seen["interval"] == 15 * 60 and seen["serving"] == 8123 and seen["stopped"] is True
    seen["send"]()  # type: ignore[operator]
    assert len(sent) == 1  # the scheduled function is the one 'survey send' calls
    assert "--send-every MINUTES" in cli("serve", "--help").output
