"""The portfolio: a private meta-analysis of a consultancy's own interventions.

Per intervention and level the effect is the intervention report's headline
(:func:`kirkpatrick.analysis.headline_effects`): the standardized mean change (SMCR, pre to
post, treatment group) of each of the level's measures and raters, combined into one ``yi``
and ``vi`` per intervention and level as dependent outcomes from the same participants
(Borenstein et al. 2009, ch. 24, with correlation 1 between outcomes: the conservative choice
when the correlations are unknown). Each rater of a multi-rater measure (self, manager, direct
reports) is one such outcome. So an intervention is one study per level, never several.

Across interventions, per level: a random-effects model (REML tau2, Knapp-Hartung CI and test,
prediction interval), compared with Lacerenza et al. (2017). Moderators: each transfer factor
as a subgroup comparison (used vs not used), spacing (mean days between sessions) as a
continuous moderator, and a meta-regression on all factors at once where there are enough
interventions. Every figure comes from :mod:`kirkpatrick.stats`; this module selects, arranges
and decides what is estimable.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Literal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick import stats
from kirkpatrick.domain.errors import InvalidInput
from kirkpatrick.domain.literature import FACTOR_EVIDENCE, LEADERSHIP_TRAINING, Benchmark
from kirkpatrick.domain.vocab import Comparison, Format, HeadlineKind, Level, TransferFactor
from kirkpatrick.services import analysis
from kirkpatrick.stats import MetaRegressionResult, MetaResult, to_jsonable
from kirkpatrick.storage.models import Client, Intervention, Session, TransferFactorUse

DEFAULT_MIN_GROUP = analysis.DEFAULT_MIN_GROUP
FACTORS: tuple[TransferFactor, ...] = tuple(TransferFactor)
# "Ten studies per moderator" (Borenstein et al. 2009, ch. 20; Higgins et al., Cochrane Handbook
# 10.11.5.1): with fewer, a meta-regression's coefficients are too unstable to print.
STUDIES_PER_MODERATOR = 10
# A subgroup needs two interventions to have a between-intervention variance of its own.
MIN_PER_SUBGROUP = 2
METHOD: Literal["REML"] = "REML"
KNHA = True

EXPORT_COLUMNS = ("code", "level", "yi", "vi", "n", *(f.value for f in FACTORS), "spacing_days")


# ------------------------------------------------------------------ selection


@dataclass(frozen=True)
class PortfolioFilters:
    """Which interventions are in the portfolio; ``None`` means "any"."""

    client: str | None = None
    consultant: str | None = None
    format: Format | None = None
    since: dt.date | None = None  # started on or after
    until: dt.date | None = None  # ended on or before

    def __post_init__(self) -> None:
        if self.since and self.until and self.until < self.since:
            raise InvalidInput(f"--until {self.until} is before --since {self.since}")

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.client, self.consultant, self.format, self.since, self.until))

    def to_dict(self) -> dict[str, Any]:
        return {
            "client": self.client,
            "consultant": self.consultant,
            "format": self.format.value if self.format else None,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


@dataclass(frozen=True)
class InterventionInfo:
    """What the moderator analyses need to know about one intervention."""

    code: str
    title: str
    client: str
    consultant: str | None
    format: Format
    start: dt.date
    end: dt.date
    factors: dict[TransferFactor, bool | None]  # None: not recorded
    sessions: int
    spacing_days: float  # mean days between consecutive sessions; NaN with fewer than 2 sessions

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "client": self.client,
            "consultant": self.consultant,
            "format": self.format.value,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "factors": {f.value: v for f, v in self.factors.items()},
            "sessions": self.sessions,
            "spacing_days": to_jsonable(self.spacing_days),
        }


def select_interventions(session: OrmSession, filters: PortfolioFilters) -> list[InterventionInfo]:
    """The interventions matching ``filters``, ordered by start date and code.

    Three plain queries (interventions, factors, sessions) whatever the number of interventions;
    no ORM objects, so 10,000 interventions load in a fraction of a second.
    """
    stmt = (
        select(
            Intervention.id,
            Intervention.code,
            Intervention.title,
            Client.name,
            Intervention.consultant,
            Intervention.format,
            Intervention.start_date,
            Intervention.end_date,
        )
        .join(Client)
        .order_by(Intervention.start_date, Intervention.code)
    )
    if filters.client is not None:
        stmt = stmt.where(Client.name == filters.client)
    if filters.consultant is not None:
        stmt = stmt.where(Intervention.consultant == filters.consultant)
    if filters.format is not None:
        stmt = stmt.where(Intervention.format == filters.format)
    if filters.since is not None:
        stmt = stmt.where(Intervention.start_date >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(Intervention.end_date <= filters.until)
    rows = session.execute(stmt).all()
    chosen = stmt.with_only_columns(Intervention.id).order_by(None).scalar_subquery() if filters.any else None
    factor_q = select(TransferFactorUse.intervention_id, TransferFactorUse.factor, TransferFactorUse.present)
    session_q = select(Session.intervention_id, Session.date).order_by(Session.intervention_id, Session.date)
    if chosen is not None:
        factor_q = factor_q.where(TransferFactorUse.intervention_id.in_(chosen))
        session_q = session_q.where(Session.intervention_id.in_(chosen))
    recorded: dict[int, dict[TransferFactor, bool]] = {}
    for iid, factor, present in session.execute(factor_q):
        recorded.setdefault(iid, {})[factor] = present
    dates: dict[int, list[dt.date]] = {}
    for iid, date in session.execute(session_q):
        dates.setdefault(iid, []).append(date)
    out = []
    for iid, code, title, client, consultant, fmt, start, end in rows:
        mine = recorded.get(iid, {})
        days = dates.get(iid, [])
        gaps = [(b - a).days for a, b in zip(days, days[1:])]
        out.append(
            InterventionInfo(
                code=code,
                title=title,
                client=client,
                consultant=consultant,
                format=fmt,
                start=start,
                end=end,
                factors={f: mine.get(f) for f in FACTORS},
                sessions=len(days),
                spacing_days=sum(gaps) / len(gaps) if gaps else math.nan,
            )
        )
    return out


# ------------------------------------------------------------------ result records


@dataclass(frozen=True)
class EffectRow:
    """One intervention at one level: a study in the level's meta-analysis."""

    code: str
    level: Level
    yi: float
    vi: float
    n: int
    outcomes: int  # measure-and-rater rows combined into yi
    ci_low: float
    ci_high: float

    def to_dict(self) -> dict[str, Any]:
        return {k: to_jsonable(v) if not isinstance(v, Level) else v.value for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class LevelPool:
    """The random-effects summary of one level."""

    level: Level
    k: int
    n: int  # participants over all included interventions
    pooled: MetaResult
    benchmark: Benchmark
    comparison: Comparison
    suppressed: int  # interventions left out: fewer than min_group participants
    post_only: int  # interventions with only post-wave measures at this level (no change effect)

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "k": self.k,
            "n": self.n,
            "pooled": self.pooled.to_dict(),
            "benchmark": {
                "estimate": self.benchmark.estimate,
                "samples": self.benchmark.samples,
                "source": self.benchmark.source,
                "where": self.benchmark.where,
            },
            "comparison": self.comparison,
            "suppressed": self.suppressed,
            "post_only": self.post_only,
        }


@dataclass(frozen=True)
class FactorComparison:
    """One transfer factor at one level: interventions that used it against those that did not.

    ``difference`` is used minus not used, with a Wald interval from the two subgroup estimates'
    standard errors; its two-sided p equals the between-groups Q test's (Q_between = z^2 for two
    groups, Borenstein et al. 2009, ch. 19). All NaN, with ``reason``, when not estimable.
    """

    level: Level
    factor: TransferFactor
    k_used: int
    k_not_used: int
    k_unrecorded: int
    used: MetaResult | None
    not_used: MetaResult | None
    difference: float
    ci_low: float
    ci_high: float
    Q_between: float
    p: float
    reason: str | None
    published: str  # what the literature says (English source text; translated in reports)

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "factor": self.factor.value,
            "k_used": self.k_used,
            "k_not_used": self.k_not_used,
            "k_unrecorded": self.k_unrecorded,
            "used": self.used.to_dict() if self.used else None,
            "not_used": self.not_used.to_dict() if self.not_used else None,
            "difference": to_jsonable(self.difference),
            "ci_low": to_jsonable(self.ci_low),
            "ci_high": to_jsonable(self.ci_high),
            "Q_between": to_jsonable(self.Q_between),
            "p": to_jsonable(self.p),
            "reason": self.reason,
            "published": self.published,
        }


@dataclass(frozen=True)
class Regression:
    """A meta-regression at one level (spacing alone, or all factors at once)."""

    level: Level
    kind: str  # "spacing" or "factors"
    k: int
    moderators: list[str]
    left_out: dict[str, str]  # moderator -> why it is not in the model
    result: MetaRegressionResult | None
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "kind": self.kind,
            "k": self.k,
            "moderators": self.moderators,
            "left_out": self.left_out,
            "result": self.result.to_dict() if self.result else None,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Portfolio:
    """Everything the portfolio report, ``--json`` and ``export`` show."""

    filters: PortfolioFilters
    min_group: int
    confidence: float
    interventions: list[InterventionInfo]
    effects: list[EffectRow]
    levels: list[LevelPool]
    factors: list[FactorComparison]
    spacing: list[Regression]
    regressions: list[Regression]
    method: dict[str, Any] = field(default_factory=dict)

    def level(self, level: Level) -> LevelPool:
        return next(p for p in self.levels if p.level == level)

    def effects_at(self, level: Level) -> list[EffectRow]:
        return [e for e in self.effects if e.level == level]

    def factors_at(self, level: Level) -> list[FactorComparison]:
        return [f for f in self.factors if f.level == level]

    def to_dict(self) -> dict[str, Any]:
        return {
            "filters": self.filters.to_dict(),
            "min_group": self.min_group,
            "confidence": self.confidence,
            "method": self.method,
            "interventions": [i.to_dict() for i in self.interventions],
            "effects": [e.to_dict() for e in self.effects],
            "levels": [lv.to_dict() for lv in self.levels],
            "factors": [f.to_dict() for f in self.factors],
            "spacing": [s.to_dict() for s in self.spacing],
            "regressions": [r.to_dict() for r in self.regressions],
        }

    def export_rows(self) -> list[dict[str, Any]]:
        """One row per intervention and level (the ``export`` CSV), in metafor's names."""
        info = {i.code: i for i in self.interventions}
        rows = []
        for e in self.effects:
            i = info[e.code]
            row: dict[str, Any] = {"code": e.code, "level": e.level.value, "yi": e.yi, "vi": e.vi, "n": e.n}
            for f in FACTORS:
                v = i.factors[f]
                row[f.value] = "" if v is None else int(v)
            row["spacing_days"] = "" if math.isnan(i.spacing_days) else i.spacing_days
            rows.append(row)
        return rows


METHOD_NOTE = {
    "effect": (
        "standardized mean change (SMCR, Becker 1988), pre to post, treatment group; sign: positive is improvement"
    ),
    "combination": analysis.HEADLINE_METHOD,
    "raters": "each rater of a measure (self, manager, direct reports, ...) is one outcome of the composite",
    "pooling": (
        "random effects, REML tau2, Knapp-Hartung CI and t test with k-1 df, prediction interval "
        "(metafor rma(yi, vi, method='REML', test='knha'))"
    ),
    "subgroups": "separate REML tau2 per subgroup, z intervals, between-groups Q (Borenstein et al. 2009, ch. 19)",
    "meta_regression": (
        f"mixed-effects REML with Knapp-Hartung; only with at least {STUDIES_PER_MODERATOR} interventions per moderator"
    ),
    "spacing": (
        "mean days between consecutive sessions; "
        "interventions with fewer than 2 sessions are left out of that moderator"
    ),
    "anonymity": "an intervention is left out of a level when fewer than min_group participants have pre and post",
}


# ------------------------------------------------------------------ building


def build(
    session: OrmSession,
    filters: PortfolioFilters = PortfolioFilters(),
    *,
    min_group: int = DEFAULT_MIN_GROUP,
    confidence: float = 0.95,
) -> Portfolio:
    """Select the interventions, compute each one's effect per level, pool and test moderators."""
    if min_group < 1:
        raise InvalidInput(f"--min-group must be at least 1, not {min_group}")
    interventions = select_interventions(session, filters)
    codes = [i.code for i in interventions]
    if not interventions:
        headlines: list[analysis.LevelEffect] = []
    else:
        # Without filters every intervention is in: skip the IN list (cheaper for 10,000 codes).
        headlines = analysis.headline_effects(session, codes if filters.any else None, min_group=min_group)
    return assemble(interventions, headlines, filters=filters, min_group=min_group, confidence=confidence)


def assemble(
    interventions: Sequence[InterventionInfo],
    headlines: Iterable[analysis.LevelEffect],
    *,
    filters: PortfolioFilters = PortfolioFilters(),
    min_group: int = DEFAULT_MIN_GROUP,
    confidence: float = 0.95,
) -> Portfolio:
    """The portfolio from intervention facts and per-level headline effects (no database)."""
    known = {i.code: i for i in interventions}
    effects: list[EffectRow] = []
    suppressed: dict[Level, int] = {lv: 0 for lv in Level}
    post_only: dict[Level, int] = {lv: 0 for lv in Level}
    for h in headlines:
        if h.code not in known:
            continue
        if h.kind == HeadlineKind.POMP:
            post_only[h.level] += 1
            continue
        if h.kind != HeadlineKind.SMCR or not (math.isfinite(h.yi) and math.isfinite(h.vi) and h.vi > 0):
            continue
        if h.n < min_group:
            suppressed[h.level] += 1
            continue
        effects.append(
            EffectRow(h.code, h.level, h.yi, h.vi, h.n, h.k, *stats.normal_interval(h.yi, h.vi, confidence=confidence))
        )
    order = {c: k for k, c in enumerate(known)}
    effects.sort(key=lambda e: (e.level.number, order[e.code]))

    levels: list[LevelPool] = []
    factors: list[FactorComparison] = []
    spacing: list[Any] = []
    regressions: list[Any] = []
    for level in Level:
        rows = [e for e in effects if e.level == level]
        yi = np.array([e.yi for e in rows])
        vi = np.array([e.vi for e in rows])
        pooled = stats.random_effects(yi, vi, method=METHOD, knha=KNHA, confidence=confidence)
        bench = LEADERSHIP_TRAINING[level]
        levels.append(
            LevelPool(
                level,
                len(rows),
                sum(e.n for e in rows),
                pooled,
                bench,
                bench.compare(pooled.ci_low, pooled.ci_high),
                suppressed[level],
                post_only[level],
            )
        )
        infos = [known[e.code] for e in rows]
        factors.extend(_factor_comparison(level, f, yi, vi, infos, confidence) for f in FACTORS)
        spacing.append(_spacing(level, yi, vi, infos, confidence))
        regressions.append(_all_factors(level, yi, vi, infos, confidence))
    return Portfolio(
        filters,
        min_group,
        confidence,
        list(interventions),
        effects,
        levels,
        factors,
        spacing,
        regressions,
        dict(METHOD_NOTE, rule=f"{STUDIES_PER_MODERATOR} interventions per moderator"),
    )


def _factor_comparison(
    level: Level,
    factor: TransferFactor,
    yi: np.ndarray,
    vi: np.ndarray,
    infos: list[InterventionInfo],
    confidence: float,
) -> FactorComparison:
    flags = [i.factors[factor] for i in infos]
    keep = np.array([f is not None for f in flags], dtype=bool)
    used = np.array([bool(f) for f in flags], dtype=bool)
    k_used, k_not = int((keep & used).sum()), int((keep & ~used).sum())
    k_unrec = int((~keep).sum())
    nan = math.nan
    evidence = FACTOR_EVIDENCE[factor].summary

    def not_estimable(reason: str, res: stats.SubgroupResult | None = None) -> FactorComparison:
        g = res.groups if res else {}
        return FactorComparison(
            level,
            factor,
            k_used,
            k_not,
            k_unrec,
            g.get("used"),
            g.get("not used"),
            nan,
            nan,
            nan,
            nan,
            nan,
            reason,
            evidence,
        )

    total = k_used + k_not
    if total == 0:
        return not_estimable("not estimable: no interventions at this level")
    if k_not == 0:
        return not_estimable(f"not estimable: used by all {total} interventions")
    if k_used == 0:
        return not_estimable(f"not estimable: used by none of the {total} interventions")
    labels = ["used" if u else "not used" for u in used[keep]]
    res = stats.subgroups(yi[keep], vi[keep], labels, confidence=confidence)
    if min(k_used, k_not) < MIN_PER_SUBGROUP:
        return not_estimable(
            f"not estimable: only {min(k_used, k_not)} intervention {'used' if k_used < k_not else 'did not use'} it",
            res,
        )
    a, b = res.groups["used"], res.groups["not used"]
    diff = a.estimate - b.estimate
    # Independent subgroups: the variance of a difference is the sum of the variances.
    low, high = stats.normal_interval(diff, a.se**2 + b.se**2, confidence=confidence)
    return FactorComparison(
        level,
        factor,
        k_used,
        k_not,
        k_unrec,
        a,
        b,
        diff,
        low,
        high,
        res.Q_between,
        res.Q_between_p,
        res.reason,
        evidence,
    )


def _spacing(
    level: Level, yi: np.ndarray, vi: np.ndarray, infos: list[InterventionInfo], confidence: float
) -> Regression:
    x = np.array([i.spacing_days for i in infos], dtype=float)
    ok = np.isfinite(x)
    k = int(ok.sum())
    left = {"spacing_days": f"{len(infos) - k} interventions with fewer than 2 sessions"} if k < len(infos) else {}
    need = STUDIES_PER_MODERATOR
    if k < need:
        return Regression(
            level,
            "spacing",
            k,
            ["spacing_days"],
            left,
            None,
            f"not estimable: too few interventions (k={k} for 1 moderator; need {need})",
        )
    if np.ptp(x[ok]) == 0:
        return Regression(
            level, "spacing", k, ["spacing_days"], left, None, "not estimable: every intervention has the same spacing"
        )
    res = stats.meta_regression(yi[ok], vi[ok], x[ok], names=["spacing_days"], knha=KNHA, confidence=confidence)
    return Regression(level, "spacing", k, ["spacing_days"], left, res, res.reason)


def _all_factors(
    level: Level, yi: np.ndarray, vi: np.ndarray, infos: list[InterventionInfo], confidence: float
) -> Regression:
    # Interventions with any factor not recorded are left out (complete cases).
    complete = [all(i.factors[f] is not None for f in FACTORS) for i in infos]
    rows = [i for i, c in zip(infos, complete) if c]
    ok = np.array(complete, dtype=bool)
    k = len(rows)
    left: dict[str, str] = {}
    names: list[str] = []
    cols = []
    for f in FACTORS:
        col = np.array([float(bool(i.factors[f])) for i in rows])
        if k and col.min() == col.max():
            left[f.value] = "used by all" if col[0] == 1 else "used by none"
            continue
        names.append(f.value)
        cols.append(col)
    need = STUDIES_PER_MODERATOR * max(len(names), 1)
    if not names:
        return Regression(
            level, "factors", k, names, left, None, "not estimable: no factor varies between interventions"
        )
    if k < need:
        return Regression(
            level,
            "factors",
            k,
            names,
            left,
            None,
            f"not estimable: too few interventions (k={k} for {len(names)} moderators; need {need})",
        )
    X = np.column_stack(cols)
    res = stats.meta_regression(yi[ok], vi[ok], X, names=names, knha=KNHA, confidence=confidence)
    return Regression(level, "factors", k, names, left, res, res.reason)


# ------------------------------------------------------------------ export


def write_export(portfolio: Portfolio, out: IO[str]) -> int:
    """Write the effects CSV (``EXPORT_COLUMNS``); returns the number of rows.

    Numbers are written with ``repr`` precision so that re-pooling them gives the report's figures.
    """
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    rows = portfolio.export_rows()
    for row in rows:
        writer.writerow({k: repr(v) if isinstance(v, float) else v for k, v in row.items()})
    return len(rows)
