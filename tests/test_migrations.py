"""Migrations: a database made at the first revision, with data, upgrades with ``kirkpatrick init``
and keeps every row; the chain goes up and down cleanly on both backends."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from conftest import Cli
from sqlalchemy import Engine, MetaData, inspect
from test_backup import fill_database

from kirkpatrick.storage import db
from kirkpatrick.storage.models import Base


def _all_rows(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table as it is in the database (reflected, so any revision works)."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as c:
        return {
            name: sorted(tuple(map(repr, row)) for row in c.execute(table.select()))
            for name, table in metadata.tables.items()
            if name != "alembic_version"
        }


def test_revisions_in_order() -> None:
    chain = [r.revision for r in ScriptDirectory.from_config(db.alembic_config()).walk_revisions()]
    assert chain[::-1] == ["0001", "0002", "0003", "0004"]
    assert db.head_revision() == "0004"


def test_database_at_first_revision_upgrades_with_init_and_keeps_every_row(raw_engine: Engine, db_url: str) -> None:
    with db.writer(raw_engine).begin() as connection:
        command.upgrade(db.alembic_config(connection), "0001")
    assert db.current_revision(raw_engine) == "0001"
    assert "audit_entry" not in inspect(raw_engine).get_table_names()
    fill_database(raw_engine, participants=30, audit=False)
    before = _all_rows(raw_engine)
    assert sum(map(len, before.values())) > 300 and all(before.values())

    # Commands other than init refuse the old schema and say what to do.
    refused = Cli(db_url)("intervention", "list", ok=False)
    assert refused.exit_code == 1
    assert "schema is at revision 0001" in refused.output and "run `kirkpatrick init`" in refused.output

    result = Cli(db_url)("init")
    assert "from schema 0001 to 0004; rows kept" in result.output
    raw_engine.dispose()
    after = _all_rows(raw_engine)
    assert db.current_revision(raw_engine) == db.head_revision()
    assert after.pop("audit_entry") == []
    assert after.pop("analysis_cache") == [] and after.pop("analysis_version") == []
    assert after == before
    # The new table works at once.
    Cli(db_url)("participant", "forget", "NRB-LG-2024", "p001")
    assert len(_all_rows(raw_engine)["audit_entry"]) == 1


def test_downgrade_and_upgrade_again(engine: Engine) -> None:
    """Every migration can be undone and redone (the audit table goes and comes back)."""
    with db.writer(engine).begin() as connection:
        command.downgrade(db.alembic_config(connection), "0001")
    assert db.current_revision(engine) == "0001"
    assert "audit_entry" not in inspect(engine).get_table_names()
    db.init_db(engine)
    assert set(inspect(engine).get_table_names()) == {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}
