"""Level 5: return on investment the Phillips way, with its conservative rules enforced here.

Phillips' ROI Methodology (ROI Institute; Phillips & Phillips, *Return on Investment in Training
and Performance Improvement Programs*, 2nd ed., 2003) has twelve guiding principles. This module
enforces the ones a computation can: costs fully loaded (:func:`time_cost`); no data, no benefit
(a :class:`Benefit` without a measured quantity adds nothing); the most conservative alternative
(the low end of every stated range); isolation by a comparison design or by participants'
estimates adjusted for their confidence; extreme data and unsupported claims left out
(:func:`adjust_claims`); first-year benefits only for short programmes; intangibles listed, not
converted. Formulas: BCR = benefits / costs; ROI % = (benefits - costs) / costs x 100.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence
from typing import Literal

import numpy as np

from .results import Result

__all__ = [
    "COST_CATEGORIES",
    "DEFAULT_EMPLOYER_CONTRIBUTIONS",
    "DEFAULT_HOLIDAY_PAY",
    "DEFAULT_HOURS_PER_YEAR",
    "DEFAULT_OVERHEAD",
    "Benefit",
    "BenefitLine",
    "Claim",
    "ClaimsAdjustment",
    "CostItem",
    "Isolation",
    "Range",
    "RoiResult",
    "adjust_claims",
    "claims_benefit",
    "hourly_cost",
    "roi",
    "time_cost",
]

# The loading of an hour of salary follows Försäkringskassan's calculator of the cost of sickness
# absence ("Beräkna kostnader för sjukfrånvaro", forsakringskassan.se, for employers): the hourly
# wage is the annual salary / 1,880 hours; holiday pay (12 %) and employer contributions (31.42 %)
# are added on it, and fixed overhead (premises, equipment; pre-filled 20 %) as a share of the wage.
# Its published example: 300,000 a year -> wage 160, holiday pay 19, contributions 56, overhead 32,
# 267 an hour present.
DEFAULT_HOURS_PER_YEAR = 1880.0
# Semesterlagen's 12 % semesterersättning, the calculator's pre-filled value.
DEFAULT_HOLIDAY_PAY = 0.12
# Lagstadgade arbetsgivaravgifter incl. allmän löneavgift, the full rate: 31.42 % of gross pay
# (Skatteverket, rättslig vägledning 2024.3, "Arbetsgivaravgifter"; unchanged since 2009 but for
# temporary reductions). Agreed pensions and insurance are extra: municipalities use SKR's
# PO-pålägg instead, which the user states.
DEFAULT_EMPLOYER_CONTRIBUTIONS = 0.3142
# Overhead as a share of the wage, the calculator's pre-filled 20 %; an organisation states its own.
DEFAULT_OVERHEAD = 0.20

COST_CATEGORIES: tuple[str, ...] = (
    "needs_analysis",
    "design",
    "fees",
    "materials",
    "venue",
    "travel",
    "participant_time",
    "manager_time",
    "evaluation",
    "overhead",
    "other",
)


@dataclasses.dataclass(frozen=True)
class Range(Result):
    """A stated value or range, low <= high (a single value has low == high)."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError(f"a range needs finite ends, but got {self.low!r} to {self.high!r}")
        if self.low > self.high:
            raise ValueError(f"a range's low end must not exceed its high end, but got {self.low:g} to {self.high:g}")

    @classmethod
    def of(cls, value: float | tuple[float, float] | Range) -> Range:
        """A :class:`Range` from a number, a (low, high) pair or a range."""
        if isinstance(value, Range):
            return value
        if isinstance(value, tuple):
            return cls(float(value[0]), float(value[1]))
        return cls(float(value), float(value))


def hourly_cost(
    annual_salary: float,
    *,
    hours_per_year: float = DEFAULT_HOURS_PER_YEAR,
    holiday_pay: float = DEFAULT_HOLIDAY_PAY,
    employer_contributions: float = DEFAULT_EMPLOYER_CONTRIBUTIONS,
    overhead: float = DEFAULT_OVERHEAD,
) -> float:
    """Fully loaded cost of one working hour, as Försäkringskassan's sickness-absence calculator.

    Parameters
    ----------
    annual_salary : float
        Gross annual salary (monthly salary x 12).
    hours_per_year : float, default 1,880
    holiday_pay : float, default 0.12 (12 %)
    employer_contributions : float, default 0.3142 (31.42 %)
    overhead : float, default 0.20 (20 % of the wage)

    Returns
    -------
    float
        w (1 + holiday_pay) (1 + employer_contributions) + w overhead, with
        w = annual_salary / hours_per_year.

    Notes
    -----
    Contributions are paid on the wage and the holiday pay; overhead is a share of the wage (the
    calculator's published example: 300,000 a year gives 160 + 19 + 56 + 32 = 267 an hour).
    """
    if not hours_per_year > 0:
        raise ValueError(f"hours per year must be positive, but got {hours_per_year:g}")
    if min(annual_salary, holiday_pay, employer_contributions, overhead) < 0:
        raise ValueError("salary, holiday pay, employer contributions and overhead must not be negative")
    wage = annual_salary / hours_per_year
    return wage * (1.0 + holiday_pay) * (1.0 + employer_contributions) + wage * overhead


@dataclasses.dataclass(frozen=True)
class CostItem(Result):
    """One line of the fully loaded cost.

    Attributes
    ----------
    label : str
    category : str
        One of :data:`COST_CATEGORIES`.
    amount : float
        Money (the high end when a cost was stated as a range: costs are loaded conservatively).
    basis : str
        How the amount was reached, e.g. ``"12 people x 24 h x 412.50 per hour"`` (for the table).
    source : str
        Where the figure comes from (invoice, payroll, SKR's PO-pålägg 2025, ...).
    """

    label: str
    category: str
    amount: float
    basis: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if self.category not in COST_CATEGORIES:
            raise ValueError(f"cost category must be one of {', '.join(COST_CATEGORIES)}, but got {self.category!r}")
        if not (math.isfinite(self.amount) and self.amount >= 0):
            raise ValueError(f"a cost must be a non-negative amount, but {self.label!r} has {self.amount!r}")


def time_cost(
    label: str,
    *,
    people: int,
    hours: float,
    annual_salary: float,
    category: Literal["participant_time", "manager_time"] = "participant_time",
    hours_per_year: float = DEFAULT_HOURS_PER_YEAR,
    holiday_pay: float = DEFAULT_HOLIDAY_PAY,
    employer_contributions: float = DEFAULT_EMPLOYER_CONTRIBUTIONS,
    overhead: float = DEFAULT_OVERHEAD,
    source: str = "",
) -> CostItem:
    """The cost of people's time away from work: people x hours x :func:`hourly_cost`.

    Returns
    -------
    CostItem
        With ``basis`` spelling out the computation and the loading used.
    """
    if people < 0 or hours < 0:
        raise ValueError("people and hours must not be negative")
    rate = hourly_cost(
        annual_salary,
        hours_per_year=hours_per_year,
        holiday_pay=holiday_pay,
        employer_contributions=employer_contributions,
        overhead=overhead,
    )
    basis = (
        f"{people} x {hours:g} h x {rate:.2f}/h (salary {annual_salary:g}/{hours_per_year:g} h, "
        f"holiday pay {holiday_pay * 100:g} %, contributions {employer_contributions * 100:g} %, "
        f"overhead {overhead * 100:g} %)"
    )
    return CostItem(label, category, people * hours * rate, basis, source)


@dataclasses.dataclass(frozen=True)
class Isolation(Result):
    """How the programme's share of a measured improvement was isolated.

    Attributes
    ----------
    method : {"comparison", "participant_estimate"}
        ``"comparison"``: the quantity already is a difference against comparison units (a
        difference-in-differences, interrupted-series or RPD estimate), so nothing more is taken
        off. ``"participant_estimate"``: participants' (or managers') estimate of the share due
        to the programme, multiplied by their confidence in it (Phillips).
    share : Range
        Share of the improvement due to the programme, 0-1 (participant estimates only).
    confidence : Range
        Their confidence in the estimate, 0-1 (participant estimates only).
    design : str
        For a comparison: which design and estimate (shown in the table).
    """

    method: Literal["comparison", "participant_estimate"]
    share: Range = Range(1.0, 1.0)
    confidence: Range = Range(1.0, 1.0)
    design: str = ""

    def __post_init__(self) -> None:
        for name, r in (("share", self.share), ("confidence", self.confidence)):
            if not (r.low >= 0.0 and r.high <= 1.0):
                raise ValueError(f"the {name} must lie between 0 and 1 (0-100 %), but got {r.low:g} to {r.high:g}")
        if self.method == "comparison" and (self.share != Range(1.0, 1.0) or self.confidence != Range(1.0, 1.0)):
            raise ValueError("a comparison design's estimate is already isolated: give no share or confidence")


@dataclasses.dataclass(frozen=True)
class Benefit(Result):
    """A benefit from a measured result, converted to money with a stated standard value.

    Attributes
    ----------
    label : str
        E.g. ``"Fewer sick days"``.
    quantity : Range or None
        The measured improvement per year in the measure's units (e.g. 120 sick days avoided);
        None when there are no data: then the benefit is zero (Phillips: no data, no improvement).
        A range reaching below zero (a possible worsening) counts with its negative end: the
        most conservative alternative.
    unit_value : Range
        Money per unit (a standard value, e.g. the employer's cost of one sick day).
    value_source : str
        Where the standard value comes from (required: an unsourced value is not a standard one).
    isolation : Isolation
    year : int
        Which year after the programme the benefit falls in (1 = first year).
    supported : bool
        False for an extreme or unsupported claim: left out.
    """

    label: str
    quantity: Range | None
    unit_value: Range
    value_source: str
    isolation: Isolation
    year: int = 1
    supported: bool = True

    def __post_init__(self) -> None:
        if self.unit_value.low < 0:
            raise ValueError(f"a standard value must not be negative, but {self.label!r} has {self.unit_value.low:g}")


@dataclasses.dataclass(frozen=True)
class BenefitLine(Result):
    """One benefit as counted: its conservative money value, or why it is not counted.

    Attributes
    ----------
    label : str
    counted : bool
    value : float
        The smallest value the ranges allow: quantity.low x unit_value.low x share.low x
        confidence.low for an improvement (a negative quantity takes the others' high ends);
        0 when not counted.
    value_high : float
        The largest (the range the simulation draws from).
    excluded_because : str or None
        ``"no data"``, ``"after the first year (short programme)"``, ``"unsupported or
        extreme claim"``, or None when counted.
    basis : str
        The computation written out, e.g. ``"12,480 x 80 % x 70 % = 6,989"``.
    """

    label: str
    counted: bool
    value: float
    value_high: float
    excluded_because: str | None
    basis: str


@dataclasses.dataclass(frozen=True)
class Claim(Result):
    """One participant's estimate of an improvement (Phillips' participant-estimate form).

    Attributes
    ----------
    participant : str
        The participant's pseudonymous code.
    annual_value : Range
        The improvement per year in money (or units), as a range if they gave one.
    share : Range
        Share of it they attribute to the programme, 0-1.
    confidence : Range
        Their confidence in the estimate, 0-1.
    basis : str
        How they reached it; an empty basis makes the claim unsupported.
    """

    participant: str
    annual_value: Range
    share: Range
    confidence: Range
    basis: str


@dataclasses.dataclass(frozen=True)
class ClaimsAdjustment(Result):
    """Result of :func:`adjust_claims`.

    Attributes
    ----------
    n_claims, n_used : int
    adjusted : tuple of (str, float)
        Each used claim's participant and adjusted value (low ends multiplied).
    dropped : tuple of (str, str)
        Each dropped claim's participant and why (``"no basis given"``, ``"extreme value"``).
    total : float
        Sum of the adjusted values used.
    total_high : float
        The same with every high end.
    """

    n_claims: int
    n_used: int
    adjusted: tuple[tuple[str, float], ...]
    dropped: tuple[tuple[str, str], ...]
    total: float
    total_high: float


def adjust_claims(claims: Sequence[Claim], *, extreme_factor: float = 3.0) -> ClaimsAdjustment:
    """Adjust participants' estimates the Phillips way and leave out unsupported and extreme ones.

    Parameters
    ----------
    claims : sequence of Claim
    extreme_factor : float, default 3
        A claim whose low-end value lies above Q3 + extreme_factor x IQR of all supported
        claims' low-end values is extreme (Tukey's far-out fence) and left out.

    Returns
    -------
    ClaimsAdjustment

    Notes
    -----
    Adjusted value = annual_value.low x share.low x confidence.low (Phillips & Phillips 2003;
    Anderson & Anderson's coaching example: 4 h x 65 x 48 weeks = 12,480 at the low end of the
    range, x 80 % x 70 % = 6,989).
    """
    claims = list(claims)
    if not extreme_factor > 0:
        raise ValueError(f"extreme_factor must be positive, but got {extreme_factor:g}")
    dropped: list[tuple[str, str]] = []
    supported = []
    for c in claims:
        if not c.basis.strip():
            dropped.append((c.participant, "no basis given"))
        else:
            supported.append(c)
    lows = np.array([c.annual_value.low for c in supported], dtype=float)
    fence = math.inf
    if lows.size >= 4:
        # Tukey's far-out fence needs a spread to be meaningful: with fewer claims none is called extreme
        q1, q3 = np.percentile(lows, [25, 75])
        fence = float(q3 + extreme_factor * (q3 - q1))
    used: list[tuple[str, float]] = []
    total_high = 0.0
    for c in supported:
        if c.annual_value.low > fence:
            dropped.append((c.participant, "extreme value"))
            continue
        _check_share(c.share, "share")
        _check_share(c.confidence, "confidence")
        used.append((c.participant, c.annual_value.low * c.share.low * c.confidence.low))
        total_high += c.annual_value.high * c.share.high * c.confidence.high
    return ClaimsAdjustment(
        len(claims), len(used), tuple(used), tuple(dropped), float(sum(v for _, v in used)), total_high
    )


def claims_benefit(label: str, claims: ClaimsAdjustment, *, value_source: str, year: int = 1) -> Benefit:
    """The :class:`Benefit` of participants' adjusted claims (:func:`adjust_claims`).

    The claims are money already, with each participant's share and confidence applied, so the
    unit value is 1 and nothing more is taken off; with no claim left there is no benefit (no data).
    The range runs from the adjusted low ends to the adjusted high ends.
    """
    quantity = Range(claims.total, max(claims.total, claims.total_high)) if claims.n_used else None
    return Benefit(label, quantity, Range.of(1.0), value_source, Isolation("participant_estimate"), year)


@dataclasses.dataclass(frozen=True)
class RoiResult(Result):
    """Result of :func:`roi`.

    Attributes
    ----------
    costs : tuple of CostItem
    total_costs : float
    benefits : tuple of BenefitLine
    total_benefits : float
        Sum of the counted benefits, every range at its low end.
    bcr : float
        total_benefits / total_costs.
    roi_percent : float
        (total_benefits - total_costs) / total_costs x 100.
    bcr_low, bcr_high, roi_low, roi_high : float
        Simulation interval at ``interval``: each range drawn uniformly, independently, ``draws``
        times with the given seed. The conservative point figures sit at or below its low end
        when every range is wide; both are shown.
    interval : float
    draws : int
    seed : int
    intangibles : tuple of str
        Results measured but deliberately not converted to money.
    short_programme : bool
    reason : str or None
        Why BCR/ROI are NaN (no costs), else None.
    """

    costs: tuple[CostItem, ...]
    total_costs: float
    benefits: tuple[BenefitLine, ...]
    total_benefits: float
    bcr: float
    roi_percent: float
    bcr_low: float
    bcr_high: float
    roi_low: float
    roi_high: float
    interval: float
    draws: int
    seed: int
    intangibles: tuple[str, ...]
    short_programme: bool
    reason: str | None


def roi(
    costs: Sequence[CostItem],
    benefits: Sequence[Benefit],
    *,
    short_programme: bool = True,
    intangibles: Sequence[str] = (),
    draws: int = 10_000,
    seed: int = 20260101,
    interval: float = 0.90,
) -> RoiResult:
    """Benefit-cost ratio and ROI % with Phillips' conservative rules and a simulation interval.

    Parameters
    ----------
    costs : sequence of CostItem
        The fully loaded costs.
    benefits : sequence of Benefit
    short_programme : bool, default True
        Only first-year benefits count (Phillips: a short programme's benefits are not carried
        into later years).
    intangibles : sequence of str
        Measured results not converted to money (listed beside the figures).
    draws, seed, interval
        Monte Carlo draws, the generator's seed, and the interval's coverage.

    Returns
    -------
    RoiResult

    Notes
    -----
    BCR = benefits / costs and ROI % = (benefits - costs) / costs x 100 (Phillips & Phillips
    2003): benefits of 750,000 against fully loaded costs of 425,000 give BCR 1.76 and ROI 76 %.
    """
    if not 0 < interval < 1:
        raise ValueError(f"interval must lie between 0 and 1, but got {interval!r}")
    if draws < 100:
        raise ValueError(f"draws must be at least 100, but got {draws}")
    costs = tuple(costs)
    total_costs = float(sum(c.amount for c in costs))
    lines: list[BenefitLine] = []
    counted: list[Benefit] = []
    for b in benefits:
        why = None
        if b.quantity is None:
            why = "no data"
        elif not b.supported:
            why = "unsupported or extreme claim"
        elif b.year < 1:
            raise ValueError(f"a benefit's year must be 1 or later, but {b.label!r} has {b.year}")
        elif short_programme and b.year > 1:
            why = "after the first year (short programme)"
        elif not b.value_source.strip():
            why = "no source for the standard value"
        if why is not None:
            lines.append(BenefitLine(b.label, False, 0.0, 0.0, why, ""))
            continue
        assert b.quantity is not None
        low = _product(b, "low")
        high = _product(b, "high")
        lines.append(BenefitLine(b.label, True, low, high, None, _basis(b, low)))
        counted.append(b)
    total = float(sum(line.value for line in lines))
    nan = math.nan
    if not total_costs > 0:
        return RoiResult(
            costs, total_costs, tuple(lines), total, nan, nan, nan, nan, nan, nan, interval, draws, seed,
            tuple(intangibles), short_programme, "no costs: a return cannot be computed without them",
        )  # fmt: skip
    bcr = total / total_costs
    rng = np.random.default_rng(seed)
    sims = np.zeros(draws)
    for b in counted:
        assert b.quantity is not None
        draw = np.ones(draws)
        for r in (b.quantity, b.unit_value, b.isolation.share, b.isolation.confidence):
            draw *= rng.uniform(r.low, r.high, draws) if r.high > r.low else r.low
        sims += draw
    sim_bcr = sims / total_costs
    tail = (1 - interval) / 2 * 100
    lo, hi = (float(v) for v in np.percentile(sim_bcr, [tail, 100 - tail]))
    return RoiResult(
        costs, total_costs, tuple(lines), total, bcr, (total - total_costs) / total_costs * 100, lo, hi,
        (lo - 1) * 100, (hi - 1) * 100, interval, draws, seed, tuple(intangibles), short_programme, None,
    )  # fmt: skip


def _check_share(r: Range, name: str) -> None:
    if not (r.low >= 0.0 and r.high <= 1.0):
        raise ValueError(f"the {name} must lie between 0 and 1 (0-100 %), but got {r.low:g} to {r.high:g}")


def _corners(b: Benefit) -> list[tuple[float, float, float, float]]:
    assert b.quantity is not None
    q, v, s, c = b.quantity, b.unit_value, b.isolation.share, b.isolation.confidence
    return list(itertools.product((q.low, q.high), (v.low, v.high), (s.low, s.high), (c.low, c.high)))


def _product(b: Benefit, end: Literal["low", "high"]) -> float:
    """The smallest (or largest) value the stated ranges allow. All factors but the quantity are
    non-negative, so with an improvement this is every low (high) end; a worsening (negative
    quantity) is made largest by the high ends of the others: the conservative value is the lower."""
    values = [math.prod(c) for c in _corners(b)]
    return min(values) if end == "low" else max(values)


def _basis(b: Benefit, value: float) -> str:
    q, v, share, conf = min(_corners(b), key=math.prod)
    text = f"{q:,.6g}"
    if v != 1.0:
        text += f" x {v:,.6g}"
    if b.isolation.method == "participant_estimate" and (share, conf) != (1.0, 1.0):
        text += f" x {share * 100:g} % x {conf * 100:g} %"
    return f"{text} = {value:,.0f}"
