"""Designs for an organisation's own results series (level 4): interrupted time series,
difference in differences with an event study, staggered adoption, regression point displacement.

The regressions are statsmodels' (OLS/GLM with HAC or cluster-robust covariances); the code here
builds the design matrices, picks the coefficients and says when a figure cannot be given.
Every function returns a frozen dataclass with a ``reason`` (set, with NaN figures, when the design
cannot be estimated). Sign convention: after minus before, treated minus comparison.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._ci import check_confidence
from ._result import Result

__all__ = [
    "MIN_POINTS_EACH_SIDE",
    "Coefficient",
    "DidResult",
    "EventPoint",
    "GroupTimeAtt",
    "ItsResult",
    "RpdResult",
    "StaggeredResult",
    "difference_in_differences",
    "regression_point_displacement",
    "segmented_regression",
    "staggered_did",
]

# The floor (research note: about 12 each side is recommended, 8 is a floor).
MIN_POINTS_EACH_SIDE = 8

FloatArray = NDArray[np.float64]


@dataclasses.dataclass(frozen=True)
class Coefficient(Result):
    """One regression coefficient with its standard error and confidence interval.

    Attributes
    ----------
    name : str
        What the coefficient is, e.g. ``"level_change"``.
    estimate, se : float
        Point estimate and standard error (NaN when not estimable).
    ci_low, ci_high : float
        Confidence limits at ``confidence``.
    statistic, p : float
        t (or z) statistic and two-sided p.
    df : float
        Degrees of freedom of the t reference distribution (inf for a normal one).
    confidence : float
    """

    name: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    p: float
    df: float
    confidence: float = 0.95


def _nan_coef(name: str, confidence: float) -> Coefficient:
    nan = math.nan
    return Coefficient(name, nan, nan, nan, nan, nan, nan, nan, confidence)


@dataclasses.dataclass(frozen=True)
class ItsResult(Result):
    """Result of :func:`segmented_regression` (interrupted time series, one unit).

    Attributes
    ----------
    n_pre, n_post : int
        Points before the start and from the start on (missing values dropped).
    n_dropped : int
        Points dropped because the value was missing (NaN).
    family : str
        ``"gaussian"`` (OLS on the values) or ``"poisson"`` (log-linear on counts; then
        ``level_change`` and ``slope_change`` are on the log scale: exp() gives rate ratios).
    intercept, pre_slope, level_change, slope_change : Coefficient
        b0 (value at t = 0 before the start), b1 (trend per period before), b2 (jump at the
        start) and b3 (change of the trend from the start on). ``slope_change`` is NaN when the
        model was fitted without it.
    t : tuple of float
        The time of each point used (original units, e.g. 0, 1, 2, ...).
    y : tuple of float
        The values used.
    fitted : tuple of float
        The model's line at each point (pre- and post-start segments; seasonality included when
        harmonics were fitted).
    counterfactual : tuple of float
        The pre-start model carried on (level and slope change set to zero) at each point: what
        the series would have been had nothing changed, if the pre-start trend held.
    start_index : int
        Index in ``t``/``y`` of the first point at or after the start.
    se_method : str
        How standard errors were obtained, e.g. ``"Newey-West HAC, 3 lags"``.
    maxlags : int
        Lags of the Newey-West estimator (0 for model-based errors).
    confidence : float
    reason : str or None
        Why figures are NaN (too few points), else None.
    """

    n_pre: int
    n_post: int
    n_dropped: int
    family: str
    intercept: Coefficient
    pre_slope: Coefficient
    level_change: Coefficient
    slope_change: Coefficient
    t: tuple[float, ...]
    y: tuple[float, ...]
    fitted: tuple[float, ...]
    counterfactual: tuple[float, ...]
    start_index: int
    se_method: str
    maxlags: int
    confidence: float
    reason: str | None


@dataclasses.dataclass(frozen=True)
class EventPoint(Result):
    """One period effect of an event study, relative to the period before the start.

    Attributes
    ----------
    relative_period : int
        Periods since the start (0 = first period of the programme, -1 = the reference).
    estimate, se, ci_low, ci_high : float
        Treated minus comparison, relative to period -1 (0 with no interval for -1 itself).
    n_treated : int
        Treated units observed at this relative period.
    """

    relative_period: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n_treated: int


@dataclasses.dataclass(frozen=True)
class DidResult(Result):
    """Result of :func:`difference_in_differences` (two-way fixed effects).

    Attributes
    ----------
    n_obs, n_units, n_treated_units, n_comparison_units, n_periods : int
    att : Coefficient
        Average difference, treated minus comparison, after minus before (the coefficient of
        treated x after in a regression with unit and period fixed effects).
    events : tuple of EventPoint
        The event study: one point per relative period, the reference period -1 included.
    pretrend_statistic, pretrend_df1, pretrend_df2, pretrend_p : float
        Joint Wald test (F form) that all periods before -1 have effect zero; NaN when there is
        no such period.
    staggered : bool
        Whether treated units start at different periods (then two-way fixed effects are biased
        and :func:`staggered_did` should be read instead).
    se_method : str
    confidence : float
    notes : tuple of str
        Caveats that do not stop the figures (e.g. one treated unit: cluster-robust errors are
        unreliable with few treated clusters).
    reason : str or None
    """

    n_obs: int
    n_units: int
    n_treated_units: int
    n_comparison_units: int
    n_periods: int
    att: Coefficient
    events: tuple[EventPoint, ...]
    pretrend_statistic: float
    pretrend_df1: float
    pretrend_df2: float
    pretrend_p: float
    staggered: bool
    se_method: str
    confidence: float
    notes: tuple[str, ...]
    reason: str | None


@dataclasses.dataclass(frozen=True)
class GroupTimeAtt(Result):
    """One group-time average treatment effect on the treated, ATT(g, t).

    Attributes
    ----------
    group : int
        The period the group's units started.
    period : int
        The period the effect is for.
    estimate, se, ci_low, ci_high : float
        Pointwise (not simultaneous) interval.
    n_treated, n_controls : int
        Units in the group and not-yet-treated (or never-treated) control units used.
    """

    group: int
    period: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n_treated: int
    n_controls: int


@dataclasses.dataclass(frozen=True)
class StaggeredResult(Result):
    """Result of :func:`staggered_did` (Callaway & Sant'Anna 2021, not-yet-treated controls).

    Attributes
    ----------
    group_time : tuple of GroupTimeAtt
        ATT(g, t) for every group g and period t >= g that has controls (post-treatment cells
        only, the ones the simple aggregation uses), and the pre-treatment cells (t < g, each
        against period t - 1, the "varying" base period) used for a pre-trend check.
    overall : Coefficient
        Simple aggregation: the ATT(g, t) with t >= g averaged with weights proportional to
        group size (Callaway & Sant'Anna 2021, eq. 3.10, "simple").
    events : tuple of EventPoint
        Dynamic aggregation by periods since the start (e = t - g), group-size weighted.
    se_method : str
    confidence : float
    notes : tuple of str
    reason : str or None
    """

    group_time: tuple[GroupTimeAtt, ...]
    overall: Coefficient
    events: tuple[EventPoint, ...]
    se_method: str
    confidence: float
    notes: tuple[str, ...]
    reason: str | None


@dataclasses.dataclass(frozen=True)
class RpdResult(Result):
    """Result of :func:`regression_point_displacement`.

    Attributes
    ----------
    n_comparison : int
        Comparison units used (with both pre and post values).
    intercept, slope : Coefficient
        The comparison units' regression line post = b0 + b1 pre (fitted jointly with the
        treated unit's indicator, as Linden et al. 2006).
    displacement : Coefficient
        b2: the treated unit's post value minus the line's prediction for its pre value.
    treated_pre, treated_post, predicted_post : float
    confidence : float
    reason : str or None
    """

    n_comparison: int
    intercept: Coefficient
    slope: Coefficient
    displacement: Coefficient
    treated_pre: float
    treated_post: float
    predicted_post: float
    confidence: float
    reason: str | None


def segmented_regression(
    y: ArrayLike,
    t: ArrayLike,
    start_index: int,
    maxlags: int | None = None,
    *,
    family: Literal["gaussian", "poisson"] = "gaussian",
    exposure: ArrayLike | None = None,
    slope_change: bool = True,
    harmonics: int = 0,
    season_length: int = 12,
    se: Literal["hac", "model"] = "hac",
    confidence: float = 0.95,
) -> ItsResult:
    """Interrupted time series: segmented regression with a level and a slope change.

    Parameters
    ----------
    y : array_like
        The series, one value per period, in time order (NaN = missing, dropped).
    t : array_like
        Time of each value (e.g. 0, 1, 2, ... months); evenly spaced.
    start_index : int
        Index into ``y``/``t`` of the first period of the programme (the cohort's start).
    maxlags : int, optional
        Newey-West lags; default ``floor(4 (n/100)^(2/9))`` (Newey & West 1994's rule).
    family : {"gaussian", "poisson"}
        OLS on the values, or a log-linear Poisson GLM on counts (quasi-Poisson scale when
        ``se="model"``), as Lopez Bernal et al. (2017).
    exposure : array_like, optional
        Poisson only: the denominator (population, worked hours); log(exposure) is the offset.
    slope_change : bool
        Fit b3 (change of trend); False gives a step-change-only model.
    harmonics : int
        Pairs of sine/cosine terms for seasonality (0 = none).
    season_length : int
        Periods per season cycle (12 for months).
    se : {"hac", "model"}
        Newey-West HAC (default), or model-based errors (OLS / quasi-Poisson).
    confidence : float

    Returns
    -------
    ItsResult

    Notes
    -----
    value_t = b0 + b1 t + b2 after_t + b3 (t - t0) after_t (+ seasonal terms), with after_t = 1
    from the start on and t0 the time of the first period of the programme. Fewer than
    :data:`MIN_POINTS_EACH_SIDE` points before or after gives NaN figures and a ``reason``.

    References
    ----------
    Wagner, A. K., Soumerai, S. B., Zhang, F., & Ross-Degnan, D. (2002). Segmented regression
    analysis of interrupted time series studies. J Clin Pharm Ther, 27, 299-309.
    Lopez Bernal, J., Cummins, S., & Gasparrini, A. (2017). Interrupted time series regression
    for the evaluation of public health interventions: a tutorial. Int J Epidemiol, 46, 348-355.
    Newey, W. K., & West, K. D. (1987). Econometrica, 55, 703-708.
    """
    raise NotImplementedError


def difference_in_differences(
    y: ArrayLike,
    unit: Sequence[Hashable],
    period: ArrayLike,
    starts: Mapping[Hashable, int],
    *,
    confidence: float = 0.95,
) -> DidResult:
    """Difference in differences with unit and period fixed effects, and an event study.

    Parameters
    ----------
    y : array_like
        Values in long form, one per unit and period (NaN = missing, dropped).
    unit : sequence of hashable
        The unit of each value.
    period : array_like of int
        The period of each value as an integer on an even scale (e.g. year * 12 + month - 1).
    starts : mapping
        Treated unit -> the period its programme started. Units not in it are comparison units.
    confidence : float

    Returns
    -------
    DidResult

    Notes
    -----
    ATT: y_it = a_i + g_t + beta D_it + e_it with D_it = 1 for a treated unit from its start on.
    Event study: y_it = a_i + g_t + sum_{k != -1} beta_k 1[t - start_i = k] + e_it.
    Standard errors are cluster-robust by unit (CR1: G/(G-1) (N-1)/(N-K), as R's
    ``sandwich::vcovCL(type = "HC1")``), intervals from t with G - 1 degrees of freedom.

    References
    ----------
    Angrist, J. D., & Pischke, J.-S. (2009). Mostly Harmless Econometrics, ch. 5.
    Roth, J., Sant'Anna, P. H. C., Bilinski, A., & Poe, J. (2023). What's trending in
    difference-in-differences? J Econometrics, 235, 2218-2244.
    """
    raise NotImplementedError


def staggered_did(
    y: ArrayLike,
    unit: Sequence[Hashable],
    period: ArrayLike,
    starts: Mapping[Hashable, int],
    *,
    confidence: float = 0.95,
) -> StaggeredResult:
    """Group-time average effects with not-yet-treated controls (Callaway & Sant'Anna 2021).

    Parameters
    ----------
    y, unit, period, starts, confidence
        As :func:`difference_in_differences`; the panel should be balanced (a unit missing a
        period is dropped from the cells that need it).

    Returns
    -------
    StaggeredResult

    Notes
    -----
    ATT(g, t) = [mean(Y_t - Y_{g-1} | G = g)] - [mean(Y_t - Y_{g-1} | not yet treated at t)],
    the unconditional estimator without covariates; units already treated are never controls.
    Standard errors from the estimator's influence function (analytical, no bootstrap).

    References
    ----------
    Callaway, B., & Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time
    periods. J Econometrics, 225, 200-230.
    """
    raise NotImplementedError


def regression_point_displacement(
    pre: ArrayLike, post: ArrayLike, treated_index: int, *, confidence: float = 0.95
) -> RpdResult:
    """Regression point displacement: one treated unit against many comparison units.

    Parameters
    ----------
    pre, post : array_like
        Each unit's value before and after (e.g. the yearly sick-leave rate), treated included.
    treated_index : int
        Index of the treated unit.
    confidence : float

    Returns
    -------
    RpdResult

    Notes
    -----
    post_i = b0 + b1 pre_i + b2 Z_i + e_i by OLS, Z = 1 for the treated unit; b2 is the
    displacement, its t test on n - 3 degrees of freedom. Needs at least 5 comparison units.

    References
    ----------
    Linden, A., Trochim, W. M. K., & Adams, J. L. (2006). Evaluating program effectiveness using
    the regression point displacement design. Eval Health Prof, 29, 407-423.
    """
    raise NotImplementedError


def _unused(*_: Any) -> None:  # keeps imports used until the bodies land
    _ = (check_confidence, FloatArray, _nan_coef)
