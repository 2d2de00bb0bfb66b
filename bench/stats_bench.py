"""Benchmark of kirkpatrick.stats against a plain SciPy baseline (a script, not a test).

Usage (from the repo root):  .venv/bin/python bench/stats_bench.py [--groups 10000] [--n 50] [--studies 1000]

Prints, in one run:
* scipy.stats.ttest_rel once per group (the baseline);
* paired_many over all groups at once, and paired() called once per group;
  each as total seconds, microseconds per group and ratio to the baseline;
* random_effects(method="REML") over many studies, median of repeated runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kirkpatrick.stats import paired, paired_many, random_effects


def _time(fn: object, repeat: int = 1) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        runs.append(time.perf_counter() - t0)
    return min(runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--groups", type=int, default=10_000)
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--studies", type=int, default=1_000)
    args = ap.parse_args()

    rng = np.random.default_rng(2024)
    g, n = args.groups, args.n
    # Likert-like 1-7 ratings (ties and zero differences, as real surveys have)
    # and continuous scores (no ties: the exact Wilcoxon branch).
    likert_pre = rng.integers(1, 8, size=(g, n)).astype(float)
    likert_post = np.clip(likert_pre + rng.integers(-1, 3, size=(g, n)), 1, 7).astype(float)
    cont_pre = rng.normal(50, 10, size=(g, n))
    cont_post = cont_pre + rng.normal(2, 6, size=(g, n))

    print(f"paired: {g} groups x {n} participants")
    for label, pre, post in (("continuous", cont_pre, cont_post), ("likert 1-7", likert_pre, likert_post)):
        base = _time(lambda pre=pre, post=post: [stats.ttest_rel(post[i], pre[i]) for i in range(g)])
        many = _time(lambda pre=pre, post=post: paired_many(pre, post), repeat=3)
        single = _time(lambda pre=pre, post=post: [paired(pre[i], post[i]) for i in range(g)])
        print(f"  [{label}]")
        print(f"    scipy.stats.ttest_rel per group : {base:8.3f} s  {1e6 * base / g:8.1f} us/group  (baseline)")
        print(
            f"    paired_many (one call)          : {many:8.3f} s  {1e6 * many / g:8.1f} us/group  "
            f"ratio {many / base:6.3f}x"
        )
        print(
            f"    paired() per group              : {single:8.3f} s  {1e6 * single / g:8.1f} us/group  "
            f"ratio {single / base:6.3f}x"
        )

    k = args.studies
    vi = rng.uniform(0.01, 0.3, size=k)
    yi = rng.normal(0.4, np.sqrt(0.05 + vi))
    random_effects(yi, vi)  # warm-up
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        res = random_effects(yi, vi, method="REML")
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    base_one = _time(lambda: stats.ttest_rel(cont_post[0], cont_pre[0]), repeat=50)
    print(
        f"random_effects(REML), k = {k}: median {1e3 * med:.2f} ms over 20 runs "
        f"({res.iterations} Fisher-scoring iterations, tau2 = {res.tau2:.4f}); "
        f"= {med / base_one:.1f}x one ttest_rel call ({1e6 * base_one:.0f} us)"
    )


if __name__ == "__main__":
    main()
