"""Benchmark: two versions of the web application side by side, in one run, on one database.

The machine is shared and its load changes from minute to minute, so two runs of
``web_bench.py`` made at different times cannot be compared. This script fills one throwaway
PostgreSQL database as ``web_bench.py`` does (1,000 interventions, one of 10,000 participants,
``--users`` consultants), starts two gunicorn servers with 4 workers each on it (``--before``: a
checkout of the older code, e.g. ``git archive <commit> | tar -x -C /tmp/before``; and this
checkout), signs the users in once (the session cookie holds on both: same key, same database),
then interleaves the requests: one user alone (``/healthz``, the start page, the
10,000-participant report), and bursts of all users opening the start page at once, alternating
between the servers. Prints p50/p95 per server and the after/before ratios.

Run: ``python bench/web_compare.py --before /tmp/before [--users 50] [--rounds 30] [--bursts 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import web_bench as wb  # noqa: E402

from tests.conftest import PostgresCluster  # noqa: E402

NAMES = ("before", "after")


def _start(url: str, key: str, code: Path, folder: str) -> tuple[subprocess.Popen[bytes], str]:
    port = wb.free_port()
    env = {**os.environ, "KIRKPATRICK_DB": url, "KIRKPATRICK_SECRET_KEY": key, "PYTHONPATH": str(code)}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "kirkpatrick.web.wsgi:app",
        ],
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):  # up to 60 s for the workers to start
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            break
        except OSError:
            time.sleep(0.1)
    return server, base


def _all_at_once(users: list[wb.User], name: str, path: str) -> None:
    threads = [threading.Thread(target=u.request, args=(name, path)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="a checkout of the older code")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--bursts", type=int, default=3)
    args = parser.parse_args()
    cluster = PostgresCluster()
    cluster.start()
    servers: list[subprocess.Popen[bytes]] = []
    timings: dict[str, list[float]] = {}
    errors: list[str] = []
    try:
        url = cluster.new_database()
        with tempfile.TemporaryDirectory(prefix="kirkpatrick-web-compare-") as tmp:
            emails = wb.fill(url, 1000, 10_000, args.users, Path(tmp))
            key = uuid.uuid4().hex * 2
            bases = {}
            for name, code in zip(NAMES, (args.before.resolve(), ROOT)):
                server, bases[name] = _start(url, key, code, tmp)
                servers.append(server)
            people = [wb.User(bases["after"], email, {}, errors) for email in emails]
            signing = [threading.Thread(target=u.sign_in) for u in people]
            for t in signing:
                t.start()
            for t in signing:
                t.join(timeout=900)
            signed = [u for u in people if "sign in (Argon2id)" in u.timings]  # a timed-out sign-in is left out
            by_server = {name: [wb.User(bases[name], u.email, timings, errors) for u in signed] for name in NAMES}
            for name in NAMES:
                for copy, original in zip(by_server[name], signed):
                    copy.opener = original.opener
                warm = wb.User(bases[name], signed[0].email, {}, errors)
                warm.opener = signed[0].opener
                for _ in range(8):  # every worker imports, reads the catalogue and fills its caches
                    warm.request("warm", "/")
                    warm.request("warm", f"/i/{wb.BIG}/report")
            for _ in range(args.rounds):
                for name in NAMES:
                    alone = by_server[name][0]
                    alone.request(f"{name} alone: healthz", "/healthz")
                    alone.request(f"{name} alone: start page", "/")
                    alone.request(f"{name} alone: report 10k", f"/i/{wb.BIG}/report")
            for _ in range(args.bursts):
                for name in NAMES:
                    _all_at_once(by_server[name], f"{name} {len(signed)} users: start page", "/")
                    _all_at_once(by_server[name], f"{name} {len(signed)} users: healthz", "/healthz")
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        cluster.stop()
    print(f"{'request':36} {'n':>5} {'p50 ms':>8} {'p95 ms':>8}")
    for name in sorted(k for k in timings if k != "warm"):
        values = timings[name]
        p50, p95 = statistics.median(values) * 1000, wb.percentile(values, 0.95) * 1000
        print(f"{name:36} {len(values):5d} {p50:8.0f} {p95:8.0f}")
    for what in sorted({k.split(" ", 1)[1] for k in timings if k != "warm"}):
        before, after = timings.get(f"before {what}"), timings.get(f"after {what}")
        if before and after:
            p50 = statistics.median(after) / statistics.median(before)
            p95 = wb.percentile(after, 0.95) / wb.percentile(before, 0.95)
            print(f"after/before, {what}: p50 {p50:.2f}, p95 {p95:.2f}")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))


if __name__ == "__main__":
    main()
