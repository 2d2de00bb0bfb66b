"""Benchmark: the portfolio over 1,000 interventions x 40 participants x 4 levels on SQLite.

Each intervention has 7 factors, 6 sessions, 40 participants and 7 measurements per participant
(satisfaction after; knowledge, 360 behaviour and team function before and after): 280,000
measurements for 1,000 interventions, inserted with Core bulk inserts.

Prints wall-clock seconds (best of 3) for ``portfolio --json`` and ``portfolio -o report.html``,
each in a new process as a user runs it, first after every intervention's data changed (each
intervention's headline effects computed from the raw rows and stored) and again with unchanged
data (served from the analysis cache); the parts in-process (loading interventions,
per-intervention effects with and without the cache, pooling and moderators, rendering); and
the ratios to baselines measured in the same run: reading every measurement row once
(``SELECT intervention_id, participant_id, measure_id, wave, rater, value``), the least any
portfolio computed from the raw rows must read, and ``python -c pass``.
``--sizes 1000 2000 5000`` shows how it scales; ``--backend postgresql`` runs on a throwaway
PostgreSQL cluster.

Run: ``python bench/portfolio_bench.py [--sizes 1000 2000 5000] [--backend sqlite|postgresql]``.
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
        c.execute(
            insert(Intervention),
            [
                {
                    "id": i + 1,
                    "code": f"B{i:05d}",
                    "title": f"Program {i}",
                    "client_id": i % 20 + 1,
                    "consultant": f"Konsult {i % 5}",
                    "target_group": "managers",
                    "format": "training_programme",
                    "start_date": start + dt.timedelta(days=i % 1000),
                    "end_date": start + dt.timedelta(days=i % 1000 + 200),
                }
                for i in range(k)
            ],
        )
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
    insert_rows(
        engine,
        "participant",
        ("id", "intervention_id", "code", '"group"'),
        [
            (i * PARTICIPANTS + p + 1, i + 1, f"B{i:05d}P{p:02d}", "treatment")
            for i in range(k)
            for p in range(PARTICIPANTS)
        ],
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
    columns = ("intervention_id", "participant_id", "measure_id", "wave", "rater", "value")
    insert_rows(engine, "measurement", columns, rows)
    analyse_after_vacuum(engine)
    engine.dispose()
    return len(rows)


def run(k: int, backend: str, subprocess_too: bool) -> dict[str, float]:  # name -> wall seconds
    with database(backend) as url, tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        n_rows = build(url, k)
        print(
            f"\n{backend}: {k} interventions, {k * PARTICIPANTS} participants, {n_rows} measurements "
            f"(built in {time.perf_counter() - t:.1f} s)"
        )
        engine = db.make_engine(url)
        out = Path(tmp) / f"report-{k}.html"
        changed = lambda: forget_cached(engine)  # noqa: E731

        def read_all() -> None:
            with engine.connect() as c:
                c.execute(
                    text("SELECT intervention_id, participant_id, measure_id, wave, rater, value FROM measurement")
                ).all()

        baselines = {
            "read all measurements (in-process)": best(read_all),
            "python -c pass (new process)": best(process(["-c", "pass"])),
        }
        parts: list[tuple[str, tuple[float, float]]] = []
        with db.reading(engine) as s:
            parts.append(
                ("select interventions", best(lambda: portfolio.select_interventions(s, portfolio.PortfolioFilters())))
            )
            parts.append(
                (
                    "effects from the raw rows (headline_effects)",
                    best(lambda: analysis.headline_effects(s, use_cache=False)),
                )
            )

        def effects() -> None:
            # A session of its own, as each command has: a session's snapshot would not see
            # what it stored itself.
            with db.reading(engine) as s:
                analysis.headline_effects(s)

        changed()
        parts.append(("effects, first after a change (computed, stored)", best(effects, 1)))
        parts.append(("effects, again (from the cache)", best(effects)))
        with db.reading(engine) as s:
            infos = portfolio.select_interventions(s, portfolio.PortfolioFilters())
            heads = analysis.headline_effects(s)
        parts.append(("pooling and moderators (portfolio.assemble)", best(lambda: portfolio.assemble(infos, heads))))
        p = portfolio.assemble(infos, heads)
        parts.append(("render HTML (sv)", best(lambda: portfolio_report.render(p, "sv"))))
        report(f"{backend}, in-process parts, best of 3:", parts, baselines)
        rows: list[tuple[str, tuple[float, float]]] = []
        if subprocess_too:
            as_json = kirkpatrick("portfolio", "--json", url=url)
            html = kirkpatrick("portfolio", "-o", str(out), url=url)
            rows += [
                ("portfolio --json, first after a change", best(as_json, before=changed)),
                ("portfolio --json, again", best(as_json)),
                ("portfolio -o report.html, first after a change", best(html, before=changed)),
                ("portfolio -o report.html, again", best(html)),
            ]
            report(f"{backend}, each command in a new process, best of 3:", rows, baselines)
            print(f"  HTML size {out.stat().st_size / 1e6:.1f} MB; effects rows {len(p.effects)}")
        engine.dispose()
        return {name: wall for name, (wall, _) in parts + rows}


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--no-subprocess", action="store_true", help="Skip the new-process timings.")
    args = parser.parse_args()
    results = {k: run(k, args.backend, not args.no_subprocess) for k in args.sizes}
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
