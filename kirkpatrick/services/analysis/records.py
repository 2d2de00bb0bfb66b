"""The analysis's result records: what :func:`kirkpatrick.services.analysis.analyse` returns."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from kirkpatrick.domain.literature import Benchmark
from kirkpatrick.domain.vocab import Comparison, Group, HeadlineKind, Level, Rater, TransferFactor, Wave
from kirkpatrick.stats import (
    Effect,
    NPSResult,
    PairedResult,
    PrePostControlResult,
    ReliableChangeResult,
    SMCRResult,
    to_jsonable,
)

WAVES: tuple[Wave, ...] = tuple(Wave)
RATERS: tuple[Rater, ...] = tuple(Rater)
CONTRASTS: tuple[tuple[Wave, Wave], ...] = ((Wave.PRE, Wave.POST), (Wave.PRE, Wave.FOLLOW_UP))
HEADLINE_METHOD = (
    "Composite of the level's standardized mean changes (pre to post, treatment group, "
    "reportable rows): the mean of yi, with variance (mean of sqrt(vi))^2, i.e. the outcomes "
    "are assumed perfectly correlated (Borenstein et al. 2009, ch. 24), a conservative choice "
    "because they come from the same participants."
)


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
    kind: HeadlineKind
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
    comparison: Comparison

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
class Quote:
    """A cleared quote about the intervention, under its level (``None``: general)."""

    text: str
    level: Level | None


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
    quotes: list[Quote]  # cleared quotes only: the rest never leaves the database
    # Participant x measure x wave x rater with item answers too few for a scale score: kept in
    # the database, not analysed (no score exists), counted for the report's data quality.
    unscored: int = 0

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
    completers: int = 0  # treatment participants measured both before and after

    @property
    def has_control(self) -> bool:
        return self.n_control > 0

    def level(self, level: Level) -> LevelResult:
        return next(r for r in self.levels if r.level == level)

    def wave_n(self, wave: Wave, group: Group = Group.TREATMENT) -> int:
        return next((w.n for w in self.waves if w.wave == wave and w.group == group), 0)

    @property
    def attrition(self) -> float:
        """Share of the treatment participants measured before who were not measured after: from
        who answered both waves, person by person (late joiners measured only after do not hide
        those who dropped out, as a difference of head counts would)."""
        pre = self.wave_n(Wave.PRE)
        return 1.0 - self.completers / pre if pre else math.nan

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
            "completers": self.completers,
            "attrition": to_jsonable(self.attrition),
            "levels": [lv.to_dict() for lv in self.levels],
        }


@dataclass(frozen=True)
class LevelEffect:
    """The headline of one intervention and level, for pooling across interventions."""

    code: str
    level: Level
    kind: HeadlineKind
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
