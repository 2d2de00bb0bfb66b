"""Paired (pre/post) comparisons: t test, Wilcoxon signed-rank test and repeated-measures effect sizes.

Sign convention: post minus pre, so a positive effect is an increase. Estimators are named as in
Lakens (2013): ``d_z``, ``g_z``, ``d_rm``, ``d_av``, ``g_av``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._ci import FloatArray, check_confidence, hedges_j, nct_ci, normal_ci
from ._common import BORENSTEIN_428, BORENSTEIN_428_G, NCT, NCT_SCALED, as_1d, p_t
from .results import Effect, PairedResult, Result

__all__ = ["EffectBatch", "PairedBatch", "PairedResult", "paired", "paired_many"]

_EXACT_MAX_N = 50  # scipy.stats.wilcoxon, method="auto": exact null distribution up to 50 pairs ...
_PERMUTATION_MAX_N = 13  # ... and an exact sign-flip permutation test up to 13 pairs with ties or zeros


def _permutation_p(ranks: FloatArray, obs: float) -> float:
    """Two-sided p of T+ = ``obs`` over all 2^k sign flips of ``ranks`` (SciPy's result for k <= 13)."""
    k = ranks.size
    signs = ((np.arange(2**k)[:, None] >> np.arange(k)[None, :]) & 1).astype(float)
    vals = signs @ ranks
    tol = 1e-9 * max(1.0, abs(obs))
    p_less = float(np.mean(vals <= obs + tol))
    p_greater = float(np.mean(vals >= obs - tol))
    return min(1.0, 2.0 * min(p_less, p_greater))


def wilcoxon_rows(d: FloatArray, valid: NDArray[np.bool_]) -> tuple[FloatArray, FloatArray, NDArray[np.object_]]:
    """Two-sided Wilcoxon signed-rank test on each row of differences ``d`` with ``scipy.stats.wilcoxon``.

    Parameters
    ----------
    d : ndarray, shape (g, m)
        Differences (post minus pre); entries where ``valid`` is False are ignored.
    valid : ndarray of bool, shape (g, m)

    Returns
    -------
    v : ndarray
        T+ (R's ``V``): sum of the ranks of the positive differences (average ranks for ties, zeros dropped).
    p : ndarray
        Two-sided p of ``scipy.stats.wilcoxon(d)`` with its defaults; NaN when no nonzero difference remains.
    method : ndarray of str
        What SciPy's ``method="auto"`` chose: ``"exact"`` (n <= 50, no ties or zeros), ``"exact permutation"``
        (n <= 13 with ties or zeros), else ``"normal approximation"`` (tie-corrected, no continuity
        correction); ``"not estimable"`` without a nonzero difference.

    Notes
    -----
    ``scipy.stats.wilcoxon`` is called once per row (imported here so that importing
    :mod:`kirkpatrick.stats` stays fast), except where SciPy would run its generic permutation test
    (n <= 13 with ties or zeros): that takes seconds per call, so the same exact enumeration of the
    2^n sign flips is done here (identical p; the tests compare with SciPy).
    """
    import warnings

    from scipy import stats

    g = d.shape[0]
    v = np.full(g, np.nan)
    p = np.full(g, np.nan)
    method = np.full(g, "not estimable", dtype=object)
    for i in range(g):
        row = d[i][valid[i]]
        if row.size == 0:
            continue
        nz = row[row != 0]
        ranks = stats.rankdata(np.abs(nz))
        v[i] = float(ranks[nz > 0].sum())
        if nz.size == 0:
            continue
        ties_or_zeros = nz.size < row.size or np.unique(np.abs(nz)).size < nz.size
        if ties_or_zeros and row.size <= _PERMUTATION_MAX_N:
            # SciPy runs its general permutation_test here, 2-5 s per call for n = 13; the same exact
            # enumeration of all 2^n sign flips is one small matrix product
            p[i] = _permutation_p(ranks, v[i])
            method[i] = "exact permutation"
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SciPy warns about ties/zeros and small samples
            p[i] = float(stats.wilcoxon(row).pvalue)
        method[i] = "exact" if row.size <= _EXACT_MAX_N and not ties_or_zeros else "normal approximation"
    return v, p, method


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


_PAIRED_SCALARS = (
    "mean_pre",
    "mean_post",
    "sd_pre",
    "sd_post",
    "r",
    "mean_diff",
    "sd_diff",
    "diff_ci_low",
    "diff_ci_high",
    "t",
    "df",
    "p",
    "wilcoxon_v",
    "wilcoxon_p",
)
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
    All rows are computed with array operations; the noncentral-t limits of
    all rows are found by one vectorised root search (see
    :func:`kirkpatrick.stats._ci.nct_ci`); the Wilcoxon test calls
    ``scipy.stats.wilcoxon`` once per row (see :func:`wilcoxon_rows`).
    """
    from scipy import special

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
    g = x.shape[0]
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
            return np.asarray(~(s > 1e-12 * np.maximum(scale, 1e-300)), dtype=np.bool_)

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
        p = p_t(t, dfp)

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
        # defined when every difference is equal (only d_z needs S_D > 0)
        dav = np.where(few | ~(sav > 0), np.nan, md / sav)
        dav_var = (1.0 / nf + dav**2 / (2.0 * nf)) * 2.0 * (1.0 - r)
        dav_lo, dav_hi = normal_ci(dav, dav_var, confidence)

    v, wp, wmethod = wilcoxon_rows(np.where(valid, y - x, 0.0), valid)

    reason = np.full(g, None, dtype=object)
    reason[n == 2] = "n = 2: Hedges' correction J(1) is undefined, so g_z and g_av are NaN"
    reason[zero_x | zero_y] = "zero variance at pre or post: r, d_rm and the d_av interval are undefined"
    reason[zero_d] = "all differences equal (zero variance of the differences): t, d_z, g_z and d_rm undefined"
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
    x = as_1d(pre, "pre")
    y = as_1d(post, "post")
    if x.shape != y.shape:
        raise ValueError(f"pre and post must have the same length, but got {x.size!r} and {y.size!r}")
    return paired_many(x[None, :], y[None, :], confidence=confidence).row(0)
