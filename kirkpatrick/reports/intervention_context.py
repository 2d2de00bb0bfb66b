"""The intervention report's context: typed records of what its templates may show (built by
:mod:`kirkpatrick.reports.intervention`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from kirkpatrick.domain.literature import REFERENCES
from kirkpatrick.domain.vocab import Level
from kirkpatrick.reports.tracking import TrackingLine


@dataclass(frozen=True)
class Tier:
    """One level of the summary pyramid."""

    level: Level
    name: str
    figure: str  # "g = 0,81" / "93 % of max" / "–"
    interval: str
    n: int
    reading: str
    benchmark: str
    control: str
    kind: str
    width_top: float  # percent of the pyramid's width, for the trapezoid
    width_bottom: float


@dataclass(frozen=True)
class FactorRow:
    name: str
    present: bool | None  # None: not recorded
    note: str | None
    evidence: str


@dataclass(frozen=True)
class ChangeLine:
    rater: str
    contrast: str
    suppressed: bool
    pre: str = ""
    post: str = ""
    change: str = ""
    effect: str = ""
    p: str = ""
    n: int = 0
    control: str = ""


@dataclass(frozen=True)
class DescriptiveLine:
    rater: str
    wave: str
    suppressed: bool
    mean: str = ""
    ci: str = ""
    pomp: str = ""
    nps: str = ""
    n: int = 0


@dataclass(frozen=True)
class MeasureBlock:
    code: str
    name: str
    scale: str
    lower_is_better: bool
    changes: list[ChangeLine]
    descriptives: list[DescriptiveLine]
    chart: Markup | None


@dataclass(frozen=True)
class LevelSection:
    level: Level
    number: int
    name: str
    reading: str
    measures: list[MeasureBlock]
    forest: Markup | None


@dataclass(frozen=True)
class ReliableRow:
    measure: str
    rater: str
    contrast: str
    suppressed: bool
    improved: int = 0
    unchanged: int = 0
    declined: int = 0
    chart: Markup | None = None


@dataclass(frozen=True)
class QuoteGroup:
    heading: str
    quotes: list[str]


@dataclass(frozen=True)
class WaveLine:
    wave: str
    treatment: int
    control: int


METHOD_REFERENCES: tuple[str, ...] = (
    "Becker, B. J. (1988). Synthesizing standardized mean-change measures. British Journal of Mathematical "
    "and Statistical Psychology, 41, 257-278.",
    "Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R. (2009). Introduction to "
    "meta-analysis. Wiley.",
    "Cohen, J. (1988). Statistical power analysis for the behavioral sciences (2nd ed.). Erlbaum.",
    "Cohen, P., Cohen, J., Aiken, L. S., & West, S. G. (1999). The problem of units and the circumstance "
    "for POMP. Multivariate Behavioral Research, 34(3), 315-346.",
    "Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to defining "
    "meaningful change in psychotherapy research. Journal of Consulting and Clinical Psychology, 59, 12-19.",
    "Kirkpatrick, D. L., & Kirkpatrick, J. D. (2006). Evaluating training programs: The four levels "
    "(3rd ed.). Berrett-Koehler.",
    "Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative science. "
    "Frontiers in Psychology, 4, 863.",
    "Morris, S. B. (2008). Estimating effect sizes from pretest-posttest-control group designs. "
    "Organizational Research Methods, 11, 364-386.",
    "Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review, 81(12), 46-54.",
)


@dataclass
class ReportContext:
    """Everything ``intervention.html`` may use."""

    lang: str
    code: str
    title: str
    client: str
    consultant: str | None
    format: str
    target_group: str
    period: str
    sessions: int
    spacing: str
    sessions_text: str
    generated: str
    min_group: int
    confidence: int
    n_treatment: int
    n_control: int
    has_control: bool
    pyramid: list[Tier]
    factors: list[FactorRow]
    levels: list[LevelSection]
    reliable: list[ReliableRow]
    quotes: list[QuoteGroup]
    quotes_withheld: bool
    waves: list[WaveLine]
    attrition: str
    limits: list[str]
    unscored: int = 0  # participant x measure x wave x rater with too few items answered for a score
    references: list[str] = field(default_factory=lambda: list(REFERENCES) + list(METHOD_REFERENCES))
    tracking: list[TrackingLine] = field(default_factory=list)  # built-in collection: invited/opened/answered


# ------------------------------------------------------------------ building the context
