"""The statistics of each cell (measure and rater), each level's rows and its headline."""

from __future__ import annotations

import math

import numpy as np

from kirkpatrick import stats
from kirkpatrick.domain.literature import LEADERSHIP_TRAINING
from kirkpatrick.domain.vocab import Comparison, HeadlineKind, Level, Rater, Wave
from kirkpatrick.services.analysis.loading import Data, FloatArray
from kirkpatrick.services.analysis.records import (
    CONTRASTS,
    RATERS,
    WAVES,
    Change,
    Descriptive,
    Headline,
    LevelResult,
    MeasureInfo,
)
from kirkpatrick.stats import Effect, SMCRResult


def _orient(effect: Effect, direction: int, name: str | None = None) -> Effect:
    if direction == 1 and name is None:
        return effect
    lo, hi = direction * effect.ci_low, direction * effect.ci_high
    return Effect(
        name or effect.name,
        direction * effect.estimate,
        min(lo, hi),
        max(lo, hi),
        effect.ci_method,
        effect.variance,
        effect.confidence,
    )


def _smcr_effect(s: SMCRResult, direction: int) -> Effect:
    raw = Effect(
        "g_smcr",
        s.yi,
        s.ci_low,
        s.ci_high,
        "normal approximation, vi = 2(1-r)/n + yi^2/(2n) (Becker 1988; metafor SMCR)",
        s.vi,
        s.confidence,
    )
    return _orient(raw, direction)


def _descriptive(
    measure: MeasureInfo, rater: Rater, wave: Wave, x: FloatArray, min_group: int, confidence: float
) -> Descriptive:
    x = x[np.isfinite(x)]
    m = stats.mean_ci(x, confidence=confidence)
    # POMP = (M - min) / (max - min) * 100 (Cohen et al. 1999).
    span = measure.scale_max - measure.scale_min

    def to_pomp(v: float) -> float:
        return (v - measure.scale_min) / span * 100.0

    return Descriptive(
        measure,
        rater,
        wave,
        m.n,
        m.mean,
        m.sd,
        m.ci_low,
        m.ci_high,
        to_pomp(m.mean),
        to_pomp(m.ci_low),
        to_pomp(m.ci_high),
        stats.nps(x, confidence=confidence) if measure.is_nps else None,
        m.n >= min_group,
    )


def _level_headline(
    level: Level, changes: list[Change], descriptives: list[Descriptive], confidence: float
) -> Headline:
    bench = LEADERSHIP_TRAINING[level]
    nan = math.nan
    rows = [
        c
        for c in changes
        if c.wave_from == Wave.PRE
        and c.wave_to == Wave.POST
        and c.reportable
        and math.isfinite(c.effect.estimate)
        and math.isfinite(c.effect.variance)
    ]
    ctrl = [
        c
        for c in rows
        if c.control is not None
        and c.control_reportable
        and math.isfinite(c.control.d_ppc2.estimate)
        and math.isfinite(c.control.d_ppc2.variance)
    ]
    c_est, c_var = stats.composite(
        [c.control.d_ppc2.estimate for c in ctrl],  # type: ignore[union-attr]
        [c.control.d_ppc2.variance for c in ctrl],  # type: ignore[union-attr]
    )
    c_lo, c_hi = stats.normal_interval(c_est, c_var, confidence=confidence) if ctrl else (nan, nan)
    if rows:
        yi, vi = stats.composite([c.effect.estimate for c in rows], [c.effect.variance for c in rows])
        lo, hi = stats.normal_interval(yi, vi, confidence=confidence)
        return Headline(
            level,
            HeadlineKind.SMCR,
            yi,
            lo,
            hi,
            yi,
            vi,
            max(c.n for c in rows),
            len(rows),
            c_est,
            c_lo,
            c_hi,
            len(ctrl),
            bench,
            bench.compare(lo, hi),
        )
    post = [d for d in descriptives if d.reportable and math.isfinite(d.pomp)]
    if post:
        return Headline(
            level,
            HeadlineKind.POMP,
            float(np.mean([d.pomp for d in post])),
            float(np.mean([d.pomp_ci_low for d in post])),
            float(np.mean([d.pomp_ci_high for d in post])),
            nan,
            nan,
            max(d.n for d in post),
            len(post),
            nan,
            nan,
            nan,
            0,
            bench,
            Comparison.NOT_COMPARABLE,
        )
    return Headline(level, HeadlineKind.NONE, nan, nan, nan, nan, nan, 0, 0, nan, nan, nan, 0, bench, Comparison.NONE)


def analyse_data(data: Data, *, min_group: int, confidence: float, full: bool = True) -> list[LevelResult]:
    """Every level's rows and headline. ``full=False`` skips what only the report shows (paired
    tests with Wilcoxon, reliable change, control effects) for the portfolio's batch."""
    treat = ~data.control
    t_vals = data.values[:, treat, :]
    c_vals = data.values[:, data.control, :]
    n_t = np.isfinite(t_vals).sum(axis=1)  # [cell, wave]
    n_c = np.isfinite(c_vals).sum(axis=1)
    changes: dict[Level, list[Change]] = {lv: [] for lv in Level}
    descriptives: dict[Level, list[Descriptive]] = {lv: [] for lv in Level}
    pre = WAVES.index(Wave.PRE)
    for w_from, w_to in CONTRASTS:
        a, b = WAVES.index(w_from), WAVES.index(w_to)
        idx = [i for i in range(len(data.cells)) if n_t[i, a] and n_t[i, b]]
        if not idx:
            continue
        if full:
            batch = stats.paired_many(t_vals[idx, :, a], t_vals[idx, :, b], confidence=confidence)
        smcrs = stats.standardized_mean_change_many(t_vals[idx, :, a], t_vals[idx, :, b], confidence=confidence)
        for j, i in enumerate(idx):
            measure, rater = data.cells[i]
            d = measure.direction
            x, y = t_vals[i, :, a], t_vals[i, :, b]
            paired = batch.row(j) if full else None
            smcr = smcrs[j]
            control = reliable = None
            if full and n_c[i, a] and n_c[i, b]:
                control = stats.pre_post_control(
                    d * x, d * y, d * c_vals[i, :, a], d * c_vals[i, :, b], confidence=confidence
                )
            if full and measure.reliability is not None:
                reliable = stats.reliable_change(d * x, d * y, measure.reliability)
            n = smcr.n
            changes[measure.level].append(
                Change(
                    measure,
                    rater,
                    w_from,
                    w_to,
                    paired,  # type: ignore[arg-type]
                    smcr,
                    _smcr_effect(smcr, d),
                    control,
                    reliable,
                    int(n_t[i, a]),
                    int(n_t[i, b]),
                    n >= min_group,
                    control is not None and control.n_c >= min_group and control.n_t >= min_group,
                )
            )
    for i, (measure, rater) in enumerate(data.cells):
        if n_t[i, pre]:
            continue
        for w, wave in enumerate(WAVES):
            if n_t[i, w]:
                descriptives[measure.level].append(
                    _descriptive(measure, rater, wave, t_vals[i, :, w], min_group, confidence)
                )
    out = []
    for level in Level:
        measures = sorted({c[0] for c in data.cells if c[0].level == level}, key=lambda m: m.code)
        rows = sorted(changes[level], key=_row_order)
        desc = sorted(descriptives[level], key=_row_order)
        out.append(LevelResult(level, measures, rows, desc, _level_headline(level, rows, desc, confidence)))
    return out


def _row_order(row: Change | Descriptive) -> tuple[str, int, int]:
    wave = row.wave_to if isinstance(row, Change) else row.wave
    return (row.measure.code, WAVES.index(wave), RATERS.index(row.rater))
