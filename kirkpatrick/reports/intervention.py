"""The intervention report: analysis results -> a context record -> Jinja2 templates -> HTML/PDF.

One :func:`environment` per language holds every filter and the translation callables; the
page's context is the :class:`ReportContext` dataclass, so what a template may use is written
down. Anonymity is applied here: a cell below ``min_group`` respondents carries no figure, and
quotes appear only when the intervention has at least that many participants.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup

from kirkpatrick.collect.tracking import ResponseCounts
from kirkpatrick.domain.literature import FACTOR_EVIDENCE
from kirkpatrick.domain.vocab import Comparison, HeadlineKind, Level, Rater, TransferFactor, Wave
from kirkpatrick.reports import charts
from kirkpatrick.reports import environment as i18n
from kirkpatrick.reports.environment import N_, environment
from kirkpatrick.reports.intervention_context import (
    ChangeLine,
    DescriptiveLine,
    FactorRow,
    LevelSection,
    MeasureBlock,
    QuoteGroup,
    ReliableRow,
    ReportContext,
    Tier,
    WaveLine,
)
from kirkpatrick.reports.pdf import find_chromium, html_to_pdf
from kirkpatrick.reports.tracking import tracking_lines
from kirkpatrick.services.analysis import Change, Descriptive, InterventionAnalysis, LevelResult, MeasureInfo
from kirkpatrick.stats import magnitude


class _Verdicts(i18n.Localised):
    """The report's sentences about each level: its verdict, the pyramid, the words for size."""

    def __init__(self, analysis: InterventionAnalysis, lang: str) -> None:
        super().__init__(lang)
        self.a = analysis

    def _spacing(self, gaps: list[int]) -> str:
        if not gaps:
            return ""
        days = round(sum(gaps) / len(gaps))
        if len(gaps) == 1:  # two sessions: one gap, no average
            return self.ngettext("%(num)s day apart", "%(num)s days apart", days) % {"num": days}
        return self.ngettext("on average %(num)s day apart", "on average %(num)s days apart", days) % {"num": days}

    def _sessions(self, count: int, gaps: list[int]) -> str:
        text = self.ngettext("%(num)s session", "%(num)s sessions", count) % {"num": count}
        spacing = self._spacing(gaps)
        return f"{text}, {spacing}" if spacing else text

    def rater(self, rater: Rater, measure: MeasureInfo) -> str:
        """Who gave the figure; a knowledge test's own rows are the participant's test score."""
        if rater == Rater.SELF and measure.level == Level.LEARNING:
            return i18n.translate(i18n.TEST_TAKER, self.lang)
        return self.label(rater)

    def too_few(self) -> str:
        return self._("too few responses")

    def contrast(self, c: Change) -> str:
        return f"{self.label(c.wave_from)} \u2192 {self.label(c.wave_to)}"

    def size(self, d: float) -> str:
        sizes = {
            "very small": i18n.N_("very small"),
            "small": i18n.N_("small"),
            "medium": i18n.N_("medium"),
            "large": i18n.N_("large"),
            "not estimable": i18n.N_("not estimable"),
        }
        return self._(sizes[magnitude(d, rule="cohen1988")])

    # -------------------------------------------------------------- sections

    def subject(self, lv: LevelResult) -> str:
        """What changed, named by the level's measures: at level 4 the unit's figures, never "the participants"."""
        names = self.join([m.name for m in lv.measures])
        subjects = {
            Level.LEARNING: N_("The participants' results on %(measures)s"),
            Level.BEHAVIOUR: N_("The rated leadership behaviour (%(measures)s)"),
            Level.RESULTS: N_("The unit's figures (%(measures)s)"),
        }
        return self._(subjects.get(lv.level, N_("The measures (%(measures)s)"))) % {"measures": names}

    def per_measure(self, lv: LevelResult) -> str:
        """With several measures, what each one did (the headline averages them): "Sick leave: no clear change." """
        if len(lv.measures) < 2:
            return ""
        out = []
        for m in lv.measures:
            mine = [c for c in lv.changes if c.measure == m and c.reportable]
            first = next((c for c in mine if c.wave_from == Wave.PRE and c.wave_to == Wave.POST), None)
            c = first or (mine[0] if mine else None)
            if c is None:
                verdict = self._("too few responses")
            elif c.effect.ci_low > 0:
                verdict = self._("clear improvement")
            elif c.effect.ci_high < 0:
                verdict = self._("clear decline")
            else:
                verdict = self._("no clear change")
            out.append(f"{m.name}: {verdict}.")
        return " ".join(out) + " "

    def reading(self, lv: LevelResult) -> str:
        _ = self._
        h = lv.headline
        if h.kind == HeadlineKind.SMCR:
            values = {
                "what": self.subject(lv),
                "size": self.size(h.estimate),
                "confidence": round(self.a.confidence * 100),
            }
            if h.ci_low > 0:
                first = _(
                    "%(what)s improved. The change is %(size)s and clear: the %(confidence)s%% interval excludes zero."
                )
            elif h.ci_high < 0:
                first = _(
                    "%(what)s declined. The change is %(size)s and clear: the %(confidence)s%% interval excludes zero."
                )
            else:
                first = _("%(what)s: no clear change, as the %(confidence)s%% interval includes zero.")
            first = first % values
            second = {
                Comparison.ABOVE: _("The change is larger than the research benchmark for leadership training."),
                Comparison.BELOW: _("The change is smaller than the research benchmark for leadership training."),
                Comparison.CONSISTENT: _("The change is in line with the research benchmark for leadership training."),
            }[h.comparison]
            text = f"{first} {self.per_measure(lv)}{second}"
            if h.control_k and math.isfinite(h.control_ci_low) and h.control_ci_low > 0:
                text += " " + _("Against the control group the effect is clear as well.")
            elif h.control_k and math.isfinite(h.control_ci_low):
                text += " " + _("Against the control group there is no clear effect.")
            return text
        if h.kind == HeadlineKind.POMP:
            return _(
                "Average rating %(value)s of the scale maximum. It was measured only after the intervention, so it "
                "shows how the participants rated the intervention, not a change."
            ) % {"value": i18n.format_percent(h.estimate, self.lang)}
        return _("Not measured, or too few responses to report.")

    def pyramid(self) -> list[Tier]:
        _ = self._
        tiers = []
        for lv in reversed(self.a.levels):  # level 4 at the top, level 1 at the base
            h = lv.headline
            k = lv.level.number
            control = ""
            if h.kind == HeadlineKind.SMCR:
                figure = f"g = {self.num(h.estimate)}"
                interval = _("%(confidence)s%% CI %(interval)s") % {
                    "confidence": round(self.a.confidence * 100),
                    "interval": self.interval(h.ci_low, h.ci_high),
                }
                if h.control_k:
                    control = _("Effect against the control group: d_ppc2 = %(value)s %(interval)s") % {
                        "value": self.num(h.control_estimate),
                        "interval": self.interval(h.control_ci_low, h.control_ci_high),
                    }
            elif h.kind == HeadlineKind.POMP:
                figure = _("%(value)s of the maximum") % {"value": i18n.format_percent(h.estimate, self.lang)}
                interval = _("%(confidence)s%% CI %(interval)s") % {
                    "confidence": round(self.a.confidence * 100),
                    "interval": self.interval(h.ci_low, h.ci_high, 0),
                }
            else:
                figure, interval = "\u2013", ""
            # A rating after the intervention cannot be set beside a published change (δ).
            benchmark = (
                ""
                if h.kind == HeadlineKind.POMP
                else _("Benchmark: δ = %(value)s (Lacerenza et al. 2017)") % {"value": self.num(h.benchmark.estimate)}
            )
            tiers.append(
                Tier(
                    lv.level,
                    self.label(lv.level),
                    figure,
                    interval,
                    h.n,
                    self.reading(lv),
                    benchmark,
                    control,
                    h.kind,
                    width_top=34 + 66 * (4 - k) / 4,
                    width_bottom=34 + 66 * (5 - k) / 4,
                )
            )
        return tiers


class _LevelDetail(_Verdicts):
    """Each level in detail: change and descriptive lines, charts, reliable change."""

    def factors(self) -> list[FactorRow]:
        used = {f.factor: f for f in self.a.facts.factors}
        rows = []
        for factor in TransferFactor:
            f = used.get(factor)
            rows.append(
                FactorRow(
                    self.label(factor),
                    None if f is None else f.present,
                    f.note if f else None,
                    self._(FACTOR_EVIDENCE[factor].summary),
                )
            )
        return rows

    def change_line(self, c: Change) -> ChangeLine:
        if not c.reportable:
            return ChangeLine(self.rater(c.rater, c.measure), self.contrast(c), True, n=0)
        p = c.paired
        control = ""
        if c.control is not None:
            if c.control_reportable:
                e = c.control.d_ppc2
                control = f"{self.num(e.estimate)} {self.interval(e.ci_low, e.ci_high)}"
            else:
                control = self.too_few()
        return ChangeLine(
            self.rater(c.rater, c.measure),
            self.contrast(c),
            False,
            pre=f"{self.num(p.mean_pre)} ({self.num(p.sd_pre)})",
            post=f"{self.num(p.mean_post)} ({self.num(p.sd_post)})",
            change=f"{self.num(p.mean_diff, sign=True)} {self.interval(p.diff_ci_low, p.diff_ci_high)}",
            effect=f"{self.num(c.effect.estimate)} {self.interval(c.effect.ci_low, c.effect.ci_high)}",
            p=i18n.format_p(p.p, self.lang),
            n=c.n,
            control=control,
        )

    def descriptive_line(self, d: Descriptive) -> DescriptiveLine:
        if not d.reportable:
            return DescriptiveLine(self.rater(d.rater, d.measure), self.label(d.wave), True)
        nps = ""
        if d.nps is not None:
            # A Wald interval can pass the scale's ends; shown truncated to the possible -100..100.
            nps = (
                f"{self.num(d.nps.nps, 0, sign=True)} "
                f"{self.interval(max(d.nps.ci_low, -100.0), min(d.nps.ci_high, 100.0), 0)}"
            )
        return DescriptiveLine(
            self.rater(d.rater, d.measure),
            self.label(d.wave),
            False,
            mean=f"{self.num(d.mean)} ({self.num(d.sd)})",
            ci=self.interval(d.ci_low, d.ci_high),
            pomp=i18n.format_percent(d.pomp, self.lang),
            nps=nps,
            n=d.n,
        )

    def change_chart(self, name: str, changes: list[Change], scale: tuple[float, float]) -> Markup | None:
        rows = []
        for rater in Rater:
            mine = [c for c in changes if c.rater == rater]
            if not mine:
                continue
            if not all(c.reportable for c in mine):
                rows.append(charts.ChangeRow(self.label(rater), [], self.too_few()))
                continue
            # Means of everyone with a pair for the first contrast; later waves from their own pairs.
            first = mine[0].paired
            points = [charts.Point(self.label(mine[0].wave_from), first.mean_pre, math.nan, math.nan)]
            for c in mine:
                points.append(charts.Point(self.label(c.wave_to), c.paired.mean_post, math.nan, math.nan))
            rows.append(charts.ChangeRow(self.label(rater), points))
        if not rows:
            return None
        return charts.change_plot(
            rows,
            scale_min=scale[0],
            scale_max=scale[1],
            fmt=lambda v: self.num(v, 1 if scale[1] - scale[0] <= 20 else 0),
            axis_label=self._("Mean on the measure's scale (%(low)s to %(high)s)")
            % {"low": self.num(scale[0], 0), "high": self.num(scale[1], 0)},
            title=self._("Means before and after: %(measure)s") % {"measure": name},
        )

    def forest(self, lv: LevelResult) -> Markup | None:
        rows = []
        for c in lv.changes:
            label = f"{c.measure.name} \u00b7 {self.rater(c.rater, c.measure)} \u00b7 {self.label(c.wave_to)}"
            if c.reportable:
                rows.append(charts.ForestRow(label, c.effect.estimate, c.effect.ci_low, c.effect.ci_high))
            else:
                rows.append(charts.ForestRow(label, math.nan, math.nan, math.nan, self.too_few()))
        if not rows:
            return None
        h = lv.headline
        pooled = None
        if h.kind == HeadlineKind.SMCR:
            pooled = charts.ForestRow(self._("Headline (composite)"), h.estimate, h.ci_low, h.ci_high)
        return charts.forest_plot(
            rows,
            fmt=self.num,
            pooled=pooled,
            reference=h.benchmark.estimate,
            ci_sep="; " if self.lang == "sv" else ", ",
            reference_label=self._("benchmark"),
            axis_label=self._("Standardized mean change g (positive = improvement)"),
            title=self._("Standardized change: %(level)s") % {"level": self.label(lv.level)},
        )

    def level_section(self, lv: LevelResult) -> LevelSection:
        blocks = []
        for m in lv.measures:
            ch = [c for c in lv.changes if c.measure == m]
            ds = [d for d in lv.descriptives if d.measure == m]
            blocks.append(
                MeasureBlock(
                    m.code,
                    m.name,
                    f"{self.num(m.scale_min, 0)}\u2013{self.num(m.scale_max, 0)}",
                    not m.higher_is_better,
                    [self.change_line(c) for c in ch],
                    [self.descriptive_line(d) for d in ds],
                    self.change_chart(m.name, ch, (m.scale_min, m.scale_max)) if ch else None,
                )
            )
        return LevelSection(
            lv.level,
            lv.level.number,
            self.label(lv.level),
            self.reading(lv),
            blocks,
            self.forest(lv) if lv.changes else None,
        )

    def reliable(self) -> list[ReliableRow]:
        out = []
        for lv in self.a.levels:
            for c in lv.changes:
                if c.reliable is None:
                    continue
                if not c.reportable:
                    out.append(ReliableRow(c.measure.name, self.rater(c.rater, c.measure), self.contrast(c), True))
                    continue
                r = c.reliable
                segments = [
                    (self._("improved"), r.improved),
                    (self._("no reliable change"), r.unchanged),
                    (self._("declined"), r.deteriorated),
                ]
                out.append(
                    ReliableRow(
                        c.measure.name,
                        self.rater(c.rater, c.measure),
                        self.contrast(c),
                        False,
                        r.improved,
                        r.unchanged,
                        r.deteriorated,
                        charts.stacked_bar(segments, title=f"{c.measure.name}: {self.rater(c.rater, c.measure)}"),
                    )
                )
        return out


class _Builder(_LevelDetail):
    """Turns one analysis into a :class:`ReportContext` in one language."""

    def quotes(self) -> tuple[list[QuoteGroup], bool]:
        if self.a.n_treatment < self.a.min_group:
            return [], bool(self.a.facts.quotes)
        groups: dict[Level | None, list[str]] = {}
        for f in self.a.facts.quotes:
            groups.setdefault(f.level, []).append(f.text)
        order = [*Level, None]
        return [QuoteGroup(self.label(k) if k else self._("General"), groups[k]) for k in order if k in groups], False

    def limits(self) -> list[str]:
        _ = self._
        out = []
        if not self.a.has_control:
            out.append(
                _(
                    "There is no control group, so the changes cannot be attributed to the intervention: "
                    "other events in the same period may have contributed. The report describes change, "
                    "not cause."
                )
            )
        else:
            out.append(
                _(
                    "A control group was measured; its change is subtracted in d_ppc2. The groups were not "
                    "randomised, so differences between them before the start can still bias the estimate."
                )
            )
        out.append(
            _(
                "Self-ratings can rise because participants learn new words for the same behaviour "
                "(response-shift bias); ratings by managers and direct reports are less exposed to it."
            )
        )
        if any(lv.headline.kind == HeadlineKind.POMP for lv in self.a.levels):
            out.append(
                _(
                    "Reaction measures were collected only after the intervention. They describe satisfaction "
                    "and cannot be compared with the benchmark, which is a change from before to after."
                )
            )
        out.append(
            _(
                "With few participants the confidence intervals are wide; read the interval, not only the "
                "point estimate."
            )
        )
        return out

    def build(self) -> ReportContext:
        f = self.a.facts
        spacing = f.spacing_days
        quotes, withheld = self.quotes()
        return ReportContext(
            lang=self.lang,
            code=f.code,
            title=f.title,
            client=f"{f.client}, {f.client_unit}" if f.client_unit else f.client,
            consultant=f.consultant,
            format=self.label(_vocab("format", f.format)),
            target_group=self.label(_vocab("target_group", f.target_group)),
            period=i18n.format_period(f.start, f.end, self.lang),
            sessions=len(f.sessions),
            spacing=self._spacing(spacing),
            sessions_text=self._sessions(len(f.sessions), spacing),
            generated=i18n.format_date(dt.date.today(), self.lang),
            min_group=self.a.min_group,
            confidence=round(self.a.confidence * 100),
            n_treatment=self.a.n_treatment,
            n_control=self.a.n_control,
            has_control=self.a.has_control,
            pyramid=self.pyramid(),
            factors=self.factors(),
            levels=[self.level_section(lv) for lv in self.a.levels],
            reliable=self.reliable(),
            quotes=quotes,
            quotes_withheld=withheld,
            waves=[WaveLine(self.label(w), self.a.wave_n(w), self.a.wave_n(w, _control())) for w in Wave],
            attrition=i18n.format_percent(self.a.attrition * 100, self.lang),
            limits=self.limits(),
            unscored=f.unscored,
        )


def _vocab(kind: str, value: str) -> Any:
    from kirkpatrick.domain.vocab import VOCABULARIES

    return VOCABULARIES[kind](value)


def _control() -> Any:
    from kirkpatrick.domain.vocab import Group

    return Group.CONTROL


# ------------------------------------------------------------------ public API


def build_context(
    analysis: InterventionAnalysis, lang: str, tracking: Sequence[ResponseCounts] | None = None
) -> ReportContext:
    """The report's context in ``lang`` (``en`` or ``sv``); ``tracking``: the survey's response counts."""
    i18n.translations(lang)  # validates lang
    context = _Builder(analysis, lang).build()
    context.tracking = tracking_lines(tracking or [], analysis.min_group, lang)
    return context


def render_intervention(
    analysis: InterventionAnalysis, lang: str = "en", tracking: Sequence[ResponseCounts] | None = None
) -> str:
    """The intervention report as one self-contained HTML page."""
    context = build_context(analysis, lang, tracking)
    return environment(lang).get_template("intervention.html").render(r=context)


def write_report(
    analysis: InterventionAnalysis,
    out: Path,
    *,
    lang: str = "en",
    pdf: Path | None = None,
    tracking: Sequence[ResponseCounts] | None = None,
) -> list[Path]:
    """Write the HTML report to ``out`` (and the PDF to ``pdf``); returns the paths written."""
    if pdf is not None:
        find_chromium()  # fail before writing anything
    html = render_intervention(analysis, lang, tracking)
    out.write_text(html, encoding="utf-8")
    written = [out]
    if pdf is not None:
        html_to_pdf(out, pdf)
        written.append(pdf)
    return written
