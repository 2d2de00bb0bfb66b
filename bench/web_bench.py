"""Benchmark: the web application on PostgreSQL under gunicorn with several workers.

Builds a throwaway PostgreSQL cluster (Unix socket only), fills it with ``--interventions``
generated interventions run by one consultancy (the demo's portfolio generator) plus one
intervention of ``--participants`` participants (before/after on the 360 measure), starts
``gunicorn -w WORKERS`` on 127.0.0.1, and lets ``--users`` simulated users (threads) sign in,
open the start page, an intervention page, its report, and upload a small file to the import
preview, ``--rounds`` times each. Users arrive over ``--ramp`` seconds and pause ``--think``
seconds (0.5x-1.5x, seeded) between requests, as people reading pages do; ``--think 0 --ramp 0``
gives the old burst (every thread firing back to back), which on a small machine measures only
the queue. Prints p50/p95 latency per page, the error count, and the
ratio of each p95 to the p95 of ``/healthz`` measured in the same run (the cost of a request
that does nothing but reach the database).

Targets (issue 13): start page p95 < 200 ms with 1,000 interventions; the report of the
10,000-participant intervention < 1.5 s; no request fails.

Run: ``python bench/web_bench.py [--interventions 1000] [--participants 10000] [--users 50]
[--workers 4] [--rounds 3] [--think 2] [--ramp 10]``. Loopback only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # tests/conftest.py imports its helpers from tests/support.py

from kirkpatrick.demo import portfolio as generator  # noqa: E402
from kirkpatrick.services import accounts, records  # noqa: E402
from kirkpatrick.storage import db  # noqa: E402
from tests.conftest import SAMPLE, PostgresCluster  # noqa: E402

PASSWORD = "bench password 1"
BIG = "BIG-10K"


def fill(url: str, interventions: int, participants: int, users: int, folder: Path) -> list[str]:
    engine = db.make_engine(url)
    db.init_db(engine)
    with db.transaction(engine) as s:
        records.import_measures(s, SAMPLE / "measures.csv")
    generator.load_sample(engine, *generator.write_sample(folder, count=interventions))
    with db.transaction(engine) as s:
        fields = records.InterventionFields(
            title="Stor insats",
            client="Storstad",
            consultant="K",
            target_group="managers",
            format="training_programme",
            start="2025-01-01",
            end="2025-12-31",
        )
        records.add_intervention(s, BIG, fields, create_client=True)
    big = folder / "big.csv"
    with open(big, "w", encoding="utf-8") as f:
        f.write("participant,measure,wave,rater,value\n")
        for k in range(participants):
            base = 2.5 + (k % 17) / 10
            f.write(f"P{k:05d},lf,pre,self,{base:.2f}\nP{k:05d},lf,post,self,{base + 0.3 + (k % 5) / 10:.2f}\n")
    from kirkpatrick.io.importing import ImportOptions, import_measurements

    import_measurements(engine, big, ImportOptions(intervention=BIG))
    emails = []
    with db.transaction(engine) as s:
        for k in range(users):
            email = f"konsult{k}@bench.example"
            accounts.create_user(s, email, PASSWORD, "consultant", "Bench Konsult")
            emails.append(email)
        codes = list(s.scalars(db_select_codes()))
        for code in codes:
            accounts.link_intervention(s, "Bench Konsult", code)
    engine.dispose()
    return emails


def db_select_codes():  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from kirkpatrick.storage.models import Intervention

    return select(Intervention.code)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _BehindProxy(http.cookiejar.DefaultCookiePolicy):
    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return True


class User:
    def __init__(
        self, base: str, email: str, timings: dict[str, list[float]], errors: list[str], think: float = 0.0
    ) -> None:
        self.base, self.email, self.timings, self.errors = base, email, timings, errors
        self.think, self.pause = think, random.Random(email)
        # Production cookies are Secure; the bench speaks plain HTTP on loopback and says it came
        # through a TLS proxy (X-Forwarded-Proto), so its cookie jar must return Secure cookies.
        jar = http.cookiejar.CookieJar(policy=_BehindProxy())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def request(self, name: str, path: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> str:
        if self.think:
            time.sleep(self.think * self.pause.uniform(0.5, 1.5))  # reading the previous page
        started = time.perf_counter()
        try:
            req = urllib.request.Request(
                self.base + path,
                data=data,
                # As a browser behind the TLS proxy sends them (the CSRF check wants a same-site referrer).
                headers={
                    "X-Forwarded-Proto": "https",
                    "Referer": self.base.replace("http:", "https:") + "/",
                    **(headers or {}),
                },
            )
            with self.opener.open(req, timeout=60) as response:
                body = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            self.errors.append(f"{name}: HTTP {exc.code}")
            return ""
        except OSError as exc:
            self.errors.append(f"{name}: {exc}")
            return ""
        self.timings.setdefault(name, []).append(time.perf_counter() - started)
        return body

    @staticmethod
    def token(page: str) -> str:
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        return found.group(1) if found else ""

    def sign_in(self) -> None:
        page = self.request("sign-in page", "/sign-in")
        form = urllib.parse.urlencode({"email": self.email, "password": PASSWORD, "csrf_token": self.token(page)})
        self.request("sign in (Argon2id)", "/sign-in", form.encode())

    def browse(self, rounds: int, code: str) -> None:
        for _ in range(rounds):
            self.request("healthz", "/healthz")
            self.request("start page", "/")
            self.request("intervention page", f"/i/{code}")
            self.request("report (10,000 participants)", f"/i/{BIG}/report")
            page = self.request("import page", f"/i/{code}/import")
            boundary = uuid.uuid4().hex
            body = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{self.token(page)}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n'
                "Content-Type: text/csv\r\n\r\nparticipant,measure,wave,rater,value\nQ1,knowledge,post,self,12\r\n"
                f"--{boundary}--\r\n"
            )
            self.request(
                "upload and preview",
                f"/i/{code}/import",
                body.encode(),
                {"Content-Type": f"multipart/form-data; boundary={boundary}"},
            )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interventions", type=int, default=1000)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds between a user's requests")
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds over which the users arrive")
    args = parser.parse_args()
    cluster = PostgresCluster()
    cluster.start()
    server = None
    try:
        url = cluster.new_database()
        with tempfile.TemporaryDirectory(prefix="kirkpatrick-web-bench-") as tmp:
            t0 = time.perf_counter()
            emails = fill(url, args.interventions, args.participants, args.users, Path(tmp))
            print(
                f"filled {args.interventions} + 1 interventions, {args.users} users in {time.perf_counter() - t0:.1f} s"
            )
            port = free_port()
            env = {**os.environ, "KIRKPATRICK_DB": url, "KIRKPATRICK_SECRET_KEY": uuid.uuid4().hex * 2}
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-w",
                    str(args.workers),
                    "-b",
                    f"127.0.0.1:{port}",
                    "--timeout",
                    "120",
                    "kirkpatrick.web.wsgi:app",
                ],
                env=env,
                cwd=tmp,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            base = f"http://127.0.0.1:{port}"
            for _ in range(600):  # up to 60 s for the workers to start
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.1)
            timings: dict[str, list[float]] = {}
            errors: list[str] = []
            users = [User(base, email, timings, errors, args.think) for email in emails]
            # Phase 1: everyone signs in at once (Argon2id is deliberately costly); phase 2: browsing.
            t0 = time.perf_counter()
            for phase in (
                [threading.Thread(target=u.sign_in) for u in users],
                [threading.Thread(target=u.browse, args=(args.rounds, "PF-001")) for u in users],
            ):
                for t in phase:
                    t.start()
                    time.sleep(args.ramp / max(1, len(phase)))
                for t in phase:
                    t.join(timeout=900)
            wall = time.perf_counter() - t0
            # Phase 3: one user alone, to separate the server's own cost from queueing under load.
            alone = User(base, emails[0], {}, errors)  # no pause: back to back
            alone.opener = users[0].opener
            for _ in range(20):  # bounded
                alone.request("alone: healthz", "/healthz")
                alone.request("alone: start page", "/")
                alone.request("alone: start page, search", "/?q=kommun&status=ended&page=2")
                alone.request("alone: report (10,000 participants)", f"/i/{BIG}/report")
            for name, values in alone.timings.items():
                timings[name] = values
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        cluster.stop()
    base_p95 = percentile(timings.get("healthz", [1.0]), 0.95)
    print(
        f"{args.users} users x {args.rounds} rounds, think {args.think:g} s, ramp {args.ramp:g} s, "
        f"gunicorn -w {args.workers}, PostgreSQL; wall {wall:.1f} s"
    )
    print(f"{'page':32} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p95/healthz':>12}")
    for name, values in timings.items():
        p50, p95 = statistics.median(values) * 1000, percentile(values, 0.95) * 1000
        print(f"{name:32} {len(values):5d} {p50:8.0f} {p95:8.0f} {p95 / (base_p95 * 1000):12.1f}")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))


if __name__ == "__main__":
    main()
