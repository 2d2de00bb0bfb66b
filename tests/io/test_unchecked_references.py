"""A file import on SQLite writes without SQLite's row-by-row foreign-key checks
(``db.unchecked_writes``); every id its rows refer to is checked once before the commit
(``storage.references``). A row referring to nothing is never committed, the connection has its
foreign keys back on afterwards, whatever happened, and every reference written holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from support import snapshot

from kirkpatrick.io import write
from kirkpatrick.io.importing import ImportFailed, ImportOptions, import_measurements
from kirkpatrick.storage import db, references
from kirkpatrick.storage.references import BrokenReference, References

CORPUS = Path(__file__).resolve().parent / "data" / "import"
KURS = ImportOptions(intervention="VBY-KURS-2025", wave="post")


def long_file(path: Path, participants: int) -> Path:
    lines = ["participant,measure,wave,rater,value,date\n"]
    for p in range(participants):
        for wave, date in (("pre", "2025-01-10"), ("post", "")):
            lines.append(f"R{p:04d},lf,{wave},self,{1 + p % 5},{date}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def foreign_keys_hold_and_are_on(engine: Engine) -> None:
    """No reference broken anywhere; the next connection refuses a dangling row."""
    with engine.connect() as c:
        assert db.foreign_key_problems(c) == []
        if engine.dialect.name == "sqlite":
            assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with pytest.raises(IntegrityError), db.writer(engine).begin() as c:
        c.execute(text("INSERT INTO participant (intervention_id, code, \"group\") VALUES (999999, 'x', 'treatment')"))


def test_an_import_with_items_and_answers_without_a_score_leaves_every_reference_whole(
    catalogue: Engine, tmp_path: Path
) -> None:
    summary = import_measurements(catalogue, CORPUS / "items_wide.csv", KURS)
    assert (summary.imported, summary.item_responses, summary.unscored_item_responses) == (2, 15, 5)
    summary = import_measurements(catalogue, long_file(tmp_path / "long.csv", 300), KURS)
    assert (summary.imported, summary.participants_created) == (600, 300)
    foreign_keys_hold_and_are_on(catalogue)


def test_a_failed_import_leaves_the_foreign_keys_on(catalogue: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("participant,measure,wave,value\nq1,lf,pre,9\n", encoding="utf-8")
    with pytest.raises(ImportFailed):
        import_measurements(catalogue, bad, KURS)
    foreign_keys_hold_and_are_on(catalogue)


def test_rows_referring_to_a_missing_measure_are_never_committed(
    catalogue: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A defect that gave rows a wrong measure id (here: every id off by 1000) is caught before
    the commit, on SQLite by the check, on PostgreSQL by the server; nothing is written."""
    init = write.Columns.__init__

    def wrong_ids(self: write.Columns, *args: Any) -> None:
        init(self, *args)
        self.measure_ids = self.measure_ids + 1000

    monkeypatch.setattr(write.Columns, "__init__", wrong_ids)
    before = snapshot(catalogue)
    if catalogue.dialect.name == "sqlite":
        expected: tuple[type[Exception], ...] = (BrokenReference,)
    else:
        import psycopg

        expected = (IntegrityError, psycopg.errors.ForeignKeyViolation)  # from the server, through COPY
    with pytest.raises(expected, match="measure"):
        import_measurements(catalogue, long_file(tmp_path / "long.csv", 40), KURS)
    assert snapshot(catalogue) == before
    foreign_keys_hold_and_are_on(catalogue)


def test_rows_referring_to_a_missing_participant_are_never_committed(
    catalogue: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if catalogue.dialect.name != "sqlite":
        return  # the early writer is SQLite's; the measure test covers PostgreSQL
    participants = write.EarlyWriter._participants

    def dropped(flat: list[Any]) -> list[tuple[str, list[Any]]]:
        return participants(flat[5:])  # the first new participant is never inserted

    monkeypatch.setattr(write.EarlyWriter, "_participants", staticmethod(dropped))
    before = snapshot(catalogue)
    with pytest.raises(BrokenReference, match="participant"):
        import_measurements(catalogue, long_file(tmp_path / "long.csv", 40), KURS)
    assert snapshot(catalogue) == before


def test_references_are_looked_up_in_blocks(catalogue: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(references, "PER_QUERY", 2)
    with catalogue.connect() as c:
        ids = list(c.execute(text("SELECT id FROM measure ORDER BY id")).scalars())
        found = References()
        found.add("measure", np.array(ids[:5]).tolist())
        found.check(c)  # five ids, three queries
        found.add("measure", [max(ids) + 1])
        with pytest.raises(BrokenReference, match=f"measure {max(ids) + 1}, which does not exist"):
            found.check(c)
    with pytest.raises(ValueError, match="no table"):
        References().add("nothing", [1])
