"""``composite`` (Borenstein et al. 2009, eq. 24.6) and ``mean_ci`` against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats as scipy_stats

from kirkpatrick.stats import composite, mean_ci


@pytest.mark.parametrize("r", [0.0, 0.5, 1.0])
def test_composite_variance_is_borensteins_double_sum(r: float) -> None:
    yi = [0.42, 0.61, 0.18]
    vi = [0.031, 0.052, 0.024]
    m = len(vi)
    # eq. 24.6 written out term by term
    double_sum = sum(vi[i] if i == j else r * math.sqrt(vi[i] * vi[j]) for i in range(m) for j in range(m))
    mean, var = composite(yi, vi, r=r)
    assert_allclose(mean, sum(yi) / m)
    assert_allclose(var, double_sum / m**2)


def test_composite_with_r_one_is_the_squared_mean_standard_error() -> None:
    _, var = composite([0.5, 0.7], [0.04, 0.09], r=1.0)
    assert_allclose(var, ((0.2 + 0.3) / 2) ** 2)
    assert all(math.isnan(v) for v in composite([], []))


def test_composite_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="same length"):
        composite([0.1, 0.2], [0.01])
    with pytest.raises(ValueError, match="between -1 and 1"):
        composite([0.1], [0.01], r=1.5)


def test_mean_ci_equals_scipy_t_interval() -> None:
    x = np.array([9, 10, 8, 9, 10, 7, 9, np.nan, 10, 9], dtype=float)
    got = mean_ci(x, confidence=0.9)
    valid = x[np.isfinite(x)]
    low, high = scipy_stats.t.interval(0.9, df=valid.size - 1, loc=valid.mean(), scale=scipy_stats.sem(valid))
    assert (got.n, got.n_dropped) == (9, 1)
    assert_allclose([got.mean, got.sd, got.ci_low, got.ci_high], [valid.mean(), valid.std(ddof=1), low, high])
    one = mean_ci([4.0])
    assert one.reason == "n < 2" and one.mean == 4.0 and math.isnan(one.ci_low)


def test_normal_interval_equals_scipy_norm_interval() -> None:
    from kirkpatrick.stats import normal_interval

    low, high = normal_interval(0.42, 0.031, confidence=0.9)
    assert_allclose([low, high], scipy_stats.norm.interval(0.9, loc=0.42, scale=math.sqrt(0.031)))
    assert all(math.isnan(v) for v in normal_interval(0.42, -1.0))
