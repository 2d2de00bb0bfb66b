"""independent, standardized_mean_change, pre_post_control and magnitude.

References: R 4.2.2 t.test, effectsize 0.8.3, metafor 3.8-1 escalc, and the
Morris (2008) example data (as in metafor's test_analysis_example_morris2008).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from kirkpatrick.stats import independent, magnitude, pre_post_control, standardized_mean_change

MOVIE_1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
MOVIE_2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]


def make_pairs(
    n: int, m_pre: float, m_post: float, sd_pre: float, sd_post: float, r: float, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Raw data whose sample means, SDs (ddof=1) and correlation are exactly the given summaries."""
    rng = np.random.default_rng(seed)
    z1, z2 = rng.normal(size=n), rng.normal(size=n)
    z1 -= z1.mean()
    z2 -= z2.mean()
    z2 -= z1 * (z1 @ z2) / (z1 @ z1)
    z1 /= z1.std(ddof=1)
    z2 /= z2.std(ddof=1)
    return m_pre + sd_pre * z1, m_post + sd_post * (r * z1 + math.sqrt(1 - r * r) * z2)


def test_independent_lakens_between_subjects_example() -> None:
    # Lakens (2013), same ratings as two groups: t(18) = 2.52, d_s = 1.13, g_s = 1.08
    # > t.test(m1, m2, var.equal=TRUE): t = 2.5175441, df = 18, p-value = 0.02150833
    # > t.test(m1, m2): t = 2.5175441, df = 17.649874, p-value = 0.02171992
    # > as.data.frame(cohens_d(m1, m2))
    #      Cohens_d   CI       CI_low     CI_high
    # 1 1.125879938 0.95 0.1630765837 2.062146026
    # > as.data.frame(hedges_g(m1, m2))
    #      Hedges_g   CI       CI_low     CI_high
    # 1 1.078194899 0.95 0.1561697077 1.974806774
    r = independent(MOVIE_1, MOVIE_2)
    assert_allclose([r.d_s.estimate, r.g_s.estimate], [1.13, 1.08], atol=0.005)
    assert_allclose([r.t_student, r.df_student, r.p_student], [2.5175441, 18, 0.02150833], rtol=1e-6)
    assert_allclose([r.t_welch, r.df_welch, r.p_welch], [2.5175441, 17.649874, 0.02171992], rtol=1e-6)
    assert_allclose([r.d_s.estimate, r.d_s.ci_low, r.d_s.ci_high], [1.125879938, 0.1630765837, 2.062146026], rtol=1e-6)
    assert_allclose([r.g_s.estimate, r.g_s.ci_low, r.g_s.ci_high], [1.078194899, 0.1561697077, 1.974806774], rtol=1e-6)
    assert r.d_s.ci_method == "noncentral t"


def test_independent_edge_cases() -> None:
    r = independent([1.0], [2.0, 3.0])
    assert r.reason == "n < 2 in a group" and math.isnan(r.d_s.estimate)
    z = independent([2.0, 2.0, 2.0], [2.0, 2.0])
    assert z.reason == "zero variance in both groups" and math.isnan(z.t_student)
    json.dumps(z.to_dict(), allow_nan=False)
    d = independent([1.0, np.nan, 3.0, 4.0], [2.0, 2.5, np.nan])
    assert (d.n_a, d.n_b, d.n_dropped) == (3, 2, 2)


def test_independent_sign_flip() -> None:
    a, b = independent(MOVIE_1, MOVIE_2), independent(MOVIE_2, MOVIE_1)
    assert_allclose(
        [b.d_s.estimate, b.d_s.ci_low, b.d_s.ci_high], [-a.d_s.estimate, -a.d_s.ci_high, -a.d_s.ci_low], rtol=1e-7
    )


# Morris (2008) example (metafor's test_analysis_example_morris2008.r):
# treatment groups: n, m_pre, m_post, sd_pre, sd_post, r
MORRIS_T = [
    (20, 30.6, 38.5, 15.0, 11.6, 0.47),
    (50, 23.5, 26.8, 3.1, 4.1, 0.64),
    (9, 0.5, 0.7, 0.1, 0.1, 0.77),
    (10, 53.4, 75.9, 14.5, 4.4, 0.89),
    (14, 35.6, 36.0, 4.7, 4.6, 0.44),
]
MORRIS_C = [
    (20, 23.1, 19.7, 13.8, 14.8, 0.47),
    (42, 24.9, 25.3, 4.1, 3.3, 0.64),
    (9, 0.6, 0.6, 0.2, 0.2, 0.77),
    (11, 55.7, 60.7, 17.3, 17.9, 0.89),
    (14, 34.8, 33.4, 3.1, 6.9, 0.44),
]
# > datT <- escalc(measure="SMCR", m1i=m_post, m2i=m_pre, sd1i=sd_pre, ni=ni, ri=ri, data=datT)
# > print(datT[,c("yi","vi")], digits=10)
SMCR_T = [
    (0.5055527859, 0.0593895905),
    (1.0481248983, 0.0253856580),
    (1.8054066674, 0.2321940686),
    (1.4180817286, 0.1225477895),
    (0.0800836143, 0.0802290495),
]
# > datC <- escalc(... data=datC); print(datC[,c("yi","vi")], digits=10)
SMCR_C = [
    (-0.2364996522, 0.0543983021),
    (0.0957635294, 0.0172520316),
    (0.0000000000, 0.0511111111),
    (0.2666894821, 0.0232328764),
    (-0.4249598240, 0.0864496733),
]


@pytest.mark.parametrize("i", range(5))
def test_smcr_matches_metafor_escalc(i: int) -> None:
    n, m_pre, m_post, sd_pre, sd_post, r = MORRIS_T[i]
    pre, post = make_pairs(n, m_pre, m_post, sd_pre, sd_post, r, seed=i)
    res = standardized_mean_change(pre, post)
    assert_allclose([res.yi, res.vi], SMCR_T[i], rtol=1e-8)
    n, m_pre, m_post, sd_pre, sd_post, r = MORRIS_C[i]
    pre, post = make_pairs(n, m_pre, m_post, sd_pre, sd_post, r, seed=10 + i)
    res = standardized_mean_change(pre, post)
    assert_allclose([res.yi, res.vi], SMCR_C[i], rtol=1e-8, atol=1e-12)


def test_smcr_edge_cases() -> None:
    assert standardized_mean_change([1.0], [2.0]).reason == "n < 2"
    r = standardized_mean_change([3.0, 3.0, 3.0], [1.0, 2.0, 3.0])
    assert r.reason == "zero variance at pre" and math.isnan(r.yi)
    json.dumps(r.to_dict(), allow_nan=False)


# Morris (2008) d_ppc2 and its variance, computed in R from the paper's formulas:
# > sdp <- sqrt(((nT-1)*datT$sd_pre^2 + (nC-1)*datC$sd_pre^2)/(nT+nC-2))
# > cp <- 1 - 3/(4*(nT+nC-2)-1)
# > d2 <- cp*((datT$m_post-datT$m_pre)-(datC$m_post-datC$m_pre))/sdp
# > a <- (nT+nC)/(nT*nC)
# > v2 <- 2*cp^2*(1-rho)*a*((nT+nC-2)/(nT+nC-4))*(1+d2^2/(2*(1-rho)*a)) - d2^2
# > print(cbind(d2, v2), digits=10)
PPC2 = [
    (0.7684649335, 0.11577215386),
    (0.8009899898, 0.03538356075),
    (1.2046772039, 0.15908715284),
    (1.0477245746, 0.07621862063),
    (0.4389556538, 0.16745766269),
]


@pytest.mark.parametrize("i", range(5))
def test_pre_post_control_morris_2008(i: int) -> None:
    tp, tq = make_pairs(*MORRIS_T[i], seed=i)
    cp, cq = make_pairs(*MORRIS_C[i], seed=20 + i)
    r = pre_post_control(tp, tq, cp, cq)
    assert r.reason is None
    assert_allclose([r.d_ppc2.estimate, r.d_ppc2.variance], PPC2[i], rtol=1e-8)
    half = 1.959963984540054 * math.sqrt(PPC2[i][1])
    assert_allclose([r.d_ppc2.ci_low, r.d_ppc2.ci_high], [PPC2[i][0] - half, PPC2[i][0] + half], rtol=1e-8)
    # d_ppc1 = d_T - d_C with each group's SMCR (metafor escalc yi above)
    assert_allclose(r.d_ppc1.estimate, SMCR_T[i][0] - SMCR_C[i][0], rtol=1e-8)


def test_pre_post_control_edge_cases() -> None:
    r = pre_post_control([1.0], [2.0], [1.0, 2.0], [2.0, 3.5])
    assert r.reason == "n < 2 in a group" and math.isnan(r.d_ppc2.estimate)
    json.dumps(r.to_dict(), allow_nan=False)


def test_magnitude_requires_named_rule() -> None:
    assert [magnitude(x, rule="cohen1988") for x in (0.1, -0.3, 0.5, 0.79, -2.0)] == [
        "very small",
        "small",
        "medium",
        "medium",
        "large",
    ]
    assert magnitude(math.nan, rule="cohen1988") == "not estimable"
    with pytest.raises(TypeError):
        magnitude(0.5)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="'field1992'"):
        magnitude(0.5, rule="field1992")  # type: ignore[arg-type]
