"""Benchmark: ``kirkpatrick import`` of a long CSV against SQLite's own ``.import`` of the same file.

Generates N rows (default 1,000,000: participants x 25 measures x 2 waves x 2 raters), imports
them with ``kirkpatrick import`` in a subprocess (validation included; its peak RSS measured
with ``resource.getrusage``), then times the ``sqlite3`` command-line tool's ``.import`` of the
same file into a bare table, and prints rows/s and the ratio, in wall-clock time and in CPU time
(user + system of each subprocess, which a busy shared machine disturbs less). A second import of the same file
(everything already present) is timed too.

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
    script = (
        "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=NORMAL;\n"
        "CREATE TABLE t(participant TEXT, measure TEXT, wave TEXT, rater TEXT, value REAL, date TEXT);\n"
        f".mode csv\n.import --skip 1 {csv_path} t\n"
    )
    start, cpu = time.perf_counter(), _cpu()
    subprocess.run([sqlite3, str(bare)], input=script, text=True, check=True, capture_output=True)
    return time.perf_counter() - start, _cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
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
        print(f"{rows:,} rows ({size:.0f} MB) in {csv_path.name}; {os.cpu_count()} CPUs")
        baseline, baseline_cpu = sqlite_import(csv_path, work)
        print(f"{'':34}{'wall':>9}  {'rows/s':>10}  {'CPU':>7}  {'peak RSS':>8}  ratio wall (CPU) to sqlite3")
        print(f"{'sqlite3 .import (bare table)':34}{baseline:7.2f} s  {rows / baseline:>10,.0f}  {baseline_cpu:5.2f} s")

        def report(label: str, url: str) -> None:
            elapsed, cpu, rss = timed_import(url, csv_path)
            print(
                f"{label:34}{elapsed:7.2f} s  {rows / elapsed:>10,.0f}  {cpu:5.2f} s  {rss:>5} MB  "
                f"{elapsed / baseline:5.2f}x ({cpu / baseline_cpu:.2f}x)",
                flush=True,
            )

        url = f"sqlite:///{work / 'bench.db'}"
        setup(url)
        report("kirkpatrick import, SQLite", url)
        report("  same file again (all present)", url)
        if args.postgres:
            setup(args.postgres)
            report("kirkpatrick import, PostgreSQL", args.postgres)
            report("  same file again (all present)", args.postgres)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
