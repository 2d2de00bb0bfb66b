"""Backup and restore: every table to one portable file and back, across SQLite and PostgreSQL,
with nothing lost, nothing half-loaded, and ids that keep working afterwards."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import math
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, func, inspect, select
from support import SAMPLE, Cli, PostgresCluster, snapshot

from kirkpatrick.domain.errors import DatabaseNotReady, InvalidInput
from kirkpatrick.domain.vocab import Format, Group, Level, Rater, TargetGroup, TransferFactor, Wave
from kirkpatrick.services import records
from kirkpatrick.storage import analysis_cache, backup, db
from kirkpatrick.storage.contracts import Delivery
from kirkpatrick.storage.models import (
    AuditEntry,
    Client,
    Feedback,
    Intervention,
    ItemResponse,
    Measurement,
    Participant,
    Session,
    TransferFactorUse,
    UnscoredItemResponse,
)
from kirkpatrick.storage.schema import metadata

# Values that a careless format would change: floats that need all 17 digits, the smallest step
# below a bound, text with quotes, newlines, markup and non-Latin letters, microseconds.
AWKWARD_FLOATS = [0.1 + 0.2, 1 + 1 / 3, math.nextafter(5.0, 0.0), 1.0, 4.999999999999999, 2.5e0]
AWKWARD_TEXT = 'Åsa "Ö" <b>&amp;</b>\n\tрадость 😀 \\ \x7f'


def fill_database(engine: Engine, *, participants: int = 12, audit: bool = True) -> None:
    """One database with a row in every table and values that are easy to get wrong.

    ``audit=False`` leaves out the audit table, which a database at revision 0001 lacks.
    """
    with db.transaction(engine) as s:
        records.import_measures(s, SAMPLE / "measures.csv")
        lf = records.get_measure(s, "lf")
        team = records.get_measure(s, "team")
        norrby = Client(name="Norrby kommun", unit="Socialkontoret")
        other = Client(name=AWKWARD_TEXT, unit=None)
        first = Intervention(
            code="NRB-LG-2024",
            title="Ledningsgruppsutveckling – 2024",
            client=norrby,
            consultant="Karin L",
            target_group=TargetGroup.LEADERSHIP_GROUP,
            format=Format.LEADERSHIP_GROUP_DEVELOPMENT,
            start_date=dt.date(2024, 1, 15),
            end_date=dt.date(2025, 12, 10),
            notes=AWKWARD_TEXT,
        )
        second = Intervention(
            code="VBY-KURS-2025",
            title="Kurs",
            client=other,
            consultant=None,
            target_group=TargetGroup.MANAGERS,
            format=Format.TRAINING_PROGRAMME,
            start_date=dt.date(2025, 3, 11),
            end_date=dt.date(2025, 3, 11),
        )
        s.add_all([first, second])
        s.flush()
        first.sessions = [Session(date=dt.date(2024, 2, 1)), Session(date=dt.date(2024, 3, 7))]
        first.factors = [
            TransferFactorUse(factor=TransferFactor.NEEDS_ANALYSIS, present=True, note="Intervjuer"),
            TransferFactorUse(factor=TransferFactor.SUPERVISOR_SUPPORT, present=False, note=None),
        ]
        first.feedback = [
            Feedback(text=AWKWARD_TEXT, level=Level.BEHAVIOUR, theme="verktyg", cleared=True),
            Feedback(text="Inte för rapport", level=None, theme=None, cleared=False),
        ]
        for i in range(participants):
            intervention = first if i % 3 else second
            p = Participant(
                intervention=intervention,
                code=f"p{i:03d}",
                group=Group.CONTROL if i % 4 == 0 else Group.TREATMENT,
                role="rektor" if i % 2 else None,
            )
            s.add(p)
            s.flush()
            for w, wave in enumerate(Wave):
                value = AWKWARD_FLOATS[(i + w) % len(AWKWARD_FLOATS)]
                m = Measurement(
                    intervention_id=intervention.id,
                    participant=p,
                    measure=lf,
                    wave=wave,
                    rater=Rater.SELF,
                    value=value,
                    date=dt.date(2024, 1 + w, 1 + i % 28) if w else None,
                )
                m.item_responses = [
                    ItemResponse(item=item, value=float(1 + (i + k) % 5)) for k, item in enumerate(lf.items)
                ]
                s.add(m)
                s.add(
                    Measurement(
                        intervention_id=intervention.id,
                        participant=p,
                        measure=team,
                        wave=wave,
                        rater=Rater.MANAGER,
                        value=3.0 - w / 7,
                    )
                )
            # Two answers from peers too few for a score (no measurement), kept without one.
            s.add_all(
                UnscoredItemResponse(
                    participant=p,
                    item=item,
                    wave=Wave.PRE,
                    rater=Rater.PEER,
                    value=AWKWARD_FLOATS[(i + k) % len(AWKWARD_FLOATS)],
                    date=dt.date(2024, 1, 2 + i % 20) if k else None,
                )
                for k, item in enumerate(lf.items[:2])
            )
        if "analysis_version" in inspect(s.connection()).get_table_names():
            s.flush()
            analysis_cache.bump(s.connection(), [first.id, second.id])
        if audit:
            s.add(
                AuditEntry(
                    at=dt.datetime(2025, 1, 2, 3, 4, 5, 678901),
                    action="forget_participant",
                    intervention_code="NRB-LG-2024",
                    removed='{"measurement": 6, "participant": 1}',
                )
            )


def fill_contract(engine: Engine) -> None:
    """A contract with a row in each of its tables (revision 0007 on), typed text awkward as above."""
    from kirkpatrick.services import contracts

    service_spec = ("leadership_group_development=12.5",)
    fields = contracts.ContractFields(
        AWKWARD_TEXT[:60],
        AWKWARD_TEXT,
        "Norrby kommun",
        AWKWARD_TEXT,
        "2024-01-01",
        "2025-12-31",
        services=service_spec,
    )
    with db.transaction(engine) as s:
        contracts.add_contract(s, "AVTAL", fields)
        contracts.set_call_offs(s, "AVTAL", ["NRB-LG-2024"])
        service = contracts.get_contract(s, "AVTAL").services[0]
        start, end = dt.date(2024, 1, 1), dt.date(2024, 6, 30)
        s.add(
            Delivery(
                contract_id=service.contract_id,
                service=service,
                period_start=start,
                period_end=end,
                sessions=AWKWARD_FLOATS[0],
                participants=7,
                note=AWKWARD_TEXT,
            )
        )
        grades = {"feasibility": "4", "credibility": "5"}
        contracts.add_interview(
            s, "AVTAL", "I1", contracts.InterviewFields("rektor", AWKWARD_TEXT, "2025-11-04", None, grades)
        )
        contracts.add_quote(s, "AVTAL", "I1", AWKWARD_TEXT, theme="treatment", cleared=True)


def fill_collect(engine: Engine) -> None:
    """Survey collection with a row in each of its tables: bank, questionnaire, wave, a contact and
    its invitation and link, a saved (not submitted) answer, a mail template, settings, the outbox."""
    from sqlalchemy import select

    from kirkpatrick.collect import bank, links, mail, plan, privacy, respond
    from kirkpatrick.storage.collect import Invitation

    with db.transaction(engine) as s:
        records.import_measures(s, bank.measures_csv())
        bank.load_bank(s)
        plan.set_questionnaire(s, "NRB-LG-2024", Wave.PRE, Rater.SELF)
        plan.set_wave(s, "NRB-LG-2024", Wave.PRE, dt.date(2024, 1, 1), dt.date(2024, 1, 14))
        plan.add_respondent(s, "NRB-LG-2024", "enkät-1", "enkat@example.org")
        invitation = s.scalars(select(Invitation).order_by(Invitation.id.desc())).first()
        assert invitation is not None
        token = links.issue_link(s, invitation.id)
        intervention_id = invitation.intervention_id
        # A subject is one line (a line break would start a new mail header).
        subject = AWKWARD_TEXT[:80].replace("\n", " ")
        mail.set_template(s, intervention_id, "invite", "sv", subject, AWKWARD_TEXT + " $link")
        privacy.set_client_settings(s, "Norrby kommun", privacy_sv=AWKWARD_TEXT, retention_days=90)
        mail.queue_due(s, dt.date(2024, 1, 2))
    view = respond.open_form(engine, token, now=dt.datetime(2024, 1, 2, 9))
    first = view.questions[0]
    respond.save_answers(engine, token, {first.code: ""}, submit=False, now=dt.datetime(2024, 1, 2, 9))


def fill_accounts(engine: Engine) -> None:
    """The web application's tables: organisations owning a client and running an intervention
    (with a bank question of its own), a user, a share link (opened once, which audits), a failed sign-in."""
    from kirkpatrick.collect import bank
    from kirkpatrick.services import accounts, sharing
    from kirkpatrick.storage.accounts import OrgKind

    with db.transaction(engine) as s:
        accounts.organisation_for(s, AWKWARD_TEXT[:60], OrgKind.CLIENT)
        accounts.organisation_for(s, "Konsultbolaget", OrgKind.CONSULTANCY)
        accounts.link_client(s, AWKWARD_TEXT[:60], "Norrby kommun")
        user = accounts.create_user(s, "konsult@example.org", "lösenord-" * 2, "consultant", "Konsultbolaget")
        accounts.link_intervention(s, "Konsultbolaget", "NRB-LG-2024")
        own = bank.QuestionFields("eget_1", "open", AWKWARD_TEXT, AWKWARD_TEXT, level="reaction")
        bank.add_question(s, own, owner=accounts.get_organisation(s, "Konsultbolaget").id)
        token = sharing.create_link(s, user, "NRB-LG-2024", days=7, lang="sv")
        sharing.open_link(s, token, "127.0.0.1")
        accounts.authenticate(s, "konsult@example.org", "fel lösenord", "127.0.0.1")
        accounts.audit(s, user, "test", AWKWARD_TEXT)


def _tables(path: Path) -> dict[str, list[list[object]]]:
    return backup.read_backup(path)[1]


@pytest.fixture
def filled(engine: Engine) -> Engine:
    fill_database(engine)
    return engine


@pytest.fixture
def empty_url(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Another new, empty database on the same backend as ``db_url``."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'empty.db'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.new_database()


def _other_backend(db_url: str, tmp_path: Path, postgres: PostgresCluster) -> str:
    return postgres.new_database() if db_url.startswith("sqlite") else f"sqlite:///{tmp_path / 'other.db'}"


def test_every_table_is_in_the_backup_with_every_row(filled: Engine, tmp_path: Path) -> None:
    fill_contract(filled)
    fill_collect(filled)
    fill_accounts(filled)
    out = tmp_path / "all.kpbackup"
    summary = backup.backup(filled, out)
    header, tables = backup.read_backup(out)
    assert header["format"] == "kirkpatrick-backup" and header["schema"] == db.head_revision() == summary.schema
    assert set(tables) == {t.name for t in metadata.sorted_tables}
    with filled.connect() as c:
        for table in metadata.sorted_tables:
            if table.name in analysis_cache.DERIVED_TABLES:
                continue  # computed results: see test_backup_leaves_out_cached_results
            count = c.execute(select(func.count()).select_from(table)).scalar_one()
            assert count > 0, f"the test data should fill {table.name}"
            assert len(tables[table.name]) == count == summary.rows[table.name]
    # Parents come before children, so a restore can insert in file order.
    order = list(tables)
    assert (
        order.index("intervention")
        < order.index("participant")
        < order.index("measurement")
        < order.index("item_response")
    )


def test_round_trip_across_backends_is_identical(
    filled: Engine, db_url: str, tmp_path: Path, postgres: PostgresCluster
) -> None:
    """SQLite -> backup -> PostgreSQL -> backup (and the reverse): the same content, row for row."""
    first = tmp_path / "first.kpbackup"
    backup.backup(filled, first)
    target_url = _other_backend(db_url, tmp_path, postgres)
    target = db.make_engine(target_url)
    try:
        loaded = backup.restore(target, first)
        second = tmp_path / "second.kpbackup"
        backup.backup(target, second)
        assert _tables(first) == _tables(second)
        assert loaded.total == sum(len(rows) for rows in _tables(first).values())
        # Also compared as typed values read back from each database, not only as files.
        assert snapshot(filled) == snapshot(target)
        # Floats come back bit for bit.
        with target.connect() as c:
            values = set(c.execute(select(Measurement.value)).scalars())
        assert set(AWKWARD_FLOATS) <= values
    finally:
        target.dispose()


def test_restored_database_takes_new_rows(
    filled: Engine, db_url: str, tmp_path: Path, postgres: PostgresCluster
) -> None:
    """After a restore the id sequences are past the loaded ids (else PostgreSQL's next insert collides)."""
    out = tmp_path / "b.kpbackup"
    backup.backup(filled, out)
    for target_url in (postgres.new_database(), f"sqlite:///{tmp_path / 'fresh.db'}"):
        cli = Cli(target_url)
        cli("restore", str(out))
        cli("client", "add", "Ny kund")
        cli(
            "intervention",
            "add",
            "NY-2026",
            "--client",
            "Ny kund",
            "--title",
            "Ny",
            "--target-group",
            "managers",
            "--format",
            "group_coaching",
            "--start",
            "2026-01-01",
            "--end",
            "2026-02-01",
        )
        cli("feedback", "add", "NY-2026", "Bra")
        cli("session", "add", "NY-2026", "2026-01-05")
        engine = db.make_engine(target_url)
        with engine.connect() as c:
            assert c.execute(select(func.max(Client.id))).scalar_one() == 3
            assert c.execute(select(func.count()).select_from(Intervention)).scalar_one() == 3
        engine.dispose()


def test_restore_cli_accepts_db_on_the_subcommand(filled: Engine, tmp_path: Path) -> None:
    out = tmp_path / "b.kpbackup"
    Cli(str(filled.url))("backup", "-o", str(out))
    target = f"sqlite:///{tmp_path / 'moved.db'}"
    # The global --db names some other database; the subcommand's --db wins.
    result = Cli(f"sqlite:///{tmp_path / 'unused.db'}")("restore", str(out), "--db", target)
    assert "Restored" in result.output
    assert not (tmp_path / "unused.db").exists()
    moved = db.make_engine(target)
    assert snapshot(moved) == snapshot(filled)
    moved.dispose()


def test_restore_into_freshly_initialised_database(
    filled: Engine, db_url: str, tmp_path: Path, postgres: PostgresCluster
) -> None:
    out = tmp_path / "b.kpbackup"
    backup.backup(filled, out)
    target_url = _other_backend(db_url, tmp_path, postgres)
    Cli(target_url)("init")
    Cli(target_url)("restore", str(out))
    target = db.make_engine(target_url)
    assert snapshot(target) == snapshot(filled)
    target.dispose()


def test_restore_refuses_a_database_with_rows(filled: Engine, db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "b.kpbackup"
    backup.backup(filled, out)
    before = snapshot(filled)
    result = Cli(db_url)("restore", str(out), ok=False)
    assert result.exit_code == 1
    assert (
        "is not empty (rows in analysis_version, audit_entry, client, " in result.output
        and "nothing is overwritten" in result.output
    )
    assert snapshot(filled) == before


def _write_backup(path: Path, lines: list[object]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line) + "\n")


def _backup_lines(path: Path) -> list[object]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _assert_untouched(url: str) -> None:
    engine = db.make_engine(url)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "damage",
    [
        "truncated",
        "cut_gzip",
        "bad_value",
        "wrong_width",
        "bad_date",
        "no_end",
        "counts_differ",
        "not_gzip",
        "foreign_header",
        "newer_schema",
        "unknown_table",
        "dangling_reference",
    ],
)
def test_damaged_backup_loads_nothing(filled: Engine, empty_url: str, tmp_path: Path, damage: str) -> None:
    """Every defect is a one-line error and the target stays empty (schema included): all or nothing."""
    good = tmp_path / "good.kpbackup"
    backup.backup(filled, good)
    lines = _backup_lines(good)
    bad = tmp_path / "bad.kpbackup"
    measurement_row = (
        next(i for i, line in enumerate(lines) if isinstance(line, dict) and line.get("table") == "measurement") + 1
    )
    if damage == "truncated":
        _write_backup(bad, lines[: len(lines) - 3])
    elif damage == "cut_gzip":
        data = good.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
    elif damage == "bad_value":
        lines[measurement_row][6] = "not a number"  # type: ignore[index]
        _write_backup(bad, lines)
    elif damage == "wrong_width":
        lines[measurement_row] = lines[measurement_row][:-1]  # type: ignore[index]
        _write_backup(bad, lines)
    elif damage == "bad_date":
        row = next(i for i, line in enumerate(lines) if isinstance(line, dict) and line.get("table") == "session") + 1
        lines[row][2] = "2024-13-45"  # type: ignore[index]
        _write_backup(bad, lines)
    elif damage == "no_end":
        _write_backup(bad, lines[:-1])
    elif damage == "counts_differ":
        del lines[measurement_row]
        _write_backup(bad, lines)
    elif damage == "not_gzip":
        bad.write_text("participant,measure\n")
    elif damage == "foreign_header":
        _write_backup(bad, [{"format": "something-else"}, *lines[1:]])
    elif damage == "newer_schema":
        _write_backup(bad, [{**lines[0], "schema": "9999"}, *lines[1:]])  # type: ignore[dict-item]
    elif damage == "dangling_reference":  # SQLite restores with foreign keys off, then checks them all
        assert lines[measurement_row - 1]["columns"][2] == "participant_id"  # type: ignore[index]
        lines[measurement_row][2] = 999_999  # type: ignore[index]
        _write_backup(bad, lines)
    elif damage == "unknown_table":
        _write_backup(bad, [lines[0], {"table": "evil", "columns": ["x"], "types": ["json"]}, [1], *lines[1:]])
    result = Cli(empty_url)("restore", str(bad), ok=False)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1, result.output
    if damage == "dangling_reference":
        assert "measurement" in result.output and "participant" in result.output, result.output
    _assert_untouched(empty_url)


TABLES_AT_0001 = {
    "client",
    "measure",
    "intervention",
    "measure_item",
    "feedback",
    "participant",
    "session",
    "transfer_factor_use",
    "measurement",
    "item_response",
}


def _columns_at(revision: str, folder: Path) -> dict[str, set[str]]:
    """Every table's columns at an older ``revision`` (a scratch SQLite database brought there)."""
    from alembic import command
    from sqlalchemy import inspect

    engine = db.make_engine(f"sqlite:///{folder / f'at-{revision}.db'}")
    with db.writer(engine).begin() as connection:
        command.upgrade(db.alembic_config(connection), revision)
    found = inspect(engine)
    columns = {name: {c["name"] for c in found.get_columns(name)} for name in found.get_table_names()}
    engine.dispose()
    return columns


def test_backup_of_an_older_schema_is_upgraded_on_restore(filled: Engine, empty_url: str, tmp_path: Path) -> None:
    """A backup written at revision 0001 (before the audit table) loads and ends at the newest revision."""
    good = tmp_path / "good.kpbackup"
    backup.backup(filled, good)
    lines = _backup_lines(good)
    old: list[object] = [{**lines[0], "schema": "0001"}]  # type: ignore[dict-item]
    at_0001 = _columns_at("0001", tmp_path)
    skipping = False
    rows: dict[str, int] = {}
    current = ""
    keep: list[int] = []
    for line in lines[1:-1]:
        if isinstance(line, dict):
            current = line["table"]
            skipping = current not in TABLES_AT_0001  # the audit table, and any table added since
            if not skipping:
                rows[current] = 0
                # Columns added since 0001 were not in a backup written then.
                keep = [i for i, c in enumerate(line["columns"]) if c in at_0001[current]]
                line = {
                    **line,
                    "columns": [line["columns"][i] for i in keep],
                    "types": [line["types"][i] for i in keep],
                }
        elif isinstance(line, list) and not skipping:
            line = [line[i] for i in keep]
        if not skipping:
            old.append(line)
            if isinstance(line, list):
                rows[current] += 1
    old.append({"end": True, "rows": rows})
    path = tmp_path / "old.kpbackup"
    _write_backup(path, old)
    Cli(empty_url)("restore", str(path))
    engine = db.make_engine(empty_url)
    try:
        assert db.current_revision(engine) == db.head_revision()
        expected = snapshot(filled)
        expected["audit_entry"] = []
        expected["analysis_version"] = []
        expected["unscored_item_response"] = []  # a table added since 0001
        assert snapshot(engine) == expected
    finally:
        engine.dispose()


def test_backup_needs_an_initialised_database_and_writes_nothing_otherwise(raw_engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(DatabaseNotReady, match="not initialised"):
        backup.backup(raw_engine, tmp_path / "x.kpbackup")
    db.init_db(raw_engine)
    with pytest.raises(InvalidInput, match="folder for backup does not exist"):
        backup.backup(raw_engine, tmp_path / "missing" / "x.kpbackup")
    assert not [p for p in tmp_path.rglob("*") if p.suffix in (".kpbackup", ".partial")]


def test_backup_is_one_snapshot_while_a_writer_is_active(filled: Engine, tmp_path: Path) -> None:
    """Rows written after the backup's transaction began are not in it (an import lands wholly or not at all)."""
    out = tmp_path / "snap.kpbackup"
    written = []

    def on_table(conn: object, cursor: object, statement: str, *args: object) -> None:
        # As the backup is about to read the client table (its snapshot began with the table
        # before), another connection commits a new client.
        if not written and "FROM client" in statement and statement.lstrip().upper().startswith("SELECT"):
            with db.transaction(filled) as s:
                s.add(Client(name="Added meanwhile"))
            written.append(True)

    event.listen(filled, "before_cursor_execute", on_table)
    try:
        backup.backup(filled, out)
    finally:
        event.remove(filled, "before_cursor_execute", on_table)
    assert written
    names = [row[1] for row in _tables(out)["client"]]
    assert "Added meanwhile" not in names
    with filled.connect() as c:
        assert c.execute(select(func.count()).select_from(Client)).scalar_one() == 3
