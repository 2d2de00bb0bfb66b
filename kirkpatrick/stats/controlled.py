"""Pretest-posttest-control designs: d_ppc2 (Morris 2008) and d_ppc1 (Becker 1988)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from ._ci import check_confidence, hedges_j, hedges_j_approx, normal_ci
from ._common import complete_pairs, nan_effect
from .results import Effect, PrePostControlResult

__all__ = ["PrePostControlResult", "pre_post_control"]


MORRIS_VAR = "normal approximation, variance of d_ppc2 from Morris (2008)"
BECKER_VAR = "normal approximation, sum of the two groups' variances (Becker 1988)"


def _ppc_from_summary(
    n_t: int,
    n_c: int,
    m_pre_t: float,
    m_post_t: float,
    sd_pre_t: float,
    r_t: float,
    m_pre_c: float,
    m_post_c: float,
    sd_pre_c: float,
    r_c: float,
    r_pooled: float,
    confidence: float,
) -> tuple[Effect, Effect, float]:
    n = n_t + n_c
    sd_pool = math.sqrt(((n_t - 1) * sd_pre_t**2 + (n_c - 1) * sd_pre_c**2) / (n - 2))
    # Morris (2008) uses Hedges' approximate correction c_P = 1 - 3/(4(n_T+n_C-2)-1).
    cp = float(hedges_j_approx(n - 2))
    delta = cp * ((m_post_t - m_pre_t) - (m_post_c - m_pre_c)) / sd_pool
    rho = r_pooled
    a = (n_t + n_c) / (n_t * n_c)
    # Morris's variance multiplied out, so that rho = 1 does not divide by zero; undefined for n <= 4
    var2 = cp * cp * ((n - 2) / (n - 4)) * (2 * (1 - rho) * a + delta * delta) - delta * delta if n > 4 else math.nan
    lo, hi = normal_ci(delta, var2, confidence)
    d_ppc2 = Effect("d_ppc2", delta, float(lo), float(hi), MORRIS_VAR, var2, confidence)

    def becker(m_pre: float, m_post: float, sd: float, ng: int, r: float) -> tuple[float, float]:
        # exact J, so d_T and d_C equal metafor's SMCR yi for each group
        if not sd > 0:
            return math.nan, math.nan
        c = float(hedges_j(ng - 1))
        dg = c * (m_post - m_pre) / sd
        if ng <= 3:
            return dg, math.nan
        # Becker (1988) variance of a standardized mean change, delta estimated by d.
        # (multiplied out, so that r = 1 does not divide by zero)
        v = c * c * ((ng - 1) / (ng - 3)) * (2 * (1 - r) / ng + dg * dg) - dg * dg  # x * x: inf, not OverflowError
        return dg, v

    dt, vt = becker(m_pre_t, m_post_t, sd_pre_t, n_t, r_t)
    dc, vc = becker(m_pre_c, m_post_c, sd_pre_c, n_c, r_c)
    d1 = dt - dc
    lo1, hi1 = normal_ci(d1, vt + vc, confidence)
    d_ppc1 = Effect("d_ppc1", d1, float(lo1), float(hi1), BECKER_VAR, vt + vc, confidence)
    return d_ppc2, d_ppc1, sd_pool


def pre_post_control(
    t_pre: ArrayLike, t_post: ArrayLike, c_pre: ArrayLike, c_post: ArrayLike, *, confidence: float = 0.95
) -> PrePostControlResult:
    """Pretest-posttest-control design effect sizes (Morris 2008).

    Parameters
    ----------
    t_pre, t_post : array_like
        Paired scores of the treatment (trained) group.
    c_pre, c_post : array_like
        Paired scores of the control group. Incomplete pairs are dropped.
    confidence : float, default 0.95

    Returns
    -------
    PrePostControlResult
        n_t, n_c, n_dropped, mean_change_t, mean_change_c, sd_pre_t, sd_pre_c,
        sd_pre_pooled, r_t, r_c, r_pooled, d_ppc2, d_ppc1, confidence, reason.

    Notes
    -----
    d_ppc2 = c_P [(M_post,T - M_pre,T) - (M_post,C - M_pre,C)] / SD_pre
    with SD_pre = sqrt(((n_T-1) SD_pre,T^2 + (n_C-1) SD_pre,C^2) / (n_T+n_C-2))
    and c_P = 1 - 3/(4(n_T+n_C-2) - 1) (Morris 2008, eqs. 8-10). Its variance
    (Morris 2008):

        2 c_P^2 (1-rho) (n_T+n_C)/(n_T n_C) (n_T+n_C-2)/(n_T+n_C-4)
          * [1 + d^2 / (2 (1-rho) (n_T+n_C)/(n_T n_C))] - d^2

    with d_ppc2 in place of delta and rho, assumed common to both groups,
    estimated by r_pooled = ((n_T-1) r_T + (n_C-1) r_C) / (n_T+n_C-2).

    d_ppc1 = d_T - d_C, d_g = J(n_g-1) (M_post,g - M_pre,g) / SD_pre,g
    (Becker 1988; J exact as in :func:`standardized_mean_change`), variance the sum of Becker's per-group variances
    c^2 (2(1-r)/n) ((n-1)/(n-3)) (1 + n d^2/(2(1-r))) - d^2.

    References
    ----------
    Morris, S. B. (2008). Estimating effect sizes from pretest-posttest-control
    group designs. Organizational Research Methods, 11, 364-386.
    Becker, B. J. (1988). British Journal of Mathematical and Statistical
    Psychology, 41, 257-278.
    """
    confidence = check_confidence(confidence)
    tx, ty, dt = complete_pairs(t_pre, t_post)
    cx, cy, dc = complete_pairs(c_pre, c_post)
    nt, nc = tx.size, cx.size
    nan = math.nan
    nan2 = nan_effect("d_ppc2", MORRIS_VAR, confidence)
    nan1 = nan_effect("d_ppc1", BECKER_VAR, confidence)
    mct = float((ty - tx).mean()) if nt else nan
    mcc = float((cy - cx).mean()) if nc else nan
    if nt < 2 or nc < 2:
        return PrePostControlResult(
            nt, nc, dt + dc, mct, mcc, nan, nan, nan, nan, nan, nan, nan2, nan1, confidence, "n < 2 in a group"
        )
    spt, spc = float(tx.std(ddof=1)), float(cx.std(ddof=1))
    sqt, sqc = float(ty.std(ddof=1)), float(cy.std(ddof=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        rt = float(np.corrcoef(tx, ty)[0, 1]) if spt > 0 and sqt > 0 else nan
        rc = float(np.corrcoef(cx, cy)[0, 1]) if spc > 0 and sqc > 0 else nan
    vpre = spt**2 * (nt - 1) + spc**2 * (nc - 1)
    r_pool = ((nt - 1) * rt + (nc - 1) * rc) / (nt + nc - 2)
    sd_pool = math.sqrt(vpre / (nt + nc - 2))
    if not sd_pool > 0:
        return PrePostControlResult(
            nt,
            nc,
            dt + dc,
            mct,
            mcc,
            spt,
            spc,
            sd_pool,
            rt,
            rc,
            r_pool,
            nan2,
            nan1,
            confidence,
            "zero variance at pretest in both groups",
        )
    d2, d1, _ = _ppc_from_summary(
        nt,
        nc,
        float(tx.mean()),
        float(ty.mean()),
        spt,
        rt,
        float(cx.mean()),
        float(cy.mean()),
        spc,
        rc,
        r_pool,
        confidence,
    )
    reason = None
    if not (spt > 0 and spc > 0 and math.isfinite(rt) and math.isfinite(rc)):
        # d_ppc2 needs only the pooled pretest SD; its variance needs r_pooled, d_ppc1 each group's SD and r
        reason = "zero variance at pretest or posttest in one group: d_ppc1 undefined"
        if not math.isfinite(r_pool):
            reason += ", r_pooled and the d_ppc2 variance undefined"
    notes = [reason] if reason else []
    if reason is None and not math.isfinite(d1.variance):
        notes.append("n <= 3 in a group: the d_ppc1 variance (Becker 1988) is undefined")
    if math.isfinite(r_pool) and not math.isfinite(d2.variance):
        notes.append("n_T + n_C <= 4: the d_ppc2 variance (Morris 2008) is undefined")
    reason = "; ".join(notes) or None
    return PrePostControlResult(
        nt, nc, dt + dc, mct, mcc, spt, spc, sd_pool, rt, rc, r_pool, d2, d1, confidence, reason
    )
