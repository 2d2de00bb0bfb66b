"""Private helpers shared by the effect-size modules: input checks, NaN effects, interval labels."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._ci import FloatArray
from .results import Effect

NCT = "noncentral t"
NCT_SCALED = "noncentral t, scaled by the Hedges correction"
BORENSTEIN_428 = "normal approximation, variance (1/n + d^2/(2n)) * 2(1-r) (Borenstein et al. 2009, eq. 4.28)"
BORENSTEIN_428_G = "normal approximation, J^2 * variance of eq. 4.28 (Borenstein et al. 2009)"


def as_1d(x: ArrayLike, name: str) -> NDArray[np.float64]:
    a = np.asarray(x, dtype=float)
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, but got shape {a.shape!r}")
    return a


def nan_effect(name: str, method: str, confidence: float) -> Effect:
    return Effect(name, math.nan, math.nan, math.nan, method, math.nan, confidence)


def p_t(t: FloatArray, df: FloatArray) -> FloatArray:
    from scipy import special

    with np.errstate(invalid="ignore"):
        return np.asarray(2.0 * special.stdtr(df, -np.abs(t)), dtype=float)


def complete_pairs(pre: ArrayLike, post: ArrayLike) -> tuple[FloatArray, FloatArray, int]:
    """The complete (pre, post) pairs and the number of pairs dropped for a missing value."""
    x = as_1d(pre, "pre")
    y = as_1d(post, "post")
    if x.shape != y.shape:
        raise ValueError(f"pre and post must have the same length, but got {x.size!r} and {y.size!r}")
    ok = np.isfinite(x) & np.isfinite(y)
    return x[ok], y[ok], int((~ok).sum())
