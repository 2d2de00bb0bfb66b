"""Benchmark: the portfolio over 1,000 interventions x 40 participants x 4 levels on SQLite.

Each intervention has 7 factors, 6 sessions, 40 participants and 7 measurements per participant
(satisfaction after; knowledge, 360 behaviour and team function before and after): 280,000
measurements for 1,000 interventions, inserted with Core bulk inserts.

Prints wall-clock seconds (best of 3) for ``portfolio --json`` and ``portfolio -o report.html``,
in-process through the CLI (click's runner) and as a fresh process, the parts (loading
interventions, per-intervention effects, pooling and moderators, rendering), and the ratio to
a baseline measured in the same run: reading every measurement row once
(``SELECT intervention_id, participant_id, measure_id, wave, rater, value``), the least any
portfolio must read. ``--sizes 1000 2000 5000`` shows how it scales.

Run: ``python bench/portfolio_bench.py [--sizes 1000 2000 5000] [--no-subprocess]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from click.testing import CliRunner
from sqlalchemy import insert, text

from kirkpatrick.cli import main
from kirkpatrick.domain.vocab import TransferFactor
from kirkpatrick.reports import portfolio as portfolio_report
from kirkpatrick.services import analysis, portfolio
from kirkpatrick.storage import db
from kirkpatrick.storage.models import Client, Intervention, Measure, Session, TransferFactorUse

PARTICIPANTS = 40
# (measure id, code, level, scale, waves, rater)
MEASURES = [
    (1, "satisfaction", "reaction", (1, 10), ("post",), "self"),
    (2, "knowledge", "learning", (0, 20), ("pre", "post"), "self"),
    (3, "lf", "behaviour", (1, 5), ("pre", "post"), "self"),
    (4, "team", "results", (1, 5), ("pre", "post"), "report"),
]


def build(url: str, k: int) -> int:
    """A database with ``k`` interventions; returns the number of measurements."""
    engine = db.make_engine(url)
    db.init_db(engine)
    rng = np.random.default_rng(2024)
    factors = list(TransferFactor)
    used = rng.random((k, len(factors))) < 0.5
    with db.writer(engine).begin() as c:
        c.execute(insert(Client), [{"id": i + 1, "name": f"Benchkommun {i}"} for i in range(20)])
        c.execute(
            insert(Measure),
            [
                {
                    "id": mid,
                    "code": code,
                    "name": code,
                    "level": level,
                    "scale_min": lo,
                    "scale_max": hi,
                    "higher_is_better": True,
                    "reliability": 0.85,
                }
                for mid, code, level, (lo, hi), _, _ in MEASURES
            ],
        )
        start = dt.date(2020, 1, 1)
        c.execute(insert(Intervention), [{
            "id": i + 1, "code": f"B{i:05d}", "title": f"Program {i}", "client_id": i % 20 + 1,
            "consultant": f"Konsult {i % 5}", "target_group": "managers", "format": "training_programme",
            "start_date": start + dt.timedelta(days=i % 1000), "end_date": start + dt.timedelta(days=i % 1000 + 200),
        } for i in range(k)])  # fmt: skip
        c.execute(
            insert(TransferFactorUse),
            [
                {"intervention_id": i + 1, "factor": f.value, "present": bool(used[i, j])}
                for i in range(k)
                for j, f in enumerate(factors)
            ],
        )
        gaps = rng.integers(7, 43, k)
        c.execute(
            insert(Session),
            [
                {"intervention_id": i + 1, "date": start + dt.timedelta(days=i % 1000 + int(gaps[i]) * s)}
                for i in range(k)
                for s in range(6)
            ],
        )
        c.exec_driver_sql(
            "INSERT INTO participant (id, intervention_id, code, \"group\") VALUES (?, ?, ?, 'treatment')",
            [(i * PARTICIPANTS + p + 1, i + 1, f"B{i:05d}P{p:02d}") for i in range(k) for p in range(PARTICIPANTS)],
        )
        effect = 0.3 + used @ np.full(len(factors), 0.05)
        rows = []
        for i in range(k):
            pids = np.arange(PARTICIPANTS) + i * PARTICIPANTS + 1
            for mid, _, _, (lo, hi), waves, rater in MEASURES:
                pre = rng.standard_normal(PARTICIPANTS)
                post = 0.6 * pre + 0.8 * rng.standard_normal(PARTICIPANTS) + effect[i]
                span = (hi - lo) / 6
                for wave, z in zip(waves, (pre, post) if len(waves) == 2 else (post,)):
                    values = np.clip(np.round((lo + hi) / 2 + span * z, 2), lo, hi)
                    rows += [(i + 1, int(p), mid, wave, rater, float(v)) for p, v in zip(pids, values)]
        c.exec_driver_sql(
            "INSERT INTO measurement (intervention_id, participant_id, measure_id, wave, rater, value) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
    engine.dispose()
    return len(rows)


def best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def run(k: int, folder: Path, subprocess_too: bool) -> dict[str, float]:
    url = f"sqlite:///{folder / f'portfolio-{k}.db'}"
    t = time.perf_counter()
    n_rows = build(url, k)
    print(
        f"\n{k} interventions, {k * PARTICIPANTS} participants, {n_rows} measurements "
        f"(built in {time.perf_counter() - t:.1f} s)"
    )
    engine = db.make_engine(url)
    runner = CliRunner()
    out = folder / f"report-{k}.html"

    def baseline() -> None:
        with engine.connect() as c:
            c.execute(
                text("SELECT intervention_id, participant_id, measure_id, wave, rater, value FROM measurement")
            ).all()

    def cli(*args: str) -> None:
        result = runner.invoke(main, ["--db", url, "portfolio", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output

    parts: dict[str, float] = {"baseline (read all measurements)": best(baseline)}
    with db.reading(engine) as s:
        parts["select interventions"] = best(lambda: portfolio.select_interventions(s, portfolio.PortfolioFilters()))
        parts["per-intervention effects (analysis.headline_effects)"] = best(lambda: analysis.headline_effects(s))
        infos = portfolio.select_interventions(s, portfolio.PortfolioFilters())
        heads = analysis.headline_effects(s)
    parts["pooling and moderators (portfolio.assemble)"] = best(lambda: portfolio.assemble(infos, heads))
    p = portfolio.assemble(infos, heads)
    parts["render HTML (sv)"] = best(lambda: portfolio_report.render(p, "sv"))
    parts["portfolio --json (CLI, in-process)"] = best(lambda: cli("--json"))
    parts["portfolio -o report.html (CLI, in-process)"] = best(lambda: cli("-o", str(out)))
    if subprocess_too:
        env = dict(os.environ, KIRKPATRICK_DB=url)
        for label, args in (("--json", ["--json"]), ("-o report.html", ["-o", str(out)])):
            cmd = [sys.executable, "-m", "kirkpatrick", "portfolio", *args]
            parts[f"portfolio {label} (new process)"] = best(
                lambda cmd=cmd: subprocess.run(cmd, env=env, check=True, capture_output=True)
            )
    engine.dispose()
    base = parts["baseline (read all measurements)"]
    for name, seconds in parts.items():
        print(f"  {name:<55} {seconds:7.3f} s   {seconds / base:6.1f} x baseline")
    print(f"  HTML size {out.stat().st_size / 1e6:.1f} MB; effects rows {len(p.effects)}")
    return parts


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--no-subprocess", action="store_true", help="Skip the fresh-process timings.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kirkpatrick-portfolio-bench-") as tmp:
        results = {k: run(k, Path(tmp), not args.no_subprocess) for k in args.sizes}
    if len(results) >= 2:
        ks = sorted(results)
        print("\nScaling (seconds per 1,000 interventions; linear extrapolation to 10,000):")
        for name in results[ks[0]]:
            per = [results[k][name] / k * 1000 for k in ks]
            slope, intercept = np.polyfit(ks, [results[k][name] for k in ks], 1)
            print(
                f"  {name:<55} "
                + "  ".join(f"{k}: {v:.3f}" for k, v in zip(ks, per))
                + f"   -> 10,000: {slope * 10_000 + intercept:.1f} s"
            )


if __name__ == "__main__":
    main_()
