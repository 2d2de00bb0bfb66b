"""Meta-analysis against metafor 3.8-1 on the BCG vaccine data (dat.bcg).

> library(metafor)
> dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)
metafor stops REML at a change < 1e-5; we iterate to 1e-10, so comparisons use
rtol 1e-4 (estimates agree to ~1e-6).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from kirkpatrick.stats import fixed_effect, meta_regression, random_effects, subgroups

# > cat(format(dat$yi, digits=15)); cat(format(dat$vi, digits=15))
YI = np.array(
    [
        -0.8893113339202054,
        -1.5853886572014306,
        -1.3480731482996933,
        -1.4415511900213054,
        -0.2175473222112956,
        -0.7861155858188640,
        -1.6208982235983918,
        0.0119523335238405,
        -0.4694176487381494,
        -1.3713448034727844,
        -0.3393588283383906,
        0.4459134005713787,
        -0.0173139482168798,
    ]
)
VI = np.array(
    [
        0.32558476500396133,
        0.19458112139814385,
        0.41536796536796539,
        0.02001003190224757,
        0.05121017216963086,
        0.00690561845590876,
        0.22301724757231517,
        0.00396157929781773,
        0.05643421046324897,
        0.07302479361302891,
        0.01241221397155972,
        0.53250584520015276,
        0.07140465968398629,
    ]
)
ABLAT = [44, 55, 42, 52, 13, 44, 19, 13, 27, 42, 18, 33, 33]
YEAR = [1948, 1949, 1960, 1977, 1973, 1953, 1973, 1980, 1968, 1961, 1974, 1969, 1976]
ALLOC = ["random"] * 4 + ["alternate"] * 2 + ["random"] * 3 + ["systematic"] * 4
RTOL = 1e-4


def test_reml_matches_metafor() -> None:
    # > res <- rma(yi, vi, data=dat, method="REML"); print(res, digits=8); predict(res)
    # tau^2 0.31324333; I^2 92.22%; H^2 12.86; Q(df = 12) = 152.23300808
    # estimate -0.71453235 se 0.17978153 zval -3.97444799 pval 0.00007054
    # ci.lb -1.06689768 ci.ub -0.36216702; pi.lb -1.86669235 pi.ub 0.43762765
    r = random_effects(YI, VI, method="REML")
    assert r.k == 13 and r.statistic_name == "z" and r.reason is None
    assert_allclose(r.tau2, 0.31324333, rtol=RTOL)
    assert_allclose([r.estimate, r.se, r.statistic], [-0.71453235, 0.17978153, -3.97444799], rtol=RTOL)
    assert_allclose(r.p, 0.00007054, rtol=1e-3)
    assert_allclose([r.ci_low, r.ci_high], [-1.06689768, -0.36216702], rtol=RTOL)
    # prediction interval with t on k - 2 df (Higgins et al. 2009), not metafor's z:
    # > h <- qt(.975, res$k - 2) * sqrt(res$se^2 + res$tau2); c(res$b - h, res$b + h)
    # [1] -2.008376051  0.579311354
    assert_allclose([r.pi_low, r.pi_high], [-2.008376051, 0.579311354], rtol=RTOL)
    assert r.pi_method.startswith("t with k - 2 df")
    assert_allclose(r.Q, 152.23300808, rtol=1e-8)
    assert r.Q_df == 12
    assert_allclose(r.I2, 92.22, atol=0.005)
    assert_allclose(r.H2, 12.86, atol=0.005)


def test_dl_matches_metafor() -> None:
    # > res <- rma(yi, vi, data=dat, method="DL")
    # tau^2 0.30876026; I^2 92.12%; H^2 12.69; estimate -0.71411722 se 0.17874209
    # ci -1.06444528 -0.36378916; pi -1.85815375 0.42991931
    r = random_effects(YI, VI, method="DL")
    assert_allclose(r.tau2, 0.30876026, rtol=1e-7)
    assert_allclose([r.estimate, r.se], [-0.71411722, 0.17874209], rtol=1e-7)
    assert_allclose([r.ci_low, r.ci_high], [-1.06444528, -0.36378916], rtol=1e-7)
    # > h <- qt(.975, res$k - 2) * sqrt(res$se^2 + res$tau2); c(res$b - h, res$b + h)
    # [1] -1.9988384958  0.5706040516
    assert_allclose([r.pi_low, r.pi_high], [-1.9988384958, 0.5706040516], rtol=1e-7)
    assert_allclose([r.I2, r.H2], [92.12, 12.69], atol=0.005)


def test_pm_matches_metafor() -> None:
    # > res <- rma(yi, vi, data=dat, method="PM")
    # tau^2 0.31809371; estimate -0.71497041 se 0.18089798; pi -1.87585460 0.44591378
    r = random_effects(YI, VI, method="PM")
    assert_allclose(r.tau2, 0.31809371, rtol=RTOL)
    assert_allclose([r.estimate, r.se], [-0.71497041, 0.18089798], rtol=RTOL)
    # > h <- qt(.975, res$k - 2) * sqrt(res$se^2 + res$tau2); c(res$b - h, res$b + h)
    # [1] -2.0186111336  0.5886703224
    assert_allclose([r.pi_low, r.pi_high], [-2.0186111336, 0.5886703224], rtol=RTOL)


def test_knapp_hartung_matches_metafor() -> None:
    # > res <- rma(yi, vi, data=dat, method="REML", test="knha"); predict(res)
    # estimate -0.71453235 se 0.18079175 tval -3.95223989 df 12 pval 0.00192002
    # ci.lb -1.10844372 ci.ub -0.32062097; pi.lb -1.99601697 pi.ub 0.56695227
    r = random_effects(YI, VI, method="REML", knha=True)
    assert r.statistic_name == "t" and r.df == 12
    assert_allclose([r.estimate, r.se, r.statistic], [-0.71453235, 0.18079175, -3.95223989], rtol=RTOL)
    assert_allclose(r.p, 0.00192002, rtol=1e-3)
    assert_allclose([r.ci_low, r.ci_high], [-1.10844372, -0.32062097], rtol=RTOL)
    # PI: t on k - 2 df with the Knapp-Hartung se (metafor's predict uses k - 1 df):
    # > h <- qt(.975, res$k - 2) * sqrt(res$se^2 + res$tau2); c(res$b - h, res$b + h)
    # [1] -2.0090577845  0.5799930878
    assert_allclose([r.pi_low, r.pi_high], [-2.0090577845, 0.5799930878], rtol=RTOL)


def test_fixed_effect_matches_metafor() -> None:
    # > res <- rma(yi, vi, data=dat, method="FE")
    # I^2 92.12%; H^2 12.69; estimate -0.43028516 se 0.04049875 zval -10.62465250
    # ci.lb -0.50966126 ci.ub -0.35090907
    r = fixed_effect(YI, VI)
    assert r.method == "FE" and r.tau2 == 0
    assert_allclose([r.estimate, r.se, r.statistic], [-0.43028516, 0.04049875, -10.62465250], rtol=1e-7)
    assert_allclose([r.ci_low, r.ci_high], [-0.50966126, -0.35090907], rtol=1e-7)
    assert_allclose([r.I2, r.H2], [92.12, 12.69], atol=0.005)


def test_meta_regression_matches_metafor() -> None:
    # > res <- rma(yi, vi, mods = ~ ablat + year, data=dat); print(res, digits=8)
    # tau^2 0.11078735; I^2 71.98%; H^2 3.57; R^2 64.63%
    # QE(df = 10) = 28.32514366, p-val = 0.00160097
    # QM(df = 2) = 12.20425051, p-val = 0.00223811
    #          estimate           se         zval        pval         ci.lb        ci.ub
    # intrcpt  -3.54550508  29.09587983  -0.12185592  0.90301313  -60.57238164  53.48137148
    # ablat    -0.02801128   0.01023404  -2.73706890  0.00619893   -0.04806963  -0.00795292
    # year      0.00190756   0.01468382   0.12990878  0.89663860   -0.02687219   0.03068731
    r = meta_regression(YI, VI, np.column_stack([ABLAT, YEAR]), names=["ablat", "year"])
    assert r.names == ["intercept", "ablat", "year"] and r.reason is None
    assert_allclose(r.tau2, 0.11078735, rtol=1e-3)
    assert_allclose(r.coef, [-3.54550508, -0.02801128, 0.00190756], rtol=1e-3)
    assert_allclose(r.se, [29.09587983, 0.01023404, 0.01468382], rtol=1e-3)
    assert_allclose(r.p, [0.90301313, 0.00619893, 0.89663860], rtol=1e-3)
    assert_allclose([r.QE, r.QE_df, r.QE_p], [28.32514366, 10, 0.00160097], rtol=1e-5)
    assert_allclose([r.QM, r.QM_df, r.QM_p], [12.20425051, 2, 0.00223811], rtol=1e-3)
    assert_allclose([r.I2, r.H2, r.R2], [71.98, 3.57, 64.63], atol=0.006)


def test_meta_regression_knha_matches_metafor() -> None:
    # > res <- rma(yi, vi, mods = ~ ablat + year, data=dat, test="knha")
    # F(df1 = 2, df2 = 10) = 4.96490310, p-val = 0.03180421
    # ablat -0.02801128 se 0.01134573 tval -2.46888329 df 10 pval 0.03316822 ci -0.05329113 -0.00273142
    r = meta_regression(YI, VI, np.column_stack([ABLAT, YEAR]), names=["ablat", "year"], knha=True)
    assert r.statistic_name == "t" and r.df == 10
    assert_allclose(
        [r.coef[1], r.se[1], r.statistic[1], r.p[1]], [-0.02801128, 0.01134573, -2.46888329, 0.03316822], rtol=1e-3
    )
    assert_allclose([r.ci_low[1], r.ci_high[1]], [-0.05329113, -0.00273142], rtol=1e-3)
    assert_allclose([r.QM, r.QM_p], [4.96490310, 0.03180421], rtol=1e-3)


def test_subgroups_match_metafor_separate_fits() -> None:
    # > fits <- lapply(split(dat, dat$alloc), function(d) rma(yi, vi, data=d, method="REML"))
    # alternate  -0.5407929618 0.2816016131 0.1325770399    (coef, se, tau2)
    # random     -0.9709644758 0.2759557015 0.3925265491
    # systematic -0.424207343  0.3597453874 0.4003462968
    # > rma(sapply(fits, coef), sei=sapply(fits, function(f) f$se), method="FE")
    # Q(df = 2) = 1.86144614, p-val = 0.39426852
    s = subgroups(YI, VI, ALLOC)
    assert list(s.groups) == ["random", "alternate", "systematic"]
    for name, (est, se, tau2) in {
        "alternate": (-0.5407929618, 0.2816016131, 0.1325770399),
        "random": (-0.9709644758, 0.2759557015, 0.3925265491),
        "systematic": (-0.424207343, 0.3597453874, 0.4003462968),
    }.items():
        g = s.groups[name]
        assert_allclose([g.estimate, g.se, g.tau2], [est, se, tau2], rtol=RTOL)
    assert_allclose([s.Q_between, s.Q_between_df, s.Q_between_p], [1.86144614, 2, 0.39426852], rtol=RTOL)
    json.dumps(s.to_dict(), allow_nan=False)


def test_subgroups_single_study_label_and_single_group() -> None:
    s = subgroups(YI[:5], VI[:5], ["a", "a", "a", "a", "b"])
    b = s.groups["b"]
    assert b.k == 1 and b.estimate == YI[4] and math.isnan(b.tau2) and b.reason is not None
    assert_allclose(b.ci_low, YI[4] - 1.959963984540054 * math.sqrt(VI[4]), rtol=1e-12)
    assert math.isfinite(s.Q_between)
    one = subgroups(YI, VI, ["x"] * 13)
    assert math.isnan(one.Q_between) and one.reason == "not estimable: only one group"


def test_single_study_is_not_estimable() -> None:
    for r in (random_effects([0.3], [0.04]), fixed_effect([0.3], [0.04]), random_effects([], [])):
        assert r.reason is not None and "k =" in r.reason
        assert math.isnan(r.estimate) and math.isnan(r.tau2)
        json.dumps(r.to_dict(), allow_nan=False)


def test_meta_regression_not_estimable() -> None:
    few = meta_regression(YI[:3], VI[:3], np.column_stack([ABLAT[:3], YEAR[:3]]))
    assert few.reason is not None and few.reason.startswith("not estimable") and math.isnan(few.coef[0])
    x = np.array(ABLAT, dtype=float)
    collinear = meta_regression(YI, VI, np.column_stack([x, 2 * x + 1]))
    assert collinear.reason is not None and "collinear" in collinear.reason and math.isnan(collinear.tau2)


def test_input_errors() -> None:
    with pytest.raises(ValueError, match=r"-0\.1"):
        random_effects([0.1, 0.2], [0.1, -0.1])
    with pytest.raises(ValueError, match="'XX'"):
        random_effects(YI, VI, method="XX")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="same length"):
        fixed_effect([0.1, 0.2], [0.1])


def test_missing_studies_dropped() -> None:
    y = np.append(YI, np.nan)
    v = np.append(VI, 0.1)
    r = random_effects(y, v)
    assert r.k == 13 and r.n_dropped == 1
    assert_allclose(r.estimate, random_effects(YI, VI).estimate, rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(
    st.floats(-3, 3),
    st.lists(st.floats(0.001, 2.0), min_size=2, max_size=30),
    st.sampled_from(["REML", "DL", "PM"]),
)
def test_tau2_zero_when_all_studies_agree(mu: float, vi: list[float], method: str) -> None:
    r = random_effects([mu] * len(vi), vi, method=method)  # type: ignore[arg-type]
    assert r.tau2 == 0.0
    assert_allclose(r.estimate, mu, atol=1e-12)
    assert r.I2 == 0.0 and r.Q < 1e-20


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-3, 3), st.floats(0.001, 2.0)), min_size=2, max_size=40),
    st.sampled_from(["REML", "DL", "PM"]),
    st.booleans(),
)
def test_random_effects_properties(studies: list[tuple[float, float]], method: str, knha: bool) -> None:
    y = [s[0] for s in studies]
    v = [s[1] for s in studies]
    r = random_effects(y, v, method=method, knha=knha)  # type: ignore[arg-type]
    assert r.tau2 >= 0
    assert r.ci_low <= r.estimate <= r.ci_high
    if r.k >= 3:
        assert r.pi_low <= r.ci_low + 1e-12 and r.pi_high >= r.ci_high - 1e-12
    else:  # no prediction interval from two studies (t on k - 2 df)
        assert math.isnan(r.pi_low) and r.pi_method.startswith("not estimable")
    shifted = random_effects(np.array(y) + 1.5, v, method=method, knha=knha)  # type: ignore[arg-type]
    assert_allclose(shifted.estimate, r.estimate + 1.5, rtol=1e-6, atol=1e-6)
    assert_allclose(shifted.tau2, r.tau2, rtol=1e-6, atol=1e-9)


def test_reml_where_fisher_scoring_oscillates() -> None:
    # metafor's default Fisher scoring fails here ("did not converge"); with step halving:
    # > r <- rma(c(0,0,0,0,1.5), c(2,2,2,2,.25), control=list(stepadj=0.5, maxiter=1000))
    # > print(c(r$tau2, r$b, r$se), digits=10)
    # [1] 0.2452986909 0.7968657878 0.5129565164
    r = random_effects([0, 0, 0, 0, 1.5], [2, 2, 2, 2, 0.25])
    assert r.reason is None
    assert_allclose([r.tau2, r.estimate, r.se], [0.2452986909, 0.7968657878, 0.5129565164], rtol=1e-6)
