"""How long the statistics take on inputs that once never returned (a script, not a test).

Usage (from the repo root):  .venv/bin/python bench/edge_cases_bench.py [--repeat 20]

Each case is timed (best of ``--repeat``) beside a baseline of the same call on ordinary data in the
same run, and printed as a ratio: a hang or a slow fallback shows as a large ratio, whatever the
machine's speed. The values themselves are checked against R in tests/stats/test_edge_cases.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kirkpatrick.stats import independent, paired, paired_many


def _best(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return min(runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    ordinary = ([1.0, 2.0, 3.0, 4.0], [2.0, 2.5, 4.0, 4.5])
    paired(*ordinary)  # the first call imports scipy.stats; keep that out of the timings
    cases: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
        ("paired, t = 3e6", lambda: paired([0, 0, 0], [1, 1, 1.000001]), lambda: paired(*ordinary)),
        (
            "independent, t = 2e7",
            lambda: independent([1, 1, 1.0000001], [0, 0, 1e-7]),
            lambda: independent(*ordinary),
        ),
        (
            "paired_many, one huge t",
            lambda: paired_many(np.array([[0, 0, 0], [1, 2, 3.0]]), np.array([[1, 1, 1.000001], [2, 3.5, 3.2]])),
            lambda: paired_many(np.array([[1, 2, 3.0], [1, 2, 3.0]]), np.array([[2, 2.5, 4.0], [2, 3.5, 3.2]])),
        ),
    ]
    print(f"{'case':<26} {'edge (ms)':>10} {'ordinary (ms)':>14} {'ratio':>7}")
    for name, edge, base in cases:
        e, b = _best(edge, args.repeat), _best(base, args.repeat)
        print(f"{name:<26} {e * 1e3:>10.3f} {b * 1e3:>14.3f} {e / b:>7.1f}")


if __name__ == "__main__":
    main()
