"""The contract follow-up report (avtalsuppföljning): a :class:`FollowUp` record -> context -> HTML/PDF.

The page has the structure of a municipality's written follow-up of a framework agreement: the
contract and the method; feedback by theme; success factors; delivered against contracted; the
grades on each award criterion; what the call-offs' own evaluations showed; requirements for the
next procurement; methods and limits. It shares the intervention report's layout and stylesheet
(``base.html``, ``_style.css``). The service has already kept uncleared quotes out; here a
criterion graded by fewer than ``min_group`` interviewees carries no figures at all.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup, escape

from kirkpatrick.domain.literature import LEADERSHIP_TRAINING
from kirkpatrick.domain.vocab import Format, QuoteTheme
from kirkpatrick.reports import environment as i18n
from kirkpatrick.reports.environment import N_, environment
from kirkpatrick.reports.pdf import find_chromium, html_to_pdf
from kirkpatrick.services.contracts import FollowUp

CRITERION_NAMES = {
    "target_group_fit": N_("Fit to the target group"),
    "feasibility": N_("Feasibility"),
    "credibility": N_("Credibility"),
    "efficiency": N_("Efficiency"),
}
THEME_NAMES = {
    QuoteTheme.QUALITY_OUTCOME: N_("Quality and outcome"),
    QuoteTheme.SUCCESS_FACTORS: N_("Success factors"),
    QuoteTheme.AVAILABILITY_FLEXIBILITY: N_("Availability and flexibility"),
    QuoteTheme.TREATMENT: N_("Treatment"),
    QuoteTheme.FUTURE_REQUIREMENTS: N_("Requirements for future procurement"),
    QuoteTheme.OTHER: N_("Other comments"),
}
# Themes shown together under "feedback"; success factors and requirements have sections of their own.
FEEDBACK_THEMES = (
    QuoteTheme.QUALITY_OUTCOME,
    QuoteTheme.AVAILABILITY_FLEXIBILITY,
    QuoteTheme.TREATMENT,
    QuoteTheme.OTHER,
)
REFERENCES = (
    "Bhatia, R., & Davis, C. (2000). A better bound on the variance. The American Mathematical Monthly, "
    "107(4), 353-357.",
    "Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R. (2009). Introduction to "
    "meta-analysis. Wiley.",
    "Knapp, G., & Hartung, J. (2003). Improved tests for a random effects meta-regression with a single "
    "covariate. Statistics in Medicine, 22, 2693-2710.",
    "Lacerenza, C. N., Reyes, D. L., Marlow, S. L., Joseph, D. L., & Salas, E. (2017). Leadership training "
    "design, delivery, and implementation: A meta-analysis. Journal of Applied Psychology, 102(12), 1686-1718.",
    "Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference. Journal of "
    "the American Statistical Association, 22(158), 209-212.",
)


# ------------------------------------------------------------------ context records


@dataclass(frozen=True)
class ThemeQuotes:
    heading: str
    quotes: list[str]


@dataclass(frozen=True)
class CriterionRow:
    name: str
    suppressed: bool
    counts: list[int] = field(default_factory=list)
    n: int = 0
    median: str = ""
    mean: str = ""
    interval: str = ""
    chart: Markup | None = None


@dataclass(frozen=True)
class ServiceRow:
    name: str
    volume: str
    delivered: str
    share: str
    participants: str
    logged: str
    call_offs: str


@dataclass(frozen=True)
class PeriodRow:
    period: str
    service: str
    sessions: str
    participants: str


@dataclass(frozen=True)
class CallOffRow:
    code: str
    title: str
    client: str
    format: str
    period: str
    sessions: int
    contracted: bool


@dataclass(frozen=True)
class EvidenceRow:
    level: str
    number: int
    k: int
    n: str
    effect: str
    interval: str
    benchmark: str
    note: str


@dataclass
class ContractContext:
    """Everything ``contract.html`` may use."""

    lang: str
    code: str
    registration_number: str
    title: str
    buyer: str
    supplier: str
    period: str
    generated: str
    min_group: int
    scale: str
    grades: list[int]
    method: str
    units: list[str]
    services_offered: list[str]
    feedback: list[ThemeQuotes]
    success_factors: list[str]
    requirements: list[str]
    quotes_withheld: bool
    services: list[ServiceRow]
    periods: list[PeriodRow]
    call_offs: list[CallOffRow]
    criteria: list[CriterionRow]
    evidence: list[EvidenceRow]
    limits: list[str]
    references: list[str] = field(default_factory=lambda: list(REFERENCES))


# ------------------------------------------------------------------ building


class _Builder(i18n.Localised):
    def __init__(self, f: FollowUp, lang: str) -> None:
        super().__init__(lang)
        self.f = f

    def date(self, d: dt.date) -> str:
        return i18n.format_date(d, self.lang)

    def span(self, a: dt.date, b: dt.date) -> str:
        return f"{self.date(a)} \u2013 {self.date(b)}"

    def amount(self, v: float | None) -> str:
        if v is None or not math.isfinite(v):
            return "\u2013"
        return self.num(v, 0 if float(v).is_integer() else 1)

    def method(self) -> str:
        f = self.f
        if not f.interviews or f.interview_first is None or f.interview_last is None:
            return self._("No follow-up interviews have been recorded for this contract.")
        text = self.ngettext(
            "The follow-up is based on %(num)s interview with a manager who called off services under the contract",
            "The follow-up is based on %(num)s interviews with managers who called off services under the contract",
            f.interviews,
        ) % {"num": f.interviews}
        when = self._("held from %(first)s to %(last)s") % {
            "first": self.date(f.interview_first),
            "last": self.date(f.interview_last),
        }
        text = f"{text}, {when}"
        if f.periods:
            last = max(p.end for p in f.periods)
            text += self._(", and on the supplier's summary of services delivered up to %(date)s") % {
                "date": self.date(last)
            }
        return text + "."

    def criterion(self, code: str, name: str | None) -> str:
        if name:
            return name
        return self._(CRITERION_NAMES[code]) if code in CRITERION_NAMES else code

    def chart(self, mean: float, lo: float, hi: float, label: str) -> Markup:
        """A 1-5 axis with the mean as a dot and its interval as a line (no text inside but the ticks)."""
        f = self.f
        width, height, pad = 180, 30, 10
        span = f.scale_max - f.scale_min

        def x(v: float) -> float:
            return pad + (v - f.scale_min) / span * (width - 2 * pad)

        ticks = "".join(
            f'<line class="ch-grid" x1="{x(g):.1f}" x2="{x(g):.1f}" y1="4" y2="18"/>'
            f'<text class="ch-tick" x="{x(g):.1f}" y="{height - 1}" text-anchor="middle" font-size="10">{g}</text>'
            for g in range(f.scale_min, f.scale_max + 1)
        )
        return Markup(
            f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}">{ticks}'
            f'<line class="ch-axis" x1="{pad}" x2="{width - pad}" y1="18" y2="18"/>'
            f'<line class="ch-ci" x1="{x(lo):.1f}" x2="{x(hi):.1f}" y1="11" y2="11"/>'
            f'<circle class="ch-mark" cx="{x(mean):.1f}" cy="11" r="4"/></svg>'
        )

    def criteria(self) -> list[CriterionRow]:
        rows = []
        for c in self.f.criteria:
            name = self.criterion(c.code, c.name)
            s = c.summary
            if c.suppressed:
                rows.append(CriterionRow(name, True))
                continue
            interval = self.interval(s.ci_low, s.ci_high)
            label = self._("%(criterion)s: mean %(mean)s, 95%% interval %(interval)s") % {
                "criterion": name,
                "mean": self.num(s.mean),
                "interval": interval,
            }
            rows.append(CriterionRow(
                name, False, list(s.counts), s.n, self.num(s.median, 1), self.num(s.mean), interval,
                self.chart(s.mean, s.ci_low, s.ci_high, label),
            ))  # fmt: skip
        return rows

    def services(self) -> list[ServiceRow]:
        rows = []
        for s in sorted(self.f.services, key=lambda s: list(Format).index(s.format)):
            share = "\u2013"
            if s.volume:
                share = i18n.format_percent(100 * s.delivered / s.volume, self.lang)
            rows.append(ServiceRow(
                self.label(s.format), self.amount(s.volume), self.amount(s.delivered), share,
                self.amount(s.participants), str(s.logged_sessions), ", ".join(s.call_offs) or "\u2013",
            ))  # fmt: skip
        return rows

    def evidence(self) -> list[EvidenceRow]:
        rows = []
        for e in self.f.evidence:
            bench = LEADERSHIP_TRAINING[e.level]
            benchmark = self._("benchmark %(value)s") % {"value": self.num(bench.estimate)}
            notes = []
            if e.k == 0:
                notes.append(self._("No call-off measured this level before and after."))
            elif e.pooled:
                notes.append(self._("Pooled over the call-offs (random effects)."))
            else:
                notes.append(self._("One call-off: its own effect."))
            if e.suppressed:
                notes.append(
                    self.ngettext(
                        "%(num)s call-off left out: fewer than %(min)s participants.",
                        "%(num)s call-offs left out: fewer than %(min)s participants.",
                        e.suppressed,
                    )
                    % {"num": e.suppressed, "min": self.f.min_group}
                )
            if e.post_only:
                notes.append(
                    self.ngettext(
                        "%(num)s call-off measured this level only afterwards.",
                        "%(num)s call-offs measured this level only afterwards.",
                        e.post_only,
                    )
                    % {"num": e.post_only}
                )
            shown = e.k > 0 and math.isfinite(e.estimate)
            rows.append(EvidenceRow(
                self.label(e.level), e.level.number, e.k, str(e.n) if e.k else "\u2013",
                f"g = {self.num(e.estimate, sign=True)}" if shown else "\u2013",
                self.interval(e.ci_low, e.ci_high) if shown and math.isfinite(e.ci_low) else "",
                benchmark, " ".join(notes),
            ))  # fmt: skip
        return rows

    def limits(self) -> list[str]:
        return [
            self._("The interviewees are managers who called off services and agreed to be interviewed; they "
                   "chose themselves, and those less satisfied may be missing. Their views are not a sample of "
                   "all the buyer's managers."),
            self._("Grades are the interviewees' opinions of the supplier on the procurement's award criteria, "
                   "not measurements of outcome. A mean on a short ordinal scale is a summary; the distribution "
                   "shows the grades themselves."),
            self._("Quotes appear only when the interviewee cleared them for the report, and never with a name, "
                   "role or unit."),
            self._("The delivered volumes are the supplier's own figures; the sessions logged on the call-offs "
                   "are the buyer's record and may cover a different period."),
            self._("The call-offs' effects come from their own before-and-after measurements, without a "
                   "comparison group unless one is stated; they show change, not what caused it."),
        ]  # fmt: skip

    def build(self) -> ContractContext:
        f = self.f
        quotes = f.quotes
        buyer = f"{f.buyer}, {f.buyer_unit}" if f.buyer_unit else f.buyer
        return ContractContext(
            lang=self.lang,
            code=f.code,
            registration_number=f.registration_number,
            title=f.title,
            buyer=buyer,
            supplier=f.supplier,
            period=self.span(f.start, f.end),
            generated=self.date(dt.date.today()),
            min_group=f.min_group,
            scale=f"{f.scale_min}\u2013{f.scale_max}",
            grades=list(range(f.scale_min, f.scale_max + 1)),
            method=self.method(),
            units=f.units,
            services_offered=[r.name for r in self.services()],
            feedback=[ThemeQuotes(self._(THEME_NAMES[t]), quotes[t]) for t in FEEDBACK_THEMES if quotes[t]],
            success_factors=quotes[QuoteTheme.SUCCESS_FACTORS],
            requirements=quotes[QuoteTheme.FUTURE_REQUIREMENTS],
            quotes_withheld=f.quotes_withheld,
            services=self.services(),
            periods=[
                PeriodRow(
                    self.span(p.start, p.end),
                    self.label(p.format),
                    self.amount(p.sessions),
                    self.amount(p.participants),
                )
                for p in f.periods
            ],
            call_offs=[
                CallOffRow(
                    c.code, c.title, c.client, self.label(c.format), self.span(c.start, c.end), c.sessions, c.contracted
                )
                for c in f.call_offs
            ],
            criteria=self.criteria(),
            evidence=self.evidence(),
            limits=self.limits(),
        )


# ------------------------------------------------------------------ public API


def build_context(follow_up: FollowUp, lang: str) -> ContractContext:
    """The report's context in ``lang`` (``en`` or ``sv``)."""
    i18n.translations(lang)  # validates lang
    return _Builder(follow_up, lang).build()


def render_contract(follow_up: FollowUp, lang: str = "sv") -> str:
    """The contract follow-up report as one self-contained HTML page."""
    return environment(lang).get_template("contract.html").render(r=build_context(follow_up, lang))


def write_report(follow_up: FollowUp, out: Path, *, lang: str = "sv", pdf: Path | None = None) -> list[Path]:
    """Write the HTML report to ``out`` (and the PDF to ``pdf``); returns the paths written."""
    if pdf is not None:
        find_chromium()  # fail before writing anything
    out.write_text(render_contract(follow_up, lang), encoding="utf-8")
    written = [out]
    if pdf is not None:
        html_to_pdf(out, pdf)
        written.append(pdf)
    return written


__all__ = ["ContractContext", "build_context", "render_contract", "write_report"]
