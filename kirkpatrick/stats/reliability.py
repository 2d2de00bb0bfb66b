"""Reliability of measures: Cronbach's alpha and the Jacobson-Truax RCI."""

from __future__ import annotations

import dataclasses
import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from ._ci import FloatArray, check_confidence
from .results import ReliableChangeResult, Result

__all__ = ["AlphaResult", "ReliableChangeResult", "cronbach_alpha", "reliable_change"]


@dataclasses.dataclass(frozen=True)
class AlphaResult(Result):
    """Result of :func:`cronbach_alpha`.

    Attributes
    ----------
    alpha : float
        Cronbach's alpha.
    ci_low, ci_high : float
        Feldt (1965) F-based confidence interval.
    ci_method : str
    n : int
        Respondents used (listwise), or the smallest pairwise count (pairwise).
    k : int
        Items.
    n_dropped : int
        Respondents dropped by listwise deletion (0 for pairwise).
    missing : str
        ``"listwise"`` or ``"pairwise"``.
    confidence : float
    reason : str or None
    """

    alpha: float
    ci_low: float
    ci_high: float
    ci_method: str
    n: int
    k: int
    n_dropped: int
    missing: str
    confidence: float
    reason: str | None


FELDT = "F distribution (Feldt 1965; Feldt, Woodruff & Salih 1987)"


def cronbach_alpha(
    items: ArrayLike, *, missing: Literal["listwise", "pairwise"] = "listwise", confidence: float = 0.95
) -> AlphaResult:
    """Cronbach's alpha with the Feldt confidence interval.

    Parameters
    ----------
    items : array_like, shape (n, k)
        One row per respondent, one column per item; NaN marks missing.
    missing : {"listwise", "pairwise"}, default "listwise"
        Listwise drops respondents with any missing item; pairwise computes
        each item covariance from the respondents answering both items.
    confidence : float, default 0.95

    Returns
    -------
    AlphaResult
        alpha, ci_low, ci_high, ci_method, n, k, n_dropped, missing,
        confidence, reason.

    Notes
    -----
    alpha = k/(k-1) (1 - sum(s_i^2) / s_total^2) = k/(k-1) (1 - tr(C)/sum(C))
    for the item covariance matrix C (Cronbach 1951). Feldt's interval:
    (1 - alpha) / (1 - alpha_pop) ~ F(n-1, (n-1)(k-1)), so
    [1 - (1-alpha) F_{1-a/2}, 1 - (1-alpha) F_{a/2}] (Feldt 1965; Feldt,
    Woodruff & Salih 1987). Pairwise deletion uses the smallest pairwise n in
    the interval, which is conservative.

    References
    ----------
    Cronbach, L. J. (1951). Psychometrika, 16, 297-334.
    Feldt, L. S. (1965). Psychometrika, 30, 357-370.
    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Applied
    Psychological Measurement, 11, 93-103.
    """
    from scipy import special

    confidence = check_confidence(confidence)
    if missing not in ("listwise", "pairwise"):
        raise ValueError(f"missing must be 'listwise' or 'pairwise', but got {missing!r}")
    x = np.asarray(items, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"items must be a 2-D array (respondents x items), but got shape {x.shape!r}")
    n_all, k = x.shape
    nan = math.nan
    if k < 2:
        return AlphaResult(nan, nan, nan, FELDT, n_all, k, 0, missing, confidence, "fewer than 2 items")
    if missing == "listwise":
        ok = np.all(np.isfinite(x), axis=1)
        xs = x[ok]
        n = xs.shape[0]
        dropped = n_all - n
        if n < 2:
            return AlphaResult(nan, nan, nan, FELDT, n, k, dropped, missing, confidence, "n < 2")
        C = np.cov(xs, rowvar=False)
    else:
        dropped = 0
        f = np.isfinite(x)
        x0 = np.where(f, x, 0.0)
        C = np.empty((k, k))
        counts = f.T.astype(float) @ f.astype(float)
        n = int(counts.min())
        if n < 2:
            return AlphaResult(nan, nan, nan, FELDT, n, k, 0, missing, confidence, "n < 2 for an item pair")
        for i in range(k):
            for j in range(i, k):
                both = f[:, i] & f[:, j]
                a, b = x0[both, i], x0[both, j]
                C[i, j] = C[j, i] = float(np.sum((a - a.mean()) * (b - b.mean())) / (both.sum() - 1))
    total = float(C.sum())
    if not total > 0:
        return AlphaResult(nan, nan, nan, FELDT, n, k, dropped, missing, confidence, "zero variance of the total score")
    alpha = k / (k - 1) * (1.0 - float(np.trace(C)) / total)
    df1, df2 = n - 1.0, (n - 1.0) * (k - 1.0)
    a = 1.0 - confidence
    f_hi = float(special.fdtri(df1, df2, 1.0 - a / 2.0))
    f_lo = float(special.fdtri(df1, df2, a / 2.0))
    return AlphaResult(
        alpha, 1.0 - (1.0 - alpha) * f_hi, 1.0 - (1.0 - alpha) * f_lo, FELDT, n, k, dropped, missing, confidence, None
    )


def reliable_change(
    pre: ArrayLike, post: ArrayLike, reliability: float, *, sd: float | None = None
) -> ReliableChangeResult:
    """Jacobson-Truax reliable change index per participant.

    Parameters
    ----------
    pre, post : array_like, shape (n,)
        Scores before and after; a pair with a NaN is not classified.
    reliability : float
        Reliability of the measure (e.g. alpha or test-retest), in [0, 1).
    sd : float, optional
        SD of the measure in the reference population; default the sample SD
        (ddof=1) of the complete pretest scores.

    Returns
    -------
    ReliableChangeResult
        rci, n, n_dropped, improved, unchanged, deteriorated, sd,
        reliability, se_measurement, s_diff, criterion, reason.

    Notes
    -----
    RCI = (x_post - x_pre) / S_diff, S_diff = sqrt(2 SE^2),
    SE = sd sqrt(1 - r_xx); |RCI| > 1.96 is reliable change at the 5% level
    (Jacobson & Truax 1991, p. 14).

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). Clinical significance: a statistical
    approach to defining meaningful change in psychotherapy research. Journal
    of Consulting and Clinical Psychology, 59, 12-19.
    """
    x = np.asarray(pre, dtype=float).ravel()
    y = np.asarray(post, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"pre and post must have the same length, but got {x.size!r} and {y.size!r}")
    rel = float(reliability)
    if not (0.0 <= rel < 1.0):
        raise ValueError(f"reliability must be in [0, 1), but got {reliability!r}")
    if sd is not None and not (float(sd) > 0):
        raise ValueError(f"sd must be positive, but got {sd!r}")
    ok = np.isfinite(x) & np.isfinite(y)
    n = int(ok.sum())
    crit = 1.96
    nan = math.nan
    if sd is None:
        if n < 2:
            return ReliableChangeResult([nan] * x.size, n, x.size - n, 0, 0, 0, nan, rel, nan, nan, crit, "n < 2")
        s = float(x[ok].std(ddof=1))
    else:
        s = float(sd)
    if not s > 0:
        return ReliableChangeResult(
            [nan] * x.size, n, x.size - n, 0, 0, 0, s, rel, nan, nan, crit, "zero variance at pre"
        )
    se = s * math.sqrt(1.0 - rel)
    s_diff = math.sqrt(2.0 * se**2)
    rci: FloatArray = np.where(ok, (y - x) / s_diff, np.nan)
    good = rci[ok]
    return ReliableChangeResult(
        rci.tolist(),
        n,
        x.size - n,
        int(np.sum(good > crit)),
        int(np.sum(np.abs(good) <= crit)),
        int(np.sum(good < -crit)),
        s,
        rel,
        se,
        s_diff,
        crit,
        None,
    )
