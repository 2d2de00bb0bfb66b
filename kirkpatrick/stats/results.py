"""The result records of the statistics, without NumPy: the shared :class:`Result` base and
:class:`Effect` record, JSON export, and the records a stored analysis holds.

Every public function in :mod:`kirkpatrick.stats` returns a frozen dataclass derived from
:class:`Result`. Figures that cannot be estimated are NaN and the result's ``reason`` says why;
:meth:`Result.to_dict` turns NaN into ``None`` so the CLI's ``--json`` output is valid JSON with the
same field names. A result computed earlier and read back from the analysis cache is rebuilt from
these classes; defining them apart from the functions that compute them lets that happen without
loading NumPy or SciPy (a command served from the cache then starts in a fraction of the time).
"""

from __future__ import annotations

import dataclasses
import math
import sys
from typing import Any, Literal, cast

__all__ = [
    "Effect",
    "NPSResult",
    "PairedResult",
    "PrePostControlResult",
    "ReliableChangeResult",
    "Result",
    "SMCRResult",
    "magnitude",
    "to_jsonable",
]


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


@dataclasses.dataclass(frozen=True)
class PairedResult(Result):
    """Result of :func:`paired` (one pre/post measure).

    Attributes
    ----------
    n : int
        Complete pairs used.
    n_dropped : int
        Pairs dropped because pre or post was missing (NaN).
    mean_pre, mean_post, sd_pre, sd_post : float
        Means and sample SDs (ddof=1) of the complete pairs.
    r : float
        Pearson correlation between pre and post.
    mean_diff : float
        Mean of post minus pre.
    sd_diff : float
        SD of the differences.
    diff_ci_low, diff_ci_high : float
        t-based confidence interval of ``mean_diff``.
    t, df, p : float
        Paired t statistic, degrees of freedom ``n - 1``, two-sided p.
    wilcoxon_v : float
        Wilcoxon signed-rank statistic V = T+ (sum of ranks of positive
        differences, as R's ``wilcox.test`` reports it).
    wilcoxon_p : float
        Two-sided p, as ``scipy.stats.wilcoxon`` with default arguments.
    wilcoxon_method : str
        ``"exact"``, ``"exact permutation"``, ``"normal approximation"``
        (tie-corrected, no continuity correction) or ``"not estimable"``.
    d_z, g_z, d_rm, d_av, g_av : Effect
        Repeated-measures effect sizes (see :func:`paired`).
    confidence : float
    reason : str or None
        Why figures are NaN (``"n < 2"``, zero variance, ...), else None.
    """

    n: int
    n_dropped: int
    mean_pre: float
    mean_post: float
    sd_pre: float
    sd_post: float
    r: float
    mean_diff: float
    sd_diff: float
    diff_ci_low: float
    diff_ci_high: float
    t: float
    df: float
    p: float
    wilcoxon_v: float
    wilcoxon_p: float
    wilcoxon_method: str
    d_z: Effect
    g_z: Effect
    d_rm: Effect
    d_av: Effect
    g_av: Effect
    confidence: float
    reason: str | None


@dataclasses.dataclass(frozen=True)
class SMCRResult(Result):
    """Result of :func:`standardized_mean_change`.

    Attributes
    ----------
    n, n_dropped : int
    mean_pre, mean_post, sd_pre, r : float
    yi : float
        Bias-corrected standardized mean change (raw-score standardization).
    vi : float
        Its large-sample sampling variance (metafor ``vtype="LS"``).
    ci_low, ci_high : float
        Wald interval yi -/+ z sqrt(vi).
    confidence : float
    reason : str or None
    """

    n: int
    n_dropped: int
    mean_pre: float
    mean_post: float
    sd_pre: float
    r: float
    yi: float
    vi: float
    ci_low: float
    ci_high: float
    confidence: float
    reason: str | None


@dataclasses.dataclass(frozen=True)
class PrePostControlResult(Result):
    """Result of :func:`pre_post_control`.

    Attributes
    ----------
    n_t, n_c : int
        Complete pairs in the treatment and control group.
    n_dropped : int
        Incomplete pairs dropped (both groups).
    mean_change_t, mean_change_c : float
        Mean post minus pre per group.
    sd_pre_t, sd_pre_c, sd_pre_pooled : float
        Pretest SDs and their pooled value.
    r_t, r_c, r_pooled : float
        Pre-post correlations per group and their (n-1)-weighted mean.
    d_ppc2 : Effect
        Morris (2008) d_ppc2 (pooled pretest SD, corrected), variance and CI.
    d_ppc1 : Effect
        Becker (1988) d_ppc1 = d_T - d_C (each group's own pretest SD).
    confidence : float
    reason : str or None
    """

    n_t: int
    n_c: int
    n_dropped: int
    mean_change_t: float
    mean_change_c: float
    sd_pre_t: float
    sd_pre_c: float
    sd_pre_pooled: float
    r_t: float
    r_c: float
    r_pooled: float
    d_ppc2: Effect
    d_ppc1: Effect
    confidence: float
    reason: str | None


@dataclasses.dataclass(frozen=True)
class ReliableChangeResult(Result):
    """Result of :func:`reliable_change`.

    Attributes
    ----------
    rci : list[float]
        Per participant (input order; NaN where pre or post is missing).
    n : int
        Participants with both scores.
    n_dropped : int
    improved, unchanged, deteriorated : int
        Counts with RCI > 1.96, |RCI| <= 1.96, RCI < -1.96 (post minus pre:
        "improved" means a reliable increase; flip lower-is-better measures).
    sd, reliability, se_measurement, s_diff : float
        SD used, reliability, SE of measurement sd sqrt(1 - rxx), and
        S_diff = sqrt(2 SE^2).
    criterion : float
        1.96.
    reason : str or None
    """

    rci: list[float]
    n: int
    n_dropped: int
    improved: int
    unchanged: int
    deteriorated: int
    sd: float
    reliability: float
    se_measurement: float
    s_diff: float
    criterion: float
    reason: str | None


@dataclasses.dataclass(frozen=True)
class NPSResult(Result):
    """Result of :func:`nps`.

    Attributes
    ----------
    nps : float
        Net Promoter Score in points, 100 (share of promoters - share of
        detractors), from -100 to 100.
    promoters, passives, detractors : int
        Counts of ratings 9-10, 7-8 and 0-6.
    n : int
        Valid ratings.
    n_dropped : int
        Missing (NaN) ratings dropped.
    ci_low, ci_high : float
        Adjusted Wald interval on the same scale (see Notes).
    ci_method : str
    confidence : float
    reason : str or None
    """

    nps: float
    promoters: int
    passives: int
    detractors: int
    n: int
    n_dropped: int
    ci_low: float
    ci_high: float
    ci_method: str
    confidence: float
    reason: str | None
