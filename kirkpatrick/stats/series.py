"""Designs for an organisation's own results series (level 4): interrupted time series,
difference in differences with an event study, staggered adoption, regression point displacement.

The regressions are statsmodels' (OLS/GLM with HAC or cluster-robust covariances); the code here
builds the design matrices, picks the coefficients and says when a figure cannot be given.
Every function returns a frozen dataclass with a ``reason`` (set, with NaN figures, when the design
cannot be estimated). Sign convention: after minus before, treated minus comparison.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import warnings
from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._ci import check_confidence
from .results import Result

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
        Dynamic aggregation by periods since the start (e = t - g), group-size weighted. As in
        R's ``did`` with the varying base period, e < 0 are placebo effects, each period against
        the one before it (so e = -1 is estimated too, unlike the two-way event study's reference).
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


_CLUSTER = "cluster-robust by unit (CR1, as R sandwich::vcovCL type HC1), t on units - 1 df"


@dataclasses.dataclass
class _Panel:
    """A long panel with its units coded 0..G-1 and each row's period relative to its unit's start."""

    y: FloatArray
    unit_code: NDArray[np.int64]
    period: NDArray[np.int64]
    units: list[Hashable]
    periods: list[int]
    start_of: dict[Hashable, int]
    treated_units: list[Hashable]
    comparison_units: list[Hashable]
    treated_row: NDArray[np.bool_]
    relative: NDArray[np.int64]
    n_obs: int

    @classmethod
    def build(cls, y: ArrayLike, unit: Sequence[Hashable], period: ArrayLike, starts: Mapping[Hashable, int]) -> _Panel:
        ya = np.asarray(y, dtype=float)
        units_in = list(unit)
        pa = np.asarray(period)
        if ya.ndim != 1 or not (ya.size == len(units_in) == pa.size):
            raise ValueError(
                f"y, unit and period must have equal lengths, but got {ya.size}, {len(units_in)}, {pa.size}"
            )
        if pa.size and not np.all(np.equal(np.mod(pa.astype(float), 1), 0)):
            raise ValueError("periods must be whole numbers on an even scale (e.g. year * 12 + month - 1)")
        pa = pa.astype(np.int64)
        keep = np.isfinite(ya)
        ya, pa = ya[keep], pa[keep]
        units_in = [u for u, k in zip(units_in, keep, strict=True) if k]
        seen: dict[Hashable, int] = {}
        codes = np.array([seen.setdefault(u, len(seen)) for u in units_in], dtype=np.int64)
        if len(set(zip(codes.tolist(), pa.tolist(), strict=True))) != codes.size:
            raise ValueError("a unit has more than one value for a period")
        units = list(seen)
        start_of = {u: int(starts[u]) for u in units if u in starts}
        treated = [u for u in units if u in start_of]
        comparison = [u for u in units if u not in start_of]
        is_t = np.array([u in start_of for u in units], dtype=bool)
        st = np.array([start_of.get(u, 0) for u in units], dtype=np.int64)
        treated_row = is_t[codes] if codes.size else np.zeros(0, dtype=bool)
        rel = np.where(treated_row, pa - st[codes], 0) if codes.size else np.zeros(0, dtype=np.int64)
        return cls(
            ya,
            codes,
            pa,
            units,
            sorted(set(pa.tolist())),
            start_of,
            treated,
            comparison,
            treated_row,
            rel,
            int(ya.size),
        )

    def fixed_effects(self) -> FloatArray:
        """Unit dummies (all) and period dummies (the first left out)."""
        g = len(self.units)
        pos = {p: i for i, p in enumerate(self.periods)}
        u = np.zeros((self.n_obs, g))
        u[np.arange(self.n_obs), self.unit_code] = 1.0
        t = np.zeros((self.n_obs, len(self.periods)))
        t[np.arange(self.n_obs), [pos[p] for p in self.period.tolist()]] = 1.0
        return np.column_stack([u, t[:, 1:]])


def _statsmodels() -> Any:
    # statsmodels takes about a second to import: load it on first use, as the package's other
    # modules load SciPy.
    import statsmodels.api as sm

    return sm


@contextlib.contextmanager
def _quiet_fit() -> Iterator[None]:
    """statsmodels warns (and NumPy divides by zero) on a series its lines fit exactly; the result
    says so in its ``reason`` instead."""
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _exact(res: Any, y: FloatArray) -> bool:
    """Whether the fitted values equal the data (no residual variation to estimate errors from)."""
    mu = np.asarray(res.fittedvalues, dtype=float)
    return bool(np.allclose(mu, y, rtol=1e-10, atol=1e-10 * max(1.0, float(np.abs(y).max()))))


def _coefficients(res: Any, names: Sequence[str], confidence: float, df: float | None = None) -> list[Coefficient]:
    """The first ``len(names)`` coefficients of a fitted statsmodels result, with intervals from
    its own reference distribution (t on its inference df, or normal), or t on ``df`` if given."""

    params = np.asarray(res.params, dtype=float)
    bse = np.asarray(res.bse, dtype=float)
    if df is None:
        df = float(res.df_resid_inference if getattr(res, "df_resid_inference", None) else res.df_resid)
        df = df if res.use_t else math.inf
    out = []
    for k, name in enumerate(names):
        est, s = float(params[k]), float(bse[k])
        out.append(_coef(name, est, s, df, confidence))
    return out


def _coef(name: str, est: float, s: float, df: float, confidence: float) -> Coefficient:
    from scipy import stats

    if not (math.isfinite(est) and math.isfinite(s) and s > 0):
        return Coefficient(name, est, s, math.nan, math.nan, math.nan, math.nan, df, confidence)
    crit = (
        float(stats.t.ppf(0.5 + confidence / 2, df))
        if math.isfinite(df)
        else float(stats.norm.ppf(0.5 + confidence / 2))
    )
    stat = est / s
    p = float(2 * (stats.t.sf(abs(stat), df) if math.isfinite(df) else stats.norm.sf(abs(stat))))
    return Coefficient(name, est, s, est - crit * s, est + crit * s, stat, p, df, confidence)


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
    confidence = check_confidence(confidence)
    ya = np.asarray(y, dtype=float)
    ta = np.asarray(t, dtype=float)
    if ya.ndim != 1 or ya.shape != ta.shape:
        raise ValueError(f"y and t must be one-dimensional and of equal length, but got {ya.shape} and {ta.shape}")
    n_all = ya.size
    if not 0 <= start_index <= n_all:
        raise ValueError(f"start_index must lie within the series (0-{n_all}), but got {start_index}")
    if family not in ("gaussian", "poisson"):
        raise ValueError(f"family must be 'gaussian' or 'poisson', but got {family!r}")
    if se not in ("hac", "model"):
        raise ValueError(f"se must be 'hac' or 'model', but got {se!r}")
    if exposure is not None and family != "poisson":
        raise ValueError("an exposure (denominator) is an offset of the Poisson model: use family='poisson'")
    ex = np.ones(n_all) if exposure is None else np.asarray(exposure, dtype=float)
    if ex.shape != ya.shape:
        raise ValueError(f"exposure must have one value per point, but got {ex.shape} for {ya.shape}")
    after_all = np.arange(n_all) >= start_index
    keep = np.isfinite(ya) & np.isfinite(ta) & np.isfinite(ex) & (ex > 0)
    if family == "poisson" and (ya[keep] < 0).any():
        raise ValueError("a Poisson model needs counts (non-negative values)")
    ya, ta, ex, after = ya[keep], ta[keep], ex[keep], after_all[keep]
    n_pre, n_post = int((~after).sum()), int(after.sum())
    start = int(n_pre)  # points are in time order, so the kept pre-start points come first
    shown = ya / ex if family == "poisson" else ya
    nan_c = [_nan_coef(k, confidence) for k in ("intercept", "pre_slope", "level_change", "slope_change")]
    if n_pre < MIN_POINTS_EACH_SIDE or n_post < MIN_POINTS_EACH_SIDE:
        side = "before" if n_pre < MIN_POINTS_EACH_SIDE else "after"
        got = n_pre if side == "before" else n_post
        return ItsResult(
            n_pre, n_post, n_all - int(keep.sum()), family, nan_c[0], nan_c[1], nan_c[2], nan_c[3],
            tuple(map(float, ta)), tuple(map(float, shown)),
            (), (), start, "not estimated", 0, confidence,
            f"fewer than {MIN_POINTS_EACH_SIDE} points {side} the start ({got})",
        )  # fmt: skip
    if np.any(np.diff(ta) <= 0):
        raise ValueError("t must increase from point to point")
    if family == "poisson" and (ya[~after].sum() == 0 or ya[after].sum() == 0):
        side = "before" if ya[~after].sum() == 0 else "after"
        return ItsResult(
            n_pre, n_post, n_all - int(keep.sum()), family, nan_c[0], nan_c[1], nan_c[2], nan_c[3],
            tuple(map(float, ta)), tuple(map(float, shown)),
            (), (), start, "not estimated", 0, confidence,
            f"no events counted {side} the start: a rate ratio cannot be estimated",
        )  # fmt: skip
    t0 = float(ta[start])
    n = ya.size
    cols = [np.ones(n), ta, after.astype(float)]
    if slope_change:
        cols.append((ta - t0) * after)
    for k in range(1, harmonics + 1):
        # tsModel::harmonic(x, nfreq, period): sin and cos of 2 pi k x / period
        cols += [np.sin(2 * np.pi * k * ta / season_length), np.cos(2 * np.pi * k * ta / season_length)]
    x = np.column_stack(cols)
    lags = int(maxlags) if maxlags is not None else math.floor(4 * (n / 100) ** (2 / 9))
    if lags < 0:
        raise ValueError(f"maxlags must not be negative, but got {lags}")
    sm = _statsmodels()
    offset = np.log(ex)
    if family == "gaussian":
        model = sm.OLS(ya, x)
        fit_kw: dict[str, Any] = {"use_t": True}
    else:
        model = sm.GLM(ya, x, family=sm.families.Poisson(), offset=offset)
        fit_kw = {}
    with _quiet_fit():
        if se == "hac":
            # Bartlett weights 1 - l/(L+1), no small-sample factor: R's
            # sandwich::NeweyWest(fit, lag = L, prewhite = FALSE, adjust = FALSE)
            res = model.fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": False}, **fit_kw)
            method = f"Newey-West HAC, {lags} lag{'s' if lags != 1 else ''}"
        else:
            # quasi-Poisson: the Pearson chi-square over residual df scales the variance, as R's quasipoisson
            res = model.fit(scale="X2") if family == "poisson" else model.fit()
            method = "quasi-Poisson (Pearson scale)" if family == "poisson" else "OLS model-based"
            lags = 0
    names = ["intercept", "pre_slope", "level_change"] + (["slope_change"] if slope_change else [])
    coefs = _coefficients(res, names, confidence)
    reason = None
    if _exact(res, ya):
        # nothing left over to estimate the noise from: the figures stand, their uncertainty does not
        reason = "the lines fit every point exactly: no standard errors"
        nan = math.nan
        coefs = [dataclasses.replace(c, se=nan, ci_low=nan, ci_high=nan, statistic=nan, p=nan) for c in coefs]
    if not slope_change:
        coefs.append(_nan_coef("slope_change", confidence))
    eta = x @ np.asarray(res.params)
    x_cf = x.copy()
    x_cf[:, 2] = 0.0
    if slope_change:
        x_cf[:, 3] = 0.0
    eta_cf = x_cf @ np.asarray(res.params)
    fitted, cf = (np.exp(eta), np.exp(eta_cf)) if family == "poisson" else (eta, eta_cf)
    return ItsResult(
        n_pre, n_post, n_all - int(keep.sum()), family, coefs[0], coefs[1], coefs[2], coefs[3],
        tuple(map(float, ta)), tuple(map(float, shown)),
        tuple(map(float, fitted)), tuple(map(float, cf)), start, method, lags, confidence, reason,
    )  # fmt: skip


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
    confidence = check_confidence(confidence)
    panel = _Panel.build(y, unit, period, starts)
    nan = math.nan
    notes: list[str] = []
    staggered = len({panel.start_of[u] for u in panel.treated_units}) > 1
    empty = DidResult(
        panel.n_obs, len(panel.units), len(panel.treated_units), len(panel.comparison_units), len(panel.periods),
        _nan_coef("att", confidence), (), nan, nan, nan, nan, staggered, "not estimated", confidence, (), None,
    )  # fmt: skip
    if not panel.treated_units:
        return dataclasses.replace(empty, reason="no treated unit")
    if not panel.comparison_units:
        return dataclasses.replace(empty, reason="no comparison units")
    rel = panel.relative
    has_pre = (rel[panel.treated_row] < 0).any()
    has_post = (rel[panel.treated_row] >= 0).any()
    if not (has_pre and has_post):
        return dataclasses.replace(empty, reason="the treated units have no values before or none after the start")
    g = len(panel.units)
    if g < 3:
        return dataclasses.replace(empty, reason="fewer than 3 units")
    if len(panel.treated_units) < 2 or len(panel.comparison_units) < 2:
        # Cluster-robust errors lean on many treated and comparison clusters (Conley & Taber 2011)
        notes.append("few treated or comparison units: the cluster-robust standard errors may be too small")
    if staggered:
        notes.append(
            "units start at different periods: two-way fixed effects mix already-treated units into the "
            "comparison; read the staggered estimator"
        )
    sm = _statsmodels()
    fe = panel.fixed_effects()
    d = (panel.treated_row & (rel >= 0)).astype(float)
    fit_kw = {"cov_type": "cluster", "cov_kwds": {"groups": panel.unit_code}, "use_t": True}
    with _quiet_fit():
        res = sm.OLS(panel.y, np.column_stack([d, fe])).fit(**fit_kw)
    if _exact(res, panel.y):
        return dataclasses.replace(empty, reason="the fixed effects fit every value exactly: no standard errors")
    df = float(g - 1)
    att = _coefficients(res, ["att"], confidence, df=df)[0]
    # Event study: one indicator per relative period of the treated units, -1 left out as reference
    ks = sorted({int(k) for k in rel[panel.treated_row]} - {-1})
    dummies = np.column_stack([(panel.treated_row & (rel == k)).astype(float) for k in ks])
    x = np.column_stack([dummies, fe])
    if np.linalg.matrix_rank(x) < x.shape[1]:
        return dataclasses.replace(empty, att=att, se_method=_CLUSTER, notes=tuple(notes),
                                   reason="the event study is not identified (too few comparison periods)")  # fmt: skip
    with _quiet_fit():
        ev = sm.OLS(panel.y, x).fit(**fit_kw)
    coefs = _coefficients(ev, [str(k) for k in ks], confidence, df=df)
    counts = {k: len({panel.unit_code[i] for i in np.flatnonzero(panel.treated_row & (rel == k))}) for k in [*ks, -1]}
    events = [EventPoint(k, c.estimate, c.se, c.ci_low, c.ci_high, counts[k]) for k, c in zip(ks, coefs, strict=True)]
    events.append(EventPoint(-1, 0.0, nan, nan, nan, counts[-1]))
    events.sort(key=lambda e: e.relative_period)
    leads = [j for j, k in enumerate(ks) if k < -1]
    stat = df1 = df2 = p = nan
    if leads:
        from scipy import stats

        b = np.asarray(ev.params, dtype=float)[leads]
        v = np.asarray(ev.cov_params(), dtype=float)[np.ix_(leads, leads)]
        w = float(b @ np.linalg.solve(v, b))
        df1, df2 = float(len(leads)), df
        stat = w / df1
        p = float(stats.f.sf(stat, df1, df2))
    return DidResult(
        panel.n_obs, g, len(panel.treated_units), len(panel.comparison_units), len(panel.periods), att,
        tuple(events), stat, df1, df2, p, staggered, _CLUSTER, confidence, tuple(notes), None,
    )  # fmt: skip


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
    confidence = check_confidence(confidence)
    panel = _Panel.build(y, unit, period, starts)
    nan = math.nan
    empty = StaggeredResult((), _nan_coef("att", confidence), (), "not estimated", confidence, (), None)
    if not panel.treated_units:
        return dataclasses.replace(empty, reason="no treated unit")
    periods = panel.periods
    pos = {p: i for i, p in enumerate(periods)}
    # wide matrix: units x periods (NaN where missing)
    wide = np.full((len(panel.units), len(periods)), nan)
    wide[panel.unit_code, [pos[p] for p in panel.period]] = panel.y
    n = len(panel.units)
    big = math.inf
    g_of = np.array([panel.start_of.get(u, big) for u in panel.units], dtype=float)
    groups = sorted({panel.start_of[u] for u in panel.treated_units})
    cells: list[GroupTimeAtt] = []
    infs: list[FloatArray] = []
    keys: list[tuple[int, int]] = []
    notes: list[str] = []
    for gr in groups:
        if gr not in pos or pos[gr] == 0:
            notes.append(f"group starting at {gr}: no period before its start in the data")
            continue
        for j in range(len(periods)):
            # post periods compare with the period before the start; pre periods with the period before
            # them (the "varying" base period of R's did::att_gt)
            base = pos[gr] - 1 if j >= pos[gr] else j - 1
            if base < 0:
                continue
            dy = wide[:, j] - wide[:, base]
            ok = np.isfinite(dy)
            treat = ok & (g_of == gr)
            latest = max(periods[j], periods[base])
            ctrl = ok & (g_of > latest) & (g_of != gr)  # never treated or not yet treated at t
            n1, n0 = int(treat.sum()), int(ctrl.sum())
            if n1 == 0 or n0 == 0:
                continue
            m1, m0 = float(dy[treat].mean()), float(dy[ctrl].mean())
            psi = np.zeros(n)
            psi[treat] = n / n1 * (dy[treat] - m1)
            psi[ctrl] = -n / n0 * (dy[ctrl] - m0)
            est = m1 - m0
            se_ = float(math.sqrt(float(psi @ psi)) / n)
            c = _coef("att", est, se_, math.inf, confidence)
            cells.append(GroupTimeAtt(int(gr), int(periods[j]), est, se_, c.ci_low, c.ci_high, n1, n0))
            infs.append(psi)
            keys.append((int(gr), j - pos[gr]))
    if not cells:
        return dataclasses.replace(
            empty, notes=tuple(notes), reason="no group has both a period before its start and controls"
        )
    inf = np.column_stack(infs)
    att = np.array([c.estimate for c in cells])
    pg = {gr: float(np.mean(g_of == gr)) for gr in groups}

    def aggregate(which: list[int], name: str) -> Coefficient:
        # Callaway & Sant'Anna's aggregation with the influence function of the estimated group
        # shares (did:::wif), so the error reflects that the weights are estimated too.
        w = np.array([pg[keys[k][0]] for k in which])
        sw = float(w.sum())
        indic = np.column_stack([(g_of == keys[k][0]).astype(float) for k in which])
        if1 = (indic - w) / sw
        if2 = np.outer((indic - w).sum(axis=1), w / sw**2)
        psi = inf[:, which] @ (w / sw) + (if1 - if2) @ att[which]
        est = float(att[which] @ (w / sw))
        return _coef(name, est, float(math.sqrt(float(np.mean(psi**2)) / n)), math.inf, confidence)

    post = [k for k, (gr, e) in enumerate(keys) if e >= 0]
    overall = aggregate(post, "att") if post else _nan_coef("att", confidence)
    events: list[EventPoint] = []
    for e in sorted({e for _, e in keys}):
        which = [k for k, key in enumerate(keys) if key[1] == e]
        c = aggregate(which, str(e))
        events.append(EventPoint(e, c.estimate, c.se, c.ci_low, c.ci_high, sum(cells[k].n_treated for k in which)))
    if not any(u not in panel.start_of for u in panel.units):
        notes.append("no never-treated units: the latest-starting group serves only as a control before it starts")
    return StaggeredResult(
        tuple(cells), overall, tuple(events),
        "influence function (analytical, pointwise), as R did::att_gt(bstrap = FALSE)", confidence,
        tuple(notes), None if post else "no period after a start has controls",
    )  # fmt: skip


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
    confidence = check_confidence(confidence)
    x = np.asarray(pre, dtype=float)
    yv = np.asarray(post, dtype=float)
    if x.ndim != 1 or x.shape != yv.shape:
        raise ValueError(f"pre and post must be one-dimensional and of equal length, but got {x.shape} and {yv.shape}")
    if not 0 <= treated_index < x.size:
        raise ValueError(f"treated_index must lie within the units (0-{x.size - 1}), but got {treated_index}")
    z = np.zeros(x.size)
    z[treated_index] = 1.0
    tp, tq = float(x[treated_index]), float(yv[treated_index])
    ok = np.isfinite(x) & np.isfinite(yv)
    n_comp = int((ok & (z == 0)).sum())
    nan_c = [_nan_coef(k, confidence) for k in ("intercept", "slope", "displacement")]
    if not (math.isfinite(tp) and math.isfinite(tq)):
        return RpdResult(
            n_comp,
            nan_c[0],
            nan_c[1],
            nan_c[2],
            tp,
            tq,
            math.nan,
            confidence,
            "the treated unit has no value before or after",
        )
    if n_comp < 5:
        return RpdResult(
            n_comp,
            nan_c[0],
            nan_c[1],
            nan_c[2],
            tp,
            tq,
            math.nan,
            confidence,
            f"fewer than 5 comparison units ({n_comp})",
        )
    if float(np.ptp(x[ok & (z == 0)])) == 0.0:
        return RpdResult(
            n_comp,
            nan_c[0],
            nan_c[1],
            nan_c[2],
            tp,
            tq,
            math.nan,
            confidence,
            "the comparison units' pre values do not vary",
        )
    sm = _statsmodels()
    with _quiet_fit():
        res = sm.OLS(yv[ok], np.column_stack([np.ones(int(ok.sum())), x[ok], z[ok]])).fit()
    if _exact(res, yv[ok]):
        return RpdResult(n_comp, nan_c[0], nan_c[1], nan_c[2], tp, tq, math.nan, confidence,
                         "the comparison units lie exactly on a line: no standard errors")  # fmt: skip
    b0, b1, b2 = _coefficients(res, ["intercept", "slope", "displacement"], confidence)
    return RpdResult(n_comp, b0, b1, b2, tp, tq, b0.estimate + b1.estimate * tp, confidence, None)
