"""Vectorised Wilcoxon signed-rank p-values for many groups at once.

Reproduces ``scipy.stats.wilcoxon(pre, post)`` with SciPy's defaults
(``zero_method="wilcox"``, ``correction=False``, ``method="auto"``) row by row,
without a Python loop over rows for the common cases: SciPy's per-call
overhead dominates when thousands of measure groups are analysed.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy import special

__all__ = ["wilcoxon_rows"]

FloatArray = NDArray[np.float64]

_EXACT_MAX_N = 50  # SciPy's "auto": exact null distribution up to 50 pairs
_PERMUTATION_MAX_N = 13  # ... and full sign-flip enumeration (2**13) with ties/zeros


@lru_cache(maxsize=64)
def _exact_cdf(n: int) -> FloatArray:
    """Cumulative null distribution of T+ for n untied, nonzero differences."""
    c = np.ones(1)
    for k in range(1, n + 1):
        prev = c
        c = np.zeros(k * (k + 1) // 2 + 1)
        c[: prev.size] += 0.5 * prev
        c[-prev.size :] += 0.5 * prev
    return np.cumsum(c)


def _exact_p(t_plus: FloatArray, n: NDArray[np.int64]) -> FloatArray:
    out = np.empty(t_plus.shape)
    for ni in np.unique(n):
        sel = n == ni
        cdf = _exact_cdf(int(ni))
        k = t_plus[sel].astype(np.int64)
        lower = cdf[k]
        upper = 1.0 - np.where(k > 0, cdf[np.maximum(k - 1, 0)], 0.0)
        out[sel] = np.minimum(1.0, 2.0 * np.minimum(lower, upper))
    return out


@lru_cache(maxsize=16)
def _sign_patterns(k: int) -> NDArray[np.float64]:
    return ((np.arange(2**k)[:, None] >> np.arange(k)[None, :]) & 1).astype(float)


def _permutation_p(ranks: FloatArray, obs: float) -> float:
    # SciPy switches to an exact sign-flip permutation test for n <= 13 when
    # ties or zeros make the tabulated null distribution inexact.
    k = ranks.size
    vals = _sign_patterns(k) @ ranks
    tol = 1e-9 * max(1.0, abs(obs))
    p_less = np.mean(vals <= obs + tol)
    p_greater = np.mean(vals >= obs - tol)
    return float(min(1.0, 2.0 * min(p_less, p_greater)))


def wilcoxon_rows(d: FloatArray, valid: NDArray[np.bool_]) -> tuple[FloatArray, FloatArray, NDArray[np.object_]]:
    """Two-sided Wilcoxon signed-rank test on each row of differences ``d``.

    Parameters
    ----------
    d : ndarray, shape (g, m)
        Differences (post minus pre); entries where ``valid`` is False are ignored.
    valid : ndarray of bool, shape (g, m)

    Returns
    -------
    v : ndarray
        T+ (R's ``V``): sum of the ranks of the positive differences.
    p : ndarray
        Two-sided p-value; NaN when no nonzero difference remains.
    method : ndarray of str
        ``"exact"``, ``"exact permutation"`` or ``"normal approximation"``.
    """
    g, m = d.shape
    nonzero = valid & (d != 0)
    n_w = nonzero.sum(axis=1)
    n_valid = valid.sum(axis=1)
    a = np.where(nonzero, np.abs(d), np.inf)
    order = np.argsort(a, axis=1, kind="stable")
    s = np.take_along_axis(a, order, axis=1)
    pos = np.broadcast_to(np.arange(1, m + 1, dtype=float), (g, m))
    same_prev = np.zeros((g, m), dtype=bool)
    same_prev[:, 1:] = s[:, 1:] == s[:, :-1]
    same_next = np.zeros((g, m), dtype=bool)
    same_next[:, :-1] = same_prev[:, 1:]
    first = np.maximum.accumulate(np.where(same_prev, 0.0, pos), axis=1)
    last = np.flip(np.minimum.accumulate(np.flip(np.where(same_next, np.inf, pos), axis=1), axis=1), axis=1)
    finite_sorted = np.isfinite(s)
    avg_sorted = 0.5 * (first + last)
    size_sorted = np.where(finite_sorted, last - first + 1.0, 1.0)
    ranks = np.empty((g, m))
    np.put_along_axis(ranks, order, avg_sorted, axis=1)
    ranks = np.where(nonzero, ranks, 0.0)
    v = np.sum(np.where(d > 0, ranks, 0.0), axis=1)
    # sum over tie groups of (t^3 - t) == sum over tied elements of (t^2 - 1)
    tie_term = np.sum(size_sorted**2 - 1.0, axis=1)
    has_ties = tie_term > 0
    has_zero = n_w < n_valid

    nf = n_w.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = nf * (nf + 1.0) / 4.0
        sd = np.sqrt((nf * (nf + 1.0) * (2.0 * nf + 1.0) - tie_term / 2.0) / 24.0)
        z = (v - mean) / sd
        p = 2.0 * special.ndtr(-np.abs(z))
    p = np.minimum(p, 1.0)
    method = np.full(g, "normal approximation", dtype=object)

    exact = (~has_ties) & (~has_zero) & (n_w >= 1) & (n_valid <= _EXACT_MAX_N)
    if exact.any():
        p[exact] = _exact_p(v[exact], n_w[exact])
        method[exact] = "exact"
    perm = (has_ties | has_zero) & (n_w >= 1) & (n_valid <= _PERMUTATION_MAX_N)
    for i in np.flatnonzero(perm):
        p[i] = _permutation_p(ranks[i][nonzero[i]], float(v[i]))
        method[i] = "exact permutation"
    none = n_w == 0
    p[none] = np.nan
    v[n_valid == 0] = np.nan
    method[none] = "not estimable"
    return v, p, method
