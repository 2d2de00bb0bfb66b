"""Standardized mean change with raw-score standardization (metafor ``SMCR``), one group or many."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from ._ci import check_confidence, hedges_j, normal_ci
from ._common import complete_pairs
from .results import SMCRResult

__all__ = ["SMCRResult", "standardized_mean_change", "standardized_mean_change_many"]


def _smcr_from_summary(
    m_pre: float, m_post: float, sd_pre: float, n: int, r: float, confidence: float
) -> tuple[float, float, float, float]:
    j = float(hedges_j(n - 1))
    yi = j * (m_post - m_pre) / sd_pre
    vi = 2.0 * (1.0 - r) / n + yi * yi / (2.0 * n)
    lo, hi = normal_ci(yi, vi, confidence)
    return yi, vi, float(lo), float(hi)


def standardized_mean_change(pre: ArrayLike, post: ArrayLike, *, confidence: float = 0.95) -> SMCRResult:
    """Standardized mean change with raw-score standardization (metafor ``SMCR``).

    Parameters
    ----------
    pre, post : array_like, shape (n,)
        Paired scores; incomplete pairs are dropped and counted.
    confidence : float, default 0.95

    Returns
    -------
    SMCRResult
        n, n_dropped, mean_pre, mean_post, sd_pre, r, yi, vi, ci_low, ci_high,
        confidence, reason.

    Notes
    -----
    yi = J(n - 1) (M_post - M_pre) / S_pre with Hedges' exact
    J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)) (Becker 1988; metafor's
    ``.cmicalc``), and vi = 2(1 - r)/n + yi^2/(2n), metafor's default
    ``vtype="LS"`` for SMCR (checked against metafor 3.8-1's ``escalc``).
    These are the ``yi``/``vi`` that :func:`random_effects` pools.

    References
    ----------
    Becker, B. J. (1988). Synthesizing standardized mean-change measures.
    British Journal of Mathematical and Statistical Psychology, 41, 257-278.
    Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor
    package. Journal of Statistical Software, 36(3).
    """
    confidence = check_confidence(confidence)
    x, y, dropped = complete_pairs(pre, post)
    n = x.size
    if n < 2:
        return _smcr_result(
            n,
            dropped,
            float(x.mean()) if n else math.nan,
            float(y.mean()) if n else math.nan,
            math.nan,
            math.nan,
            math.nan,
            0.0,
            confidence,
        )
    sx = float(x.std(ddof=1))
    sy = float(y.std(ddof=1))
    r = float(np.corrcoef(x, y)[0, 1]) if sy > 0 and sx > 0 else math.nan
    return _smcr_result(n, dropped, float(x.mean()), float(y.mean()), sx, sy, r, float(np.max(np.abs(x))), confidence)


def standardized_mean_change_many(pre: ArrayLike, post: ArrayLike, *, confidence: float = 0.95) -> list[SMCRResult]:
    """:func:`standardized_mean_change` for many groups at once (rows of 2-D arrays).

    Parameters
    ----------
    pre, post : array_like, shape (groups, n)
        One group per row; pad shorter groups with NaN. Incomplete pairs are dropped per row.
    confidence : float, default 0.95

    Returns
    -------
    list of SMCRResult
        One per row, equal to ``standardized_mean_change(pre[i], post[i])`` (the moments are
        computed for all rows in one pass, which is what makes a portfolio of thousands of
        interventions fast). ``n_dropped`` counts every position with a missing value on either
        side, padding included, as the scalar function would on that row.
    """
    confidence = check_confidence(confidence)
    x = np.asarray(pre, dtype=float)
    y = np.asarray(post, dtype=float)
    if x.ndim != 2 or x.shape != y.shape:
        raise ValueError(f"pre and post must be 2-D arrays of one shape, but got {x.shape!r} and {y.shape!r}")
    ok = np.isfinite(x) & np.isfinite(y)
    n = ok.sum(axis=1)
    dropped = (~ok).sum(axis=1)  # as the scalar function counts them on the same row, padding included
    safe_n = np.maximum(n, 1)
    x0 = np.where(ok, x, 0.0)
    y0 = np.where(ok, y, 0.0)
    mx = x0.sum(axis=1) / safe_n
    my = y0.sum(axis=1) / safe_n
    dx = np.where(ok, x - mx[:, None], 0.0)
    dy = np.where(ok, y - my[:, None], 0.0)
    sxx = (dx * dx).sum(axis=1)
    syy = (dy * dy).sum(axis=1)
    sxy = (dx * dy).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sx = np.sqrt(sxx / (n - 1))
        sy = np.sqrt(syy / (n - 1))
        r = sxy / np.sqrt(sxx * syy)
    max_abs = np.where(ok, np.abs(x), 0.0).max(axis=1, initial=0.0)
    out = []
    for i in range(x.shape[0]):
        k = int(n[i])
        if k < 2:
            out.append(
                _smcr_result(
                    k,
                    int(dropped[i]),
                    float(mx[i]) if k else math.nan,
                    float(my[i]) if k else math.nan,
                    math.nan,
                    math.nan,
                    math.nan,
                    0.0,
                    confidence,
                )
            )
            continue
        ri = float(r[i]) if sy[i] > 0 and sx[i] > 0 else math.nan
        out.append(
            _smcr_result(
                k,
                int(dropped[i]),
                float(mx[i]),
                float(my[i]),
                float(sx[i]),
                float(sy[i]),
                ri,
                float(max_abs[i]),
                confidence,
            )
        )
    return out


def _smcr_result(
    n: int, dropped: int, mx: float, my: float, sx: float, sy: float, r: float, max_abs_pre: float, confidence: float
) -> SMCRResult:
    """The SMCR result and its edge cases from the groups' moments (shared by the two entry points)."""
    nan = math.nan
    if n < 2:
        return SMCRResult(n, dropped, mx, my, nan, nan, nan, nan, nan, nan, confidence, "n < 2")
    if sx <= 1e-12 * max(max_abs_pre, 1e-300):
        return SMCRResult(n, dropped, mx, my, sx, nan, nan, nan, nan, nan, confidence, "zero variance at pre")
    if n < 3:
        # J(1) is undefined (Gamma(0)); metafor returns NA as well.
        return SMCRResult(n, dropped, mx, my, sx, r, nan, nan, nan, nan, confidence, "n < 3: correction undefined")
    if not math.isfinite(r):
        # yi needs only S_pre; the variance needs r
        yi = float(hedges_j(n - 1)) * (my - mx) / sx
        return SMCRResult(
            n, dropped, mx, my, sx, r, yi, nan, nan, nan, confidence, "zero variance at post: r undefined"
        )
    yi, vi, lo, hi = _smcr_from_summary(mx, my, sx, n, r, confidence)
    return SMCRResult(n, dropped, mx, my, sx, r, yi, vi, lo, hi, confidence, None)
