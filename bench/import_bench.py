"""Benchmark: ``kirkpatrick import`` of a long CSV against SQLite's own ``.import`` of the same file.

Generates N rows (default 1,000,000: participants x 25 measures x 2 waves x 2 raters), imports
them with ``kirkpatrick import`` in a subprocess (validation included; its peak RSS measured
with ``resource.getrusage``), then times the ``sqlite3`` command-line tool's ``.import`` of the
same file into a bare table, and prints rows/s and the ratio, in wall-clock time and in CPU time
(user + system of each subprocess, which a busy shared machine disturbs less). A second import of the same file
(everything already present) is timed too.

The storage floor: the same ``sqlite3`` tool ``.import``-ing the rows already resolved (participant
ids, measure ids, wave, rater, value, date; the participants too) into a copy of our own schema,
with its keys, indexes and CHECKs, in one transaction, with the PRAGMAs the application sets;
three ways in: ``.import`` straight into our tables and staged (``.import`` into bare in-memory
tables, then ``INSERT ... SELECT``), both with SQLite checking the foreign keys row by row
(``PRAGMA foreign_keys=ON``), and staged with the foreign keys checked as the importer checks
them: off for the load, each distinct referenced id looked up once before the commit. The last
is "the floor" the importer is compared with (the first two are printed too). What the importer
costs above the floor is parsing, checking and Python; what the floor costs above the bare table
is the schema.

    python bench/import_bench.py                    # 1,000,000 rows on SQLite
    python bench/import_bench.py --rows 5000000     # the memory target
    python bench/import_bench.py --postgres URL     # also PostgreSQL (an empty database)
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sqlite3 as sqlite3_module
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURES = [f"m{i:02d}" for i in range(1, 26)]
WAVES = ("pre", "post")
RATERS = ("self", "manager")
CODE = "BENCH-2024"


def generate(path: Path, rows: int) -> int:
    per_participant = len(MEASURES) * len(WAVES) * len(RATERS)
    participants = max(1, rows // per_participant)
    rng = random.Random(1)
    values = [f"{v / 10:g}" for v in range(10, 51)]
    written = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("participant,measure,wave,rater,value,date\n")
        for p in range(participants):
            code = f"P{p:07d}"
            lines = []
            for measure in MEASURES:
                for wave, date in zip(WAVES, ("2024-01-15", "2024-06-15")):
                    for rater in RATERS:
                        lines.append(f"{code},{measure},{wave},{rater},{rng.choice(values)},{date}\n")
            f.write("".join(lines))
            written += len(lines)
    return written


def setup(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    from kirkpatrick.services import records
    from kirkpatrick.storage import db

    engine = db.make_engine(url)
    db.init_db(engine)
    with db.transaction(engine) as s:
        records.add_client(s, "Bench AB")
        records.add_intervention(
            s,
            CODE,
            records.InterventionFields(
                "Bench", "Bench AB", None, "managers", "training_programme", "2024-01-01", "2024-12-31"
            ),
        )
        for m in MEASURES:
            records.add_measure(s, records.MeasureFields(m, f"Measure {m}", "behaviour", "1", "5"))
    engine.dispose()


def child(url: str, csv_path: str) -> None:
    """Run the CLI in this process and print its peak RSS (MB) last."""
    sys.path.insert(0, str(ROOT))
    from kirkpatrick.cli import main

    try:
        main(["--db", url, "import", csv_path, "--intervention", CODE], standalone_mode=False)
    finally:
        print(f"peak_rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_import(url: str, csv_path: Path) -> tuple[float, float, str]:
    """Wall-clock seconds, CPU seconds (user + system) and peak RSS (MB) of one import in a subprocess."""
    start, cpu = time.perf_counter(), _cpu()
    done = subprocess.run(
        [sys.executable, __file__, "--child", url, str(csv_path)], capture_output=True, text=True, check=False
    )
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
    if done.returncode:
        sys.exit(f"import failed:\n{done.stdout}\n{done.stderr}")
    rss = done.stdout.strip().splitlines()[-1].split("=")[1]
    return elapsed, cpu, rss


def sqlite_import(csv_path: Path, work: Path) -> tuple[float, float]:
    sqlite3 = shutil.which("sqlite3")
    if sqlite3 is None:
        sys.exit("the sqlite3 command-line tool is needed for the baseline (apt-get install sqlite3)")
    bare = work / "bare.db"
    for suffix in ("", "-wal", "-shm"):
        bare.with_name(bare.name + suffix).unlink(missing_ok=True)
    script = (
        "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=NORMAL;\n"
        "CREATE TABLE t(participant TEXT, measure TEXT, wave TEXT, rater TEXT, value REAL, date TEXT);\n"
        f".mode csv\n.import --skip 1 {csv_path} t\n"
    )
    start, cpu = time.perf_counter(), _cpu()
    subprocess.run([sqlite3, str(bare)], input=script, text=True, check=True, capture_output=True)
    return time.perf_counter() - start, _cpu() - cpu


def resolved_files(csv_path: Path, db_path: Path, work: Path) -> tuple[Path, Path]:
    """The file's rows as our tables' rows (ids resolved), for the floor: participant.csv, measurement.csv."""
    import csv
    import sqlite3

    with sqlite3.connect(db_path) as c:
        iid = c.execute("SELECT id FROM intervention WHERE code = ?", (CODE,)).fetchone()[0]
        measure_ids = dict(c.execute("SELECT code, id FROM measure"))
    participants: dict[str, int] = {}
    people, measurements = work / "participant.csv", work / "measurement.csv"
    with csv_path.open(newline="") as f, measurements.open("w", newline="") as out:
        rows = csv.reader(f)
        next(rows)
        write = csv.writer(out).writerow
        for n, (code, measure, wave, rater, value, date) in enumerate(rows, 1):
            pid = participants.setdefault(code, len(participants) + 1)
            write((n, iid, pid, measure_ids[measure], wave, rater, value, date))
    with people.open("w", newline="") as out:
        csv.writer(out).writerows((pid, iid, code, "treatment", "") for code, pid in participants.items())
    return people, measurements


def sqlite_floor(
    db_path: Path, people: Path, measurements: Path, *, staged: bool, per_id: bool = False
) -> tuple[float, float]:
    """The sqlite3 tool loading resolved rows into a copy of the set-up database (our schema, with
    its keys, CHECKs and foreign keys on).

    ``staged``: ``.import`` into bare in-memory tables, then one ``INSERT ... SELECT`` per table; else
    ``.import`` straight into our tables (one statement per row: every row re-evaluates the CHECKs'
    ``IN`` lists, which a multi-row statement evaluates far more cheaply).

    ``per_id`` (staged): the way the importer stores rows (``db.unchecked_writes``): foreign keys
    off, then each distinct id the rows refer to (intervention, participants, measures) looked up
    once before the commit, instead of three lookups per row.
    """
    sqlite3 = shutil.which("sqlite3")
    assert sqlite3 is not None
    floor = db_path.with_name("floor.db")
    shutil.copy(db_path, floor)
    load = (
        "PRAGMA temp_store=MEMORY;\n"
        'CREATE TEMP TABLE p(id, intervention_id, code, "group", role);\n'
        "CREATE TEMP TABLE m(id, intervention_id, participant_id, measure_id, wave, rater, value, date);\n"
        f".import --csv {people} p\n.import --csv {measurements} m\n"
        "INSERT INTO participant SELECT * FROM p;\nINSERT INTO measurement SELECT * FROM m;\n"
        if staged
        else f".import --csv {people} participant\n.import --csv {measurements} measurement\n"
    )
    check = ""
    if per_id:
        with sqlite3_module.connect(db_path) as c:
            measures = ", ".join(str(i) for (i,) in c.execute("SELECT id FROM measure"))
            interventions = ", ".join(str(i) for (i,) in c.execute("SELECT id FROM intervention"))
        check = (
            "SELECT count(*) FROM participant WHERE id IN (SELECT id FROM p);\n"
            f"SELECT count(*) FROM measure WHERE id IN ({measures});\n"
            f"SELECT count(*) FROM intervention WHERE id IN ({interventions});\n"
        )
    script = (
        f"PRAGMA foreign_keys={'OFF' if per_id else 'ON'};\nPRAGMA journal_mode=WAL;\nPRAGMA synchronous=NORMAL;\n"
        f"BEGIN IMMEDIATE;\n{load}{check}COMMIT;\nSELECT count(*) FROM main.measurement;\n"
    )
    start, cpu = time.perf_counter(), _cpu()
    done = subprocess.run([sqlite3, str(floor)], input=script, text=True, check=True, capture_output=True)
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
    if done.stderr.strip():
        sys.exit(f"floor load failed: {done.stderr}")
    loaded = int(done.stdout.split()[-1])
    floor.unlink()
    for suffix in ("-wal", "-shm"):
        floor.with_name(floor.name + suffix).unlink(missing_ok=True)
    if loaded == 0:
        sys.exit("floor load wrote no rows")
    return elapsed, cpu


def postgres_floor(url: str, people: Path, measurements: Path) -> tuple[float, float]:
    """``psql``'s ``\\copy`` of the resolved rows into our (set-up, empty) schema in one transaction;
    then the rows are truncated again, so the importer starts from the same empty tables."""
    psql = shutil.which("psql") or next(Path("/usr/lib/postgresql").glob("*/bin/psql"), None)
    if psql is None:
        sys.exit("psql is needed for the PostgreSQL floor")
    libpq = url.replace("postgresql+psycopg://", "postgresql://")
    script = (
        "BEGIN;\n"
        f"\\copy participant (id, intervention_id, code, \"group\", role) FROM '{people}' CSV\n"
        f"\\copy measurement (id, intervention_id, participant_id, measure_id, wave, rater, value, date) "
        f"FROM '{measurements}' CSV\n"
        "COMMIT;\n"
    )
    start, cpu = time.perf_counter(), _cpu()
    subprocess.run([str(psql), "-X", "-q", "-v", "ON_ERROR_STOP=1", libpq], input=script, text=True, check=True)
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
    subprocess.run(
        [
            str(psql),
            "-X",
            "-q",
            libpq,
            "-c",
            "SET client_min_messages = warning",
            "-c",
            "TRUNCATE measurement, participant RESTART IDENTITY CASCADE",
        ],
        check=True,
    )
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3, help="SQLite: rounds, each timing everything once (best kept)")
    parser.add_argument("--postgres", metavar="URL", help="also import into this (empty) PostgreSQL database")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    work = Path(tempfile.mkdtemp(prefix="kirkpatrick-bench-"))
    try:
        csv_path = work / "long.csv"
        rows = generate(csv_path, args.rows)
        size = csv_path.stat().st_size / 1e6
        print(f"{rows:,} rows ({size:.0f} MB) in {csv_path.name}; {os.cpu_count()} CPUs; best of {args.rounds} rounds")
        set_up = work / "set-up.db"
        setup(f"sqlite:///{set_up}")
        people, measurements = resolved_files(csv_path, set_up, work)
        # Every round times each thing once, interleaved, so a busy spell of the machine touches
        # them all alike; the best wall-clock and the best CPU time of each are kept.
        timed: dict[str, list[tuple[float, float, str]]] = {}
        for _ in range(args.rounds):
            timed.setdefault("bare", []).append((*sqlite_import(csv_path, work), ""))
            for staged in (False, True):
                floor_run = sqlite_floor(set_up, people, measurements, staged=staged)
                timed.setdefault(f"floor {staged}", []).append((*floor_run, ""))
            floor_run = sqlite_floor(set_up, people, measurements, staged=True, per_id=True)
            timed.setdefault("floor per id", []).append((*floor_run, ""))
            bench_db = work / "bench.db"
            for suffix in ("", "-wal", "-shm"):
                bench_db.with_name(bench_db.name + suffix).unlink(missing_ok=True)
            shutil.copy(set_up, bench_db)
            url = f"sqlite:///{bench_db}"
            timed.setdefault("import", []).append(timed_import(url, csv_path))
            timed.setdefault("again", []).append(timed_import(url, csv_path))
        best = {
            k: (min(t[0] for t in v), min(t[1] for t in v), max((t[2] for t in v), key=lambda r: float(r or 0)))
            for k, v in timed.items()
        }
        baseline, baseline_cpu, _ = best["bare"]
        # The importer's own floor: rows stored as it stores them (foreign keys checked per id).
        floor, floor_cpu = best["floor per id"][:2]
        print(
            f"{'':34}{'wall':>9}  {'rows/s':>10}  {'CPU':>7}  {'peak RSS':>8}  "
            "wall (CPU) ratio to bare sqlite3 | to the floor"
        )
        print(f"{'sqlite3 .import (bare table)':34}{baseline:7.2f} s  {rows / baseline:>10,.0f}  {baseline_cpu:5.2f} s")
        for key, label in (
            ("floor False", "floor: .import into our schema"),
            ("floor True", "floor: INSERT..SELECT, our schema"),
            ("floor per id", "floor: same, keys checked per id"),
        ):
            elapsed, cpu, _ = best[key]
            print(
                f"{label:34}{elapsed:7.2f} s  {rows / elapsed:>10,.0f}  {cpu:5.2f} s  {'':8}  "
                f"{elapsed / baseline:5.2f}x ({cpu / baseline_cpu:.2f}x)",
                flush=True,
            )

        def show(label: str, elapsed: float, cpu: float, rss: str) -> None:
            print(
                f"{label:34}{elapsed:7.2f} s  {rows / elapsed:>10,.0f}  {cpu:5.2f} s  {rss:>5} MB  "
                f"{elapsed / baseline:5.2f}x ({cpu / baseline_cpu:.2f}x) | "
                f"{elapsed / floor:5.2f}x ({cpu / floor_cpu:.2f}x)",
                flush=True,
            )

        show("kirkpatrick import, SQLite", *best["import"])
        show("  same file again (all present)", *best["again"])
        for key, label in (("bare", "sqlite3 .import"), ("import", "kirkpatrick import"), ("again", "same file again")):
            walls = sorted(t[0] for t in timed[key])
            print(f"  {label}, every round (wall s): {', '.join(f'{w:.2f}' for w in walls)}")
        if args.postgres:
            setup(args.postgres)
            # The server's CPU is not a child of this process: PostgreSQL ratios are wall-clock only.
            pg_floor, _ = postgres_floor(args.postgres, people, measurements)
            print(
                f"{'floor: psql COPY, our schema (PG)':34}{pg_floor:7.2f} s  {rows / pg_floor:>10,.0f}  "
                f"{'':7}  {'':8}  {pg_floor / baseline:5.2f}x (wall)",
                flush=True,
            )
            floor, floor_cpu = pg_floor, float("nan")
            show("kirkpatrick import, PostgreSQL", *timed_import(args.postgres, csv_path))
            show("  same file again (all present)", *timed_import(args.postgres, csv_path))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
