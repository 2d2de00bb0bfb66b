"""Crash safety: an import killed with SIGKILL at any moment leaves the database exactly as it was.

A 100,000-row long CSV is imported by ``python -m kirkpatrick import`` in a subprocess, which is
killed soon after it starts, at moments spread over a reference run (reading and checking rows),
and twice while it writes rows inside its transaction (SQLite: its uncommitted pages are growing
the WAL file; PostgreSQL: its COPY has sent a share of the rows, by ``pg_stat_progress_copy``).
Each attempt starts from a fresh copy of the same database. Afterwards
every row is compared with the state before, SQLite's ``PRAGMA integrity_check`` must say ok,
and a new import of the same file must succeed with all its rows.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from support import SAMPLE, Cli, PostgresCluster, snapshot

import kirkpatrick
from kirkpatrick.storage import db
from kirkpatrick.storage.models import Measurement, Participant

# The package under test, whether it runs from the source tree or is installed.
PACKAGE_ROOT = str(Path(kirkpatrick.__file__).resolve().parent.parent)
MEASURES = [
    "satisfaction",
    "usefulness",
    "recommend",
    "proc_fit",
    "proc_credibility",
    "proc_effectiveness",
    "proc_feasibility",
    "team",
    "sick_leave",
    "knowledge",
]  # scales all include 1..5
WAVES = ("pre", "post", "follow_up")
RATERS = ("self", "manager", "report", "peer", "org")
BIG_ROWS = 100_000
# Moments to kill at, as fractions of an uninterrupted import's duration.
KILL_FRACTIONS = (0.15, 0.35, 0.55)
# ... and while writing, after about this share of the rows.
WRITE_SHARES = (0.0, 0.5)


def write_long_csv(path: Path, rows: int, *, prefix: str = "p", salt: int = 0) -> int:
    """A long CSV of ``rows`` measurements (participants ``{prefix}00000``...); returns rows written."""
    n = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["participant", "measure", "wave", "value", "rater", "date"])
        p = 0
        while n < rows:
            for measure in MEASURES:
                for wave in WAVES:
                    for rater in RATERS:
                        if n == rows:
                            return n
                        out.writerow(
                            [f"{prefix}{p:05d}", measure, wave, 1 + ((n + salt) * 7 % 40) / 10, rater, "2024-03-01"]
                        )
                        n += 1
            p += 1
    return n


def prepare(url: str, *, seed_rows: int = 600, tmp: Path) -> None:
    """Schema, catalogue, one intervention and some measurements already there before the big import."""
    cli = Cli(url)
    cli("init")
    cli("measure", "import", str(SAMPLE / "measures.csv"))
    cli("client", "add", "Krasch kommun")
    cli(
        "intervention",
        "add",
        "CRASH-1",
        "--client",
        "Krasch kommun",
        "--title",
        "Test",
        "--target-group",
        "managers",
        "--format",
        "group_coaching",
        "--start",
        "2024-01-01",
        "--end",
        "2024-12-31",
    )
    seed = tmp / "seed.csv"
    write_long_csv(seed, seed_rows, prefix="s")
    cli("import", str(seed), "--intervention", "CRASH-1")


def kirkpatrick_process(url: str, *args: str) -> subprocess.Popen[bytes]:
    """``python -m kirkpatrick --db URL ARGS...`` as a separate process, output captured."""
    env = {**os.environ, "PYTHONPATH": PACKAGE_ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen(
        [sys.executable, "-m", "kirkpatrick", "--db", url, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def importer(url: str, path: Path, *, intervention: str = "CRASH-1") -> subprocess.Popen[bytes]:
    """``kirkpatrick --db URL import FILE --intervention CODE`` as a separate process."""
    return kirkpatrick_process(url, "import", str(path), "--intervention", intervention)


def counts(url: str) -> tuple[int, int]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as c:
            return (
                c.execute(select(func.count()).select_from(Measurement)).scalar_one(),
                c.execute(select(func.count()).select_from(Participant)).scalar_one(),
            )
    finally:
        engine.dispose()


class Backend:
    """Fresh copies of one prepared database, on SQLite (file copy) or PostgreSQL (template)."""

    def __init__(self, kind: str, tmp: Path, postgres: PostgresCluster | None) -> None:
        self.kind, self.tmp, self.postgres = kind, tmp, postgres
        self.copies = 0
        self.probe: Engine | None = None
        if kind == "sqlite":
            self.template = f"sqlite:///{tmp / 'template.db'}"
        else:
            assert postgres is not None
            self.template = postgres.new_database()
        prepare(self.template, tmp=tmp)
        engine = db.make_engine(self.template)
        self.before = snapshot(engine)
        engine.dispose()  # SQLite: the last connection checkpoints the WAL into the file

    def copy(self) -> str:
        self.copies += 1
        if self.kind == "sqlite":
            target = self.tmp / f"copy{self.copies}.db"
            shutil.copyfile(self.tmp / "template.db", target)
            return f"sqlite:///{target}"
        assert self.postgres is not None
        name = f"crash_copy_{os.getpid()}_{self.copies}"
        template = make_url(self.template).database
        admin = create_engine(self.postgres.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        admin.dispose()
        return self.postgres.url(name)

    def writing(self, url: str, share: float, growth: int) -> Callable[[], bool]:
        """A probe that is true once the importer, inside its open transaction, has written about
        ``share`` of its rows (``growth``: bytes a complete import adds to an SQLite file)."""
        if self.kind == "sqlite":
            wal = Path(url.removeprefix("sqlite:///") + "-wal")
            # Uncommitted pages spill into the WAL as the page cache fills.
            threshold = max(1_000_000, share * growth)
            return lambda: wal.exists() and wal.stat().st_size > threshold
        engine = self.probe = db.make_engine(url)
        # The measurements go in by COPY, in chunks; its progress view counts the rows sent so far.
        query = text(
            "SELECT count(*) FROM pg_stat_progress_copy p JOIN pg_class c ON c.oid = p.relid "
            "WHERE c.relname = 'measurement' AND p.datname = current_database() AND p.tuples_processed >= :n"
        )
        n = int(share * min(BIG_ROWS, 50_000))

        def copying() -> bool:
            with engine.connect() as c:
                return bool(c.execute(query, {"n": n}).scalar())

        return copying

    def check(self, url: str, complete: tuple[int, int]) -> bool:
        """The database is whole and either exactly as before (returns True) or holds the complete
        import (returns False: the kill came after the commit): never anything in between."""
        if self.probe is not None:
            self.probe.dispose()
            self.probe = None
        engine = db.make_engine(url)
        try:
            untouched = snapshot(engine) == self.before
            if not untouched:
                assert counts(url) == complete, "a killed import left part of its rows"
            if self.kind == "sqlite":
                with engine.connect() as c:
                    assert c.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
                    assert c.execute(text("PRAGMA foreign_key_check")).all() == []
        finally:
            engine.dispose()
        return untouched


@contextmanager
def killed_at(process: subprocess.Popen[bytes], when: Callable[[], bool], timeout: float) -> Iterator[bool]:
    """Kill ``process`` with SIGKILL as soon as ``when()`` is true; yields whether it was still running."""
    deadline = time.monotonic() + timeout
    while process.poll() is None and not when() and time.monotonic() < deadline:
        time.sleep(0.01)
    alive = process.poll() is None
    if alive:
        os.kill(process.pid, signal.SIGKILL)
    process.communicate()  # reaps it and closes its pipes
    yield alive


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_killed_import_leaves_database_as_it_was(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    postgres = request.getfixturevalue("postgres") if kind == "postgresql" else None
    backend = Backend(kind, tmp_path, postgres)
    big = tmp_path / "big.csv"
    assert write_long_csv(big, BIG_ROWS) == BIG_ROWS
    seed_measurements, seed_participants = counts(backend.template)

    # A reference run, uninterrupted: how long an import takes, and that it works.
    reference = backend.copy()
    started = time.monotonic()
    done = importer(reference, big)
    _out, err = done.communicate()
    duration = time.monotonic() - started
    assert done.returncode == 0, err.decode()
    assert counts(reference) == (seed_measurements + BIG_ROWS, seed_participants + BIG_ROWS // 150 + 1)

    complete = counts(reference)
    growth = (
        Path(reference.removeprefix("sqlite:///")).stat().st_size - (tmp_path / "template.db").stat().st_size
        if kind == "sqlite"
        else 0
    )
    kills = 0  # kills that hit a running import and left the database as it was
    # While it starts, reads and checks rows (most of its time): at moments spread over a reference run.
    for moment in (0.3, *(fraction * duration for fraction in KILL_FRACTIONS)):
        url = backend.copy()
        process = importer(url, big)
        deadline = time.monotonic() + moment
        with killed_at(process, lambda deadline=deadline: time.monotonic() >= deadline, duration * 3) as alive:
            pass
        untouched = backend.check(url, complete)
        if not alive:  # finished before the planned moment: then it must have succeeded
            assert process.returncode == 0 and not untouched
        kills += alive and untouched
    # While it writes rows inside its transaction: just begun, and well under way.
    for share in WRITE_SHARES:
        url = backend.copy()
        process = importer(url, big)
        with killed_at(process, backend.writing(url, share, growth), duration * 3) as alive:
            assert alive, "the import finished before it was seen writing"
        assert backend.check(url, complete), "killed while writing, yet rows were kept"
        kills += 1

    # Nothing is left locked or half-done: the same import now runs to the end.
    again = importer(url, big)
    _out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err.decode()
    assert counts(url) == complete
    # Nearly every kill hit a running import (on a loaded machine the last timed one may come too late).
    assert kills >= len(KILL_FRACTIONS) + len(WRITE_SHARES)
