"""cronbach_alpha (psych 2.x on R's attitude data, Feldt CI via qf), reliable_change, nps."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from kirkpatrick.stats import cronbach_alpha, nps, reliable_change

# R datasets::attitude[, c("rating","complaints","privileges","learning","raises")]
ATTITUDE = np.array(
    [
        [43, 51, 30, 39, 61],
        [63, 64, 51, 54, 63],
        [71, 70, 68, 69, 76],
        [61, 63, 45, 47, 54],
        [81, 78, 56, 66, 71],
        [43, 55, 49, 44, 54],
        [58, 67, 42, 56, 66],
        [71, 75, 50, 55, 70],
        [72, 82, 72, 67, 71],
        [67, 61, 45, 47, 62],
        [64, 53, 53, 58, 58],
        [67, 60, 47, 39, 59],
        [69, 62, 57, 42, 55],
        [68, 83, 83, 45, 59],
        [77, 77, 54, 72, 79],
        [81, 90, 50, 72, 60],
        [74, 85, 64, 69, 79],
        [65, 60, 65, 75, 55],
        [65, 70, 46, 57, 75],
        [50, 58, 68, 54, 64],
        [50, 40, 33, 34, 43],
        [64, 61, 52, 62, 66],
        [53, 66, 52, 50, 63],
        [40, 37, 42, 58, 50],
        [63, 54, 42, 48, 66],
        [66, 77, 66, 63, 88],
        [78, 75, 58, 74, 80],
        [48, 57, 44, 45, 51],
        [85, 85, 71, 71, 77],
        [82, 82, 39, 59, 64],
    ],
    dtype=float,
)


def test_alpha_matches_psych_and_feldt() -> None:
    # > a <- psych::alpha(items); a$total$raw_alpha
    # [1] 0.8757325008
    # > 1 - (1-al)*qf(0.975, n-1, (n-1)*(k-1)); 1 - (1-al)*qf(0.025, n-1, (n-1)*(k-1))
    # feldt 0.7882287659 0.9342049244
    r = cronbach_alpha(ATTITUDE)
    assert (r.n, r.k, r.n_dropped, r.missing) == (30, 5, 0, "listwise")
    assert_allclose(r.alpha, 0.8757325008, rtol=1e-9)
    assert_allclose([r.ci_low, r.ci_high], [0.7882287659, 0.9342049244], rtol=1e-9)
    assert r.ci_low <= r.alpha <= r.ci_high


def test_alpha_pairwise_matches_r() -> None:
    # > it[c(2,5),1] <- NA; it[7,3] <- NA
    # > a <- psych::alpha(it, use="pairwise"); a$total$raw_alpha       # 0.8800230578
    # > C <- cov(it, use="pairwise.complete.obs"); 5/4*(1-sum(diag(C))/sum(C))   # 0.8800230578
    items = ATTITUDE.copy()
    items[[1, 4], 0] = np.nan
    items[6, 2] = np.nan
    r = cronbach_alpha(items, missing="pairwise")
    assert_allclose(r.alpha, 0.8800230578, rtol=1e-9)
    assert r.n == 27  # smallest pairwise count (rating x privileges)
    lw = cronbach_alpha(items)
    assert (lw.n, lw.n_dropped) == (27, 3)


def test_alpha_edge_cases() -> None:
    assert cronbach_alpha(np.ones((5, 1))).reason == "fewer than 2 items"
    assert cronbach_alpha([[1.0, 2.0]]).reason == "n < 2"
    r = cronbach_alpha(np.full((6, 3), 4.0))
    assert r.reason == "zero variance of the total score" and math.isnan(r.alpha)
    json.dumps(r.to_dict(), allow_nan=False)
    with pytest.raises(ValueError, match="'both'"):
        cronbach_alpha(ATTITUDE, missing="both")  # type: ignore[arg-type]


def test_reliable_change_jacobson_truax() -> None:
    # > sdiff <- sqrt(2*(7.5*sqrt(1-0.88))^2)
    # > print((c(40,35,52,20) - c(30,33,44,27))/sdiff, digits=10)
    # [1]  2.721655270  0.544331054  2.177324216 -1.905158689
    r = reliable_change([30, 33, 44, 27, np.nan], [40, 35, 52, 20, 50], 0.88, sd=7.5)
    assert_allclose(r.rci[:4], [2.721655270, 0.544331054, 2.177324216, -1.905158689], rtol=1e-9)
    assert math.isnan(r.rci[4])
    assert (r.n, r.n_dropped, r.improved, r.unchanged, r.deteriorated) == (4, 1, 2, 2, 0)
    json.dumps(r.to_dict(), allow_nan=False)


def test_reliable_change_default_sd_is_pretest_sd() -> None:
    # > sd(c(30,33,44,27,31))   # 6.519202
    r = reliable_change([30, 33, 44, 27, 31], [30, 40, 30, 27, 31], 0.8)
    assert_allclose(r.sd, 6.519202, rtol=1e-6)
    assert r.improved + r.unchanged + r.deteriorated == 5


def test_reliable_change_errors_and_edges() -> None:
    with pytest.raises(ValueError, match=r"1\.2"):
        reliable_change([1, 2], [2, 3], 1.2)
    assert reliable_change([1.0], [2.0], 0.8).reason == "n < 2"
    assert reliable_change([2.0, 2.0, 2.0], [1.0, 2.0, 3.0], 0.8).reason == "zero variance at pre"


def test_nps() -> None:
    r = nps([10, 9, 8, 7, 6, 0, 10, np.nan, 9, 3])
    # promoters 4 (10, 9, 10, 9), passives 2, detractors 3 of n = 9: 100 * (4 - 3) / 9
    assert (r.promoters, r.passives, r.detractors, r.n, r.n_dropped) == (4, 2, 3, 9, 1)
    assert_allclose(r.nps, 100 / 9, rtol=1e-12)
    assert r.ci_low < r.nps < r.ci_high
    assert nps([10] * 5).nps == 100 and nps([0, 6]).nps == -100
    with pytest.raises(ValueError, match="11"):
        nps([5, 11])
    with pytest.raises(ValueError, match=r"7\.5"):
        nps([7.5])
    e = nps([])
    assert e.n == 0 and e.reason is not None and math.isnan(e.nps)
