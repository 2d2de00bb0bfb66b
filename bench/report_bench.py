"""Benchmark: `stats --json` and `report` for one intervention with 10,000 participants,
25 measures, 2 waves and 3 raters (1.5 million measurements), on SQLite or PostgreSQL.

Each command runs in a new process, as a user runs it: "first" is the first run after the data
changed (the analysis is computed from the raw rows and stored), "again" a run with unchanged
data (served from the analysis cache). Ratios are to baselines measured in the same run: one
``SELECT count(*), sum(value)`` over the intervention's measurements (the least any analysis of
the raw rows must read) and ``python -c pass`` (the least any command costs).

Run: ``python bench/report_bench.py [--participants N] [--backend sqlite|postgresql]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import analyse_after_vacuum, best, database, forget_cached, insert_rows, kirkpatrick, process, report

from kirkpatrick.storage import db
from kirkpatrick.storage.models import Client, Intervention, Measure, Participant

LEVELS = ["reaction", "learning", "behaviour", "results"]


def build(url: str, n: int, measures: int = 25) -> None:
    engine = db.make_engine(url)
    db.init_db(engine)
    rng = np.random.default_rng(2024)
    with db.writer(engine).begin() as c:
        c.execute(insert(Client), [{"id": 1, "name": "Bench kommun"}])
        c.execute(
            insert(Intervention),
            [
                {
                    "id": 1,
                    "code": "BENCH",
                    "title": "Bench programme",
                    "client_id": 1,
                    "target_group": "managers",
                    "format": "training_programme",
                    "start_date": dt.date(2024, 1, 1),
                    "end_date": dt.date(2024, 12, 1),
                }
            ],
        )
        c.execute(
            insert(Measure),
            [
                {
                    "id": m + 1,
                    "code": f"m{m:02d}",
                    "name": f"Measure {m}",
                    "level": LEVELS[m % 4],
                    "scale_min": 1,
                    "scale_max": 5,
                    "higher_is_better": m % 5 != 0,
                    "reliability": 0.85 if m % 2 else None,
                }
                for m in range(measures)
            ],
        )
        c.execute(
            insert(Participant),
            [
                {
                    "id": p + 1,
                    "intervention_id": 1,
                    "code": f"P{p:05d}",
                    "group": "control" if p % 5 == 0 else "treatment",
                }
                for p in range(n)
            ],
        )
        rows = []
        mid = 0
        for m in range(measures):
            for r in ("self", "manager", "report"):
                pre = np.clip(rng.normal(3, 0.6, n), 1, 5).round(2)
                post = np.clip(pre + rng.normal(0.3, 0.4, n), 1, 5).round(2)
                for wave, values in (("pre", pre), ("post", post)):
                    for p in range(n):
                        mid += 1
                        rows.append((mid, 1, p + 1, m + 1, wave, r, float(values[p])))
    columns = ("id", "intervention_id", "participant_id", "measure_id", "wave", "rater", "value")
    insert_rows(engine, "measurement", columns, rows)
    analyse_after_vacuum(engine)
    engine.dispose()


def main_(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with database(args.backend) as url, tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        build(url, args.participants)
        n = args.participants * 25 * 2 * 3
        print(f"{args.backend}: {args.participants} participants x 25 measures x 2 waves x 3 raters = {n} values")
        print(f"  built in {time.perf_counter() - t:.1f} s")
        engine = db.make_engine(url)

        def scan() -> None:
            with engine.connect() as c:
                c.execute(text("SELECT count(*), sum(value) FROM measurement WHERE intervention_id = 1")).one()

        out = str(Path(tmp) / "r.html")
        stats_json = kirkpatrick("stats", "BENCH", "--json", url=url)
        html = kirkpatrick("report", "BENCH", "-o", out, "--lang", "sv", url=url)
        changed = lambda: forget_cached(engine)  # noqa: E731
        baselines = {
            "SELECT count(*), sum(value) (in-process)": best(scan, args.repeat),
            "python -c pass (new process)": best(process(["-c", "pass"]), args.repeat),
        }
        rows = [
            ("stats BENCH --json, first after a change", best(stats_json, args.repeat, before=changed)),
            ("stats BENCH --json, again", best(stats_json, args.repeat)),
            ("report BENCH -o r.html, first after a change", best(html, args.repeat, before=changed)),
            ("report BENCH -o r.html, again", best(html, args.repeat)),
        ]
        report(f"{args.backend}, each command in a new process, best of {args.repeat}:", rows, baselines)
        engine.dispose()


if __name__ == "__main__":
    main_()
