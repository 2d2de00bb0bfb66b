"""Meta-analysis of effect sizes across interventions (metafor conventions).

Inputs are the per-study effect sizes ``yi`` and sampling variances ``vi``
(e.g. from :func:`~kirkpatrick.stats.standardized_mean_change`). Results follow
metafor's ``rma.uni``/``predict`` definitions so they can be checked against R.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._ci import FloatArray, check_confidence, z_crit
from .results import Result

__all__ = [
    "MetaResult",
    "SubgroupResult",
    "composite",
    "fixed_effect",
    "random_effects",
    "subgroups",
]

Method = Literal["REML", "DL", "PM"]
_TOL = 1e-10  # tighter than metafor's 1e-5 so results sit at the exact optimum
_MAXITER = 200


@dataclasses.dataclass(frozen=True)
class MetaResult(Result):
    """Result of :func:`fixed_effect` / :func:`random_effects`.

    Attributes
    ----------
    method : str
        ``"FE"``, ``"REML"``, ``"DL"`` or ``"PM"``.
    k : int
        Studies used.
    n_dropped : int
        Studies dropped for a missing yi or vi.
    estimate, se, ci_low, ci_high : float
        Pooled estimate, its standard error and confidence interval.
    statistic_name : str
        ``"z"`` (normal) or ``"t"`` (Knapp-Hartung).
    statistic, df, p : float
        Test of estimate = 0; ``df`` is k - 1 for t and NaN for z.
    tau2, tau : float
        Between-study variance (truncated at 0; 0 for FE) and its root.
    I2 : float
        Percent of total variability due to heterogeneity.
    H2 : float
        Total over sampling variability.
    Q, Q_df, Q_p : float
        Cochran's Q (fixed-effect weights), k - 1, chi-square p.
    pi_low, pi_high : float
        Prediction interval for the true effect in a new study (see
        :func:`random_effects`); NaN for k < 3 random-effects fits.
    pi_method : str
        How the prediction interval was obtained, or why there is none.
    knha : bool
        Whether the Knapp-Hartung adjustment was applied.
    iterations : int
        Fisher-scoring iterations (REML), else 0.
    confidence : float
    reason : str or None
    """

    method: str
    k: int
    n_dropped: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic_name: str
    statistic: float
    df: float
    p: float
    tau2: float
    tau: float
    I2: float
    H2: float
    Q: float
    Q_df: float
    Q_p: float
    pi_low: float
    pi_high: float
    pi_method: str
    knha: bool
    iterations: int
    confidence: float
    reason: str | None


PI_T = "t with k - 2 df: estimate -/+ t sqrt(se^2 + tau2) (Higgins, Thompson & Spiegelhalter 2009)"
PI_NONE = "not estimable: a prediction interval needs k >= 3 studies"
PI_FE = "fixed effect: equals the confidence interval"
PI_SINGLE = "not estimable: single study"


def _zero_residual(res: FloatArray, y: FloatArray) -> bool:
    """Whether residuals are zero to rounding: every |residual| <= 1e-12 of the largest |y|."""
    return bool(np.all(np.abs(res) <= 1e-12 * max(float(np.max(np.abs(y))), 1e-300)))


def _clean(yi: ArrayLike, vi: ArrayLike) -> tuple[FloatArray, FloatArray, int, NDArray[np.bool_]]:
    y = np.asarray(yi, dtype=float).ravel()
    v = np.asarray(vi, dtype=float).ravel()
    if y.shape != v.shape:
        raise ValueError(f"yi and vi must have the same length, but got {y.size!r} and {v.size!r}")
    ok = np.isfinite(y) & np.isfinite(v)
    if np.any(v[ok] <= 0):
        raise ValueError(f"vi must be positive, but got {v[ok][v[ok] <= 0][0]!r}")
    return y[ok], v[ok], int((~ok).sum()), ok


def _nan_meta(method: str, k: int, dropped: int, knha: bool, confidence: float, reason: str) -> MetaResult:
    nan = math.nan
    return MetaResult(
        method,
        k,
        dropped,
        nan,
        nan,
        nan,
        nan,
        "t" if knha else "z",
        nan,
        nan,
        nan,
        nan,
        nan,
        nan,
        nan,
        nan,
        nan,
        nan,
        nan,
        nan,
        PI_NONE,
        knha,
        0,
        confidence,
        reason,
    )


# -- tau2 estimators (general design matrix X; intercept-only is X = 1) ------


def _wls(
    y: FloatArray, v: FloatArray, X: FloatArray, tau2: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    w = 1.0 / (v + tau2)
    A = X.T @ (w[:, None] * X)
    Ainv = np.asarray(np.linalg.inv(A), dtype=np.float64)
    b = Ainv @ (X.T @ (w * y))
    res = y - X @ b
    return w, Ainv, b, res


def _trace_p(w: FloatArray, X: FloatArray, Ainv: FloatArray) -> tuple[float, float]:
    """tr(P) and tr(PP) for P = W - W X (X'WX)^-1 X'W, in O(k p^2)."""
    B2 = X.T @ ((w**2)[:, None] * X)
    B3 = X.T @ ((w**3)[:, None] * X)
    AB2 = Ainv @ B2
    tr_p = float(w.sum() - np.trace(AB2))
    tr_pp = float((w**2).sum() - 2.0 * np.trace(Ainv @ B3) + np.trace(AB2 @ AB2))
    return tr_p, tr_pp


def _tau2_reml(y: FloatArray, v: FloatArray, X: FloatArray) -> tuple[float, int]:
    """REML tau2 by Fisher scoring, as metafor's ``rma.uni`` (Viechtbauer 2005).

    Update: tau2 += (y'PPy - tr(P)) / tr(PP). A step that would go below zero
    ends at exactly 0 when the REML score at 0 is not positive (the maximum is
    on the boundary); otherwise it is halved. Iteration stops on a relative
    change below 1e-10, so a small positive tau2 is as accurate as a large one
    (metafor stops on an absolute change and can leave a residue such as 4e-12
    where the answer is 0).
    """
    tau2 = max(0.0, _tau2_dl(y, v, X))
    for it in range(1, _MAXITER + 1):
        w, Ainv, _, res = _wls(y, v, X, tau2)
        tr_p, tr_pp = _trace_p(w, X, Ainv)
        adj = (float(np.sum((w * res) ** 2)) - tr_p) / tr_pp
        if tau2 + adj <= 0 and _reml_score(y, v, X, 0.0) <= 0:
            return 0.0, it
        while tau2 + adj < 0:
            adj /= 2.0
        tau2_new = tau2 + adj
        if abs(tau2_new - tau2) <= _TOL * tau2_new:
            return tau2_new, it
        tau2 = tau2_new
    # Fisher scoring can oscillate (metafor then stops with "did not
    # converge"); fall back to solving the REML score equation directly.
    return _reml_score_root(y, v, X), _MAXITER


def _reml_score(y: FloatArray, v: FloatArray, X: FloatArray, tau2: float) -> float:
    """REML score y'PPy - tr(P) at tau2 (up to a positive factor; Viechtbauer 2005)."""
    w, Ainv, _, res = _wls(y, v, X, tau2)
    tr_p, _ = _trace_p(w, X, Ainv)
    return float(np.sum((w * res) ** 2)) - tr_p


def _reml_score_root(y: FloatArray, v: FloatArray, X: FloatArray) -> float:
    """Root of the REML score y'PPy - tr(P) = 0 in tau2 (Viechtbauer 2005), or 0 at the boundary."""
    from scipy import optimize

    def score(t2: float) -> float:
        return _reml_score(y, v, X, t2)

    if score(0.0) <= 0:
        return 0.0
    hi = max(1.0, float(np.var(y)), float(np.max(v)))
    for _ in range(60):
        if score(hi) < 0:
            return float(optimize.brentq(score, 0.0, hi, xtol=1e-300, rtol=1e-12))
        hi *= 4.0
    return math.nan


def _tau2_dl(y: FloatArray, v: FloatArray, X: FloatArray) -> float:
    """DerSimonian-Laird: max(0, (Q_E - (k - p)) / tr(P_FE)) (DerSimonian & Laird 1986)."""
    w, Ainv, _, res = _wls(y, v, X, 0.0)
    q = float(np.sum(w * res**2))
    tr_p, _ = _trace_p(w, X, Ainv)
    return max(0.0, float((q - (y.size - X.shape[1])) / tr_p))


def _tau2_pm(y: FloatArray, v: FloatArray, X: FloatArray) -> float:
    """Paule-Mandel: tau2 solving Q(tau2) = k - p by root finding (Paule & Mandel 1982)."""
    from scipy import optimize

    target = float(y.size - X.shape[1])

    def f(t2: float) -> float:
        w, _, _, res = _wls(y, v, X, t2)
        return float(np.sum(w * res**2)) - target

    if f(0.0) <= 0:
        return 0.0
    hi = max(1.0, float(np.var(y)) * 10.0)
    while f(hi) > 0:
        hi *= 10.0
    return float(optimize.brentq(f, 0.0, hi, xtol=1e-12, rtol=1e-12))


def _i2_h2(tau2: float, v: FloatArray, X: FloatArray) -> tuple[float, float]:
    """I2 and H2 from tau2 and the 'typical' within-study variance (Higgins & Thompson 2002).

    s2 = (k - p) / tr(P_FE), which reduces to (k-1) sum(w) / (sum(w)^2 - sum(w^2))
    for the intercept-only model (metafor's definition).
    """
    w = 1.0 / v
    Ainv = np.asarray(np.linalg.inv(X.T @ (w[:, None] * X)), dtype=np.float64)
    tr_p, _ = _trace_p(w, X, Ainv)
    s2 = (v.size - X.shape[1]) / tr_p
    return 100.0 * tau2 / (tau2 + s2), (tau2 + s2) / s2


def _fit(y: FloatArray, v: FloatArray, dropped: int, method: str, knha: bool, confidence: float) -> MetaResult:
    from scipy import special

    k = y.size
    if k < 2:
        return _nan_meta(method, k, dropped, knha, confidence, f"not estimable: fewer than 2 studies (k = {k})")
    X = np.ones((k, 1))
    w_fe = 1.0 / v
    mu_fe = float(np.sum(w_fe * y) / np.sum(w_fe))
    Q = float(np.sum(w_fe * (y - mu_fe) ** 2))
    q_df = float(k - 1)
    q_p = float(special.chdtrc(q_df, Q))
    iterations = 0
    if method == "FE":
        tau2 = 0.0
    elif method == "REML":
        tau2, iterations = _tau2_reml(y, v, X)
    elif method == "DL":
        tau2 = _tau2_dl(y, v, X)
    else:
        tau2 = _tau2_pm(y, v, X)
    if not math.isfinite(tau2):
        return _nan_meta(method, k, dropped, knha, confidence, "not estimable: REML did not converge")
    w = 1.0 / (v + tau2)
    sw = float(w.sum())
    est = float(np.sum(w * y) / sw)
    reason = None
    if knha:
        # Knapp & Hartung (2003): scale the variance by the weighted residual
        # mean square (no truncation at 1, as metafor's test="knha"); residuals
        # that are zero to rounding count as zero (then se = 0 and |t| = inf).
        res = y - est
        s2 = 0.0 if _zero_residual(res, y) else float(np.sum(w * res**2)) / (k - 1)
        se = math.sqrt(s2 / sw)
        df = float(k - 1)
        crit = float(special.stdtrit(df, 0.5 + confidence / 2.0))
        name = "t"
        if se > 0:
            stat = est / se
            p = float(2.0 * special.stdtr(df, -abs(stat)))
        elif est != 0:
            stat, p = math.copysign(math.inf, est), 0.0
        else:
            stat, p = math.nan, math.nan
            reason = "t undefined: every study estimates exactly 0 (zero residual, zero estimate)"
    else:
        se = math.sqrt(1.0 / sw)
        df = math.nan
        crit = z_crit(confidence)
        stat = est / se
        p = float(2.0 * special.ndtr(-abs(stat)))
        name = "z"
    if method == "FE":
        i2 = max(0.0, 100.0 * (Q - q_df) / Q) if Q > 0 else 0.0
        h2 = Q / q_df
    else:
        i2, h2 = _i2_h2(tau2, v, X)
    if method == "FE":
        pi_low, pi_high, pi_method = est - crit * se, est + crit * se, PI_FE
    elif k >= 3:
        # Higgins, Thompson & Spiegelhalter (2009, eq. 12); IntHout et al. (2016): t with k - 2 df
        half_pi = float(special.stdtrit(k - 2, 0.5 + confidence / 2.0)) * math.sqrt(se**2 + tau2)
        pi_low, pi_high, pi_method = est - half_pi, est + half_pi, PI_T
    else:
        pi_low, pi_high, pi_method = math.nan, math.nan, PI_NONE
    return MetaResult(
        method,
        k,
        dropped,
        est,
        se,
        est - crit * se,
        est + crit * se,
        name,
        stat,
        df,
        p,
        tau2,
        math.sqrt(tau2),
        i2,
        h2,
        Q,
        q_df,
        q_p,
        pi_low,
        pi_high,
        pi_method,
        knha,
        iterations,
        confidence,
        reason,
    )


def fixed_effect(yi: ArrayLike, vi: ArrayLike, *, confidence: float = 0.95) -> MetaResult:
    """Fixed-effect (common-effect) inverse-variance meta-analysis.

    Parameters
    ----------
    yi : array_like
        Per-study effect sizes.
    vi : array_like
        Their sampling variances (> 0). Studies with NaN yi or vi are dropped.
    confidence : float, default 0.95

    Returns
    -------
    MetaResult
        method="FE", tau2 = 0, I2 = max(0, (Q - df)/Q) * 100, H2 = Q/df; the
        prediction interval equals the confidence interval. Other fields as
        documented on :class:`MetaResult`.

    Notes
    -----
    estimate = sum(w y)/sum(w), w = 1/v, se = 1/sqrt(sum(w)); Q = sum(w (y -
    estimate)^2) on k - 1 df (Borenstein et al. 2009, ch. 11 and 16).

    References
    ----------
    Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R.
    (2009). Introduction to Meta-Analysis. Wiley.
    """
    confidence = check_confidence(confidence)
    y, v, dropped, _ = _clean(yi, vi)
    return _fit(y, v, dropped, "FE", False, confidence)


def random_effects(
    yi: ArrayLike, vi: ArrayLike, method: Method = "REML", knha: bool = False, *, confidence: float = 0.95
) -> MetaResult:
    """Random-effects meta-analysis (metafor ``rma(yi, vi, method=...)``).

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances (> 0); NaN studies dropped.
    method : {"REML", "DL", "PM"}, default "REML"
        tau2 estimator: restricted maximum likelihood by Fisher scoring
        (Viechtbauer 2005; if scoring oscillates, the root of the REML score
        equation by ``brentq``), DerSimonian-Laird (closed form), Paule-Mandel
        (root of the generalized Q equation, ``scipy.optimize.brentq``).
    knha : bool, default False
        Knapp & Hartung (2003) adjustment: t test and CI with k - 1 df and
        variance scaled by the weighted residual mean square.
    confidence : float, default 0.95

    Returns
    -------
    MetaResult
        See :class:`MetaResult` for every field.

    Notes
    -----
    w = 1/(v + tau2); estimate = sum(w y)/sum(w); se = 1/sqrt(sum(w)).
    I2 = 100 tau2/(tau2 + s2), H2 = (tau2 + s2)/s2 with the typical sampling
    variance s2 = (k-1) sum(1/v) / ((sum 1/v)^2 - sum(1/v^2)) (Higgins &
    Thompson 2002; metafor). Q uses fixed-effect weights. tau2 is never
    negative.

    Prediction interval: estimate -/+ t_{k-2}(1 - alpha/2) sqrt(se^2 + tau2),
    the t quantile with k - 2 degrees of freedom (Higgins, Thompson &
    Spiegelhalter 2009, eq. 12; IntHout et al. 2016), with se the (Knapp-Hartung
    when ``knha``) standard error; none (NaN, ``pi_method`` says why) for
    k < 3. This deliberately differs from metafor's ``predict.rma``, which uses
    the normal quantile (t with k - 1 df under Knapp-Hartung) and so
    undercovers with few studies.

    Knapp-Hartung with residuals zero to rounding (every study estimates the
    same value): se = 0, t = +/-inf and p = 0, as metafor.

    References
    ----------
    Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance
    estimators in the random-effects model. JEBS, 30, 261-293.
    Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor
    package. Journal of Statistical Software, 36(3), 1-48.
    DerSimonian, R., & Laird, N. (1986). Controlled Clinical Trials, 7, 177-188.
    Paule, R. C., & Mandel, J. (1982). J. Res. Natl. Bur. Stand., 87, 377-385.
    Knapp, G., & Hartung, J. (2003). Statistics in Medicine, 22, 2693-2710.
    Higgins, J. P. T., & Thompson, S. G. (2002). Statistics in Medicine, 21,
    1539-1558.
    Higgins, J. P. T., Thompson, S. G., & Spiegelhalter, D. J. (2009). A
    re-evaluation of random-effects meta-analysis. JRSS A, 172, 137-159.
    IntHout, J., Ioannidis, J. P. A., Rovers, M. M., & Goeman, J. J. (2016).
    Plea for routinely presenting prediction intervals in meta-analysis. BMJ
    Open, 6, e010247.
    """
    confidence = check_confidence(confidence)
    if method not in ("REML", "DL", "PM"):
        raise ValueError(f"method must be 'REML', 'DL' or 'PM', but got {method!r}")
    y, v, dropped, _ = _clean(yi, vi)
    return _fit(y, v, dropped, method, bool(knha), confidence)


# -- subgroups ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SubgroupResult(Result):
    """Result of :func:`subgroups`.

    Attributes
    ----------
    groups : dict[str, MetaResult]
        Per label, a REML random-effects fit; a label with one study has
        method ``"single study"``: its own yi with the CI yi -/+ z sqrt(vi),
        tau2 NaN, and a reason.
    Q_between, Q_between_df, Q_between_p : float
        Test that the subgroup means are equal (see Notes).
    confidence : float
    reason : str or None
    """

    groups: dict[str, MetaResult]
    Q_between: float
    Q_between_df: float
    Q_between_p: float
    confidence: float
    reason: str | None


def _single_study(y: float, v: float, dropped: int, confidence: float) -> MetaResult:
    from scipy import special

    se = math.sqrt(v)
    z = z_crit(confidence)
    nan = math.nan
    return MetaResult(
        "single study",
        1,
        dropped,
        y,
        se,
        y - z * se,
        y + z * se,
        "z",
        y / se,
        nan,
        float(2.0 * special.ndtr(-abs(y / se))),
        nan,
        nan,
        nan,
        nan,
        nan,
        nan,
        nan,
        nan,
        nan,
        PI_SINGLE,
        False,
        0,
        confidence,
        "single study: heterogeneity not estimable",
    )


def subgroups(yi: ArrayLike, vi: ArrayLike, labels: Sequence[object], *, confidence: float = 0.95) -> SubgroupResult:
    """Subgroup meta-analysis with a test of differences between subgroups.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances.
    labels : sequence
        Group label per study (converted with ``str``).
    confidence : float, default 0.95

    Returns
    -------
    SubgroupResult
        groups, Q_between, Q_between_df, Q_between_p, confidence, reason.

    Notes
    -----
    Separate tau2 per subgroup (Borenstein et al. 2009, ch. 19, "separate
    estimates of tau2"): each subgroup is fitted by REML, then
    Q_between = sum_g (M_g - M)^2 / SE_g^2 with M the inverse-variance mean of
    the subgroup estimates M_g, on G - 1 df: a fixed-effect meta-analysis of
    the subgroup estimates (metafor: ``rma(est, sei=se, method="FE")$QE``).
    This differs from metafor's ``rma(yi, vi, mods = ~ factor(g))`` QM, which
    assumes one tau2 common to all subgroups.

    References
    ----------
    Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R.
    (2009). Introduction to Meta-Analysis. Wiley. Chapter 19.
    """
    from scipy import special

    confidence = check_confidence(confidence)
    y_all = np.asarray(yi, dtype=float).ravel()
    lab = [str(x) for x in labels]
    if len(lab) != y_all.size:
        raise ValueError(f"labels must have one entry per study ({y_all.size}), but got {len(lab)!r}")
    y, v, _, ok = _clean(yi, vi)
    lab_ok = [lb for lb, keep in zip(lab, ok, strict=True) if keep]
    dropped_by = {lb: 0 for lb in dict.fromkeys(lab)}
    for lb, keep in zip(lab, ok, strict=True):
        if not keep:
            dropped_by[lb] += 1
    groups: dict[str, MetaResult] = {}
    for lb in dropped_by:
        sel = np.array([x == lb for x in lab_ok], dtype=bool)
        if sel.sum() == 1:
            groups[lb] = _single_study(float(y[sel][0]), float(v[sel][0]), dropped_by[lb], confidence)
        else:
            groups[lb] = _fit(y[sel], v[sel], dropped_by[lb], "REML", False, confidence)
    usable = [g for g in groups.values() if math.isfinite(g.estimate) and g.se > 0]
    nan = math.nan
    if len(usable) < 2:
        return SubgroupResult(groups, nan, nan, nan, confidence, "not estimable: only one group")
    est = np.array([g.estimate for g in usable])
    w = 1.0 / np.array([g.se for g in usable]) ** 2
    m = float(np.sum(w * est) / np.sum(w))
    qb = float(np.sum(w * (est - m) ** 2))
    dfb = float(len(usable) - 1)
    return SubgroupResult(groups, qb, dfb, float(special.chdtrc(dfb, qb)), confidence, None)


def composite(yi: ArrayLike, vi: ArrayLike, *, r: float = 1.0) -> tuple[float, float]:
    """Mean of several effects measured on one sample, and its sampling variance.

    Parameters
    ----------
    yi, vi : array_like
        The outcomes' effect sizes and sampling variances.
    r : float, default 1.0
        Assumed correlation between every pair of outcomes. Their correlations are rarely
        known; ``r = 1`` gives the widest, conservative variance.

    Returns
    -------
    (mean, variance) : tuple of float
        NaN, NaN for no outcomes.

    Notes
    -----
    var(mean) = (1/m)^2 (sum_i v_i + sum_{i != j} r sqrt(v_i v_j)) (Borenstein et al. 2009,
    eq. 24.6); with r = 1 this is (mean of sqrt(v_i))^2. Pooling the composite keeps several
    measures of one intervention from counting as independent studies.

    References
    ----------
    Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R. (2009). Introduction to
    meta-analysis, ch. 24. Wiley.
    """
    y = np.asarray(yi, dtype=float).ravel()
    v = np.asarray(vi, dtype=float).ravel()
    if y.shape != v.shape:
        raise ValueError(f"yi and vi must have the same length, but got {y.size!r} and {v.size!r}")
    if not -1.0 <= r <= 1.0:
        raise ValueError(f"r must be between -1 and 1, but got {r!r}")
    m = y.size
    if m == 0:
        return math.nan, math.nan
    s = np.sqrt(v)
    total = float((s.sum() ** 2 - (s**2).sum()) * r + v.sum())
    return float(y.mean()), total / m**2
