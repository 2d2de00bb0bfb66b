"""Benchmark: how long commands take to start, each in a new process, against ``python -c pass``.

Prints best-of-N wall-clock seconds and the ratio to ``python -c pass`` measured in the same run
for ``kirkpatrick --help``, ``--version``, a command's ``--help``, a small database command
(``client list``) and ``stats``/``report``/``portfolio`` on an empty database, then the largest
imports behind ``kirkpatrick --help`` and ``kirkpatrick stats`` (``python -X importtime``), so
that a module that starts loading eagerly shows up.

Run: ``python bench/startup_bench.py [--repeat 5] [--backend sqlite|postgresql]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import best, database, kirkpatrick, process, report

from kirkpatrick.storage import db


def _importtime(args: list[str], url: str, top: int) -> list[tuple[int, str]]:
    env = dict(os.environ, **{db.ENV_VAR: url})
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kirkpatrick", *args], env=env, capture_output=True, text=True
    )
    found = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        if cumulative.strip().isdigit() and depth <= 1:
            found.append((int(cumulative), ("  " * depth) + name.strip()))
    found.sort(reverse=True)
    return found[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    with database(args.backend) as url, tempfile.TemporaryDirectory() as tmp:
        engine = db.make_engine(url)
        db.init_db(engine)
        engine.dispose()
        r = args.repeat
        baselines = {"python -c pass": best(process(["-c", "pass"]), r)}
        commands = [
            ("kirkpatrick --help", ["--help"]),
            ("kirkpatrick --version", ["--version"]),
            ("kirkpatrick stats --help", ["stats", "--help"]),
            ("kirkpatrick client list", ["client", "list"]),
            ("kirkpatrick stats X (unknown: fails after loading)", ["stats", "X"]),
            ("kirkpatrick portfolio --json (no interventions)", ["portfolio", "--json"]),
            ("kirkpatrick portfolio -o p.html (no interventions)", ["portfolio", "-o", str(Path(tmp) / "p.html")]),
        ]
        rows = []
        for label, argv in commands:
            rows.append((label, best(kirkpatrick(*argv, url=url, check=argv != ["stats", "X"]), r)))
        report(f"{args.backend}, each command in a new process, best of {r}:", rows, baselines)
        for argv in (["--help"], ["stats", "X"]):
            print(f"\n  largest imports of `kirkpatrick {' '.join(argv)}` (python -X importtime, cumulative ms):")
            for micros, name in _importtime(argv, url, 12):
                print(f"    {micros / 1000:8.1f} ms  {name}")


if __name__ == "__main__":
    main()
