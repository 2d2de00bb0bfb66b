"""Mixed-effects meta-regression (metafor ``rma(yi, vi, mods = X)``)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._ci import check_confidence, z_crit
from .meta import _i2_h2, _tau2_reml, _wls, _zero_residual
from .results import Result

__all__ = ["MetaRegressionResult", "meta_regression"]


@dataclasses.dataclass(frozen=True)
class MetaRegressionResult(Result):
    """Result of :func:`meta_regression`.

    Attributes
    ----------
    k : int
        Studies used.
    n_dropped : int
        Studies dropped for missing yi, vi or moderator values.
    names : list[str]
        ``"intercept"`` then the moderator names.
    coef, se, ci_low, ci_high, statistic, p : list[float]
        Per coefficient: estimate, SE, CI, z (or t under Knapp-Hartung), p.
    statistic_name : str
        ``"z"`` or ``"t"``.
    df : float
        k - p for t, NaN for z.
    tau2 : float
        Residual between-study variance (REML, >= 0).
    I2, H2 : float
        Residual heterogeneity measures (metafor's mixed-model definitions).
    R2 : float
        Percent of tau2 accounted for: max(0, 100 (tau2_RE - tau2)/tau2_RE).
    QM, QM_df, QM_p : float
        Omnibus test of all moderators (chi-square; F with (m, k - p) df
        under Knapp-Hartung, then QM is the F value).
    QE, QE_df, QE_p : float
        Residual heterogeneity test on k - p df.
    knha : bool
    iterations : int
    confidence : float
    reason : str or None
    """

    k: int
    n_dropped: int
    names: list[str]
    coef: list[float]
    se: list[float]
    ci_low: list[float]
    ci_high: list[float]
    statistic_name: str
    statistic: list[float]
    df: float
    p: list[float]
    tau2: float
    I2: float
    H2: float
    R2: float
    QM: float
    QM_df: float
    QM_p: float
    QE: float
    QE_df: float
    QE_p: float
    knha: bool
    iterations: int
    confidence: float
    reason: str | None


def meta_regression(
    yi: ArrayLike,
    vi: ArrayLike,
    X: ArrayLike,
    *,
    names: Sequence[str] | None = None,
    knha: bool = False,
    confidence: float = 0.95,
) -> MetaRegressionResult:
    """Mixed-effects meta-regression with REML tau2 (metafor ``rma(yi, vi, mods=X)``).

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Effect sizes and sampling variances.
    X : array_like, shape (k, m) or (k,)
        Moderators, without the intercept column (added here).
    names : sequence of str, optional
        Moderator names; default ``x1 ... xm``.
    knha : bool, default False
        Knapp-Hartung adjustment (t and F tests with k - p df).
    confidence : float, default 0.95

    Returns
    -------
    MetaRegressionResult
        k, n_dropped, names, coef, se, ci_low, ci_high, statistic_name,
        statistic, df, p, tau2, I2, H2, R2, QM, QM_df, QM_p, QE, QE_df, QE_p,
        knha, iterations, confidence, reason.

    Notes
    -----
    b = (X'WX)^-1 X'Wy with W = diag(1/(v + tau2)), Var(b) = (X'WX)^-1; tau2
    by REML Fisher scoring (Viechtbauer 2005). QM = b_m' Var(b_m)^-1 b_m on m
    df; QE = sum((y - X b_FE)^2 / v) on k - p df (Viechtbauer 2010). I2 and H2
    use s2 = (k - p)/tr(P_FE) as metafor. R2 = max(0, 100 (tau2_0 - tau2) /
    tau2_0) compares with the REML tau2_0 of the intercept-only model
    (Raudenbush 2009); R2 = 0 when tau2_0 = 0. REML stops on a relative
    change and returns exactly 0 on the boundary, so R2 is never a ratio of
    two convergence residues (metafor reports 100 % when both are ~1e-12).
    Knapp-Hartung with residuals zero to rounding: se = 0, |t| = inf, p = 0. Not estimable (NaN, reason set)
    when k <= p + 1 or X (with intercept) is rank-deficient.

    References
    ----------
    Viechtbauer, W. (2010). Journal of Statistical Software, 36(3).
    Knapp, G., & Hartung, J. (2003). Statistics in Medicine, 22, 2693-2710.
    Raudenbush, S. W. (2009). Analyzing effect sizes: random-effects models.
    In The Handbook of Research Synthesis and Meta-Analysis (2nd ed.).
    """
    from scipy import special

    confidence = check_confidence(confidence)
    y_raw = np.asarray(yi, dtype=float).ravel()
    v_raw = np.asarray(vi, dtype=float).ravel()
    M = np.asarray(X, dtype=float)
    if M.ndim == 1:
        M = M[:, None]
    if M.ndim != 2 or M.shape[0] != y_raw.size or v_raw.size != y_raw.size:
        raise ValueError(
            f"yi, vi and the rows of X must have the same length, but got {y_raw.size!r}, {v_raw.size!r}, {M.shape!r}"
        )
    m = M.shape[1]
    mod_names = [f"x{i + 1}" for i in range(m)] if names is None else [str(s) for s in names]
    if len(mod_names) != m:
        raise ValueError(f"names must have {m} entries, but got {len(mod_names)!r}")
    all_names = ["intercept", *mod_names]
    ok = np.isfinite(y_raw) & np.isfinite(v_raw) & np.all(np.isfinite(M), axis=1)
    if np.any(v_raw[ok] <= 0):
        raise ValueError(f"vi must be positive, but got {v_raw[ok][v_raw[ok] <= 0][0]!r}")
    y, v = y_raw[ok], v_raw[ok]
    Xd = np.column_stack([np.ones(int(ok.sum())), M[ok]])
    k, p = Xd.shape
    dropped = int((~ok).sum())
    nan = math.nan

    def not_estimable(reason: str) -> MetaRegressionResult:
        nanl = [nan] * p
        return MetaRegressionResult(
            k,
            dropped,
            all_names,
            nanl,
            nanl,
            nanl,
            nanl,
            "t" if knha else "z",
            nanl,
            nan,
            nanl,
            nan,
            nan,
            nan,
            nan,
            nan,
            float(m),
            nan,
            nan,
            float(k - p),
            nan,
            bool(knha),
            0,
            confidence,
            reason,
        )

    if k <= p + 1:
        return not_estimable(f"not estimable: k = {k} studies for {p} coefficients (need k > p + 1)")
    # Scale columns before the rank check so moderators in large units (years) do not mask collinearity.
    col_scale = np.max(np.abs(Xd), axis=0)
    col_scale[col_scale == 0] = 1.0
    if np.linalg.matrix_rank(Xd / col_scale) < p:
        return not_estimable("not estimable: moderators are collinear (X is rank-deficient)")

    tau2, iterations = _tau2_reml(y, v, Xd)
    if not math.isfinite(tau2):
        return not_estimable("not estimable: REML did not converge")
    w, Ainv, b, res = _wls(y, v, Xd, tau2)
    df = float(k - p)
    if knha:
        s2 = 0.0 if _zero_residual(res, y) else float(np.sum(w * res**2)) / df
        vb = s2 * Ainv
        crit = float(special.stdtrit(df, 0.5 + confidence / 2.0))
    else:
        vb = Ainv
        crit = z_crit(confidence)
    se = np.sqrt(np.diag(vb))
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = b / se
    pv = 2.0 * special.stdtr(df, -np.abs(stat)) if knha else 2.0 * special.ndtr(-np.abs(stat))
    bm = b[1:]
    reason = None
    if np.any(np.isnan(stat)):
        reason = "t undefined for a coefficient that is exactly 0 with zero residuals"
    # Knapp-Hartung with zero residuals (se = 0): every nonzero coefficient is infinitely significant
    zero_se_qm = math.inf if np.any(bm != 0) else math.nan
    qm = float(bm @ np.linalg.solve(vb[1:, 1:], bm)) if np.all(se > 0) else zero_se_qm
    if knha:
        qm = qm / m
        qm_p = float(special.fdtrc(m, df, qm))
    else:
        qm_p = float(special.chdtrc(m, qm))
    w_fe, _, _, res_fe = _wls(y, v, Xd, 0.0)
    qe = float(np.sum(w_fe * res_fe**2))
    qe_p = float(special.chdtrc(df, qe))
    i2, h2 = _i2_h2(tau2, v, Xd)
    tau2_re, _ = _tau2_reml(y, v, np.ones((k, 1)))
    # R2 = 0 when the intercept-only tau2 is 0 (nothing to explain); REML gives exactly 0 there
    r2 = max(0.0, 100.0 * (tau2_re - tau2) / tau2_re) if tau2_re > 0 else 0.0
    if reason is None and not math.isfinite(qm):
        reason = "QM undefined: zero residuals and zero moderator coefficients" if math.isnan(qm) else None
    return MetaRegressionResult(
        k,
        dropped,
        all_names,
        b.tolist(),
        se.tolist(),
        (b - crit * se).tolist(),
        (b + crit * se).tolist(),
        "t" if knha else "z",
        stat.tolist(),
        df if knha else nan,
        pv.tolist(),
        tau2,
        i2,
        h2,
        r2,
        qm,
        float(m),
        qm_p,
        qe,
        df,
        qe_p,
        bool(knha),
        iterations,
        confidence,
        reason,
    )
