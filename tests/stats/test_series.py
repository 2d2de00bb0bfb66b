"""Results-series designs against R and a published tutorial.

Reference values were produced here with R 4.2.2 and sandwich 3.0-2 (Debian packages); the R call
and its printed output sit beside each check. The Sicily data are Lopez Bernal, Cummins &
Gasparrini's (2017) tutorial data, as published with their code
(github.com/gasparrini/2017_lopezbernal_IJE_codedata, sicily.csv).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from kirkpatrick.stats.series import (
    MIN_POINTS_EACH_SIDE,
    difference_in_differences,
    regression_point_displacement,
    segmented_regression,
    staggered_did,
)

# A seeded AR(1) series (numpy default_rng(27), phi 0.5, SD 0.6; 16 points before, 20 after),
# rounded to 3 decimals so R reads exactly the same numbers.
SERIES = [6.753, 6.872, 7.06, 5.941, 6.566, 6.272, 6.127, 6.856, 6.301, 5.533, 5.65, 5.287, 4.734, 5.49,
          6.209, 5.047, 4.987, 5.477, 5.667, 4.892, 5.074, 5.235, 5.682, 4.869, 5.459, 6.115, 4.47, 5.149,
          4.434, 4.885, 4.799, 5.924, 5.751, 6.103, 5.168, 5.6]  # fmt: skip

# sicily.csv: aces (acute coronary events per month, 2002-01 to 2006-11) and stdpop; the smoking
# ban from 2005-01 (time 37, index 36).
SICILY_ACES = [728, 659, 791, 734, 757, 726, 760, 740, 720, 814, 795, 858, 887, 766, 851, 769, 781, 756, 766,
               752, 765, 831, 879, 928, 914, 808, 937, 840, 916, 828, 845, 818, 860, 839, 887, 886, 831, 796,
               833, 820, 877, 758, 767, 738, 781, 843, 850, 908, 1021, 859, 976, 888, 962, 838, 810, 876, 843,
               936, 912]  # fmt: skip
SICILY_STDPOP = [379875.3, 376495.5, 377040.8, 377116.4, 377383.4, 374113.1, 379513.3, 376295.5, 374653.2,
                 378485.6, 375955.5, 378349.7, 376762.4, 379032.3, 379360.4, 376162, 377972.4, 381830.7,
                 379888.6, 380872.2, 380966.9, 381240.4, 382104.9, 381802.7, 381656.3, 383680, 383504.2,
                 386462.9, 383783.1, 380836.8, 383483, 380906.2, 382926.8, 384052.4, 384449.6, 383428.4,
                 388153.2, 388373.2, 386470.1, 386033.2, 383686.4, 385509.3, 385901.9, 386516.6, 388436.5,
                 383255.2, 390148.7, 385874.9, 391613.6, 391750.4, 394005.6, 391364.9, 391664.6, 389022.3,
                 391878.5, 388575.3, 392989, 390018.8, 390712.3]  # fmt: skip

# A seeded panel (numpy default_rng(2027)): 8 units x 12 periods; A and B start at period 6, C at 8,
# D-H are comparison units; true effect -0.8.
PANEL = {
    "A": [5.077, 4.839, 4.35, 5.746, 5.118, 5.283, 4.258, 4.428, 4.293, 4.731, 4.855, 4.758],
    "B": [5.028, 6.013, 5.3, 5.583, 5.439, 5.637, 4.918, 5.334, 6.17, 4.84, 5.244, 4.52],
    "C": [4.955, 5.438, 5.573, 5.569, 5.177, 5.333, 5.016, 6.174, 4.361, 4.033, 4.534, 5.51],
    "D": [6.249, 6.186, 5.879, 5.131, 6.507, 5.625, 5.511, 5.448, 5.483, 5.984, 6.195, 5.698],
    "E": [3.704, 3.704, 3.698, 3.57, 3.809, 3.237, 4.178, 4.064, 4.393, 4.462, 3.815, 4.942],
    "F": [6.292, 5.81, 6.238, 6.037, 6.576, 6.068, 5.777, 5.981, 6.123, 6.722, 6.117, 6.54],
    "G": [5.847, 6.12, 7.29, 6.425, 6.71, 6.302, 6.176, 5.659, 6.754, 6.406, 7.101, 6.999],
    "H": [4.237, 4.293, 4.552, 4.719, 5.0, 4.512, 4.37, 5.469, 4.775, 5.386, 5.54, 5.547],
}
STARTS = {"A": 6, "B": 6, "C": 8}


def _long(panel):
    y, unit, period = [], [], []
    for u, vals in panel.items():
        for t, v in enumerate(vals):
            y.append(v), unit.append(u), period.append(t)
    return y, unit, period


def test_segmented_regression_newey_west_matches_r():
    # > t <- 0:35; after <- as.numeric(t >= 16); tafter <- (t - 16) * after
    # > fit <- lm(y ~ t + after + tafter)
    # > V <- NeweyWest(fit, lag = 3, prewhite = FALSE, adjust = FALSE)
    # > coef(fit)
    #  6.8900441176471 -0.1128558823529  0.0655214285714  0.1272904688191
    # > sqrt(diag(V))
    #  0.1007787654172  0.0164956671216  0.2373840210031  0.0214761559615
    # > q <- qt(0.975, df.residual(fit)); cbind(coef(fit) - q * se, coef(fit) + q * se)
    # after  -0.4180139990145  0.5490568561574 ; tafter 0.0835449706518  0.1710359669864
    # > 2 * pt(-abs(coef(fit) / se), df.residual(fit))
    # after 7.84311711489e-01 ; tafter 1.34072380871e-06
    r = segmented_regression(SERIES, range(36), 16, maxlags=3)
    assert r.reason is None and (r.n_pre, r.n_post) == (16, 20) and r.maxlags == 3
    coefs = [r.intercept, r.pre_slope, r.level_change, r.slope_change]
    assert_allclose(
        [c.estimate for c in coefs], [6.8900441176471, -0.1128558823529, 0.0655214285714, 0.1272904688191], rtol=1e-11
    )
    assert_allclose(
        [c.se for c in coefs], [0.1007787654172, 0.0164956671216, 0.2373840210031, 0.0214761559615], rtol=1e-11
    )
    assert_allclose([r.level_change.ci_low, r.level_change.ci_high], [-0.4180139990145, 0.5490568561574], rtol=1e-10)
    assert_allclose([r.slope_change.ci_low, r.slope_change.ci_high], [0.0835449706518, 0.1710359669864], rtol=1e-10)
    assert_allclose([r.level_change.p, r.slope_change.p], [7.84311711489e-01, 1.34072380871e-06], rtol=1e-9)
    assert r.level_change.df == 32 and r.se_method == "Newey-West HAC, 3 lags"


def test_segmented_regression_lines_and_counterfactual():
    r = segmented_regression(SERIES, range(36), 16, maxlags=3)
    b0, b1, b2, b3 = (c.estimate for c in (r.intercept, r.pre_slope, r.level_change, r.slope_change))
    t = np.arange(36.0)
    after = t >= 16
    assert_allclose(r.fitted, b0 + b1 * t + b2 * after + b3 * (t - 16) * after, rtol=1e-12)
    assert_allclose(r.counterfactual, b0 + b1 * t, rtol=1e-12)
    assert r.fitted[:16] == r.counterfactual[:16] and r.start_index == 16
    # the default lag is Newey & West's (1994) rule floor(4 (n/100)^(2/9)): 36 points give 3
    assert segmented_regression(SERIES, range(36), 16).maxlags == 3


def test_segmented_regression_drops_missing_points_and_keeps_time():
    y = list(SERIES)
    y[3] = math.nan
    r = segmented_regression(y, range(36), 16, maxlags=3)
    assert (r.n_pre, r.n_post, r.n_dropped, r.start_index) == (15, 20, 1, 15)
    assert 3.0 not in r.t and len(r.fitted) == 35


@pytest.mark.parametrize(("start", "side", "got"), [(7, "before", 7), (29, "after", 7)])
def test_segmented_regression_needs_eight_points_each_side(start, side, got):
    r = segmented_regression(SERIES, range(36), start)
    assert r.reason == f"fewer than {MIN_POINTS_EACH_SIDE} points {side} the start ({got})"
    assert math.isnan(r.level_change.estimate) and math.isnan(r.slope_change.se)
    assert r.fitted == () and len(r.y) == 36  # the points can still be drawn, without lines


def test_segmented_regression_eight_each_side_is_enough():
    r = segmented_regression(SERIES[:16], range(16), 8)
    assert r.reason is None and math.isfinite(r.slope_change.se)


def test_sicily_tutorial_step_change_reproduced():
    # Lopez Bernal, Cummins & Gasparrini (2017), the authors' published R code, steps 5a and 5c:
    # > model2 <- glm(aces ~ offset(log(stdpop)) + smokban + time, family=quasipoisson, data)
    # > model3 <- glm(aces ~ offset(log(stdpop)) + smokban + time + harmonic(month,2,12),
    # +               family=quasipoisson, data)
    # (harmonic() written out as sin/cos of 2 pi k month / 12, k = 1, 2; the Epi package's
    # ci.lin(Exp = T) is exp(b +- qnorm(.975) se)), printed here:
    # model2 smokban: b -0.11162844256  se 0.03249594536  RR 0.89437650802 [0.83918900386, 0.95319330260]
    # model3 smokban: b -0.12208679290  se 0.02703110726  RR 0.88507154724 [0.83940095566, 0.93322700964]
    # > summary(model3)$dispersion   2.262186415
    t = np.arange(1, 60)
    r2 = segmented_regression(
        SICILY_ACES, t, 36, family="poisson", exposure=SICILY_STDPOP, slope_change=False, se="model"
    )
    r3 = segmented_regression(
        SICILY_ACES, t, 36, family="poisson", exposure=SICILY_STDPOP, slope_change=False, harmonics=2, se="model"
    )
    for r, b, se, rr in (
        (r2, -0.11162844256, 0.03249594536, [0.89437650802, 0.83918900386, 0.95319330260]),
        (r3, -0.12208679290, 0.02703110726, [0.88507154724, 0.83940095566, 0.93322700964]),
    ):
        c = r.level_change
        # R's glm stops its iterations at a relative deviance change of 1e-8, statsmodels at its own
        assert_allclose([c.estimate, c.se], [b, se], rtol=1e-6)
        assert_allclose(np.exp([c.estimate, c.ci_low, c.ci_high]), rr, rtol=1e-6)
        assert math.isnan(r.slope_change.estimate) and r.se_method == "quasi-Poisson (Pearson scale)"
    # fitted values are rates per unit of exposure; the counterfactual has no ban
    assert_allclose(r3.y[0], 728 / 379875.3)
    assert r3.counterfactual[40] > r3.fitted[40]


def test_sicily_change_in_slope_model_reproduced():
    # > model4 <- glm(aces ~ offset(log(stdpop)) + smokban*time + harmonic(month,2,12), quasipoisson, data)
    # > coef(model4)
    #  smokban -0.185219379181   time 0.005102602197   smokban:time 0.001482227998
    # R's smokban is the jump at time 0; ours is at the start (time 37): b2 = smokban + 37 * smokban:time
    r = segmented_regression(SICILY_ACES, np.arange(1, 60), 36, family="poisson", exposure=SICILY_STDPOP,
                             harmonics=2, se="model")  # fmt: skip
    assert_allclose(r.pre_slope.estimate, 0.005102602197, rtol=1e-6)
    assert_allclose(r.slope_change.estimate, 0.001482227998, rtol=1e-6)
    assert_allclose(r.level_change.estimate - 37 * r.slope_change.estimate, -0.185219379181, rtol=1e-6)


def test_segmented_regression_rejects_bad_input():
    with pytest.raises(ValueError, match="equal length"):
        segmented_regression([1, 2, 3], [0, 1], 1)
    with pytest.raises(ValueError, match="start_index"):
        segmented_regression(SERIES, range(36), 40)
    with pytest.raises(ValueError, match="family='poisson'"):
        segmented_regression(SERIES, range(36), 16, exposure=[1] * 36)
    with pytest.raises(ValueError, match="counts"):
        segmented_regression([-1.0] + SERIES[1:], range(36), 16, family="poisson")


def test_difference_in_differences_matches_r_vcovcl():
    # > d$D <- as.numeric(!is.na(d$start) & d$period >= d$start)
    # > fit <- lm(y ~ D + factor(unit) + factor(period), d)
    # > V <- vcovCL(fit, cluster = ~unit, type = "HC1")
    # > c(coef(fit)["D"], sqrt(V["D","D"]))
    #  -0.844121428571  0.235115048244
    y, unit, period = _long(PANEL)
    r = difference_in_differences(y, unit, period, STARTS)
    assert (r.n_obs, r.n_units, r.n_treated_units, r.n_comparison_units, r.n_periods) == (96, 8, 3, 5, 12)
    assert_allclose([r.att.estimate, r.att.se], [-0.844121428571, 0.235115048244], rtol=1e-10)
    # t on G - 1 = 7 df: qt(.975, 7) = 2.364624252
    assert r.att.df == 7
    assert_allclose(r.att.ci_high - r.att.estimate, 2.364624252 * 0.235115048244, rtol=1e-8)
    assert r.staggered and any("different periods" in n for n in r.notes)


def test_event_study_matches_r_and_pretrend_wald():
    # Event-time dummies em8..em2, e0..e5 (reference -1) + factor(unit) + factor(period), vcovCL HC1:
    # em8 -0.6684411269 (0.3410676031)  em2 -0.8642058217 (0.1491809301)
    # e0  -1.3420859608 (0.3703773935)  e5  -1.8838308046 (0.4246749393)
    # > leads <- nm[ks < -1]; b <- coef(f2)[leads]; W <- drop(t(b) %*% solve(V2[leads, leads], b))
    # > c(W, W / length(leads), pf(W / length(leads), length(leads), 7, lower.tail = FALSE))
    # 4.871080967e+02 6.958687096e+01 6.131315960e-06
    y, unit, period = _long(PANEL)
    r = difference_in_differences(y, unit, period, STARTS)
    ev = {e.relative_period: e for e in r.events}
    assert sorted(ev) == list(range(-8, 6))
    assert ev[-1].estimate == 0 and math.isnan(ev[-1].se) and ev[-1].n_treated == 3
    for k, est, se in ((-8, -0.6684411269, 0.3410676031), (-2, -0.8642058217, 0.1491809301),
                       (0, -1.3420859608, 0.3703773935), (5, -1.8838308046, 0.4246749393)):  # fmt: skip
        assert_allclose([ev[k].estimate, ev[k].se], [est, se], rtol=1e-8)
    assert ev[-8].n_treated == 1 and ev[5].n_treated == 2
    assert_allclose([r.pretrend_statistic, r.pretrend_p], [6.958687096e01, 6.131315960e-06], rtol=1e-8)
    assert (r.pretrend_df1, r.pretrend_df2) == (7, 7)


def test_difference_in_differences_without_comparison_units():
    y, unit, period = _long({k: PANEL[k] for k in "ABC"})
    r = difference_in_differences(y, unit, period, STARTS)
    assert r.reason == "no comparison units" and math.isnan(r.att.estimate)
    y, unit, period = _long(PANEL)
    assert difference_in_differences(y, unit, period, {}).reason == "no treated unit"


def test_difference_in_differences_rejects_duplicates_and_fractions():
    with pytest.raises(ValueError, match="more than one value"):
        difference_in_differences([1, 2], ["a", "a"], [0, 0], {})
    with pytest.raises(ValueError, match="whole numbers"):
        difference_in_differences([1, 2], ["a", "a"], [0, 0.5], {})


def _noise_free_staggered():
    """Unit and period effects, no noise; group 2 starts at 2 with effect -1 growing by -1 a period,
    group 4 at 4 with effect -3; two never-treated units. TWFE is biased here (already-treated
    units with growing effects serve as its controls); group-time effects are exact."""
    rng = np.random.default_rng(5)
    units = {"a": 2, "b": 2, "c": 4, "d": 4, "e": None, "f": None}
    alpha = {u: float(rng.normal(5, 1)) for u in units}
    gamma = [0.0, 0.3, -0.2, 0.5, 0.1, 0.4, 0.2]
    y, unit, period = [], [], []
    for u, g in units.items():
        for t in range(7):
            eff = 0.0 if g is None or t < g else (-1.0 - (t - g) if g == 2 else -3.0)
            y.append(alpha[u] + gamma[t] + eff), unit.append(u), period.append(t)
    return y, unit, period, {u: g for u, g in units.items() if g is not None}


def test_staggered_did_recovers_group_time_effects_exactly():
    y, unit, period, starts = _noise_free_staggered()
    r = staggered_did(y, unit, period, starts)
    cell = {(c.group, c.period): c for c in r.group_time}
    for t in range(2, 7):
        assert_allclose(cell[(2, t)].estimate, -1.0 - (t - 2), atol=1e-12)
    for t in range(4, 7):
        assert_allclose(cell[(4, t)].estimate, -3.0, atol=1e-12)
    for (g, t), c in cell.items():
        if t < g:
            assert_allclose(c.estimate, 0.0, atol=1e-12)  # no pre-trends in these data
    # not yet treated: group 4's units are controls for group 2 only before period 4
    assert cell[(2, 3)].n_controls == 4 and cell[(2, 4)].n_controls == 2
    # simple aggregation: cells t >= g weighted by group size (equal groups here)
    post = [c.estimate for c in r.group_time if c.period >= c.group]
    assert_allclose(r.overall.estimate, np.mean(post), atol=1e-12)
    twfe = difference_in_differences(y, unit, period, starts)
    assert abs(twfe.att.estimate - r.overall.estimate) > 0.1  # the bias the estimator avoids


def test_staggered_did_with_one_cohort_equals_the_two_by_two():
    y, unit, period = _long(PANEL)
    starts = {"A": 6, "B": 6}
    r = staggered_did(y, unit, period, starts)
    c = next(c for c in r.group_time if (c.group, c.period) == (6, 9))
    treated = np.mean([PANEL[u][9] - PANEL[u][5] for u in "AB"])
    control = np.mean([PANEL[u][9] - PANEL[u][5] for u in "CDEFGH"])
    assert_allclose(c.estimate, treated - control, rtol=1e-12)
    assert (c.n_treated, c.n_controls) == (2, 6)


def test_regression_point_displacement_matches_r():
    # > pre  <- c(5.1, 6.3, 4.8, 7.2, 5.9, 6.6, 5.4, 6.0, 7.0, 4.9, 6.2)
    # > post <- c(4.2, 6.5, 5.0, 7.1, 6.2, 6.4, 5.9, 6.1, 7.4, 4.7, 6.0)
    # > z <- c(1, rep(0, 10)); fit <- lm(post ~ pre + z); summary(fit)$coefficients; confint(fit)
    # (Intercept)  0.302996128598 0.690536559163  0.438783616272 6.72427199065e-01
    # pre          0.966335633732 0.113592608626  8.507029158157 2.79847425518e-05
    # z           -1.031307860630 0.309005303247 -3.337508611640 1.02691128796e-02
    # z           -1.743875367717 -0.318740353542
    pre = [5.1, 6.3, 4.8, 7.2, 5.9, 6.6, 5.4, 6.0, 7.0, 4.9, 6.2]
    post = [4.2, 6.5, 5.0, 7.1, 6.2, 6.4, 5.9, 6.1, 7.4, 4.7, 6.0]
    r = regression_point_displacement(pre, post, 0)
    assert r.reason is None and r.n_comparison == 10
    d = r.displacement
    assert_allclose(
        [d.estimate, d.se, d.statistic, d.p],
        [-1.031307860630, 0.309005303247, -3.337508611640, 1.02691128796e-02],
        rtol=1e-10,
    )
    assert_allclose([d.ci_low, d.ci_high], [-1.743875367717, -0.318740353542], rtol=1e-10)
    assert_allclose([r.intercept.estimate, r.slope.estimate], [0.302996128598, 0.966335633732], rtol=1e-10)
    assert_allclose(r.treated_post - r.predicted_post, d.estimate, rtol=1e-12)


def test_regression_point_displacement_needs_comparisons():
    r = regression_point_displacement([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], 2)
    assert r.reason == "fewer than 5 comparison units (4)" and math.isnan(r.displacement.estimate)
    r = regression_point_displacement([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, math.nan], 5)
    assert r.reason == "the treated unit has no value before or after"


def test_staggered_did_matches_csdid():
    # csdid 0.4.3 (the Python port of R's did, PyPI), outside this project's dependencies:
    # >>> d["g"] = d["unit"].map({"A": 6, "B": 6, "C": 8}).fillna(0).astype(int)
    # >>> out = ATTgt(yname="y", gname="g", idname="id", tname="period", data=d,
    # ...             control_group="notyettreated").fit(est_method="reg", bstrap=False)
    # group period att                  se
    # 6 1  0.32900000000000046 0.44926316217656753
    # 6 6 -0.8638333333333335  0.20687145991152564
    # 6 9 -1.3177000000000003  0.19503445080292847
    # 8 7  1.0362000000000005  0.24161910520486576
    # 8 8 -1.9944000000000004  0.2565744492345252
    # 8 11 -1.2850000000000006 0.20192513464152995
    # >>> out.aggte(typec="simple", bstrap=False)       ATT -1.2805  SE 0.2559
    # >>> out.aggte(typec="dynamic", bstrap=False)
    # -7 0.4071 0.1629 ; -1 0.7666 0.1194 ; 0 -1.2407 0.3262 ; 5 -1.6174 0.3235
    y, unit, period = _long(PANEL)
    r = staggered_did(y, unit, period, STARTS)
    assert r.reason is None
    cell = {(c.group, c.period): c for c in r.group_time}
    for key, est, se in (
        ((6, 1), 0.32900000000000046, 0.44926316217656753),
        ((6, 6), -0.8638333333333335, 0.20687145991152564),
        ((6, 9), -1.3177000000000003, 0.19503445080292847),
        ((8, 7), 1.0362000000000005, 0.24161910520486576),
        ((8, 8), -1.9944000000000004, 0.2565744492345252),
        ((8, 11), -1.2850000000000006, 0.20192513464152995),
    ):
        assert_allclose([cell[key].estimate, cell[key].se], [est, se], rtol=1e-12)
    assert_allclose([r.overall.estimate, r.overall.se], [-1.2805, 0.2559], atol=5e-5)
    ev = {e.relative_period: e for e in r.events}
    for k, est, se in ((-7, 0.4071, 0.1629), (-1, 0.7666, 0.1194), (0, -1.2407, 0.3262), (5, -1.6174, 0.3235)):
        assert_allclose([ev[k].estimate, ev[k].se], [est, se], atol=5e-5)


def test_series_results_serialise_to_json():
    import json

    y, unit, period = _long(PANEL)
    for r in (
        segmented_regression(SERIES, range(36), 30),  # not estimable: NaN figures become null
        difference_in_differences(y, unit, period, STARTS),
        staggered_did(y, unit, period, STARTS),
    ):
        d = json.loads(json.dumps(r.to_dict(), allow_nan=False))
        assert "reason" in d
    assert json.loads(json.dumps(segmented_regression(SERIES, range(36), 30).to_dict()))["level_change"]["se"] is None


def test_poisson_segmented_regression_newey_west_matches_r():
    # > d$tafter <- (d$time - 37) * d$smokban
    # > m <- glm(aces ~ offset(log(stdpop)) + time + smokban + tafter + harmonic(time,2,12), family=poisson, d)
    # > V <- NeweyWest(m, lag = 3, prewhite = FALSE, adjust = FALSE)
    # coef: smokban -0.13037694325168  tafter 0.00148222799809
    # se:   smokban  0.01806974508211  tafter 0.00143263530622
    r = segmented_regression(
        SICILY_ACES, np.arange(1, 60), 36, family="poisson", exposure=SICILY_STDPOP, harmonics=2, maxlags=3
    )
    assert r.se_method == "Newey-West HAC, 3 lags" and r.level_change.df == math.inf
    assert_allclose(
        [r.level_change.estimate, r.slope_change.estimate], [-0.13037694325168, 0.00148222799809], rtol=1e-8
    )
    # the two IRLS fits stop at slightly different points; the sandwich's meat feels it most
    assert_allclose([r.level_change.se, r.slope_change.se], [0.01806974508211, 0.00143263530622], rtol=1e-5)


def test_exact_fits_and_empty_counts_give_reasons_not_warnings():
    # pytest turns warnings into errors here: statsmodels' own warnings must not escape
    r = segmented_regression(np.arange(20.0), range(20), 10)
    assert r.reason == "the lines fit every point exactly: no standard errors"
    assert_allclose(r.pre_slope.estimate, 1.0)
    assert math.isnan(r.pre_slope.se) and math.isnan(r.level_change.ci_low)
    r = segmented_regression(np.zeros(20), range(20), 10, family="poisson")
    assert r.reason == "no events counted before the start: a rate ratio cannot be estimated"
    y, unit, period = [], [], []
    for k in "ABCDE":
        for t in range(10):
            y.append(1.0 + 0.1 * t + (0.5 if k == "A" and t >= 5 else 0.0)), unit.append(k), period.append(t)
    assert difference_in_differences(y, unit, period, {"A": 5}).reason == (
        "the fixed effects fit every value exactly: no standard errors"
    )
    r = regression_point_displacement([1, 2, 3, 4, 5, 6.0], [2, 3, 4, 5, 6, 9.0], 5)
    assert r.reason == "the comparison units lie exactly on a line: no standard errors"
