"""Erasure: ``participant forget`` removes one person's data and nothing else, leaves an audit entry
without personal data, and says which statistics changed; ``intervention delete`` needs --yes."""

from __future__ import annotations

import json

from sqlalchemy import Engine, func, select
from support import Cli, snapshot
from test_backup import fill_database

from kirkpatrick.storage import db, erasure
from kirkpatrick.storage.models import (
    AuditEntry,
    Feedback,
    Intervention,
    ItemResponse,
    Measurement,
    Participant,
    UnscoredItemResponse,
)


def _count(engine: Engine, model: type, *where: object) -> int:
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(model).where(*where)).scalar_one()  # type: ignore[arg-type]


def _participant_id(engine: Engine, intervention: str, code: str) -> int:
    with engine.connect() as c:
        return c.execute(
            select(Participant.id).join(Intervention).where(Intervention.code == intervention, Participant.code == code)
        ).scalar_one()


def test_forget_removes_exactly_the_participants_rows(cli: Cli, engine: Engine) -> None:
    fill_database(engine)
    pid = _participant_id(engine, "NRB-LG-2024", "p001")
    mine = _count(engine, Measurement, Measurement.participant_id == pid)
    my_items = _count(
        engine,
        ItemResponse,
        ItemResponse.measurement_id.in_(select(Measurement.id).where(Measurement.participant_id == pid)),
    )
    assert mine == 6 and my_items == 24
    before = snapshot(engine)

    result = cli("participant", "forget", "NRB-LG-2024", "p001")

    assert f"removed 24 item_response, {mine} measurement, 1 participant, 2 unscored_item_response" in result.output
    assert "The statistics of NRB-LG-2024 changed" in result.output
    # p001 had lf and team values; the other NRB participants (8 of the 11 besides p001) remain.
    assert "lf: 7 participants with values (was 8)" in result.output
    assert "team: 7 participants with values (was 8)" in result.output
    after = snapshot(engine)
    assert _count(engine, Participant, Participant.id == pid) == 0
    assert _count(engine, Measurement, Measurement.participant_id == pid) == 0
    # Everything else is untouched: only the participant's rows left, one audit row came.
    for table in before:
        removed = set(before[table]) - set(after[table])
        added = set(after[table]) - set(before[table])
        if table == "analysis_version":  # the intervention's data version went up by one
            assert [(r[0], int(r[1]) + 1) for r in removed] == [(r[0], int(r[1])) for r in added] != []
            continue
        if table == "audit_entry":
            assert not removed and len(added) == 1
        else:
            assert not added
            mine_by_table = {
                "participant": 1,
                "measurement": mine,
                "item_response": my_items,
                "unscored_item_response": 2,
            }
            assert len(removed) == mine_by_table.get(table, 0), table


def test_audit_entry_holds_no_personal_data(cli: Cli, engine: Engine) -> None:
    fill_database(engine)
    cli("participant", "forget", "NRB-LG-2024", "p005")
    with db.reading(engine) as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    assert (entry.action, entry.intervention_code) == ("forget_participant", "NRB-LG-2024")
    removed = {"item_response": 24, "measurement": 6, "participant": 1, "unscored_item_response": 2}
    assert json.loads(entry.removed) == removed
    stored = " ".join(str(getattr(entry, c)) for c in ("at", "action", "intervention_code", "removed"))
    assert "p005" not in stored and "005" not in stored
    shown = json.loads(cli("audit", "--json").output)
    assert shown[-1]["removed"] == removed
    assert "p005" not in json.dumps(shown)


def test_forget_unknown_participant_changes_nothing(cli: Cli, engine: Engine) -> None:
    fill_database(engine)
    before = snapshot(engine)
    result = cli("participant", "forget", "NRB-LG-2024", "nobody", ok=False)
    assert result.exit_code == 1
    assert result.output == "Error: intervention NRB-LG-2024 has no participant 'nobody'\n"
    result = cli("participant", "forget", "NO-SUCH", "p001", ok=False)
    assert result.output == "Error: no intervention with code 'NO-SUCH'\n"
    assert snapshot(engine) == before


def test_forget_participant_without_measurements(cli: Cli, engine: Engine) -> None:
    fill_database(engine, participants=0)
    with db.transaction(engine) as s:
        s.add(Participant(intervention_id=s.scalars(select(Intervention.id)).first(), code="lonely"))
    result = cli("participant", "forget", "NRB-LG-2024", "lonely")
    assert "removed 1 participant" in result.output and "no statistics changed" in result.output


def test_intervention_delete_needs_yes_and_says_what_it_removes(cli: Cli, engine: Engine) -> None:
    fill_database(engine)
    before = snapshot(engine)
    expected = erasure.intervention_contents
    with db.reading(engine) as s:
        contents = expected(s, "NRB-LG-2024")
    # 8 of the 12 participants belong to NRB (i % 3 != 0), 6 measurements and 24 item answers each,
    # and 2 item answers without a score.
    assert contents == {
        "feedback": 2,
        "intervention": 1,
        "item_response": 8 * 24,
        "measurement": 8 * 6,
        "participant": 8,
        "session": 2,
        "transfer_factor_use": 2,
        "unscored_item_response": 8 * 2,
    }
    refused = cli("intervention", "delete", "NRB-LG-2024", ok=False)
    assert refused.exit_code == 1
    assert refused.output == (
        "Error: deleting intervention NRB-LG-2024 would remove 2 feedback, 1 intervention, "
        "192 item_response, 48 measurement, 8 participant, 2 session, 2 transfer_factor_use, "
        "16 unscored_item_response; "
        "nothing removed: add --yes to delete it\n"
    )
    assert snapshot(engine) == before

    done = json.loads(cli("intervention", "delete", "NRB-LG-2024", "--yes", "--json").output)
    assert done["removed"] == contents
    assert _count(engine, Intervention, Intervention.code == "NRB-LG-2024") == 0
    assert _count(engine, Feedback) == 0
    # The other intervention and the shared catalogue are untouched; the client stays.
    after = snapshot(engine)
    for table in ("client", "measure", "measure_item"):
        assert after[table] == before[table]
    assert _count(engine, Participant) == 4 and _count(engine, Measurement) == 4 * 6
    assert _count(engine, UnscoredItemResponse) == 4 * 2
    entries = json.loads(cli("audit", "--json").output)
    assert entries[-1]["action"] == "delete_intervention" and entries[-1]["removed"] == contents
    assert (
        cli("intervention", "delete", "NRB-LG-2024", "--yes", ok=False).output
        == "Error: no intervention with code 'NRB-LG-2024'\n"
    )


def test_library_erasure_is_all_or_nothing(engine: Engine) -> None:
    """A failure after the deletes (here: raised inside the transaction) leaves every row in place."""
    fill_database(engine)
    before = snapshot(engine)
    try:
        with db.transaction(engine) as s:
            erasure.forget_participant(s, "NRB-LG-2024", "p002")
            erasure.delete_intervention(s, "VBY-KURS-2025")
            raise RuntimeError("power cut")
    except RuntimeError:
        pass
    assert snapshot(engine) == before
