"""paired / paired_many against R, effectsize, SciPy and published examples.

Reference values were produced with R 4.2.2, effectsize 0.8.3, metafor 3.8-1
(Debian packages); the R call and its printed output sit beside each check.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from kirkpatrick.stats import Effect, paired, paired_many

# R's datasets::sleep, extra by group (group 1 as "pre", group 2 as "post").
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]

# Lakens (2013), Table 1: ratings of movie 1 and movie 2 by the same 10 people.
MOVIE_1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
MOVIE_2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]


def test_sleep_paired_t_matches_r() -> None:
    # > t.test(extra ~ group, data = sleep, paired = TRUE)
    # t = -4.0621277, df = 9, p-value = 0.00283289
    # 95 percent confidence interval: -2.4598857633 -0.7001142367
    # mean difference -1.58          (R reports group1 - group2; we report post - pre)
    r = paired(SLEEP_1, SLEEP_2)
    assert r.n == 10 and r.n_dropped == 0 and r.df == 9
    assert_allclose(r.t, 4.0621277, rtol=1e-7)
    assert_allclose(r.p, 0.00283289, rtol=1e-5)
    assert_allclose(r.mean_diff, 1.58, rtol=1e-12)
    assert_allclose([r.diff_ci_low, r.diff_ci_high], [0.7001142367, 2.4598857633], rtol=1e-9)


def test_sleep_d_z_matches_effectsize() -> None:
    # > x <- with(sleep, extra[group==2] - extra[group==1]); as.data.frame(cohens_d(x))
    #   Cohens_d   CI       CI_low       CI_high
    # 1 1.284557563 0.95 0.4146276677 2.118016509
    r = paired(SLEEP_1, SLEEP_2)
    assert_allclose(r.d_z.estimate, 1.284557563, rtol=1e-8)
    assert_allclose([r.d_z.ci_low, r.d_z.ci_high], [0.4146276677, 2.118016509], rtol=1e-6)
    assert r.d_z.ci_method == "noncentral t"


def test_lakens_2013_worked_paired_example() -> None:
    # Lakens (2013), paired example: t(9) = 4.74, p = .001, r = .726, d_z = 1.50, d_av = 1.13
    r = paired(MOVIE_2, MOVIE_1)  # movie 1 as "post": positive effects as in the paper
    assert_allclose(r.t, 4.74, atol=0.005)
    assert_allclose(r.p, 0.001, atol=0.0005)
    assert_allclose(r.r, 0.726, atol=0.0005)
    assert_allclose(r.d_z.estimate, 1.50, atol=0.005)
    assert_allclose(r.d_av.estimate, 1.13, atol=0.005)
    # > t.test(m2, m1, paired=TRUE)   t = -4.7434165, df = 9, p-value = 0.001053871
    # 95 percent confidence interval: -1.476904604 -0.523095396
    assert_allclose(r.t, 4.7434165, rtol=1e-7)
    assert_allclose(r.p, 0.001053871, rtol=1e-6)
    assert_allclose([r.diff_ci_low, r.diff_ci_high], [0.523095396, 1.476904604], rtol=1e-8)


def test_lakens_d_z_and_g_z_match_effectsize() -> None:
    # > as.data.frame(cohens_d(m2, m1, paired=TRUE))
    #   Cohens_d   CI       CI_low       CI_high
    # 1     -1.5 0.95 -2.403436155 -0.5605142943
    # > as.data.frame(hedges_g(m2, m1, paired=TRUE))
    #       Hedges_g   CI       CI_low     CI_high
    # 1 -1.370812338 0.95 -2.196439956 -0.51223994
    r = paired(MOVIE_1, MOVIE_2)
    assert_allclose(r.d_z.estimate, -1.5, rtol=1e-12)
    assert_allclose([r.d_z.ci_low, r.d_z.ci_high], [-2.403436155, -0.5605142943], rtol=1e-6)
    assert_allclose(r.g_z.estimate, -1.370812338, rtol=1e-8)
    assert_allclose([r.g_z.ci_low, r.g_z.ci_high], [-2.196439956, -0.51223994], rtol=1e-6)


def test_lakens_d_rm_d_av_g_av_formulas_in_r() -> None:
    # Independent computation in R of the documented formulas:
    # > s1 <- sd(m1); s2 <- sd(m2); r <- cor(m1, m2); n <- 10; md <- mean(m1 - m2)
    # > drm <- md / sqrt(s1^2 + s2^2 - 2*r*s1*s2) * sqrt(2*(1-r)); dav <- md / ((s1+s2)/2)
    # > J <- exp(lgamma(9/2) - log(sqrt(9/2)) - lgamma(8/2)); v <- (1/n + drm^2/(2*n)) * 2*(1-r)
    # > print(c(drm, dav, J*dav, drm - qnorm(.975)*sqrt(v)), digits=8)
    # [1] 1.1113323 1.1286963 1.0314872 0.5273134
    r = paired(MOVIE_2, MOVIE_1)
    assert_allclose(r.d_rm.estimate, 1.1113323, rtol=1e-6)
    assert_allclose(r.d_av.estimate, 1.1286963, rtol=1e-6)
    assert_allclose(r.g_av.estimate, 1.0314872, rtol=1e-6)
    assert_allclose(r.d_rm.ci_low, 0.5273134, rtol=1e-5)
    assert "Borenstein" in r.d_rm.ci_method


def test_wilcoxon_exact_matches_r_and_scipy() -> None:
    # > wilcox.test(c(1.2, 3.4, -0.5, 2.2, 5.1, 0.3, 1.9, 4.4), exact=TRUE)
    # V = 34, p-value = 0.0234375
    d = np.array([1.2, 3.4, -0.5, 2.2, 5.1, 0.3, 1.9, 4.4])
    r = paired(np.zeros(8), d)
    assert r.wilcoxon_v == 34
    assert_allclose(r.wilcoxon_p, 0.0234375, rtol=1e-12)
    assert r.wilcoxon_method == "exact"


@pytest.mark.parametrize("seed", range(12))
def test_wilcoxon_matches_scipy_defaults(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m = int(rng.integers(5, 80))
    if seed % 3 == 0:  # Likert ratings: ties and zeros
        x, y = rng.integers(1, 6, m).astype(float), rng.integers(1, 6, m).astype(float)
    else:
        x, y = rng.normal(size=m), rng.normal(0.3, 1, size=m)
    ref = stats.wilcoxon(y, x)
    assert_allclose(paired(x, y).wilcoxon_p, ref.pvalue, rtol=1e-10)


@pytest.mark.parametrize("seed", range(6))
def test_t_test_matches_scipy_ttest_rel(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    x = rng.normal(50, 10, 30)
    y = x + rng.normal(2, 5, 30)
    ref = stats.ttest_rel(y, x)
    r = paired(x, y, confidence=0.9)
    assert_allclose([r.t, r.p], [ref.statistic, ref.pvalue], rtol=1e-10)
    ci = ref.confidence_interval(0.9)
    assert_allclose([r.diff_ci_low, r.diff_ci_high], [ci.low, ci.high], rtol=1e-10)


def test_missing_pairs_dropped_and_counted() -> None:
    pre = [1.0, 2.0, np.nan, 4.0, 5.0, 3.0]
    post = [2.0, 2.5, 3.0, np.nan, 6.5, 3.1]
    r = paired(pre, post)
    assert (r.n, r.n_dropped) == (4, 2)
    ref = paired([1.0, 2.0, 5.0, 3.0], [2.0, 2.5, 6.5, 3.1])
    assert r.t == ref.t and r.d_z == ref.d_z


@pytest.mark.parametrize(
    ("pre", "post", "reason"),
    [
        ([], [], "n < 2"),
        ([1.0], [2.0], "n < 2"),
        ([1.0, np.nan], [2.0, 3.0], "n < 2"),
        ([1.0, 2.0, 3.0], [2.0, 3.0, 4.0], "all differences equal"),
        ([0.1, 0.2, 0.7], [0.4, 0.5, 1.0], "all differences equal"),
        ([5.0, 5.0, 5.0], [5.0, 5.0, 5.0], "all differences equal"),
    ],
)
def test_edge_cases_return_reason_not_exception(pre: list[float], post: list[float], reason: str) -> None:
    r = paired(pre, post)
    assert r.reason is not None and r.reason.startswith(reason)
    assert math.isnan(r.t) and math.isnan(r.p) and math.isnan(r.d_z.estimate)
    # issue 10: d_av and g_av stay defined when all differences are equal (only S_D is zero); NaN only
    # when there is no spread at pre and post either
    assert math.isnan(r.g_av.estimate) == (not (r.sd_pre + r.sd_post > 0))
    json.dumps(r.to_dict())  # NaN became None


def test_zero_variance_at_pre_keeps_d_z() -> None:
    r = paired([3.0, 3.0, 3.0, 3.0], [3.0, 4.0, 6.0, 4.5])
    assert r.reason is not None and "zero variance at pre" in r.reason
    assert math.isnan(r.r) and math.isnan(r.d_rm.estimate)
    assert math.isfinite(r.d_z.estimate) and math.isfinite(r.t)


def test_input_errors_raise_valueerror() -> None:
    with pytest.raises(ValueError, match=r"1\.5"):
        paired([1, 2, 3], [1, 2, 4], confidence=1.5)
    with pytest.raises(ValueError, match="same length"):
        paired([1, 2, 3], [1, 2])


def test_to_dict_is_json_with_effect_fields() -> None:
    d = paired(SLEEP_1, SLEEP_2).to_dict()
    text = json.dumps(d, allow_nan=False)
    assert set(d["d_z"]) == {"name", "estimate", "ci_low", "ci_high", "ci_method", "variance", "confidence"}
    assert "NaN" not in text


def test_effect_format() -> None:
    e = Effect("d_z", 0.4512, 0.1234, 0.7811, "noncentral t", 0.02)
    assert str(e) == "d_z = 0.45 [0.12, 0.78] (noncentral t)"


def test_paired_many_equals_paired_per_row() -> None:
    rng = np.random.default_rng(7)
    pre = rng.normal(size=(20, 12))
    post = pre + rng.normal(0.5, 1, size=(20, 12))
    pre[3, :4] = np.nan
    post[5, 2] = np.nan
    post[7] = pre[7] + 1.0  # all differences equal
    batch = paired_many(pre, post)
    assert len(batch) == 20
    for i in range(20):
        one = paired(pre[i], post[i])
        assert batch.row(i).to_dict() == one.to_dict()


# -- properties ---------------------------------------------------------------

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(3, 25))
    pre = np.array(draw(st.lists(finite, min_size=n, max_size=n)))
    diff = np.array(draw(st.lists(st.floats(-50, 50), min_size=n, max_size=n)))
    return pre, pre + diff


def _usable(pre: np.ndarray, post: np.ndarray) -> bool:
    d = post - pre
    return bool(np.std(d) > 1e-6 * max(1.0, np.max(np.abs(d))) and np.std(pre) > 1e-6 and np.std(post) > 1e-6)


@settings(max_examples=60, deadline=None)
@given(pairs(), st.floats(-1e3, 1e3))
def test_shift_invariance(data: tuple[np.ndarray, np.ndarray], shift: float) -> None:
    pre, post = data
    if not _usable(pre, post):
        return
    a, b = paired(pre, post), paired(pre + shift, post + shift)
    for name in ("d_z", "d_rm", "d_av", "g_av", "g_z"):
        assert_allclose(getattr(b, name).estimate, getattr(a, name).estimate, rtol=1e-6, atol=1e-6)
    assert_allclose(b.t, a.t, rtol=1e-6, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(pairs())
def test_sign_flip_when_waves_swap(data: tuple[np.ndarray, np.ndarray]) -> None:
    pre, post = data
    if not _usable(pre, post):
        return
    a, b = paired(pre, post), paired(post, pre)
    for name in ("d_z", "d_rm", "d_av", "g_av", "g_z"):
        ea, eb = getattr(a, name), getattr(b, name)
        assert_allclose(eb.estimate, -ea.estimate, rtol=1e-9, atol=1e-12)
        assert_allclose([eb.ci_low, eb.ci_high], [-ea.ci_high, -ea.ci_low], rtol=1e-6, atol=1e-9)
    assert_allclose(b.wilcoxon_p, a.wilcoxon_p, rtol=1e-9)


@settings(max_examples=60, deadline=None)
@given(pairs())
def test_d_z_is_t_over_sqrt_n_and_ci_contains_estimate(data: tuple[np.ndarray, np.ndarray]) -> None:
    pre, post = data
    if not _usable(pre, post):
        return
    r = paired(pre, post)
    assert_allclose(r.d_z.estimate, r.t / math.sqrt(r.n), rtol=1e-12)
    for name in ("d_z", "d_rm", "d_av", "g_av", "g_z"):
        e = getattr(r, name)
        if math.isfinite(e.ci_low):
            assert e.ci_low <= e.estimate <= e.ci_high
