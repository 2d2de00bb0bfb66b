"""Storage: URL resolution, SQLite settings, Alembic owning the schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select, text

from kirkpatrick.domain.errors import DatabaseNotReady, InvalidInput
from kirkpatrick.storage import db
from kirkpatrick.storage.models import Client
from kirkpatrick.storage.schema import metadata


def test_url_resolution_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(db.ENV_VAR, raising=False)
    assert db.resolve_url(None) == "sqlite:///kirkpatrick.db"
    monkeypatch.setenv(db.ENV_VAR, "sqlite:///from-env.db")
    assert db.resolve_url(None) == "sqlite:///from-env.db"
    assert db.resolve_url("sqlite:///from-option.db") == "sqlite:///from-option.db"


def test_sqlite_has_foreign_keys_and_wal(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as c:
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA busy_timeout")).scalar() == db.SQLITE_BUSY_TIMEOUT_MS
    engine.dispose()


def test_bad_urls_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="not a database URL"):
        db.make_engine("no-scheme-here")
    with pytest.raises(InvalidInput, match="folder for database does not exist"):
        db.make_engine(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")


def test_models_and_migrations_agree(engine: Engine) -> None:
    """Autogenerate finds no difference: every schema change must come as a migration."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_uninitialised_database_is_refused(raw_engine: Engine) -> None:
    with pytest.raises(DatabaseNotReady, match="not initialised; run `kirkpatrick init` first"):
        db.require_current(raw_engine)


def test_init_twice_keeps_rows(engine: Engine) -> None:
    with db.transaction(engine) as s:
        s.add(Client(name="Norrby kommun"))
    before, after = db.init_db(engine)
    assert before == after == db.head_revision()
    with db.reading(engine) as s:
        assert s.scalar(select(func.count()).select_from(Client)) == 1


def test_init_refuses_foreign_tables(raw_engine: Engine) -> None:
    engine = raw_engine
    with engine.begin() as c:
        c.execute(text("CREATE TABLE something_else (x INTEGER)"))
    with pytest.raises(DatabaseNotReady, match="no kirkpatrick schema version"):
        db.init_db(engine)
    assert inspect(engine).get_table_names() == ["something_else"]


def test_failed_transaction_writes_nothing(engine: Engine) -> None:
    with pytest.raises(RuntimeError), db.transaction(engine) as s:
        s.add(Client(name="A"))
        s.flush()
        raise RuntimeError("boom")
    with db.reading(engine) as s:
        assert s.scalar(select(func.count()).select_from(Client)) == 0


def test_last_change_per_intervention_reads_the_audit_index(tmp_path: Path) -> None:
    """The start page's "last change" (max(at) per target, services/start_page.py) searches the
    audit log's (target, at) index instead of scanning the whole log (SQLite's plan)."""
    from sqlalchemy.dialects import sqlite

    from kirkpatrick.storage.accounts import AuditEvent

    engine = db.make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    db.init_db(engine)
    query = (
        select(AuditEvent.target, func.max(AuditEvent.at))
        .where(AuditEvent.target.in_(["NRB-LG-2024", "VBY-KURS-2025"]))
        .group_by(AuditEvent.target)
    )
    sql = str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    with engine.connect() as c:
        plan = " ".join(row[3] for row in c.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    assert "USING COVERING INDEX ix_audit_event_target_at" in plan and "SCAN" not in plan
    engine.dispose()
