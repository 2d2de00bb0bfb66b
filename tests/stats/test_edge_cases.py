"""Edge cases of the statistics: calls that once never returned, noncentral-t limits, withheld estimates,
Knapp-Hartung with zero residuals. (How long the former hangs take now is measured in
``bench/edge_cases_bench.py``, as a ratio against a baseline; a test asserts no time.)

Reference values: R 4.2.2, metafor 3.8-1, effectsize 0.8.3. Where R's ``pt`` warns "full precision may not
have been achieved" (large |t|), the noncentral-t limits come from numerical integration in R:

    pnct <- function(t, df, ncp)  # P(T <= t) = E[pnorm(t sqrt(V/df) - ncp)], V ~ chi2(df); integrate(), split
                                  # at V = df (ncp/t)^2 and at chi2 quantiles, rel.tol 5e-14
    nct_lim <- function(t, df, conf)  # uniroot(pnct(t, df, ncp) - p) for p = (1 +/- conf)/2, tol 1e-13 |t|
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import special

from kirkpatrick.stats import (
    independent,
    meta_regression,
    nps,
    paired,
    paired_many,
    pre_post_control,
    random_effects,
    standardized_mean_change,
)
from kirkpatrick.stats._ci import nct_cdf, nct_ci

# -- 1. calls that never returned ------------------------------------------------


def test_huge_t_paired_returns_and_matches_r() -> None:
    r = paired([0, 0, 0], [1, 1, 1.000001])
    # > d <- c(1, 1, 1.000001); t <- mean(d) / (sd(d) / sqrt(3)); t             -> 3000001.00025
    # > nct_lim(t, 2, .95) / sqrt(3)                                               -> 275596.5794 3326656.842
    assert_allclose(r.t, 3000001.00025, rtol=1e-9)
    assert_allclose([r.d_z.ci_low, r.d_z.ci_high], [275596.5794, 3326656.842], rtol=1e-9)


def test_huge_t_independent_returns_and_matches_r() -> None:
    r = independent([1, 1, 1.0000001], [0, 0, 1e-7])
    # > t.test(a, b, var.equal = TRUE)$statistic                                   -> 21213203.4294
    # > nct_lim(t, 4, .95) * sqrt(1/3 + 1/3)                                       -> 6027552.717 28909280.66
    assert_allclose(r.t_student, 21213203.4294, rtol=1e-9)
    assert_allclose([r.d_s.ci_low, r.d_s.ci_high], [6027552.717, 28909280.66], rtol=1e-9)


def test_huge_t_rounded_thirds_returns_and_matches_r() -> None:
    r = paired([0.333333, 0.666667, 1.0], [1.666667, 2.0, 2.333333])
    # > t -> 4000000.00122; nct_lim(t, 2, .95) / sqrt(3)                           -> 367461.9835 4435540.978
    assert_allclose([r.d_z.ci_low, r.d_z.ci_high], [367461.9835, 4435540.978], rtol=1e-9)


def test_one_huge_t_group_does_not_hang_paired_many() -> None:
    pre = np.array([[0, 0, 0], [1, 2, 3]], dtype=float)
    post = np.array([[1, 1, 1.000001], [2, 3.5, 3.2]])
    b = paired_many(pre, post)
    assert np.all(np.isfinite(b.d_z.ci_low)) and np.all(np.isfinite(b.d_z.ci_high))


# -- 2. noncentral-t limits that were not exact --------------------------------------


def test_small_t_high_confidence_paired() -> None:
    r = paired([0] * 5, [1, -1, 0, 0, 0.09], confidence=0.99)
    # > d <- c(1, -1, 0, 0, 0.09); t <- mean(d) / (sd(d) / sqrt(5))                -> 0.0568290093384
    # > nct_lim(t, 4, .99) / sqrt(5)                                               -> -1.128271735 1.176053134
    # > effectsize::cohens_d(d, ci = .99)                                          -> 0.03 [-1.13, 1.18]
    # (before: [-1.1519, 1.1519], a symmetric +-z that ignored t)
    assert_allclose([r.d_z.ci_low, r.d_z.ci_high], [-1.128271735, 1.176053134], rtol=1e-9)


def test_small_t_high_confidence_independent() -> None:
    r = independent([1, 2, 3, 4, 5.2], [1.1, 2, 3, 4, 5], confidence=0.99)
    # > nct_lim(t, 8, .99) * sqrt(2/5)                                             -> -1.616988508 1.641245012
    # > effectsize::cohens_d(a, b, ci = .99)                                       -> 0.01 [-1.62, 1.64]
    assert_allclose([r.d_s.ci_low, r.d_s.ci_high], [-1.616988508, 1.641245012], rtol=1e-9)


def test_large_t_paired() -> None:
    r = paired([1, 2, 3], [2, 3.01, 3.99])
    # > t -> 173.205080757; nct_lim(t, 2, .95) / sqrt(3)                           -> 15.901623 192.0700925
    # (before: upper 192.0777)
    assert_allclose([r.d_z.ci_low, r.d_z.ci_high], [15.901623, 192.0700925], rtol=1e-8)
    j = math.exp(math.lgamma(1.0) - 0.5 * math.log(1.0) - math.lgamma(0.5))  # J(2)
    assert_allclose([r.g_z.ci_low, r.g_z.ci_high], [j * 15.901623, j * 192.0700925], rtol=1e-8)


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99, 0.999])
@pytest.mark.parametrize("df", [1.0, 2.0, 4.0, 9.0, 29.0, 199.0])
def test_each_limit_solves_its_equation(confidence: float, df: float) -> None:
    t = np.concatenate([10.0 ** np.arange(-6.0, 7.5, 0.5), -(10.0 ** np.arange(-6.0, 7.5, 1.0))])
    lo, hi = nct_ci(t, df, confidence)
    a = (1.0 - confidence) / 2.0
    at = np.abs(t)
    lo_abs = np.where(t < 0, -hi, lo)  # the limits of |t|
    hi_abs = np.where(t < 0, -lo, hi)
    assert_allclose(nct_cdf(df, lo_abs, at), 1.0 - a, rtol=0, atol=1e-10)
    assert_allclose(nct_cdf(df, hi_abs, at), a, rtol=0, atol=1e-10)
    # where scipy.special.nctdtr is accurate (|t| <= 1e3), the equation holds with it too
    m = at <= 1e3
    assert_allclose(special.nctdtr(df, lo_abs[m], at[m]), 1.0 - a, rtol=0, atol=1e-10)
    assert_allclose(special.nctdtr(df, hi_abs[m], at[m]), a, rtol=0, atol=1e-10)


def test_nct_cdf_expansion_at_the_switch_matches_r_integration() -> None:
    # > t <- 1000*sqrt(16); pnct(t, 30, t)  -> 0.465653804977284  (nctdtr: 0.46565380492852904)
    # > t <- 1000*sqrt(2);  pnct(t, 2, t)   -> 0.367879625110933
    assert_allclose(nct_cdf(30.0, 4000.0, 4000.0), 0.465653804977284, rtol=0, atol=1e-12)
    assert_allclose(nct_cdf(2.0, 1000 * math.sqrt(2), 1000 * math.sqrt(2)), 0.367879625110933, rtol=0, atol=1e-12)
    for df in (1.0, 2.0, 5.0, 30.0):
        t = 1000.0 * math.sqrt(1 + df / 2)
        for rel in (0.1, 0.5, 1.0, 2.0):
            assert_allclose(nct_cdf(df, rel * t, t), special.nctdtr(df, rel * t, t), rtol=0, atol=1e-9)


# -- 3. estimates withheld although defined ----------------------------------------------


def test_smcr_yi_without_r() -> None:
    r = standardized_mean_change([3, 4, 5, 4, 2], [4, 4, 4, 4, 4])
    # > escalc("SMCR", m1i = 4, m2i = mean(c(3,4,5,4,2)), sd1i = sd(c(3,4,5,4,2)), ni = 5, ri = 0)$yi
    # [1] 0.279916421013
    assert_allclose(r.yi, 0.279916421013, rtol=1e-10)
    assert math.isnan(r.vi) and r.reason == "zero variance at post: r undefined"


def test_d_ppc2_without_r_pooled() -> None:
    r = pre_post_control([1, 3, 4, 6], [2, 5, 4, 8], [2, 2, 2, 2], [2, 5, 3, 1])
    # Morris (2008) eq. 8-10 in R:
    # > sdp <- sqrt((3*var(tp) + 3*var(cp))/6); cP <- 1 - 3/(4*6 - 1)
    # > cP*((mean(tq) - mean(tp)) - (mean(cq) - mean(cp)))/sdp                     -> 0.295376617603
    assert_allclose(r.d_ppc2.estimate, 0.295376617603, rtol=1e-10)
    assert math.isnan(r.d_ppc2.variance) and math.isnan(r.d_ppc1.estimate)
    assert r.reason is not None and "d_ppc1 undefined" in r.reason


def test_d_av_when_all_differences_equal() -> None:
    r = paired([1, 2, 4, 7], [2, 3, 5, 8])
    # > x <- c(1,2,4,7); y <- c(2,3,5,8); mean(y - x)/((sd(x) + sd(y))/2)           -> 0.377964473009
    # > J(3) * that                                                                 -> 0.273495566848
    assert_allclose(r.d_av.estimate, 0.377964473009, rtol=1e-10)
    assert_allclose(r.g_av.estimate, 0.273495566848, rtol=1e-10)
    assert math.isnan(r.d_z.estimate) and r.reason is not None and r.reason.startswith("all differences equal")


# -- 4. Knapp-Hartung when every study agrees ---------------------------------------------


@pytest.mark.parametrize("vi", [[0.05] * 3, [0.05, 0.07, 0.02]])
def test_knha_zero_residual(vi: list[float]) -> None:
    r = random_effects([0.4, 0.4, 0.4], vi, knha=True)
    # > rma(c(.4,.4,.4), vi, test = "knha")  -> zval Inf, pval 0, ci.lb 0.4, ci.ub 0.4, tau2 0
    assert r.statistic == math.inf and r.p == 0.0 and r.tau2 == 0.0
    assert_allclose([r.ci_low, r.ci_high], [0.4, 0.4], rtol=1e-14)


def test_knha_zero_residual_meta_regression() -> None:
    x = np.array([0.0, 1.0, 2.0, 3.0])
    r = meta_regression(0.1 + 0.2 * x, [0.05, 0.02, 0.04, 0.03], x, knha=True)
    assert r.tau2 == 0.0 and all(math.isinf(s) for s in r.statistic) and r.p == [0.0, 0.0]


# -- decisions ------------------------------------------------------------------------------


def test_r2_zero_when_intercept_only_tau2_is_zero() -> None:
    yi, vi, x = [0.14, 0.12, 0.51, 0.01, 0.06], [0.02, 0.06, 0.04, 0.03, 0.04], [-1, 0.9, -0.9, 2.2, 2.3]
    # > rma(yi, vi, mods = ~x)$R2 -> 100 (tau2 0); rma(yi, vi)$tau2 -> 5.68e-06, a convergence residue:
    # the REML score at tau2 = 0 is negative, so the intercept-only REML estimate is 0 and R2 = 0
    r = meta_regression(yi, vi, x)
    assert r.tau2 == 0.0 and r.R2 == 0.0
    assert random_effects(yi, vi).tau2 == 0.0


def test_prediction_interval_t_k_minus_2() -> None:
    r = random_effects([0.1, 0.3, 0.5, 0.2], [0.02, 0.03, 0.05, 0.04])
    # > r <- rma(c(.1,.3,.5,.2), c(.02,.03,.05,.04)); h <- qt(.975, 2) * sqrt(r$se^2 + r$tau2)
    # > c(r$b - h, r$b + h)  -> -0.146043908615 0.613576376148 (metafor's predict, z: 0.0607534 0.4067791)
    assert_allclose([r.pi_low, r.pi_high], [-0.146043908615, 0.613576376148], rtol=1e-9)
    two = random_effects([0.1, 0.3], [0.02, 0.03])
    assert math.isnan(two.pi_low) and two.pi_method.startswith("not estimable")


def test_nps_interval_does_not_collapse() -> None:
    r = nps([9, 10, 10])
    # before: [100, 100]; Bonett-Price: P~ = 4/5, D~ = 1/5 -> 60 -/+ 1.96 * 100 sqrt((1 - .36)/5)
    half = special.ndtri(0.975) * 100 * math.sqrt((0.8 + 0.2 - 0.36) / 5)
    assert_allclose([r.ci_low, r.ci_high], [60 - half, 100.0], rtol=1e-12)


def _multinomial_coverage(n: int, p: float, d: float) -> float:
    pro, det = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    ok = pro + det <= n
    pro, det = pro[ok], det[ok]
    pas = n - pro - det
    logpmf = (
        special.gammaln(n + 1)
        - special.gammaln(pro + 1)
        - special.gammaln(det + 1)
        - special.gammaln(pas + 1)
        + special.xlogy(pro, p)
        + special.xlogy(det, d)
        + special.xlogy(pas, 1 - p - d)
    )
    covered = 0.0
    for i in range(pro.size):
        r = nps([10] * int(pro[i]) + [0] * int(det[i]) + [8] * int(pas[i]))
        if r.ci_low <= 100 * (p - d) <= r.ci_high:
            covered += math.exp(logpmf[i])
    return covered


def test_nps_coverage() -> None:
    """Coverage of the 95 % interval, computed exactly over every multinomial outcome (no Monte Carlo error)."""
    grid = [(p, d) for p in (0.1, 0.3, 0.5, 0.7) for d in (0.1, 0.2, 0.4) if p + d <= 0.9]
    cov = np.array([_multinomial_coverage(n, p, d) for n in (10, 20, 50) for p, d in grid])
    assert cov.min() >= 0.93 and 0.93 <= cov.mean() <= 0.97


# -- properties: every call returns within a second; every NaN has a reason -----------------


def _floats_with_nan(obj: Any) -> list[float]:
    out: list[float] = []
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        # a missing prediction interval is explained by pi_method (reason is kept for the estimate itself)
        skip = {"reason", "pi_low", "pi_high"} if str(getattr(obj, "pi_method", "")).startswith("not") else {"reason"}
        if getattr(obj, "statistic_name", "") == "z":
            skip.add("df")  # no degrees of freedom for a z test, by definition
        for f in dataclasses.fields(obj):
            if f.name not in skip:
                out += _floats_with_nan(getattr(obj, f.name))
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            out += _floats_with_nan(v)
    elif isinstance(obj, float) and math.isnan(obj):
        out.append(obj)
    return out


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
near_constant = st.builds(
    lambda base, eps, k: [base + eps * (i % 3 == 0) for i in range(k)],
    finite,
    st.sampled_from([0.0, 1e-12, 1e-9, 1e-7, 1e-6, 1e-3]),
    st.integers(0, 8),
)
samples = st.one_of(st.lists(finite, min_size=0, max_size=12), near_constant)


def _checked(fn: Any, *args: Any, **kw: Any) -> Any:
    r = fn(*args, **kw)
    if _floats_with_nan(r):
        assert r.reason is not None, r
    return r


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(samples, samples, st.sampled_from([0.8, 0.95, 0.99, 0.999]))
def test_paired_and_independent_return_and_nan_explained(a: list[float], b: list[float], conf: float) -> None:
    n = min(len(a), len(b))
    _checked(independent, a, b, confidence=conf)
    r = _checked(paired, a[:n], b[:n], confidence=conf)
    if n >= 2 and r.reason is None:
        assert math.isfinite(r.d_z.ci_low) and math.isfinite(r.d_z.ci_high)
    _checked(standardized_mean_change, a[:n], b[:n], confidence=conf)
    _checked(pre_post_control, a[:n], b[:n], b[:n], a[:n], confidence=conf)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-3, 3), st.floats(1e-4, 2.0)), min_size=0, max_size=12), st.booleans())
def test_meta_return_and_nan_explained(studies: list[tuple[float, float]], knha: bool) -> None:
    y = [s[0] for s in studies]
    v = [s[1] for s in studies]
    r = _checked(random_effects, y, v, knha=knha)
    if r.k >= 3 and r.reason is None:
        assert math.isfinite(r.pi_low)
    _checked(random_effects, [0.4] * len(v), v, knha=knha)
