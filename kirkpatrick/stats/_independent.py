"""Two independent groups: Student and Welch t tests, d_s and g_s."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numpy.typing import ArrayLike

from ._ci import check_confidence, hedges_j, nct_ci
from ._common import NCT, NCT_SCALED, as_1d, nan_effect
from .results import Effect, Result

__all__ = ["IndependentResult", "independent"]


@dataclasses.dataclass(frozen=True)
class IndependentResult(Result):
    """Result of :func:`independent`.

    Attributes
    ----------
    n_a, n_b : int
        Non-missing observations per group.
    n_dropped : int
        Missing (NaN) values dropped, both groups together.
    mean_a, mean_b, sd_a, sd_b : float
    mean_diff : float
        mean_a - mean_b.
    sd_pooled : float
        sqrt(((n_a-1) s_a^2 + (n_b-1) s_b^2) / (n_a+n_b-2)).
    t_student, df_student, p_student : float
        Student's equal-variance t test.
    t_welch, df_welch, p_welch : float
        Welch's t test (Welch-Satterthwaite df).
    d_s, g_s : Effect
    confidence : float
    reason : str or None
    """

    n_a: int
    n_b: int
    n_dropped: int
    mean_a: float
    mean_b: float
    sd_a: float
    sd_b: float
    mean_diff: float
    sd_pooled: float
    t_student: float
    df_student: float
    p_student: float
    t_welch: float
    df_welch: float
    p_welch: float
    d_s: Effect
    g_s: Effect
    confidence: float
    reason: str | None


def independent(a: ArrayLike, b: ArrayLike, *, confidence: float = 0.95) -> IndependentResult:
    """Two independent groups: Student and Welch t, d_s and g_s.

    Parameters
    ----------
    a, b : array_like
        Scores of the two groups (``a`` minus ``b`` is reported, so pass the
        trained group as ``a``). NaN values are dropped and counted.
    confidence : float, default 0.95

    Returns
    -------
    IndependentResult
        n_a, n_b, n_dropped, mean_a, mean_b, sd_a, sd_b, mean_diff, sd_pooled,
        t_student, df_student, p_student, t_welch, df_welch, p_welch, d_s, g_s,
        confidence, reason.

    Notes
    -----
    * d_s = (M_a - M_b) / S_pooled (Lakens 2013, eq. 1); its CI inverts the
      noncentral t of t_student = d_s sqrt(n_a n_b / (n_a + n_b)) with
      df = n_a + n_b - 2 (Steiger & Fouladi 1997).
    * g_s = J(n_a + n_b - 2) d_s, J exact (Hedges 1981); CI = J times the
      d_s limits.
    * ``variance``: (n_a+n_b)/(n_a n_b) + d^2/(2(n_a+n_b)) (Borenstein et
      al. 2009, eq. 4.20), times J^2 for g_s.
    * Welch df = (v_a/n_a + v_b/n_b)^2 / ((v_a/n_a)^2/(n_a-1) + (v_b/n_b)^2/(n_b-1)).

    References
    ----------
    Lakens (2013); Hedges (1981); Borenstein et al. (2009); Welch, B. L.
    (1947). Biometrika, 34, 28-35.
    """
    from scipy import special

    confidence = check_confidence(confidence)
    xa = as_1d(a, "a")
    xb = as_1d(b, "b")
    ka, kb = np.isfinite(xa), np.isfinite(xb)
    n_dropped = int((~ka).sum() + (~kb).sum())
    xa, xb = xa[ka], xb[kb]
    na, nb = xa.size, xb.size
    ma = float(xa.mean()) if na else math.nan
    mb = float(xb.mean()) if nb else math.nan
    va = float(xa.var(ddof=1)) if na > 1 else math.nan
    vb = float(xb.var(ddof=1)) if nb > 1 else math.nan
    md = ma - mb
    dfs = float(na + nb - 2)
    nan_d = nan_effect("d_s", NCT, confidence)
    nan_g = nan_effect("g_s", NCT_SCALED, confidence)
    if na < 2 or nb < 2:
        return IndependentResult(
            na,
            nb,
            n_dropped,
            ma,
            mb,
            math.sqrt(va) if va == va else math.nan,
            math.sqrt(vb) if vb == vb else math.nan,
            md,
            math.nan,
            math.nan,
            math.nan,
            math.nan,
            math.nan,
            math.nan,
            math.nan,
            nan_d,
            nan_g,
            confidence,
            "n < 2 in a group",
        )
    sp = math.sqrt(((na - 1) * va + (nb - 1) * vb) / dfs)
    scale = max(float(np.max(np.abs(xa))), float(np.max(np.abs(xb))), 1e-300)
    if sp <= 1e-12 * scale:
        return IndependentResult(
            na,
            nb,
            n_dropped,
            ma,
            mb,
            math.sqrt(va),
            math.sqrt(vb),
            md,
            sp,
            math.nan,
            dfs,
            math.nan,
            math.nan,
            math.nan,
            math.nan,
            nan_d,
            nan_g,
            confidence,
            "zero variance in both groups",
        )
    ts = md / (sp * math.sqrt(1.0 / na + 1.0 / nb))
    ps = float(2.0 * special.stdtr(dfs, -abs(ts)))
    sea2, seb2 = va / na, vb / nb
    tw = md / math.sqrt(sea2 + seb2)
    # Welch-Satterthwaite df in shares of the total, so tiny variances do not underflow to 0/0
    fa, fb = sea2 / (sea2 + seb2), seb2 / (sea2 + seb2)
    dfw = 1.0 / (fa * fa / (na - 1) + fb * fb / (nb - 1))
    pw = float(2.0 * special.stdtr(dfw, -abs(tw)))
    scale_d = math.sqrt(1.0 / na + 1.0 / nb)
    ds = md / sp
    lo, hi = nct_ci(ts, dfs, confidence)
    ds_lo, ds_hi = float(lo) * scale_d, float(hi) * scale_d
    var_d = (na + nb) / (na * nb) + ds * ds / (2.0 * (na + nb))
    j = float(hedges_j(dfs))
    return IndependentResult(
        na,
        nb,
        n_dropped,
        ma,
        mb,
        math.sqrt(va),
        math.sqrt(vb),
        md,
        sp,
        ts,
        dfs,
        ps,
        tw,
        dfw,
        pw,
        Effect("d_s", ds, ds_lo, ds_hi, NCT, var_d, confidence),
        Effect("g_s", j * ds, j * ds_lo, j * ds_hi, NCT_SCALED, j * j * var_d, confidence),
        confidence,
        None,
    )
