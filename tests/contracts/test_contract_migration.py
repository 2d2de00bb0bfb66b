"""Migration 0006 (contracts): a database at 0005 with data upgrades, keeps every row, and can go back."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from contract_fixtures import CODE, add_contract
from sqlalchemy import Engine, MetaData, inspect
from test_migrations import fill_at_revision

from kirkpatrick.services import records
from kirkpatrick.storage import db

NEW_TABLES = {
    "call_off",
    "contract",
    "award_criterion",
    "contracted_service",
    "delivery",
    "interview",
    "grade",
    "interview_quote",
}


def _rows(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as c:
        return {
            name: sorted(tuple(map(repr, row)) for row in c.execute(table.select()))
            for name, table in metadata.tables.items()
            if name != "alembic_version"
        }


def test_upgrade_from_0005_keeps_every_row(raw_engine: Engine, tmp_path: Path) -> None:
    fill_at_revision(raw_engine, "0005", tmp_path, participants=20)
    before = _rows(raw_engine)
    assert before["intervention"] and before["measurement"]
    with db.writer(raw_engine).begin() as connection:
        command.upgrade(db.alembic_config(connection), "0006")
    assert db.current_revision(raw_engine) == "0006"
    assert set(inspect(raw_engine).get_table_names()) >= NEW_TABLES
    after = _rows(raw_engine)
    # No existing table changes; every intervention starts with no contract.
    assert {name: rows for name, rows in after.items() if name not in NEW_TABLES} == before
    assert all(after[t] == [] for t in NEW_TABLES)


def test_downgrade_to_0005_and_up_again(catalogue: Engine) -> None:
    add_contract(catalogue)
    with db.migrating(catalogue) as connection:
        command.downgrade(db.alembic_config(connection), "0005")
    assert not NEW_TABLES & set(inspect(catalogue).get_table_names())
    with db.reading(catalogue) as s:
        assert len(records.list_interventions(s)) == 3  # the call-offs themselves stay
    db.init_db(catalogue)
    with db.transaction(catalogue) as s:
        assert len(records.list_interventions(s)) == 3
    add_contract(catalogue)  # the tables work again after the round trip
    with db.reading(catalogue) as s:
        from kirkpatrick.services import contracts

        assert contracts.describe_contract(s, CODE)["interviews"] == 6
