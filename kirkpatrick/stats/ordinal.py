"""Grades on a short ordinal scale (e.g. 1-5): distribution, median and mean with a bounded interval.

Pure NumPy/SciPy; imports nothing from the package. Used for the grades interviewees give a
supplier on a procurement's award criteria, where n is small (often 5-15), grades pile up at
the top of the scale and a t interval would run past the scale's end or collapse to a point
when everyone gave the same grade.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["GradeSummary", "grade_summary", "wilson_mean_interval"]


@dataclasses.dataclass(frozen=True)
class GradeSummary:
    """Summary of grades on the integer scale ``scale_min..scale_max``.

    Attributes
    ----------
    n : int
        Grades used (finite values).
    n_dropped : int
        Missing values (NaN) left out.
    scale_min, scale_max : int
        The scale's ends.
    counts : tuple of int
        How many gave each grade, from ``scale_min`` to ``scale_max``.
    mean : float
        Arithmetic mean of the grades (NaN when ``n == 0``).
    median : float
        Median of the grades (NaN when ``n == 0``).
    ci_low, ci_high : float
        Wilson score interval for the mean (see :func:`wilson_mean_interval`); NaN when ``n == 0``.
    ci_method : str
        The interval's name.
    confidence : float
        Confidence level of the interval.
    reason : str or None
        Why figures are NaN, if they are.
    """

    n: int
    n_dropped: int
    scale_min: int
    scale_max: int
    counts: tuple[int, ...]
    mean: float
    median: float
    ci_low: float
    ci_high: float
    ci_method: str
    confidence: float
    reason: str | None

    def confidence_interval(self) -> tuple[float, float]:
        """``(low, high)`` of the mean's interval."""
        return self.ci_low, self.ci_high

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict with the same field names (NaN becomes None)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


CI_METHOD = "Wilson score interval on the mean rescaled to [0, 1] (Wilson 1927; Bhatia & Davis 2000)"


def wilson_mean_interval(
    mean: float, n: int, *, scale_min: float, scale_max: float, confidence: float = 0.95
) -> tuple[float, float]:
    """Wilson score interval for the mean of ``n`` values bounded by ``scale_min`` and ``scale_max``.

    Parameters
    ----------
    mean : float
        The sample mean, within the scale.
    n : int
        Number of values (at least 1).
    scale_min, scale_max : float
        The scale's ends (``scale_max > scale_min``).
    confidence : float
        Confidence level, between 0 and 1.

    Returns
    -------
    (low, high) : tuple of float
        Limits on the original scale; always within ``[scale_min, scale_max]`` and never of zero
        width, even when every value is the same.

    Notes
    -----
    The mean is rescaled to ``p = (mean - scale_min) / (scale_max - scale_min)`` in [0, 1]. For any
    variable on [0, 1] with mean mu, Var <= mu (1 - mu) (Bhatia & Davis 2000, with the bounds 0
    and 1), with equality for a 0/1 variable. Inverting the normal test of the mean with that
    largest possible variance, as Wilson (1927) did for a proportion, gives

        centre = (p + z^2 / 2n) / (1 + z^2 / n)
        half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)

    with z the normal quantile at 1 - alpha/2; the limits are mapped back to the scale. The
    interval is conservative for grades (their variance is at most the bound), respects the
    scale's ends, and does not collapse when all grades agree, which is where a t interval on
    five identical grades would claim certainty ([5, 5]).

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    Journal of the American Statistical Association, 22(158), 209-212.
    Bhatia, R., & Davis, C. (2000). A better bound on the variance. The American Mathematical
    Monthly, 107(4), 353-357.

    Examples
    --------
    >>> lo, hi = wilson_mean_interval(4.5, 8, scale_min=1, scale_max=5)
    >>> round(lo, 3), round(hi, 3)
    (3.116, 4.91)
    """
    from scipy import special

    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, but got {confidence!r}")
    if not scale_max > scale_min:
        raise ValueError(f"scale_max must be greater than scale_min, but got {scale_min!r}..{scale_max!r}")
    if n < 1:
        raise ValueError(f"n must be at least 1, but got {n!r}")
    width = scale_max - scale_min
    p = (mean - scale_min) / width
    if not -1e-12 <= p <= 1 + 1e-12:
        raise ValueError(f"mean must lie within the scale {scale_min}..{scale_max}, but got {mean!r}")
    p = min(max(p, 0.0), 1.0)
    z = float(special.ndtri(0.5 + confidence / 2))
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    return scale_min + width * low, scale_min + width * high


def grade_summary(
    grades: ArrayLike, *, scale_min: int = 1, scale_max: int = 5, confidence: float = 0.95
) -> GradeSummary:
    """Distribution, median and mean with a Wilson-type interval of integer grades.

    Parameters
    ----------
    grades : array_like
        Grades; NaN marks "no grade given" and is dropped and counted.
    scale_min, scale_max : int
        The scale (default 1-5, as in the award criteria of a Swedish procurement).
    confidence : float
        Confidence level of the mean's interval.

    Returns
    -------
    GradeSummary

    Raises
    ------
    ValueError
        For a grade that is not a whole number within the scale.

    Notes
    -----
    The interval is :func:`wilson_mean_interval`. The grades are treated as a sample of the
    opinions of people like those interviewed; see the report's methods section for what that
    does not cover (interviewees select themselves).
    """
    if int(scale_max) <= int(scale_min):
        raise ValueError(f"scale_max must be greater than scale_min, but got {scale_min!r}..{scale_max!r}")
    x = np.asarray(grades, dtype=float).ravel()
    ok = np.isfinite(x)
    x, dropped = x[ok], int((~ok).sum())
    bad = x[(x != np.rint(x)) | (x < scale_min) | (x > scale_max)]
    if bad.size:
        raise ValueError(f"grades must be whole numbers from {scale_min} to {scale_max}, but got {float(bad[0]):g}")
    n = int(x.size)
    counts = tuple(int(c) for c in np.bincount((x - scale_min).astype(int), minlength=scale_max - scale_min + 1))
    if n == 0:
        nan = math.nan
        return GradeSummary(
            0, dropped, scale_min, scale_max, counts, nan, nan, nan, nan, CI_METHOD, confidence, "n = 0"
        )
    mean = float(x.mean())
    low, high = wilson_mean_interval(mean, n, scale_min=scale_min, scale_max=scale_max, confidence=confidence)
    return GradeSummary(
        n, dropped, scale_min, scale_max, counts, mean, float(np.median(x)), low, high, CI_METHOD, confidence, None
    )
