"""An intervention's measurements as arrays, run through :mod:`kirkpatrick.stats`.

The only module that knows both the schema and the statistics. It loads each intervention's
measurements with one query into a dense array ``values[cell, participant, wave]`` (a cell is a
measure and a rater), then computes, per level, measure and rater:

* pre -> post and pre -> follow-up: the paired result and the standardized mean change (SMCR),
  with the sign flipped for lower-is-better measures so that a positive effect is always an
  improvement; the control-group effect (Morris d_ppc2) where the intervention has a control
  group; reliable change (Jacobson-Truax) where the measure has a reliability;
* measures with no pre wave (level 1 often is post only): mean, SD, CI, percent of maximum
  possible (POMP) and, for 0-10 scales, the Net Promoter Score;
* one headline effect per level (see :func:`composite`), compared with Lacerenza et al. (2017).

Anonymity is decided here, once: a row whose group has fewer than ``min_group`` respondents is
marked ``reportable=False`` and left out of the headline; reports show no figure for it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Text, case, cast, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick import stats
from kirkpatrick.domain import settings as policy
from kirkpatrick.domain.errors import NotFound
from kirkpatrick.domain.literature import LEADERSHIP_TRAINING, Benchmark
from kirkpatrick.domain.vocab import Group, Level, Rater, TransferFactor, Wave
from kirkpatrick.services.records import get_intervention
from kirkpatrick.stats import Effect, NPSResult, PairedResult, PrePostControlResult, ReliableChangeResult, SMCRResult
from kirkpatrick.stats._result import to_jsonable
from kirkpatrick.storage.models import Feedback, Intervention, Measure, Measurement, Participant

DEFAULT_MIN_GROUP = policy.DEFAULT_MIN_GROUP
WAVES: tuple[Wave, ...] = tuple(Wave)
RATERS: tuple[Rater, ...] = tuple(Rater)
CONTRASTS: tuple[tuple[Wave, Wave], ...] = ((Wave.PRE, Wave.POST), (Wave.PRE, Wave.FOLLOW_UP))
HEADLINE_METHOD = (
    "Composite of the level's standardized mean changes (pre to post, treatment group, "
    "reportable rows): the mean of yi, with variance (mean of sqrt(vi))^2, i.e. the outcomes "
    "are assumed perfectly correlated (Borenstein et al. 2009, ch. 24), a conservative choice "
    "because they come from the same participants."
)
FloatArray = NDArray[np.float64]


# ------------------------------------------------------------------ result records


@dataclass(frozen=True)
class MeasureInfo:
    """A catalogue measure as the analysis uses it."""

    code: str
    name: str
    level: Level
    scale_min: float
    scale_max: float
    higher_is_better: bool
    reliability: float | None

    @property
    def direction(self) -> int:
        """+1, or -1 where lower is better: multiplying by it makes positive mean improvement."""
        return 1 if self.higher_is_better else -1

    @property
    def is_nps(self) -> bool:
        """A 0-10 rating scale, read as a would-recommend question (Reichheld 2003)."""
        return self.scale_min == 0 and self.scale_max == 10


@dataclass(frozen=True)
class Change:
    """One measure and rater, from one wave to a later one, in the treatment group.

    ``paired`` and ``smcr`` are on the raw scale (post minus pre), so their means read as the
    questionnaire did. ``effect`` (the SMCR yi), ``control`` and ``reliable`` are computed on
    oriented scores (times ``direction``): positive is an improvement for every measure.
    """

    measure: MeasureInfo
    rater: Rater
    wave_from: Wave
    wave_to: Wave
    paired: PairedResult
    smcr: SMCRResult
    effect: Effect
    control: PrePostControlResult | None
    reliable: ReliableChangeResult | None
    n_from: int
    n_to: int
    reportable: bool
    control_reportable: bool

    @property
    def n(self) -> int:
        """Complete pairs."""
        return self.smcr.n

    @property
    def attrition(self) -> float:
        """Share of the first wave's respondents without a usable pair."""
        return 1.0 - self.paired.n / self.n_from if self.n_from else math.nan

    def to_dict(self) -> dict[str, Any]:
        reliable = None
        if self.reliable is not None:
            # Per-participant indices stay out of any output: counts only.
            reliable = {
                f: to_jsonable(getattr(self.reliable, f)) for f in self.reliable.__dataclass_fields__ if f != "rci"
            }
        return {
            "measure": self.measure.code,
            "rater": self.rater.value,
            "wave_from": self.wave_from.value,
            "wave_to": self.wave_to.value,
            "higher_is_better": self.measure.higher_is_better,
            "n_from": self.n_from,
            "n_to": self.n_to,
            "reportable": self.reportable,
            "paired": self.paired.to_dict(),
            "smcr": self.smcr.to_dict(),
            "effect": self.effect.to_dict(),
            "control": self.control.to_dict() if self.control is not None else None,
            "control_reportable": self.control_reportable,
            "reliable_change": reliable,
        }


@dataclass(frozen=True)
class Descriptive:
    """A measure and rater at one wave where there is no pre wave to compare with."""

    measure: MeasureInfo
    rater: Rater
    wave: Wave
    n: int
    mean: float
    sd: float
    ci_low: float
    ci_high: float
    pomp: float
    pomp_ci_low: float
    pomp_ci_high: float
    nps: NPSResult | None
    reportable: bool

    def to_dict(self) -> dict[str, Any]:
        out = {
            k: to_jsonable(getattr(self, k))
            for k in ("n", "mean", "sd", "ci_low", "ci_high", "pomp", "pomp_ci_low", "pomp_ci_high", "reportable")
        }
        return {
            "measure": self.measure.code,
            "rater": self.rater.value,
            "wave": self.wave.value,
            **out,
            "nps": self.nps.to_dict() if self.nps is not None else None,
        }


@dataclass(frozen=True)
class Headline:
    """One effect per level: ``kind`` says which.

    ``"smcr"``: the composite standardized mean change (``yi``, ``vi``) of the level's pre/post
    rows; ``"pomp"``: no pre wave, so the mean percent of maximum possible of its post-only
    measures (descriptive, no effect size); ``"none"``: nothing reportable.
    """

    level: Level
    kind: str
    estimate: float
    ci_low: float
    ci_high: float
    yi: float
    vi: float
    n: int
    k: int
    control_estimate: float
    control_ci_low: float
    control_ci_high: float
    control_k: int
    benchmark: Benchmark
    comparison: str

    def to_dict(self) -> dict[str, Any]:
        d = {k: to_jsonable(v) for k, v in self.__dict__.items() if k not in ("level", "benchmark")}
        d["level"] = self.level.value
        d["benchmark"] = {
            "estimate": self.benchmark.estimate,
            "source": self.benchmark.source,
            "where": self.benchmark.where,
        }
        return d


@dataclass(frozen=True)
class LevelResult:
    level: Level
    measures: list[MeasureInfo]
    changes: list[Change]
    descriptives: list[Descriptive]
    headline: Headline

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "number": self.level.number,
            "headline": self.headline.to_dict(),
            "measures": [m.code for m in self.measures],
            "changes": [c.to_dict() for c in self.changes],
            "descriptives": [d.to_dict() for d in self.descriptives],
        }


@dataclass(frozen=True)
class WaveCount:
    """Distinct participants with any measurement at a wave, per group."""

    wave: Wave
    group: Group
    n: int


@dataclass(frozen=True)
class FactorUse:
    factor: TransferFactor
    present: bool
    note: str | None


@dataclass(frozen=True)
class InterventionFacts:
    """What was logged about the intervention (for the report's header and factor section)."""

    code: str
    title: str
    client: str
    client_unit: str | None
    consultant: str | None
    target_group: str
    format: str
    start: dt.date
    end: dt.date
    sessions: list[dt.date]
    factors: list[FactorUse]
    quotes: list[Feedback]  # cleared quotes only: the rest never leaves the database

    @property
    def spacing_days(self) -> list[int]:
        return [(b - a).days for a, b in zip(self.sessions, self.sessions[1:])]


@dataclass(frozen=True)
class InterventionAnalysis:
    facts: InterventionFacts
    levels: list[LevelResult]
    waves: list[WaveCount]
    n_treatment: int
    n_control: int
    min_group: int
    confidence: float

    @property
    def has_control(self) -> bool:
        return self.n_control > 0

    def level(self, level: Level) -> LevelResult:
        return next(r for r in self.levels if r.level == level)

    def wave_n(self, wave: Wave, group: Group = Group.TREATMENT) -> int:
        return next((w.n for w in self.waves if w.wave == wave and w.group == group), 0)

    @property
    def attrition(self) -> float:
        """Treatment participants measured before but not after (pre -> post), as a share."""
        pre, post = self.wave_n(Wave.PRE), self.wave_n(Wave.POST)
        return 1.0 - post / pre if pre else math.nan

    def to_dict(self) -> dict[str, Any]:
        f = self.facts
        return {
            "intervention": f.code,
            "title": f.title,
            "min_group": self.min_group,
            "confidence": self.confidence,
            "headline_method": HEADLINE_METHOD,
            "participants": {"treatment": self.n_treatment, "control": self.n_control},
            "waves": [{"wave": w.wave.value, "group": w.group.value, "n": w.n} for w in self.waves],
            "attrition": to_jsonable(self.attrition),
            "levels": [lv.to_dict() for lv in self.levels],
        }


@dataclass(frozen=True)
class LevelEffect:
    """The headline of one intervention and level, for pooling across interventions."""

    code: str
    level: Level
    kind: str
    yi: float
    vi: float
    n: int
    k: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "level": self.level.value,
            "kind": self.kind,
            "yi": to_jsonable(self.yi),
            "vi": to_jsonable(self.vi),
            "n": self.n,
            "k": self.k,
        }


# ------------------------------------------------------------------ loading


@dataclass
class _Data:
    """One intervention's measurements: ``values[cell, participant, wave]`` (NaN = none)."""

    participant_ids: NDArray[np.int64]
    control: NDArray[np.bool_]
    cells: list[tuple[MeasureInfo, Rater]]
    values: FloatArray = field(repr=False)


_WAVE_CODE = case({w.value: i for i, w in enumerate(WAVES)}, value=Measurement.wave, else_=-1)
_RATER_CODE = case({r.value: i for i, r in enumerate(RATERS)}, value=Measurement.rater, else_=-1)
_ROW = np.dtype([("iv", "i8"), ("p", "i8"), ("m", "i8"), ("w", "i8"), ("r", "i8"), ("v", "f8")])


def _catalogue(session: OrmSession) -> dict[int, MeasureInfo]:
    rows = session.execute(
        select(
            Measure.id,
            Measure.code,
            Measure.name,
            Measure.level,
            Measure.scale_min,
            Measure.scale_max,
            Measure.higher_is_better,
            Measure.reliability,
        )
    )
    return {r[0]: MeasureInfo(r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows}


@dataclass(frozen=True)
class _Cell:
    """The values of one intervention, measure, rater and wave, by participant id."""

    iv: int
    m: int
    r: int
    w: int
    p: NDArray[np.int64]
    v: FloatArray


def _measurement_rows(session: OrmSession, intervention_ids: Sequence[int] | None) -> list[_Cell]:
    """Every measurement of the given interventions (all when ``None``), one array pair per cell.

    At a million values the cost is Python objects, not the database: a row per value makes
    several. So the database packs each (intervention, measure, rater, wave) cell into two
    comma-separated strings (participant ids, values), read straight from the covering index
    ``ix_measurement_analysis``, and NumPy parses them in C. SQLite prints a REAL with 15
    significant digits (``%!.15g``), far beyond any survey scale's precision; PostgreSQL prints
    float8 exactly. Other backends get one plain row per value.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        ids_text = func.group_concat(Measurement.participant_id)
        values_text = func.group_concat(Measurement.value)
    elif dialect == "postgresql":
        ids_text = func.string_agg(
            cast(Measurement.participant_id, Text), aggregate_order_by(literal(","), Measurement.participant_id)
        )
        values_text = func.string_agg(
            cast(Measurement.value, Text), aggregate_order_by(literal(","), Measurement.participant_id)
        )
    else:
        stmt = select(
            Measurement.intervention_id,
            Measurement.participant_id,
            Measurement.measure_id,
            _WAVE_CODE,
            _RATER_CODE,
            Measurement.value,
        )
        if intervention_ids is not None:
            stmt = stmt.where(Measurement.intervention_id.in_(list(intervention_ids)))
        rows = _fetch_array(session, stmt, _ROW)
        rows = rows[np.lexsort((rows["w"], rows["r"], rows["m"], rows["iv"]))]
        key = np.stack([rows["iv"], rows["m"], rows["r"], rows["w"]])
        starts = np.flatnonzero(np.r_[True, (key[:, 1:] != key[:, :-1]).any(axis=0)]) if rows.size else []
        bounds = list(starts) + [rows.size]
        return [
            _Cell(
                int(rows["iv"][a]),
                int(rows["m"][a]),
                int(rows["r"][a]),
                int(rows["w"][a]),
                rows["p"][a:b].copy(),
                rows["v"][a:b].copy(),
            )
            for a, b in zip(bounds, bounds[1:])
        ]
    keys = (Measurement.intervention_id, Measurement.measure_id, Measurement.rater, Measurement.wave)
    stmt = select(*keys, ids_text, values_text).group_by(*keys)
    if intervention_ids is not None:
        stmt = stmt.where(Measurement.intervention_id.in_(list(intervention_ids)))
    result = session.connection().execute(stmt)
    try:
        cells = result.cursor.fetchall()
    finally:
        result.close()
    wave_code = {w.value: k for k, w in enumerate(WAVES)}
    rater_code = {r.value: k for k, r in enumerate(RATERS)}
    # Most cells list the same participants: parse each distinct id list once.
    id_arrays: dict[str, NDArray[np.int64]] = {}
    out = []
    for iv, measure_id, rater, wave, ids, values in cells:
        p = id_arrays.get(ids)
        if p is None:
            p = id_arrays[ids] = np.fromstring(ids, dtype=np.int64, sep=",")
        out.append(
            _Cell(
                iv,
                measure_id,
                rater_code.get(rater, -1),
                wave_code.get(wave, -1),
                p,
                np.fromstring(values, dtype=np.float64, sep=","),
            )
        )
    return out


def _fetch_array(session: OrmSession, stmt: Any, dtype: np.dtype[Any]) -> NDArray[np.void]:
    # The rows are plain numbers: take them from the DBAPI cursor in one fetchall, skipping
    # SQLAlchemy's per-row Result machinery (the dominant cost at a million rows).
    result = session.connection().execute(stmt)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    return np.array(rows, dtype=dtype) if rows else np.empty(0, dtype=dtype)


def _participants(session: OrmSession, intervention_ids: Sequence[int] | None) -> NDArray[np.void]:
    stmt = select(Participant.intervention_id, Participant.id, Participant.group == Group.CONTROL)
    if intervention_ids is not None:
        stmt = stmt.where(Participant.intervention_id.in_(list(intervention_ids)))
    dtype = np.dtype([("iv", "i8"), ("p", "i8"), ("c", "?")])
    return np.sort(_fetch_array(session, stmt, dtype), order=["iv", "p"])


def _pivot(cells: Sequence[_Cell], people: NDArray[np.void], catalogue: dict[int, MeasureInfo]) -> _Data:
    pids = np.ascontiguousarray(people["p"])
    control = np.ascontiguousarray(people["c"])
    keys = sorted({(c.m, c.r) for c in cells})
    if not keys:
        return _Data(pids, control, [], np.empty((0, pids.size, len(WAVES))))
    slot = {k: i for i, k in enumerate(keys)}
    values = np.full((len(keys), pids.size, len(WAVES)), np.nan)
    for c in cells:
        values[slot[(c.m, c.r)], np.searchsorted(pids, c.p), c.w] = c.v
    return _Data(pids, control, [(catalogue[m], RATERS[r]) for m, r in keys], values)


def _facts(session: OrmSession, i: Intervention) -> InterventionFacts:
    factors = sorted(i.factors, key=lambda f: list(TransferFactor).index(f.factor))
    return InterventionFacts(
        code=i.code, title=i.title, client=i.client.name, client_unit=i.client.unit, consultant=i.consultant,
        target_group=i.target_group.value, format=i.format.value, start=i.start_date, end=i.end_date,
        sessions=[s.date for s in i.sessions],
        factors=[FactorUse(f.factor, f.present, f.note) for f in factors],
        quotes=[f for f in i.feedback if f.cleared],
    )  # fmt: skip


# ------------------------------------------------------------------ statistics per cell


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
    to_pomp = lambda v: (v - measure.scale_min) / span * 100.0  # noqa: E731
    return Descriptive(
        measure, rater, wave, m.n, m.mean, m.sd, m.ci_low, m.ci_high, to_pomp(m.mean), to_pomp(m.ci_low),
        to_pomp(m.ci_high), stats.nps(x, confidence=confidence) if measure.is_nps else None, m.n >= min_group,
    )  # fmt: skip


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
        [c.control.d_ppc2.variance for c in ctrl],
    )  # type: ignore[union-attr]
    c_lo, c_hi = stats.normal_interval(c_est, c_var, confidence=confidence) if ctrl else (nan, nan)
    if rows:
        yi, vi = stats.composite([c.effect.estimate for c in rows], [c.effect.variance for c in rows])
        lo, hi = stats.normal_interval(yi, vi, confidence=confidence)
        comparison = "above" if lo > bench.estimate else "below" if hi < bench.estimate else "consistent"
        return Headline(
            level,
            "smcr",
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
            comparison,
        )
    post = [d for d in descriptives if d.reportable and math.isfinite(d.pomp)]
    if post:
        return Headline(
            level,
            "pomp",
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
            "not_comparable",
        )
    return Headline(level, "none", nan, nan, nan, nan, nan, 0, 0, nan, nan, nan, 0, bench, "none")


def _analyse_data(data: _Data, *, min_group: int, confidence: float, full: bool = True) -> list[LevelResult]:
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
            changes[measure.level].append(Change(
                measure, rater, w_from, w_to, paired, smcr, _smcr_effect(smcr, d), control, reliable,  # type: ignore[arg-type]
                int(n_t[i, a]), int(n_t[i, b]), n >= min_group,
                control is not None and control.n_c >= min_group and control.n_t >= min_group,
            ))  # fmt: skip
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


# ------------------------------------------------------------------ public API


def analyse(
    session: OrmSession, code: str, *, min_group: int = DEFAULT_MIN_GROUP, confidence: float = 0.95
) -> InterventionAnalysis:
    """Analyse intervention ``code``: every level, measure and rater, and each level's headline.

    Raises :class:`~kirkpatrick.errors.NotFound` for an unknown code and ``ValueError`` for a
    ``min_group`` below 1.
    """
    if min_group < 1:
        raise ValueError(f"min_group must be at least 1, but got {min_group!r}")
    i = get_intervention(session, code)
    data = _pivot(_measurement_rows(session, [i.id]), _participants(session, [i.id]), _catalogue(session))
    levels = _analyse_data(data, min_group=min_group, confidence=confidence)
    seen = np.isfinite(data.values).any(axis=0)  # [participant, wave]
    waves = [
        WaveCount(w, g, int(seen[mask, k].sum()))
        for k, w in enumerate(WAVES)
        for g, mask in ((Group.TREATMENT, ~data.control), (Group.CONTROL, data.control))
    ]
    return InterventionAnalysis(
        facts=_facts(session, i), levels=levels, waves=waves, n_treatment=int((~data.control).sum()),
        n_control=int(data.control.sum()), min_group=min_group, confidence=confidence,
    )  # fmt: skip


def headline_effects(
    session: OrmSession, codes: Sequence[str] | None = None, *, min_group: int = DEFAULT_MIN_GROUP
) -> list[LevelEffect]:
    """Per intervention and level, the headline ``yi``, ``vi`` and ``n`` (for the portfolio).

    The same numbers as :func:`analyse`'s headlines, for many interventions with four queries
    (interventions, catalogue, participants, measurements) whatever their number. ``codes=None``
    means every intervention. Levels with no pre/post effect have ``kind`` ``"pomp"`` or
    ``"none"`` and NaN ``yi``/``vi``.
    """
    stmt = select(Intervention.id, Intervention.code).order_by(Intervention.code)
    if codes is not None:
        stmt = stmt.where(Intervention.code.in_(list(codes)))
    found = session.execute(stmt).all()
    if codes is not None:
        missing = sorted(set(codes) - {c for _, c in found})
        if missing:
            raise NotFound(f"no intervention with code {missing[0]!r}")
    ids = [i for i, _ in found] if codes is not None else None
    catalogue = _catalogue(session)
    by_intervention: dict[int, list[_Cell]] = {}
    for cell in _measurement_rows(session, ids):
        by_intervention.setdefault(cell.iv, []).append(cell)
    people = _participants(session, ids)
    out: list[LevelEffect] = []
    for iv, code in found:
        p_lo, p_hi = np.searchsorted(people["iv"], [iv, iv + 1])
        data = _pivot(by_intervention.get(iv, []), people[p_lo:p_hi], catalogue)
        for lv in _analyse_data(data, min_group=min_group, confidence=0.95, full=False):
            h = lv.headline
            out.append(LevelEffect(code, lv.level, h.kind, h.yi, h.vi, h.n, h.k))
    return out
