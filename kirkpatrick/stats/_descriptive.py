"""Reaction-level survey summaries (Kirkpatrick level 1)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numpy.typing import ArrayLike

from ._ci import check_confidence, z_crit
from .results import NPSResult, Result

__all__ = ["MeanResult", "NPSResult", "mean_ci", "nps"]


NPS_CI = "adjusted Wald: one pseudo-count added to promoters and to detractors (Bonett & Price 2012)"


def nps(scores: ArrayLike, *, confidence: float = 0.95) -> NPSResult:
    """Net Promoter Score of 0-10 ratings.

    Parameters
    ----------
    scores : array_like
        Integer ratings 0..10; NaN is dropped. Any other value raises
        ``ValueError``.
    confidence : float, default 0.95

    Returns
    -------
    NPSResult
        nps, promoters, passives, detractors, n, n_dropped, ci_low, ci_high,
        ci_method, confidence, reason.

    Notes
    -----
    NPS = 100 (P - D) with P, D the shares of 9-10 and 0-6 ratings
    (Reichheld 2003). P - D is a difference of two cell probabilities of one
    multinomial sample, the structure of a difference of paired proportions.
    Interval: the adjusted Wald interval of Bonett & Price (2012), with
    P~ = (promoters + 1)/(n + 2), D~ = (detractors + 1)/(n + 2):

        100 [P~ - D~ -/+ z sqrt((P~ + D~ - (P~ - D~)^2) / (n + 2))],

    clipped to [-100, 100]. The plain Wald interval collapses to zero width
    when every rating is a promoter (or detractor) and undercovers at small n;
    computed exactly over a grid of true shares at n = 10..50, the adjusted
    interval's 95 % coverage stays above 93 % (mean about 96 %).

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. Harvard
    Business Review, 81(12), 46-54.
    Bonett, D. G., & Price, R. M. (2012). Adjusted Wald confidence interval
    for a difference of binomial proportions based on paired data. Journal of
    Educational and Behavioral Statistics, 37(4), 479-488.
    Agresti, A., & Min, Y. (2005). Simple improved confidence intervals for
    comparing matched proportions. Statistics in Medicine, 24, 729-740.
    """
    confidence = check_confidence(confidence)
    s = np.asarray(scores, dtype=float).ravel()
    ok = ~np.isnan(s)
    v = s[ok]
    bad = v[(v < 0) | (v > 10) | (v != np.round(v))]
    if bad.size:
        raise ValueError(f"scores must be integers from 0 to 10, but got {bad[0]!r}")
    n = int(v.size)
    pro = int(np.sum(v >= 9))
    det = int(np.sum(v <= 6))
    pas = n - pro - det
    nan = math.nan
    if n == 0:
        return NPSResult(nan, 0, 0, 0, 0, int((~ok).sum()), nan, nan, NPS_CI, confidence, "n < 1")
    score = 100.0 * (pro - det) / n
    pa, da = (pro + 1.0) / (n + 2.0), (det + 1.0) / (n + 2.0)
    centre = 100.0 * (pa - da)
    half = z_crit(confidence) * 100.0 * math.sqrt(max(0.0, pa + da - (pa - da) ** 2) / (n + 2.0))
    low, high = max(-100.0, centre - half), min(100.0, centre + half)
    return NPSResult(score, pro, pas, det, n, int((~ok).sum()), low, high, NPS_CI, confidence, None)


@dataclasses.dataclass(frozen=True)
class MeanResult(Result):
    """Result of :func:`mean_ci`.

    Attributes
    ----------
    n : int
        Valid values.
    n_dropped : int
        Missing (NaN) values dropped.
    mean, sd : float
        Sample mean and standard deviation (n - 1).
    ci_low, ci_high : float
        Student t interval for the mean.
    confidence : float
    reason : str or None
    """

    n: int
    n_dropped: int
    mean: float
    sd: float
    ci_low: float
    ci_high: float
    confidence: float
    reason: str | None


def mean_ci(values: ArrayLike, *, confidence: float = 0.95) -> MeanResult:
    """Mean with a t confidence interval, for measures taken once (e.g. reaction after a course).

    Notes
    -----
    CI = M +/- t(1 - alpha/2, n - 1) * SD / sqrt(n) (Student 1908).

    References
    ----------
    Student (1908). The probable error of a mean. Biometrika, 6(1), 1-25.
    """
    from scipy import special

    confidence = check_confidence(confidence)
    x = np.asarray(values, dtype=float).ravel()
    ok = np.isfinite(x)
    x, dropped = x[ok], int((~ok).sum())
    n = int(x.size)
    if n < 2:
        mean = float(x.mean()) if n else math.nan
        return MeanResult(n, dropped, mean, math.nan, math.nan, math.nan, confidence, "n < 2")
    mean, sd = float(x.mean()), float(x.std(ddof=1))
    half = float(special.stdtrit(n - 1, 0.5 + confidence / 2)) * sd / math.sqrt(n)
    return MeanResult(n, dropped, mean, sd, mean - half, mean + half, confidence, None)
