"""Shared result containers: the :class:`Effect` record and JSON export.

Every public function in :mod:`kirkpatrick.stats` returns a frozen dataclass
derived from :class:`Result`. Figures that cannot be estimated are NaN and the
result's ``reason`` says why; :meth:`Result.to_dict` turns NaN into ``None`` so
the CLI's ``--json`` output is valid JSON with the same field names.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from typing import Any, Literal, cast

__all__ = ["Effect", "Result", "magnitude", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """Convert a (nested) value to plain JSON types; NaN and inf become None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    # NumPy is not imported here (a result read back from the cache holds none of its types):
    # if it is not loaded, no value can be one of its types.
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, bool) or (np is not None and isinstance(value, np.bool_)):
        return bool(value)
    if isinstance(value, int) or (np is not None and isinstance(value, np.integer)):
        return int(value)
    if isinstance(value, float) or (np is not None and isinstance(value, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    return value


@dataclasses.dataclass(frozen=True)
class Result:
    """Base class of all result records (provides :meth:`to_dict`)."""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict with the same field names (NaN -> None)."""
        return cast("dict[str, Any]", to_jsonable(self))


def _fmt(x: float, digits: int) -> str:
    return "NaN" if not math.isfinite(x) else f"{x:.{digits}f}"


@dataclasses.dataclass(frozen=True)
class Effect(Result):
    """One named effect size with its confidence interval.

    Attributes
    ----------
    name : str
        Estimator name, e.g. ``"d_z"`` or ``"g_av"``.
    estimate : float
        Point estimate (NaN when not estimable).
    ci_low, ci_high : float
        Confidence limits at ``confidence``.
    ci_method : str
        How the interval was obtained, e.g. ``"noncentral t"`` or
        ``"normal approximation (Borenstein et al. 2009, eq. 4.28)"``.
    variance : float
        Large-sample sampling variance of the estimate (the ``vi`` a
        meta-analysis would use); NaN when not available.
    confidence : float
        Confidence level of the interval.
    """

    name: str
    estimate: float
    ci_low: float
    ci_high: float
    ci_method: str
    variance: float
    confidence: float = 0.95

    def __str__(self) -> str:
        return f"{self.format()}"

    def format(self, digits: int = 2) -> str:
        """Render as ``"d_z = 0.45 [0.12, 0.78] (noncentral t)"``."""
        return (
            f"{self.name} = {_fmt(self.estimate, digits)} "
            f"[{_fmt(self.ci_low, digits)}, {_fmt(self.ci_high, digits)}] ({self.ci_method})"
        )


_RULES: dict[str, tuple[tuple[float, str], ...]] = {
    # Cohen (1988, sec. 2.2.3): 0.2 small, 0.5 medium, 0.8 large; below 0.2 is
    # labelled "very small" as in effectsize::interpret_cohens_d(rules="cohen1988").
    "cohen1988": ((0.2, "very small"), (0.5, "small"), (0.8, "medium"), (math.inf, "large")),
}


def magnitude(d: float, *, rule: Literal["cohen1988"]) -> str:
    """Label the size of a standardized mean difference by a named rule set.

    Parameters
    ----------
    d : float
        Any standardized mean difference (d_z, d_av, g_s, ...); the sign is
        ignored.
    rule : {"cohen1988"}
        The rule set, deliberately required: a size label is a convention, not
        a property of the data, and says nothing about significance.

    Returns
    -------
    str
        ``"very small"`` (|d| < 0.2), ``"small"`` (< 0.5), ``"medium"``
        (< 0.8) or ``"large"``, or ``"not estimable"`` for NaN.

    References
    ----------
    Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences
    (2nd ed.). Erlbaum.
    """
    if rule not in _RULES:
        raise ValueError(f"rule must be one of {sorted(_RULES)!r}, but got {rule!r}")
    x = abs(float(d))
    if not math.isfinite(x):
        return "not estimable"
    for bound, label in _RULES[rule]:
        if x < bound:
            return label
    return _RULES[rule][-1][1]
