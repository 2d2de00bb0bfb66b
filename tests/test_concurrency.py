"""Concurrent writers: several ``kirkpatrick import`` processes at once into one database all
succeed (they wait for each other's lock instead of failing with "database is locked"), and two
imports of the same file at once leave its rows exactly once. A backup taken meanwhile holds
whole imports only."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from support import PostgresCluster
from test_crash import counts, importer, kirkpatrick_process, prepare, write_long_csv

from kirkpatrick.storage import db
from kirkpatrick.storage.models import Measurement, Participant

WRITERS = 4
ROWS_EACH = 20_000
SEED_ROWS = 600


def _url(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.new_database()


def _finish(processes: list[subprocess.Popen[bytes]]) -> list[tuple[int, str, str]]:
    results = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        results.append((process.returncode, out.decode(), err.decode()))
    return results


def _integrity(url: str) -> None:
    if not url.startswith("sqlite"):
        return
    engine = db.make_engine(url)
    with engine.connect() as c:
        assert c.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
    engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_writers_at_once_all_succeed(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = _url(kind, tmp_path, request)
    prepare(url, seed_rows=SEED_ROWS, tmp=tmp_path)
    files = []
    for i in range(WRITERS):
        path = tmp_path / f"part{i}.csv"
        write_long_csv(path, ROWS_EACH, prefix=f"w{i}-", salt=i)
        files.append(path)
    processes = [importer(url, path) for path in files]
    # A backup in the middle of it all: it must not fail, and must hold whole imports only.
    snapshot_file = tmp_path / "during.kpbackup"
    backup = kirkpatrick_process(url, "backup", "-o", str(snapshot_file))
    results = _finish(processes + [backup])
    for code, out, err in results:
        assert code == 0, err
        assert "locked" not in err + out
    for _code, out, _err in results[:WRITERS]:
        assert f"Imported {ROWS_EACH} measurements" in out, out
    measurements, participants = counts(url)
    assert measurements == SEED_ROWS + WRITERS * ROWS_EACH
    assert participants == (SEED_ROWS + 149) // 150 + WRITERS * ((ROWS_EACH + 149) // 150)
    with gzip.open(snapshot_file, "rt", encoding="utf-8") as f:
        end = json.loads(f.readlines()[-1])
    assert end["end"] is True
    assert (end["rows"]["measurement"] - SEED_ROWS) % ROWS_EACH == 0
    _integrity(url)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_same_file_imported_twice_at_once_lands_once(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = _url(kind, tmp_path, request)
    prepare(url, seed_rows=SEED_ROWS, tmp=tmp_path)
    path = tmp_path / "same.csv"
    write_long_csv(path, ROWS_EACH, prefix="x")
    results = _finish([importer(url, path) for _ in range(3)])
    for code, _out, err in results:
        assert code == 0, err
    outputs = sorted(out.splitlines()[0] for _, out, _ in results)
    # One process imports the rows; the others find every one of them already present.
    assert outputs[0].startswith("Imported 0 measurements") and f"{ROWS_EACH} already present" in outputs[0]
    assert outputs[1].startswith("Imported 0 measurements")
    assert outputs[2].startswith(f"Imported {ROWS_EACH} measurements")
    assert counts(url)[0] == SEED_ROWS + ROWS_EACH
    engine = db.make_engine(url)
    with engine.connect() as c:
        duplicates = c.execute(
            select(func.count()).select_from(
                select(Measurement.participant_id, Measurement.measure_id, Measurement.wave, Measurement.rater)
                .group_by(Measurement.participant_id, Measurement.measure_id, Measurement.wave, Measurement.rater)
                .having(func.count() > 1)
                .subquery()
            )
        ).scalar_one()
        codes = c.execute(
            select(Participant.code, func.count()).group_by(Participant.code).having(func.count() > 1)
        ).all()
    engine.dispose()
    assert duplicates == 0 and codes == []
    _integrity(url)
