"""Rows written while the file is still being read (SQLite's ``EarlyWriter``): the rows of
participants new to the database go in on a second thread during the reading. Whatever happens
later in the file, the import is still one transaction: an error anywhere writes nothing, a
group or role given after a participant's first row is stored, a participant repeated is
reported with its lines, and the counts are those of an import that wrote everything at the end.

The files are bigger than one block of checked rows (``pipeline.BATCH``), so the thread takes
several blocks while the reading goes on. Run on each backend: PostgreSQL writes at the end and
must give the same results."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from support import SAMPLE, snapshot

from kirkpatrick.io import pipeline, write
from kirkpatrick.io.importing import ImportFailed, ImportOptions, import_measurements
from kirkpatrick.services import records
from kirkpatrick.storage import db
from kirkpatrick.storage.models import Measure, Measurement, Participant

CODE = "NRB-LG-2024"
OPTIONS = ImportOptions(intervention=CODE)
MEASURES = ("satisfaction", "usefulness", "proc_fit", "team")
HEADER = "participant,group,role,measure,wave,rater,value,date\n"


def value(p: int, m: int, w: int, r: int) -> float:
    """Values on every measure's scale (1-5), different for every row."""
    return 1 + ((p * 7 + m * 3 + w * 2 + r) % 41) / 10


def rows(first: int, last: int) -> list[str]:
    """Participants ``first`` .. ``last - 1``: 4 measures x 2 waves x 2 raters, 16 rows each."""
    out = []
    for p in range(first, last):
        for m, measure in enumerate(MEASURES):
            for w, (wave, date) in enumerate((("pre", "2025-01-10"), ("post", "2025-06-10"))):
                for r, rater in enumerate(("self", "manager")):
                    out.append(f"E{p:05d},,,{measure},{wave},{rater},{value(p, m, w, r)},{date}\n")
    return out


def stored(engine: Engine) -> dict[tuple[str, str, str, str], tuple[float, str | None]]:
    with engine.connect() as c:
        found = c.execute(
            select(
                Participant.code, Measure.code, Measurement.wave, Measurement.rater, Measurement.value, Measurement.date
            )
            .join(Participant, Participant.id == Measurement.participant_id)
            .join(Measure, Measure.id == Measurement.measure_id)
            .where(Participant.code.like("E%"))
        )
        return {(p, m, w.value, r.value): (v, d.isoformat() if d else None) for p, m, w, r, v, d in found}


def expected(first: int, last: int) -> dict[tuple[str, str, str, str], tuple[float, str | None]]:
    out = {}
    for p in range(first, last):
        for m, measure in enumerate(MEASURES):
            for w, (wave, date) in enumerate((("pre", "2025-01-10"), ("post", "2025-06-10"))):
                for r, rater in enumerate(("self", "manager")):
                    out[(f"E{p:05d}", measure, wave, rater)] = (value(p, m, w, r), date)
    return out


@pytest.fixture
def sample(engine: Engine) -> Engine:
    with db.transaction(engine) as s:
        records.import_measures(s, SAMPLE / "measures.csv")
        records.import_interventions(s, SAMPLE / "interventions.csv")
    return engine


def write_file(path: Path, lines: list[str]) -> Path:
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


N = 2_500  # 40,000 rows: more than two blocks of pipeline.BATCH


def test_the_file_is_bigger_than_a_block() -> None:
    assert N * 16 > 2 * pipeline.BATCH


def test_new_participants_over_many_blocks_are_stored_exactly(sample: Engine, tmp_path: Path) -> None:
    interval = sys.getswitchinterval()
    summary = import_measurements(sample, write_file(tmp_path / "new.csv", rows(0, N)), OPTIONS)
    assert sys.getswitchinterval() == interval  # shortened while the thread ran, then restored
    assert (summary.imported, summary.skipped, summary.participants_created) == (N * 16, 0, N)
    assert stored(sample) == expected(0, N)
    with sample.connect() as c:
        ids = list(c.scalars(select(Participant.id).where(Participant.code.like("E%")).order_by(Participant.code)))
        groups = set(c.scalars(select(Participant.group).where(Participant.code.like("E%"))))
    assert len(set(ids)) == N and ids == sorted(ids)  # one id each, given in the file's order
    assert {g.value for g in groups} == {"treatment"}
    # Ids keep coming right after: a later import adds a participant the ordinary way.
    later = import_measurements(sample, write_file(tmp_path / "later.csv", rows(N, N + 1)), OPTIONS)
    assert later.participants_created == 1
    with sample.connect() as c:
        assert c.scalar(select(func.max(Participant.id))) > max(ids)
    assert stored(sample) == expected(0, N + 1)


def test_an_error_on_the_last_line_writes_nothing(sample: Engine, tmp_path: Path) -> None:
    before = snapshot(sample)
    lines = [*rows(0, N), "E99999,,,team,post,self,7,2025-06-10\n"]  # team is 1-5
    with pytest.raises(ImportFailed) as failed:
        import_measurements(sample, write_file(tmp_path / "bad.csv", lines), OPTIONS)
    assert f"bad.csv:{len(lines) + 1}:value:" in str(failed.value)
    assert snapshot(sample) == before


def test_a_participant_repeated_late_in_the_file_is_reported_and_nothing_written(
    sample: Engine, tmp_path: Path
) -> None:
    before = snapshot(sample)
    lines = rows(0, N)
    lines.append(lines[3])  # E00000's fourth row again, after every block
    with pytest.raises(ImportFailed) as failed:
        import_measurements(sample, write_file(tmp_path / "twice.csv", lines), OPTIONS)
    message = str(failed.value)
    assert f"twice.csv:{len(lines) + 1}:" in message and "line 5" in message
    assert snapshot(sample) == before


def test_a_group_and_role_given_after_the_first_row_are_stored(sample: Engine, tmp_path: Path) -> None:
    lines = rows(0, N)
    # E00001's rows come early in the file without a group or role; one of them, moved to the
    # end (after every block), gives both.
    late = lines.pop(20).replace("E00001,,,", "E00001,control,rektor,", 1)
    lines.append(late)
    import_measurements(sample, write_file(tmp_path / "late.csv", lines), OPTIONS)
    with sample.connect() as c:
        found = c.execute(
            select(Participant.code, Participant.group, Participant.role).where(Participant.code.like("E0000%"))
        )
        people = {code: (group.value, role) for code, group, role in found}
    assert people["E00001"] == ("control", "rektor")
    assert people["E00000"] == ("treatment", None)
    assert stored(sample) == expected(0, N)


def test_known_and_new_participants_together(sample: Engine, tmp_path: Path) -> None:
    """Half the people are in the database with the same values (skipped), half are new (written
    early); one known value differs late in the file: an error, and nothing of the new half stays."""
    import_measurements(sample, write_file(tmp_path / "half.csv", rows(0, N // 2)), OPTIONS)
    before = snapshot(sample)
    both = write_file(tmp_path / "both.csv", rows(0, N))
    summary = import_measurements(sample, both, OPTIONS, dry_run=True)
    assert (summary.imported, summary.skipped, summary.participants_created) == (N // 2 * 16, N // 2 * 16, N // 2)
    changed = [*rows(N // 2, N), rows(0, 1)[0].replace(f",{value(0, 0, 0, 0)},", ",4.9,")]
    with pytest.raises(ImportFailed, match="already"):
        import_measurements(sample, write_file(tmp_path / "changed.csv", changed), OPTIONS)
    assert snapshot(sample) == before
    summary = import_measurements(sample, both, OPTIONS)
    assert (summary.imported, summary.skipped, summary.participants_created) == (N // 2 * 16, N // 2 * 16, N // 2)
    assert stored(sample) == expected(0, N)


def test_a_failure_in_the_writing_thread_is_raised_and_rolls_everything_back(
    sample: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if sample.dialect.name != "sqlite":
        return  # PostgreSQL has no early writer: the other tests show it gives the same results
    calls = {"n": 0}
    execute = write.MeasurementWriter.execute

    def failing(self: write.MeasurementWriter, statements: list[tuple[str, list[object]]]) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        execute(self, statements)

    monkeypatch.setattr(write.MeasurementWriter, "execute", failing)
    before = snapshot(sample)
    interval = sys.getswitchinterval()
    with pytest.raises(OSError, match="disk full"):
        import_measurements(sample, write_file(tmp_path / "new.csv", rows(0, N)), OPTIONS)
    assert calls["n"] >= 3
    assert snapshot(sample) == before
    assert sys.getswitchinterval() == interval


def test_many_dates_no_dates_and_two_interventions_in_one_file_are_stored_exactly(
    sample: Engine, tmp_path: Path
) -> None:
    """Rows carry their date as one of eight per statement (``write.DATE_SLOTS``): a block with
    more dates takes several statements. Known participants' rows are written at the end and new
    ones' early; both ways store every value, date (or none) and intervention as given."""
    codes = ("NRB-LG-2024", "VBY-COACH-2024")
    dates = [f"2025-{month:02d}-{day:02d}" for month in range(1, 13) for day in (3, 17)] + [""]

    def line(p: int, m: int, w: int, r: int) -> tuple[str, tuple[str, str, str, str], tuple[float, str | None]]:
        date = dates[(p * 5 + m * 3 + w + r) % len(dates)]
        wave, rater = ("pre", "post")[w], ("self", "manager", "peer")[r]
        code = f"E{p:05d}"
        v = 1 + ((p * 11 + m * 5 + w * 3 + r) % 41) / 10
        key = (code, MEASURES[m], wave, rater)
        return f"{codes[p % 2]},{code},{MEASURES[m]},{wave},{rater},{v},{date}\n", key, (v, date or None)

    header = "intervention,participant,measure,wave,rater,value,date\n"
    people = 1_200  # 28,800 rows
    every = [line(p, m, w, r) for p in range(people) for m in range(4) for w in range(2) for r in range(3)]
    first = tmp_path / "first.csv"  # half the people, their pre rows: known at the second import
    first.write_text(header + "".join(t for t, k, _ in every if int(k[0][1:]) < people // 2 and k[2] == "pre"))
    import_measurements(sample, first, ImportOptions())
    both = tmp_path / "both.csv"
    both.write_text(header + "".join(t for t, _, _ in every))
    summary = import_measurements(sample, both, ImportOptions())
    assert (summary.skipped, summary.participants_created) == (people // 2 * 12, people // 2)
    assert stored(sample) == {k: v for _, k, v in every}
    with sample.connect() as c:
        placed = c.execute(
            select(Participant.code, Measurement.intervention_id, Participant.intervention_id).join(
                Participant, Participant.id == Measurement.participant_id
            )
        ).all()
        ids = dict(c.execute(text("SELECT code, id FROM intervention")).all())
    assert {(code, iid) for code, iid, _ in placed} == {(f"E{p:05d}", ids[codes[p % 2]]) for p in range(people)}
    assert all(iid == of_participant for _, iid, of_participant in placed)


def test_counts_and_known_participants_come_out_the_same_a_block_of_keys_at_a_time(
    sample: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole-file counts (per measure and wave) and the file's known participants are
    worked out a block of keys at a time (``checks.KEYS_AT_ONCE``, to bound the memory)."""
    from kirkpatrick.io import checks

    import_measurements(sample, write_file(tmp_path / "half.csv", rows(0, 100)), OPTIONS)
    both = write_file(tmp_path / "both.csv", rows(0, 200))
    whole = import_measurements(sample, both, OPTIONS, dry_run=True)
    monkeypatch.setattr(checks, "KEYS_AT_ONCE", 7)
    blocks = import_measurements(sample, both, OPTIONS, dry_run=True)
    # 200 people x 2 raters per measure and wave; the first 100 are stored already.
    expected = {(m, w): {"imported": 200, "skipped": 200} for m in MEASURES for w in ("pre", "post")}
    assert whole.per_measure_wave == blocks.per_measure_wave == expected
    assert (blocks.imported, blocks.skipped) == (whole.imported, whole.skipped) == (1600, 1600)
