"""kirkpatrick.stats.ordinal against independent computations: SciPy's Wilson interval for a
proportion, the closed form by hand, NumPy for counts and median, and coverage by simulation."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats as sps

from kirkpatrick.stats.ordinal import grade_summary, wilson_mean_interval


@pytest.mark.parametrize(
    "grades",
    [
        [5, 5, 4, 4, 5, 3, 5, 5],  # rescaled sum (4+4+3+3+4+2+4+4)/4 = 7: an integer "count"
        [5, 5, 5, 5, 5],  # everyone agrees: the count is n
        [1, 5, 1, 5, 3, 3],  # sum of (x-1)/4 = 3
        [1, 1, 1, 1, 1, 1, 1],  # count 0
    ],
)
def test_wilson_matches_scipy_where_the_rescaled_sum_is_a_count(grades: list[int]) -> None:
    # With p = k/n for an integer k the interval is exactly SciPy's Wilson interval for a proportion:
    # scipy.stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson").
    x = np.array(grades, dtype=float)
    k = round(float(((x - 1) / 4).sum()))
    ci = sps.binomtest(k, len(x)).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson_mean_interval(float(x.mean()), len(x), scale_min=1, scale_max=5)
    assert_allclose([low, high], [1 + 4 * ci.low, 1 + 4 * ci.high], rtol=1e-10)


def test_wilson_by_hand() -> None:
    # Mean 4.25 of n = 6 on 1-5, 90 %: p = 0.8125, z = 1.6448536.
    p, n, z = 0.8125, 6, 1.6448536269514722
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = wilson_mean_interval(4.25, 6, scale_min=1, scale_max=5, confidence=0.90)
    assert_allclose([low, high], [1 + 4 * (centre - half), 1 + 4 * (centre + half)], rtol=1e-12)


def test_interval_stays_on_the_scale_and_never_collapses() -> None:
    for n in (1, 2, 5, 8, 30):
        for mean in np.linspace(1, 5, 17):
            low, high = wilson_mean_interval(float(mean), n, scale_min=1, scale_max=5)
            assert 1 <= low < high <= 5
            assert low <= mean <= high
    low, high = wilson_mean_interval(5.0, 5, scale_min=1, scale_max=5)
    assert high == pytest.approx(5.0) and low < 4.5  # five fives do not prove a true mean of 5


def test_coverage_by_simulation() -> None:
    """The interval is conservative for grades: at least nominal coverage for skewed 1-5 opinions, n = 8."""
    rng = np.random.default_rng(7)
    for probs in ([0.0, 0.0, 0.1, 0.4, 0.5], [0.05, 0.1, 0.3, 0.35, 0.2], [0.0, 0.0, 0.0, 0.3, 0.7]):
        true = float(np.dot(np.arange(1, 6), probs))
        draws = rng.choice(np.arange(1, 6), p=probs, size=(4000, 8))
        hit = 0
        for row in draws:
            low, high = wilson_mean_interval(float(row.mean()), 8, scale_min=1, scale_max=5)
            hit += low <= true <= high
        assert hit / len(draws) >= 0.94, (probs, hit / len(draws))


def test_summary_counts_median_mean_against_numpy() -> None:
    grades = [4, 5, 5, 3, 4, 5, float("nan"), 2, 5]
    s = grade_summary(grades)
    kept = [g for g in grades if not math.isnan(g)]
    counter = Counter(kept)
    assert s.counts == tuple(counter.get(g, 0) for g in range(1, 6))
    assert (s.n, s.n_dropped) == (8, 1)
    assert s.mean == pytest.approx(np.mean(kept))
    assert s.median == pytest.approx(np.median(kept))
    assert s.confidence_interval() == wilson_mean_interval(float(np.mean(kept)), 8, scale_min=1, scale_max=5)
    assert s.to_dict()["counts"] == list(s.counts)


def test_empty_and_bad_grades() -> None:
    s = grade_summary([])
    assert s.n == 0 and math.isnan(s.mean) and s.counts == (0, 0, 0, 0, 0) and s.to_dict()["mean"] is None
    with pytest.raises(ValueError, match="whole numbers from 1 to 5, but got 6"):
        grade_summary([4, 6])
    with pytest.raises(ValueError, match=r"but got 3\.5"):
        grade_summary([3.5])
    with pytest.raises(ValueError, match="scale_max must be greater"):
        grade_summary([1], scale_min=5, scale_max=1)
    assert grade_summary([0, 10, 7], scale_min=0, scale_max=10).counts[7] == 1
