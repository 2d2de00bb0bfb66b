"""Mean-difference tests and standardized effect sizes.

Sign convention throughout: post minus pre (and ``a`` minus ``b``), so a
positive effect is an increase. Callers flip lower-is-better measures.

Every estimator is named exactly (Lakens 2013 vocabulary): ``d_z``, ``d_rm``,
``d_av``, ``g_av``, ``g_z``, ``d_s``, ``g_s``, ``d_ppc1``, ``d_ppc2``; the
interval method is stored beside each interval in :class:`Effect`.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from ._ci import FloatArray, check_confidence, hedges_j, hedges_j_approx, nct_ci, normal_ci
from ._result import Effect, Result
from ._wilcoxon import wilcoxon_rows

__all__ = [
    "EffectBatch",
    "IndependentResult",
    "PairedBatch",
    "PairedResult",
    "PrePostControlResult",
    "SMCRResult",
    "independent",
    "magnitude",
    "paired",
    "paired_many",
    "pre_post_control",
    "standardized_mean_change",
]

NCT = "noncentral t"
NCT_SCALED = "noncentral t, scaled by the Hedges correction"
BORENSTEIN_428 = "normal approximation, variance (1/n + d^2/(2n)) * 2(1-r) (Borenstein et al. 2009, eq. 4.28)"
BORENSTEIN_428_G = "normal approximation, J^2 * variance of eq. 4.28 (Borenstein et al. 2009)"


def _as_1d(x: ArrayLike, name: str) -> NDArray[np.float64]:
    a = np.asarray(x, dtype=float)
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, but got shape {a.shape!r}")
    return a


def _nan_effect(name: str, method: str, confidence: float) -> Effect:
    return Effect(name, math.nan, math.nan, math.nan, method, math.nan, confidence)


def _p_t(t: FloatArray, df: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore"):
        return np.asarray(2.0 * special.stdtr(df, -np.abs(t)), dtype=float)


# --------------------------------------------------------------------------
# paired
# --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class EffectBatch(Result):
    """Arrays of one named effect size over many groups (see :class:`Effect`)."""

    name: str
    estimate: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    ci_method: str
    variance: FloatArray
    confidence: float = 0.95

    def row(self, i: int) -> Effect:
        """The :class:`Effect` of group ``i``."""
        return Effect(
            self.name,
            float(self.estimate[i]),
            float(self.ci_low[i]),
            float(self.ci_high[i]),
            self.ci_method,
            float(self.variance[i]),
            self.confidence,
        )


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


_PAIRED_SCALARS = (
    "mean_pre", "mean_post", "sd_pre", "sd_post", "r", "mean_diff", "sd_diff",
    "diff_ci_low", "diff_ci_high", "t", "df", "p", "wilcoxon_v", "wilcoxon_p",
)  # fmt: skip
_PAIRED_EFFECTS = ("d_z", "g_z", "d_rm", "d_av", "g_av")


@dataclasses.dataclass(frozen=True)
class PairedBatch(Result):
    """Result of :func:`paired_many`: the fields of :class:`PairedResult` as arrays.

    ``reason`` and ``wilcoxon_method`` are object arrays of str/None; each
    effect is an :class:`EffectBatch`. ``row(i)`` gives group ``i`` as a
    :class:`PairedResult`.
    """

    n: NDArray[np.int64]
    n_dropped: NDArray[np.int64]
    mean_pre: FloatArray
    mean_post: FloatArray
    sd_pre: FloatArray
    sd_post: FloatArray
    r: FloatArray
    mean_diff: FloatArray
    sd_diff: FloatArray
    diff_ci_low: FloatArray
    diff_ci_high: FloatArray
    t: FloatArray
    df: FloatArray
    p: FloatArray
    wilcoxon_v: FloatArray
    wilcoxon_p: FloatArray
    wilcoxon_method: NDArray[np.object_]
    d_z: EffectBatch
    g_z: EffectBatch
    d_rm: EffectBatch
    d_av: EffectBatch
    g_av: EffectBatch
    confidence: float
    reason: NDArray[np.object_]

    def __len__(self) -> int:
        return int(self.n.shape[0])

    def row(self, i: int) -> PairedResult:
        """Group ``i`` as a :class:`PairedResult`."""
        kw: dict[str, object] = {name: float(getattr(self, name)[i]) for name in _PAIRED_SCALARS}
        kw.update({name: getattr(self, name).row(i) for name in _PAIRED_EFFECTS})
        return PairedResult(
            n=int(self.n[i]),
            n_dropped=int(self.n_dropped[i]),
            wilcoxon_method=str(self.wilcoxon_method[i]),
            confidence=self.confidence,
            reason=self.reason[i],
            **kw,  # type: ignore[arg-type]
        )


def paired_many(pre: ArrayLike, post: ArrayLike, *, confidence: float = 0.95) -> PairedBatch:
    """Vectorised :func:`paired` over many measure groups.

    Parameters
    ----------
    pre, post : array_like, shape (g, m)
        Row ``i`` holds the pre and post scores of group ``i``; pad ragged
        groups with NaN (a pair with NaN on either side is dropped and counted).
    confidence : float, default 0.95

    Returns
    -------
    PairedBatch
        The fields of :class:`PairedResult`, one entry per row.

    Notes
    -----
    All rows are computed with array operations; the noncentral-t intervals use
    one vectorised root-finding call (``scipy.special.nctdtrinc``) for all
    rows, and the Wilcoxon test a vectorised ranking (see :func:`paired`).
    """
    confidence = check_confidence(confidence)
    x = np.asarray(pre, dtype=float)
    y = np.asarray(post, dtype=float)
    if x.ndim == 1:
        x = x[None, :]
    if y.ndim == 1:
        y = y[None, :]
    if x.ndim != 2 or x.shape != y.shape:
        raise ValueError(f"pre and post must be 2-D arrays of the same shape, but got {x.shape!r} and {y.shape!r}")
    if x.shape[1] == 0:
        # an all-missing column keeps the reductions below well-defined
        x = np.full((x.shape[0], 1), np.nan)
        y = x.copy()
    g, m = x.shape
    valid = np.isfinite(x) & np.isfinite(y)
    n = valid.sum(axis=1)
    nf = n.astype(float)
    n_dropped = np.asarray(pre, dtype=float).reshape(g, -1).shape[1] - n
    with np.errstate(invalid="ignore", divide="ignore"):
        x0 = np.where(valid, x, 0.0)
        y0 = np.where(valid, y, 0.0)
        mx = x0.sum(axis=1) / nf
        my = y0.sum(axis=1) / nf
        xc = np.where(valid, x - mx[:, None], 0.0)
        yc = np.where(valid, y - my[:, None], 0.0)
        d = np.where(valid, y - x, 0.0)
        md = d.sum(axis=1) / nf
        dc = np.where(valid, d - md[:, None], 0.0)
        df = nf - 1.0
        dfp = np.where(df > 0, df, np.nan)
        sx = np.sqrt((xc * xc).sum(axis=1) / dfp)
        sy = np.sqrt((yc * yc).sum(axis=1) / dfp)
        sd = np.sqrt((dc * dc).sum(axis=1) / dfp)
        r = (xc * yc).sum(axis=1) / dfp / (sx * sy)
        r = np.clip(r, -1.0, 1.0)

        # Floating-point noise must not turn "all differences equal" into a
        # huge d_z: treat SDs below ~1e-12 of the data's scale as zero.
        def _tiny(s: FloatArray, v: FloatArray) -> NDArray[np.bool_]:
            scale = np.max(np.abs(np.where(valid, v, 0.0)), axis=1)
            return ~(s > 1e-12 * np.maximum(scale, 1e-300))

        zero_d = _tiny(sd, d) & (n >= 2)
        zero_x = _tiny(sx, x) & (n >= 2)
        zero_y = _tiny(sy, y) & (n >= 2)
        few = n < 2
        sd = np.where(zero_d, 0.0, sd)
        r = np.where(zero_x | zero_y, np.nan, r)

        se = sd / np.sqrt(nf)
        tq = special.stdtrit(dfp, 0.5 + confidence / 2.0)
        diff_lo = md - tq * se
        diff_hi = md + tq * se
        t = np.where(zero_d | few, np.nan, md / se)
        p = _p_t(t, dfp)

        # d_z: mean difference over the SD of the differences (Lakens 2013, eq. 7);
        # exact CI from the noncentral t of the paired t statistic.
        dz = t / np.sqrt(nf)
        ncp_lo, ncp_hi = nct_ci(t, dfp, confidence)
        dz_lo, dz_hi = ncp_lo / np.sqrt(nf), ncp_hi / np.sqrt(nf)
        dz_var = 1.0 / nf + dz**2 / (2.0 * nf)
        j = hedges_j(dfp)
        # d_rm: d_z * sqrt(2(1 - r)) (Lakens 2013, eq. 9), raw-score metric
        # with the correlation taken into account.
        drm = dz * np.sqrt(2.0 * (1.0 - r))
        drm_var = (1.0 / nf + drm**2 / (2.0 * nf)) * 2.0 * (1.0 - r)
        drm_lo, drm_hi = normal_ci(drm, drm_var, confidence)
        # d_av: mean difference over the mean of the two SDs (Lakens 2013, eq. 10).
        sav = 0.5 * (sx + sy)
        dav = np.where(few | (sav <= 0) | zero_d, np.nan, md / sav)
        dav_var = (1.0 / nf + dav**2 / (2.0 * nf)) * 2.0 * (1.0 - r)
        dav_lo, dav_hi = normal_ci(dav, dav_var, confidence)

    v, wp, wmethod = wilcoxon_rows(np.where(valid, y - x, 0.0), valid)

    reason = np.full(g, None, dtype=object)
    reason[zero_x | zero_y] = "zero variance at pre or post: r, d_rm and the d_av interval are undefined"
    reason[zero_d] = "all differences equal (zero variance of the differences)"
    reason[few] = "n < 2"

    def batch(name: str, est: FloatArray, lo: FloatArray, hi: FloatArray, method: str, var: FloatArray) -> EffectBatch:
        return EffectBatch(name, est, lo, hi, method, var, confidence)

    return PairedBatch(
        n=n,
        n_dropped=n_dropped,
        mean_pre=mx,
        mean_post=my,
        sd_pre=sx,
        sd_post=sy,
        r=r,
        mean_diff=md,
        sd_diff=sd,
        diff_ci_low=diff_lo,
        diff_ci_high=diff_hi,
        t=t,
        df=dfp,
        p=p,
        wilcoxon_v=v,
        wilcoxon_p=wp,
        wilcoxon_method=wmethod,
        d_z=batch("d_z", dz, dz_lo, dz_hi, NCT, dz_var),
        g_z=batch("g_z", j * dz, j * dz_lo, j * dz_hi, NCT_SCALED, j**2 * dz_var),
        d_rm=batch("d_rm", drm, drm_lo, drm_hi, BORENSTEIN_428, drm_var),
        d_av=batch("d_av", dav, dav_lo, dav_hi, BORENSTEIN_428, dav_var),
        g_av=batch("g_av", j * dav, j * dav_lo, j * dav_hi, BORENSTEIN_428_G, j**2 * dav_var),
        confidence=confidence,
        reason=reason,
    )


def paired(pre: ArrayLike, post: ArrayLike, *, confidence: float = 0.95) -> PairedResult:
    """Paired (pre/post) comparison with repeated-measures effect sizes.

    Parameters
    ----------
    pre, post : array_like, shape (n,)
        Scores of the same participants before and after. A pair with a
        missing value (NaN) on either side is dropped and counted in
        ``n_dropped``.
    confidence : float, default 0.95
        Confidence level of every interval.

    Returns
    -------
    PairedResult
        n, n_dropped, mean_pre, mean_post, sd_pre, sd_post, r, mean_diff,
        sd_diff, diff_ci_low, diff_ci_high, t, df, p, wilcoxon_v, wilcoxon_p,
        wilcoxon_method, d_z, g_z, d_rm, d_av, g_av, confidence, reason.

    Notes
    -----
    With differences D = post - pre, mean M_D and SD S_D:

    * t = M_D / (S_D / sqrt(n)), df = n - 1.
    * d_z = M_D / S_D = t / sqrt(n) (Lakens 2013, eq. 7). CI: exact, by
      inverting the noncentral t distribution of t (Steiger & Fouladi 1997).
    * g_z = J(n - 1) d_z with Hedges' (1981) exact correction
      J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)); CI: the d_z limits
      times J.
    * d_rm = d_z sqrt(2(1 - r)) (Lakens 2013, eq. 9).
    * d_av = M_D / ((S_pre + S_post) / 2) (Lakens 2013, eq. 10).
    * g_av = J(n - 1) d_av.
    * d_rm and d_av have no exact interval; both use the large-sample
      variance (1/n + d^2 / (2n)) 2(1 - r) of Borenstein et al. (2009,
      eq. 4.28) with a normal interval. That variance is derived for the
      raw-score metric with equal SDs, so for d_av it is an approximation.
      g_av's interval is the d_av interval times J.
    * ``variance`` of d_z is the large-sample 1/n + d_z^2/(2n) (Becker 1988).
    * Wilcoxon signed-rank p reproduces ``scipy.stats.wilcoxon(post, pre)``
      defaults: zeros dropped, exact null distribution for n <= 50 without
      ties or zeros, exact sign-flip enumeration for n <= 13 with ties or
      zeros, else the tie-corrected normal approximation without continuity
      correction (R's ``wilcox.test`` adds a continuity correction there).

    References
    ----------
    Lakens, D. (2013). Calculating and reporting effect sizes to facilitate
    cumulative science. Frontiers in Psychology, 4, 863.
    Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R.
    (2009). Introduction to Meta-Analysis. Wiley. Chapter 4.
    Hedges, L. V. (1981). Journal of Educational Statistics, 6, 107-128.
    Becker, B. J. (1988). British Journal of Mathematical and Statistical
    Psychology, 41, 257-278.
    """
    x = _as_1d(pre, "pre")
    y = _as_1d(post, "post")
    if x.shape != y.shape:
        raise ValueError(f"pre and post must have the same length, but got {x.size!r} and {y.size!r}")
    return paired_many(x[None, :], y[None, :], confidence=confidence).row(0)


# --------------------------------------------------------------------------
# independent groups
# --------------------------------------------------------------------------


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
    confidence = check_confidence(confidence)
    xa = _as_1d(a, "a")
    xb = _as_1d(b, "b")
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
    nan_d = _nan_effect("d_s", NCT, confidence)
    nan_g = _nan_effect("g_s", NCT_SCALED, confidence)
    if na < 2 or nb < 2:
        return IndependentResult(
            na, nb, n_dropped, ma, mb, math.sqrt(va) if va == va else math.nan,
            math.sqrt(vb) if vb == vb else math.nan, md, math.nan,
            math.nan, math.nan, math.nan, math.nan, math.nan, math.nan,
            nan_d, nan_g, confidence, "n < 2 in a group",
        )  # fmt: skip
    sp = math.sqrt(((na - 1) * va + (nb - 1) * vb) / dfs)
    scale = max(float(np.max(np.abs(xa))), float(np.max(np.abs(xb))), 1e-300)
    if sp <= 1e-12 * scale:
        return IndependentResult(
            na, nb, n_dropped, ma, mb, math.sqrt(va), math.sqrt(vb), md, sp,
            math.nan, dfs, math.nan, math.nan, math.nan, math.nan,
            nan_d, nan_g, confidence, "zero variance in both groups",
        )  # fmt: skip
    ts = md / (sp * math.sqrt(1.0 / na + 1.0 / nb))
    ps = float(2.0 * special.stdtr(dfs, -abs(ts)))
    sea2, seb2 = va / na, vb / nb
    tw = md / math.sqrt(sea2 + seb2)
    dfw = (sea2 + seb2) ** 2 / (sea2**2 / (na - 1) + seb2**2 / (nb - 1))
    pw = float(2.0 * special.stdtr(dfw, -abs(tw)))
    scale_d = math.sqrt(1.0 / na + 1.0 / nb)
    ds = md / sp
    lo, hi = nct_ci(ts, dfs, confidence)
    ds_lo, ds_hi = float(lo) * scale_d, float(hi) * scale_d
    var_d = (na + nb) / (na * nb) + ds**2 / (2.0 * (na + nb))
    j = float(hedges_j(dfs))
    return IndependentResult(
        na, nb, n_dropped, ma, mb, math.sqrt(va), math.sqrt(vb), md, sp,
        ts, dfs, ps, tw, dfw, pw,
        Effect("d_s", ds, ds_lo, ds_hi, NCT, var_d, confidence),
        Effect("g_s", j * ds, j * ds_lo, j * ds_hi, NCT_SCALED, j * j * var_d, confidence),
        confidence, None,
    )  # fmt: skip


# --------------------------------------------------------------------------
# standardized mean change (metafor SMCR)
# --------------------------------------------------------------------------


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


def _complete_pairs(pre: ArrayLike, post: ArrayLike) -> tuple[FloatArray, FloatArray, int]:
    x = _as_1d(pre, "pre")
    y = _as_1d(post, "post")
    if x.shape != y.shape:
        raise ValueError(f"pre and post must have the same length, but got {x.size!r} and {y.size!r}")
    ok = np.isfinite(x) & np.isfinite(y)
    return x[ok], y[ok], int((~ok).sum())


def _smcr_from_summary(
    m_pre: float, m_post: float, sd_pre: float, n: int, r: float, confidence: float
) -> tuple[float, float, float, float]:
    j = float(hedges_j(n - 1))
    yi = j * (m_post - m_pre) / sd_pre
    vi = 2.0 * (1.0 - r) / n + yi**2 / (2.0 * n)
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
    x, y, dropped = _complete_pairs(pre, post)
    n = x.size
    if n < 2:
        return _smcr_result(n, dropped, float(x.mean()) if n else math.nan, float(y.mean()) if n else math.nan,
                            math.nan, math.nan, math.nan, 0.0, confidence)
    sx = float(x.std(ddof=1))
    sy = float(y.std(ddof=1))
    r = float(np.corrcoef(x, y)[0, 1]) if sy > 0 and sx > 0 else math.nan
    return _smcr_result(n, dropped, float(x.mean()), float(y.mean()), sx, sy, r,
                        float(np.max(np.abs(x))), confidence)


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
            out.append(_smcr_result(k, int(dropped[i]), float(mx[i]) if k else math.nan,
                                    float(my[i]) if k else math.nan, math.nan, math.nan, math.nan, 0.0, confidence))
            continue
        ri = float(r[i]) if sy[i] > 0 and sx[i] > 0 else math.nan
        out.append(_smcr_result(k, int(dropped[i]), float(mx[i]), float(my[i]), float(sx[i]), float(sy[i]), ri,
                                float(max_abs[i]), confidence))
    return out


def _smcr_result(n: int, dropped: int, mx: float, my: float, sx: float, sy: float, r: float,
                 max_abs_pre: float, confidence: float) -> SMCRResult:
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
        return SMCRResult(n, dropped, mx, my, sx, r, nan, nan, nan, nan, confidence, "zero variance at post: r undefined")
    yi, vi, lo, hi = _smcr_from_summary(mx, my, sx, n, r, confidence)
    return SMCRResult(n, dropped, mx, my, sx, r, yi, vi, lo, hi, confidence, None)


# --------------------------------------------------------------------------
# pretest-posttest-control (Morris 2008)
# --------------------------------------------------------------------------


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


MORRIS_VAR = "normal approximation, variance of d_ppc2 from Morris (2008)"
BECKER_VAR = "normal approximation, sum of the two groups' variances (Becker 1988)"


def _ppc_from_summary(
    n_t: int, n_c: int,
    m_pre_t: float, m_post_t: float, sd_pre_t: float, r_t: float,
    m_pre_c: float, m_post_c: float, sd_pre_c: float, r_c: float,
    r_pooled: float, confidence: float,
) -> tuple[Effect, Effect, float]:  # fmt: skip
    n = n_t + n_c
    sd_pool = math.sqrt(((n_t - 1) * sd_pre_t**2 + (n_c - 1) * sd_pre_c**2) / (n - 2))
    # Morris (2008) uses Hedges' approximate correction c_P = 1 - 3/(4(n_T+n_C-2)-1).
    cp = float(hedges_j_approx(n - 2))
    delta = cp * ((m_post_t - m_pre_t) - (m_post_c - m_pre_c)) / sd_pool
    rho = r_pooled
    a = (n_t + n_c) / (n_t * n_c)
    if n > 4:
        var2 = 2 * cp**2 * (1 - rho) * a * ((n - 2) / (n - 4)) * (1 + delta**2 / (2 * (1 - rho) * a)) - delta**2
    else:
        var2 = math.nan
    lo, hi = normal_ci(delta, var2, confidence)
    d_ppc2 = Effect("d_ppc2", delta, float(lo), float(hi), MORRIS_VAR, var2, confidence)

    def becker(m_pre: float, m_post: float, sd: float, ng: int, r: float) -> tuple[float, float]:
        # exact J, so d_T and d_C equal metafor's SMCR yi for each group
        c = float(hedges_j(ng - 1))
        dg = c * (m_post - m_pre) / sd
        if ng <= 3:
            return dg, math.nan
        # Becker (1988) variance of a standardized mean change, delta estimated by d.
        v = c**2 * (2 * (1 - r) / ng) * ((ng - 1) / (ng - 3)) * (1 + ng * dg**2 / (2 * (1 - r))) - dg**2
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
    tx, ty, dt = _complete_pairs(t_pre, t_post)
    cx, cy, dc = _complete_pairs(c_pre, c_post)
    nt, nc = tx.size, cx.size
    nan = math.nan
    nan2 = _nan_effect("d_ppc2", MORRIS_VAR, confidence)
    nan1 = _nan_effect("d_ppc1", BECKER_VAR, confidence)
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
    if not sd_pool > 0 or not math.isfinite(r_pool):
        return PrePostControlResult(
            nt, nc, dt + dc, mct, mcc, spt, spc, sd_pool, rt, rc, r_pool, nan2, nan1, confidence,
            "zero variance at pretest or posttest",
        )  # fmt: skip
    d2, d1, _ = _ppc_from_summary(
        nt, nc, float(tx.mean()), float(ty.mean()), spt, rt, float(cx.mean()), float(cy.mean()), spc, rc,
        r_pool, confidence,
    )  # fmt: skip
    reason = None
    if not (spt > 0 and spc > 0 and math.isfinite(rt) and math.isfinite(rc)):
        reason = "zero variance in one group: d_ppc1 undefined"
    return PrePostControlResult(nt, nc, dt + dc, mct, mcc, spt, spc, sd_pool, rt, rc, r_pool, d2, d1, confidence, reason)


# --------------------------------------------------------------------------
# magnitude labels
# --------------------------------------------------------------------------

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
