"""500 respondents submitting the form within about a minute: nothing lost, no duplicate, p95.

Usage: python bench/collect_bench.py [--n 500] [--backend sqlite|postgresql | --db URL] [--workers 8] [--within 60]
Respondents arrive at random moments spread over ``--within`` seconds (500 within a minute, as the
target says); ``--within 0`` sends them all at once, as fast as the workers go (a stress test).
The baseline measured in the same run is the median time of the page for an unknown link
(no write); the figures are printed as milliseconds and as ratios to it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

from _support import database
from sqlalchemy import select, text
from werkzeug.serving import make_server

from kirkpatrick.collect import bank, links, plan
from kirkpatrick.domain.vocab import Rater, Wave
from kirkpatrick.services import records
from kirkpatrick.storage import db
from kirkpatrick.storage.collect import Invitation

ROOT = Path(__file__).resolve().parents[1]
CODE = "NRB-LG-2024"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--db", help="a database URL (overrides --backend)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite", help="a new database")
    parser.add_argument("--within", type=float, default=60.0, help="seconds over which respondents arrive")
    args = parser.parse_args()
    with ExitStack() as stack:
        url = args.db or stack.enter_context(database(args.backend))
        run(args, url)


def run(args: argparse.Namespace, url: str) -> None:
    engine = db.make_engine(url)
    db.init_db(engine)
    today = dt.date.today()
    with db.transaction(engine) as s:
        records.import_measures(s, bank.measures_csv())
        records.import_interventions(s, ROOT / "sample_data" / "interventions.csv")
        bank.load_bank(s)
        plan.set_questionnaire(s, CODE, Wave.PRE, Rater.SELF)
        plan.set_wave(s, CODE, Wave.PRE, today - dt.timedelta(days=1), today + dt.timedelta(days=10))
        for i in range(args.n):
            plan.add_respondent(s, CODE, f"b{i:04d}", f"b{i}@example.org")
        ids = list(s.scalars(select(Invitation.id).where(Invitation.wave == Wave.PRE)))
        tokens = [links.issue_link(s, i) for i in ids]
    from flask import Flask
    from flask_wtf.csrf import CSRFProtect

    from kirkpatrick.web import respondent_form

    app = Flask("bench")
    app.config.update(SECRET_KEY="bench", KIRKPATRICK_ENGINE=engine, WTF_CSRF_ENABLED=False, SURVEY_RATE_LIMIT=10**9)
    CSRFProtect(app)
    respondent_form.register(app)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{httpd.server_port}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    def timed_get(path: str) -> float:
        t = time.perf_counter()
        try:
            urllib.request.urlopen(base + path).read()
        except urllib.error.HTTPError as exc:
            exc.read()
        return time.perf_counter() - t

    baseline = statistics.median(timed_get("/s/" + "A" * 43) for _ in range(30))
    questions = [f"kp_lb_{i}" for i in range(1, 7)] + [f"kp_team_{i}" for i in range(1, 6)] + ["kp_confidence"]

    rng = random.Random(12)
    arrivals = sorted(rng.uniform(0, args.within) for _ in tokens)

    def submit(job: tuple[float, str]) -> float:
        at, token = job
        delay = start + at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        data = urllib.parse.urlencode({**{q: "4" for q in questions}, "action": "submit"}).encode()
        t = time.perf_counter()
        with urllib.request.urlopen(urllib.request.Request(base + f"/s/{token}", data=data)) as r:
            r.read()
        return time.perf_counter() - t

    start = time.perf_counter()
    workers = args.workers if args.within == 0 else max(args.workers, 64)  # paced: nobody waits for a free worker
    with ThreadPoolExecutor(workers) as pool:
        times = sorted(pool.map(submit, zip(arrivals, tokens)))
    wall = time.perf_counter() - start
    httpd.shutdown()
    httpd.server_close()
    with engine.connect() as c:
        stored = c.execute(text("SELECT count(*) FROM measurement")).scalar()
        distinct = c.execute(
            text("SELECT count(*) FROM (SELECT DISTINCT participant_id, measure_id, wave, rater FROM measurement) d")
        ).scalar()
    p95 = times[int(0.95 * (len(times) - 1))]
    how = f"arriving over {args.within:g} s" if args.within else f"{args.workers} at a time, flat out"
    print(f"backend {engine.dialect.name}, {args.n} submissions {how}, wall {wall:.1f} s")
    print(f"measurements {stored} (expected {3 * args.n}), distinct keys {distinct}")
    print(f"baseline (unknown-link page) {baseline * 1000:.1f} ms")
    print(
        f"submit median {statistics.median(times) * 1000:.0f} ms ({statistics.median(times) / baseline:.1f}x), "
        f"p95 {p95 * 1000:.0f} ms ({p95 / baseline:.1f}x), max {times[-1] * 1000:.0f} ms"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
