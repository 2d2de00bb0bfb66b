"""Migrations: a database made at an earlier revision (the first, and the previous release's), with
data, upgrades with ``kirkpatrick init`` and keeps every row; the chain goes up and down cleanly on
both backends."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError
from support import Cli
from test_backup import fill_accounts, fill_collect, fill_contract, fill_database

from kirkpatrick.storage import analysis_cache, db
from kirkpatrick.storage.schema import metadata

PREVIOUS_RELEASE = "0003"  # the schema of the last version users have


def _all_rows(engine: Engine, like: MetaData | None = None) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table as it is in the database (reflected, so any revision works).

    With ``like``, only the tables and columns that ``like`` has: what an older schema held.
    """
    metadata = MetaData()
    metadata.reflect(engine)
    shape = like or metadata
    with engine.connect() as c:
        return {
            name: sorted(
                tuple(map(repr, row))
                for row in c.execute(select(*(metadata.tables[name].c[col.name] for col in table.columns)))
            )
            for name, table in shape.tables.items()
            if name != "alembic_version"
        }


def fill_at_revision(
    engine: Engine, revision: str, scratch: Path, more: Sequence[Callable[[Engine], None]] = (), **fill: object
) -> MetaData:
    """Bring an empty database to ``revision`` and fill it with ``fill_database``'s rows (then
    ``more``'s, each given the scratch database).

    The rows are made with today's models in a scratch database at head, then copied table by
    table, column by column, into the old schema: what that schema cannot hold is left out, as
    it would be in a real database of that version. Returns the old schema (reflected).
    """
    with db.migrating(engine) as connection:
        command.upgrade(db.alembic_config(connection), revision)
    source = db.make_engine(f"sqlite:///{scratch / 'scratch.db'}")
    db.init_db(source)
    fill_database(source, **fill)  # type: ignore[arg-type]
    for filler in more:
        filler(source)
    old = MetaData()
    old.reflect(engine)
    new = MetaData()
    new.reflect(source)
    with source.connect() as read, db.writer(engine).begin() as write:
        for table in old.sorted_tables:
            if table.name == "alembic_version" or table.name not in new.tables:
                continue
            rows = [
                dict(r._mapping) for r in read.execute(select(*(new.tables[table.name].c[c.name] for c in table.c)))
            ]
            if rows:
                write.execute(insert(table), rows)
    source.dispose()
    return old


def test_revisions_in_order() -> None:
    chain = [r.revision for r in ScriptDirectory.from_config(db.alembic_config()).walk_revisions()]
    assert chain[::-1] == [
        "0001",
        "0002",
        "0003",
        "0004",
        "0005",
        "0006",
        "0007",
        "0008",
        "0009",
        "0010",
        "0011",
        "0012",
    ]
    assert db.head_revision() == "0012"


def test_database_at_first_revision_upgrades_with_init_and_keeps_every_row(
    raw_engine: Engine, db_url: str, tmp_path: Path
) -> None:
    old = fill_at_revision(raw_engine, "0001", tmp_path, participants=30, audit=False)
    assert db.current_revision(raw_engine) == "0001"
    assert "audit_entry" not in inspect(raw_engine).get_table_names()
    before = _all_rows(raw_engine)
    assert sum(map(len, before.values())) > 300 and all(before.values())

    # Commands other than init refuse the old schema and say what to do.
    refused = Cli(db_url)("intervention", "list", ok=False)
    assert refused.exit_code == 1
    assert "schema is at revision 0001" in refused.output and "run `kirkpatrick init`" in refused.output

    result = Cli(db_url)("init")
    assert f"from schema 0001 to {db.head_revision()}; rows kept" in result.output
    raw_engine.dispose()
    assert db.current_revision(raw_engine) == db.head_revision()
    assert _all_rows(raw_engine)["audit_entry"] == []
    assert _all_rows(raw_engine, like=old) == before
    # The new table works at once.
    Cli(db_url)("participant", "forget", "NRB-LG-2024", "p001")
    assert len(_all_rows(raw_engine)["audit_entry"]) == 1


@pytest.mark.parametrize("participants", [40])
def test_previous_release_with_data_upgrades_and_keeps_every_row(
    raw_engine: Engine, db_url: str, tmp_path: Path, participants: int
) -> None:
    old = fill_at_revision(raw_engine, PREVIOUS_RELEASE, tmp_path, participants=participants)
    before = _all_rows(raw_engine)
    assert sum(map(len, before.values())) > 300 and all(before.values())
    result = Cli(db_url)("init")
    assert f"from schema {PREVIOUS_RELEASE} to {db.head_revision()}; rows kept" in result.output
    assert db.current_revision(raw_engine) == db.head_revision()
    assert _all_rows(raw_engine, like=old) == before
    # The upgraded database works: an intervention's statistics from the kept rows.
    stats = Cli(db_url)("stats", "NRB-LG-2024", "--json")
    assert '"intervention": "NRB-LG-2024"' in stats.output


def test_database_at_0008_with_data_upgrades_to_keep_unscored_item_answers(
    raw_engine: Engine, db_url: str, tmp_path: Path
) -> None:
    """0008 -> 0010: every row kept, the new table there and empty, and in use at once (an import
    whose respondent answers too few items keeps their answers; erasure removes them)."""
    # No audit entry copied: rows are copied with their ids, so PostgreSQL's sequences stay at 1.
    old = fill_at_revision(raw_engine, "0008", tmp_path, participants=12, audit=False)
    assert "unscored_item_response" not in inspect(raw_engine).get_table_names()
    before = _all_rows(raw_engine)
    assert sum(map(len, before.values())) > 300 and before["measurement"] and before["item_response"]
    cli = Cli(db_url)
    assert "from schema 0008 to" in cli("init").output
    assert db.current_revision(raw_engine) == db.head_revision()
    assert _all_rows(raw_engine, like=old) == before
    assert _all_rows(raw_engine)["unscored_item_response"] == []
    wide = tmp_path / "wide.csv"
    wide.write_text("participant,lf_1,lf_2\np001,2,5\n", encoding="utf-8")
    result = cli("import", str(wide), "--intervention", "NRB-LG-2024", "--wave", "pre", "--rater", "manager")
    assert "the 2 item answers given are kept without a score" in result.output
    assert len(_all_rows(raw_engine)["unscored_item_response"]) == 2
    assert "2 unscored_item_response" in cli("participant", "forget", "NRB-LG-2024", "p001").output
    assert _all_rows(raw_engine)["unscored_item_response"] == []


def _questions_of_one_two_and_no_organisation(engine: Engine) -> None:
    """The bank, a consultancy's question (``eget_1``, from ``fill_accounts``) in its intervention's
    questionnaire, one added question used by interventions of two organisations, one unused."""
    from kirkpatrick.collect import bank, plan
    from kirkpatrick.domain.vocab import Rater, Wave
    from kirkpatrick.services import accounts
    from kirkpatrick.storage.accounts import OrgKind

    fill_collect(engine)
    fill_accounts(engine)
    with db.transaction(engine) as s:
        accounts.organisation_for(s, "Annan konsult", OrgKind.CONSULTANCY)
        accounts.link_intervention(s, "Annan konsult", "VBY-KURS-2025")
        for code in ("delad", "oanvand"):
            fields = bank.QuestionFields(code, "open", f"{code} sv", f"{code} en", level="reaction")
            bank.add_question(s, fields, owner=None)  # before 0011 an added question had no owner
        plan.set_questionnaire(s, "NRB-LG-2024", Wave.POST, Rater.SELF, ["eget_1", "delad", "kp_satisfaction"])
        plan.set_questionnaire(s, "VBY-KURS-2025", Wave.POST, Rater.SELF, ["delad"])


def test_database_at_0010_with_questions_upgrades_to_owned_questions(
    raw_engine: Engine, db_url: str, tmp_path: Path
) -> None:
    """0010 -> 0011: every row kept (questionnaires' questions and saved answers too, which SQLite
    sets aside while it copies the table); a question someone added becomes the organisation's
    whose interventions alone use it; shipped, unused and shared ones stay without an owner."""
    old = fill_at_revision(raw_engine, "0010", tmp_path, [_questions_of_one_two_and_no_organisation], audit=False)
    assert "owner_id" not in {c["name"] for c in inspect(raw_engine).get_columns("collect_question")}
    before = _all_rows(raw_engine)
    assert before["collect_questionnaire_question"] and before["collect_answer"] and before["intervention_runner"]
    cli = Cli(db_url)
    assert "from schema 0010 to" in cli("init").output
    assert db.current_revision(raw_engine) == db.head_revision()
    assert _all_rows(raw_engine, like=old) == before
    with raw_engine.connect() as c:
        org = dict(c.execute(text("SELECT name, id FROM organisation")).all())
        owners = dict(c.execute(text("SELECT code, owner_id FROM collect_question")).all())
        shipped = {code for (code,) in c.execute(text("SELECT code FROM collect_question WHERE shipped = true"))}
    assert owners.pop("eget_1") == org["Konsultbolaget"]
    assert owners.pop("delad") is None and owners.pop("oanvand") is None
    assert set(owners) == shipped and set(owners.values()) == {None}
    # In use at once: the consultancy's listing has its question, the shipped listing has not.
    assert "eget_1" in cli("survey", "questions", "--organisation", "Konsultbolaget").output
    assert "eget_1" not in cli("survey", "questions").output
    assert "eget_1" not in cli("survey", "questions", "--organisation", "Annan konsult").output


def test_downgrade_and_upgrade_again(engine: Engine) -> None:
    """Every migration can be undone and redone (the audit table goes and comes back)."""
    with db.migrating(engine) as connection:
        command.downgrade(db.alembic_config(connection), "0001")
    assert db.current_revision(engine) == "0001"
    assert "audit_entry" not in inspect(engine).get_table_names()
    db.init_db(engine)
    assert set(inspect(engine).get_table_names()) == {t.name for t in metadata.sorted_tables} | {"alembic_version"}


def _cached_analysis(engine: Engine) -> None:
    with engine.connect() as c:
        current = analysis_cache.versions(c)
    assert current and analysis_cache.store(engine, "test", [(iv, v, '{"cached": true}') for iv, v in current.items()])


def _fill_everything(engine: Engine) -> None:
    fill_contract(engine)
    fill_collect(engine)
    fill_accounts(engine)
    _cached_analysis(engine)


def test_0008_with_data_in_every_table_upgrades_and_keeps_every_row_and_item_response(
    raw_engine: Engine, db_url: str, tmp_path: Path
) -> None:
    """0009 rebuilds ``measurement`` on SQLite (a copy, renamed): with foreign keys on, dropping
    the old table would delete every item response by ON DELETE CASCADE."""
    old = fill_at_revision(raw_engine, "0008", tmp_path, more=[_fill_everything], participants=30)
    before = _all_rows(raw_engine)
    empty = sorted(name for name, rows in before.items() if not rows)
    assert empty == [], f"the test data should fill {empty}"
    assert len(before["item_response"]) >= 20 * 4 and len(before["measurement"]) > 100
    result = Cli(db_url)("init")
    assert f"from schema 0008 to {db.head_revision()}; rows kept" in result.output
    raw_engine.dispose()
    assert db.current_revision(raw_engine) == db.head_revision()
    assert _all_rows(raw_engine, like=old) == before
    with raw_engine.connect() as c:
        if raw_engine.dialect.name == "sqlite":
            assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1  # on again for the application
            assert c.execute(text("PRAGMA foreign_key_check")).all() == []
        ddl = _check_constraints(c, "measurement")
    assert "wave = 'pre' OR wave = 'post' OR wave = 'follow_up'" in ddl["ck_measurement_wave"]
    assert "rater = 'self' OR rater = 'manager'" in ddl["ck_measurement_rater"]
    # The analysis still reads the kept rows (the covering index is back).
    stats = Cli(db_url)("stats", "NRB-LG-2024", "--json")
    assert '"intervention": "NRB-LG-2024"' in stats.output


def _check_constraints(c: Connection, table: str) -> dict[str, str]:
    """The table's CHECKs by name, as the database gives them back (PostgreSQL's casts left out)."""
    return {
        str(ck["name"]): ck["sqltext"].replace("::text", "").replace("(", "").replace(")", "")
        for ck in inspect(c).get_check_constraints(table)
    }


def _copy_with(c: Connection, table: str, wave: str, rater: str) -> None:
    """Insert a copy of one of ``table``'s rows at wave pre, with ``wave`` and ``rater`` instead."""
    columns = {col["name"] for col in inspect(c).get_columns(table)}
    other = ", ".join(sorted(columns - {"id", "wave", "rater"}))
    c.execute(
        text(
            f"INSERT INTO {table} ({other}, wave, rater) SELECT {other}, :wave, :rater FROM {table} "
            "WHERE wave = 'pre' LIMIT 1"
        ),
        {"wave": wave, "rater": rater},
    )


@pytest.mark.parametrize("table", ["measurement", "collect_questionnaire", "collect_invitation"])
def test_the_database_still_refuses_unknown_waves_and_raters(engine: Engine, table: str) -> None:
    """measurement's CHECKs are comparisons since 0009, the other tables' stay ``IN`` lists:
    either way a value outside the vocabulary is refused by the database itself."""
    fill_database(engine, participants=4)
    fill_collect(engine)
    for wave, rater in [("PRE", "self"), ("pre ", "self"), ("", "self"), ("post", "boss"), ("post", "Self")]:
        with pytest.raises(IntegrityError, match=r"(?i)check constraint"), engine.begin() as c:
            _copy_with(c, table, wave, rater)
    with engine.begin() as c:  # the same statement with known values: only the vocabulary was refused
        _copy_with(c, table, "post", "peer")
        assert c.execute(text(f"SELECT count(*) FROM {table} WHERE rater = 'peer'")).scalar() == 1


def test_0009_refuses_to_rebuild_with_sqlite_foreign_keys_on(tmp_path: Path) -> None:
    """Alembic called on a connection of the application's engine (foreign keys on): 0009 stops
    before it drops anything, rather than lose every item response."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'fk-on.db'}")
    fill_at_revision(engine, "0008", tmp_path, participants=8)
    before = _all_rows(engine)
    assert before["item_response"]
    with pytest.raises(RuntimeError, match="foreign keys off"), db.writer(engine).begin() as connection:
        command.upgrade(db.alembic_config(connection), "0009")
    assert db.current_revision(engine) == "0008"
    assert _all_rows(engine) == before
    engine.dispose()


def test_0009_down_and_up_keeps_every_row(engine: Engine) -> None:
    fill_database(engine, participants=10)
    before = _all_rows(engine)
    with db.migrating(engine) as connection:
        command.downgrade(db.alembic_config(connection), "0008")
    with engine.connect() as c:
        wave = _check_constraints(c, "measurement")["ck_measurement_wave"]
    assert " OR " not in wave and "'follow_up'" in wave  # the IN list again (PostgreSQL: = ANY ARRAY[...])
    kept = {k: v for k, v in before.items() if k != "unscored_item_response"}  # 0010's table went with it
    assert before["unscored_item_response"] and _all_rows(engine) == kept
    db.init_db(engine)
    assert _all_rows(engine) == {**kept, "unscored_item_response": []}


def test_database_at_0011_with_data_upgrades_without_the_analysis_index(
    raw_engine: Engine, db_url: str, tmp_path: Path
) -> None:
    """0011 -> 0012: every row kept, the covering analysis index gone (the unique key stays), and
    the statistics read from the kept rows through the participants."""
    fill_at_revision(raw_engine, "0011", tmp_path, participants=12)
    before = _all_rows(raw_engine)
    assert before["measurement"] and before["item_response"]
    assert "ix_measurement_analysis" in {ix["name"] for ix in inspect(raw_engine).get_indexes("measurement")}
    Cli(db_url)("init")
    assert db.current_revision(raw_engine) == "0012"
    assert _all_rows(raw_engine) == before
    inspector = inspect(raw_engine)
    assert "ix_measurement_analysis" not in {ix["name"] for ix in inspector.get_indexes("measurement")}
    unique = [c["column_names"] for c in inspector.get_unique_constraints("measurement")]
    assert ["participant_id", "measure_id", "wave", "rater"] in unique
    stats = json.loads(Cli(db_url)("stats", "NRB-LG-2024", "--json").output)
    assert stats["intervention"] == "NRB-LG-2024" and any(level["changes"] for level in stats["levels"])
    with db.migrating(raw_engine) as connection:  # and back: the index is built again, rows kept
        command.downgrade(db.alembic_config(connection), "0011")
    assert "ix_measurement_analysis" in {ix["name"] for ix in inspect(raw_engine).get_indexes("measurement")}
    after = _all_rows(raw_engine)
    assert after.pop("analysis_cache")  # the statistics just computed, cached
    assert after == {k: v for k, v in before.items() if k != "analysis_cache"}
