"""Benchmark: `stats --json` and `report` for one intervention with 10,000 participants,
25 measures, 2 waves and 3 raters (1.5 million measurements) on SQLite.

Prints wall-clock seconds and the ratio to a baseline measured in the same run: one
``SELECT count(*), sum(value)`` over the intervention's measurements (the least any analysis
must read). Run: ``python bench/report_bench.py [--participants N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from click.testing import CliRunner
from sqlalchemy import insert, text

from kirkpatrick.cli import main
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
        c.exec_driver_sql(
            "INSERT INTO measurement (id, intervention_id, participant_id, measure_id, wave, rater, value) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    engine.dispose()


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main_(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=10_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        t = time.perf_counter()
        build(url, args.participants)
        print(
            f"built {args.participants} participants x 25 measures x 2 waves x 3 raters in {time.perf_counter() - t:.1f} s"
        )
        engine = db.make_engine(url)

        def baseline() -> None:
            with engine.connect() as c:
                c.execute(text("SELECT count(*), sum(value) FROM measurement WHERE intervention_id = 1")).one()

        runner = CliRunner()

        def stats_json() -> None:
            result = runner.invoke(main, ["--db", url, "stats", "BENCH", "--json"], catch_exceptions=False)
            assert result.exit_code == 0, result.output
            json.loads(result.output)

        out = Path(tmp) / "r.html"

        def report() -> None:
            result = runner.invoke(
                main, ["--db", url, "report", "BENCH", "-o", str(out), "--lang", "sv"], catch_exceptions=False
            )
            assert result.exit_code == 0, result.output

        base = timed(baseline)
        s = timed(stats_json)
        r = timed(report)
        print(f"baseline SELECT count(*), sum(value): {base:.3f} s")
        print(f"stats --json: {s:.3f} s  ({s / base:.1f} x baseline)")
        print(f"report:       {r:.3f} s  ({r / base:.1f} x baseline; {out.stat().st_size / 1e6:.1f} MB HTML)")
        engine.dispose()


if __name__ == "__main__":
    main_()
