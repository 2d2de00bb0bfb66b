"""The portfolio report: a :class:`~kirkpatrick.portfolio.Portfolio` -> a context record ->
``templates/portfolio.html`` -> HTML (and PDF).

It uses the intervention report's Jinja2 environment, translations, number formats, forest plot
and Chromium printing (:mod:`kirkpatrick.reports`), so both reports look and read alike. The
page's context is :class:`PortfolioContext`. Interventions below the anonymity threshold at a
level were already left out by :func:`kirkpatrick.portfolio.build`; participant codes are never
part of a portfolio, and success cases (:mod:`kirkpatrick.cases`) are not imported here.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from kirkpatrick.domain.literature import FACTOR_EVIDENCE, REFERENCES
from kirkpatrick.domain.vocab import Comparison, Level, TransferFactor
from kirkpatrick.reports import charts
from kirkpatrick.reports import environment as i18n
from kirkpatrick.reports import pdf as printer
from kirkpatrick.reports.environment import N_, environment
from kirkpatrick.services.portfolio import STUDIES_PER_MODERATOR, FactorComparison, LevelPool, Portfolio, Regression

PORTFOLIO_REFERENCES = (
    "Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R. (2009). Introduction to "
    "meta-analysis. Wiley.",
    "Brinkerhoff, R. O. (2003). The success case method. Berrett-Koehler.",
    "Higgins, J. P. T., & Thompson, S. G. (2002). Quantifying heterogeneity in a meta-analysis. "
    "Statistics in Medicine, 21, 1539-1558.",
    "Knapp, G., & Hartung, J. (2003). Improved tests for a random effects meta-regression with a single "
    "covariate. Statistics in Medicine, 22, 2693-2710.",
    "Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor package. Journal of "
    "Statistical Software, 36(3), 1-48.",
)


# ------------------------------------------------------------------ context records


@dataclass(frozen=True)
class LevelBlock:
    """One level's pooled result and forest plot."""

    level: Level
    number: int
    name: str
    k: int
    n: int
    estimate: str
    ci: str
    pi: str
    tau2: str
    i2: str
    q: str
    benchmark: str
    reading: str
    forest: Markup | None
    notes: list[str]


@dataclass(frozen=True)
class FactorLine:
    name: str
    k_used: int
    k_not_used: int
    used: str
    not_used: str
    difference: str
    p: str
    note: str  # why not estimable; empty when estimable
    published: str


@dataclass(frozen=True)
class FactorTable:
    level: Level
    name: str
    lines: list[FactorLine]
    spacing: str
    regression: str
    coefficients: list[tuple[str, str, str]]  # (moderator, b [CI], p)


@dataclass(frozen=True)
class InterventionLine:
    code: str
    title: str
    client: str
    format: str
    period: str
    sessions: int
    spacing: str
    factors_used: int


@dataclass
class PortfolioContext:
    """Everything ``portfolio.html`` may use."""

    lang: str
    scope: str
    generated: str
    k: int
    n: int
    min_group: int
    confidence: int
    summary: list[str]
    levels: list[LevelBlock]
    factors: list[FactorTable]
    interventions: list[InterventionLine]
    rule: int
    references: list[str] = field(default_factory=lambda: [*REFERENCES, *PORTFOLIO_REFERENCES])


# ------------------------------------------------------------------ building the context


class _Pools(i18n.Localised):
    """Each level's pooled change: its sentence, forest plot and table row."""

    def __init__(self, p: Portfolio, lang: str) -> None:
        super().__init__(lang)
        self.p = p

    def est_ci(self, est: float, lo: float, hi: float) -> str:
        return f"{self.num(est)} {self.interval(lo, hi)}"

    def p_is(self, p: float) -> str:
        """``p = 0.025`` or ``p < 0.001`` (APA)."""
        text = i18n.format_p(p, self.lang)
        return f"p {text}" if text.startswith("<") else f"p = {text}"

    # -------------------------------------------------------------- levels

    def comparison(self, pool: LevelPool) -> str:
        _ = self._
        bench = self.num(pool.benchmark.estimate)
        return {
            Comparison.ABOVE: _("above the published benchmark (%(bench)s), which lies below our interval"),
            Comparison.BELOW: _("below the published benchmark (%(bench)s), which lies above our interval"),
            Comparison.CONSISTENT: _(
                "consistent with the published benchmark (%(bench)s), which lies within our interval"
            ),
        }.get(pool.comparison, "") % {"bench": bench}

    def reading(self, pool: LevelPool) -> str:
        _ = self._
        r = pool.pooled
        if pool.k == 0:
            if pool.post_only:
                return _("Measured after the intervention only, so there is no change to pool.")
            return _("No intervention has measurements before and after at this level.")
        if pool.k == 1:
            return _("Only one intervention has a change from before to after at this level: there is nothing to pool.")
        values = {
            "k": pool.k,
            "est": self.num(r.estimate),
            "ci": self.interval(r.ci_low, r.ci_high),
            "comparison": self.comparison(pool),
            "lo": self.num(r.pi_low),
            "hi": self.num(r.pi_high),
        }
        if not (math.isfinite(r.pi_low) and math.isfinite(r.pi_high)):
            return (
                _(
                    "Taken together over %(k)s interventions, the average change is %(est)s %(ci)s, %(comparison)s. "
                    "A prediction interval needs at least three interventions."
                )
                % values
            )
        return (
            _(
                "Taken together over %(k)s interventions, the average change is %(est)s %(ci)s, %(comparison)s. "
                "A new, similar intervention would be expected to show a change between %(lo)s and %(hi)s."
            )
            % values
        )

    def forest(self, pool: LevelPool) -> Markup | None:
        rows = self.p.effects_at(pool.level)
        if not rows:
            return None
        r = pool.pooled
        tau2 = r.tau2 if math.isfinite(r.tau2) else 0.0
        weights = [1.0 / (e.vi + tau2) for e in rows]
        top = max(weights)
        items = [
            charts.ForestRow(f"{e.code} \u00b7 n {e.n}", e.yi, e.ci_low, e.ci_high, weight=w / top)
            for e, w in zip(rows, weights)
        ]
        pooled = prediction = None
        if pool.k >= 2 and math.isfinite(r.estimate):
            pooled = charts.ForestRow(self._("Pooled (random effects)"), r.estimate, r.ci_low, r.ci_high)
            prediction = (r.pi_low, r.pi_high)
        return charts.forest_plot(
            items,
            fmt=self.num,
            pooled=pooled,
            prediction=prediction,
            reference=pool.benchmark.estimate,
            reference_label=self._("benchmark"),
            ci_sep="; " if self.lang == "sv" else ", ",
            axis_label=self._("Standardized mean change g (positive = improvement)"),
            title=self._("Change per intervention: %(level)s") % {"level": self.label(pool.level)},
        )

    def level_block(self, pool: LevelPool) -> LevelBlock:
        _ = self._
        r = pool.pooled
        ok = pool.k >= 2 and math.isfinite(r.estimate)
        notes = []
        if pool.suppressed:
            notes.append(
                self.ngettext(
                    "%(num)s intervention left out: fewer than %(min)s participants with both measurements.",
                    "%(num)s interventions left out: fewer than %(min)s participants with both measurements.",
                    pool.suppressed,
                )
                % {"num": pool.suppressed, "min": self.p.min_group}
            )
        if pool.post_only and pool.k:
            notes.append(
                self.ngettext(
                    "%(num)s intervention measured this level after the intervention only (not pooled).",
                    "%(num)s interventions measured this level after the intervention only (not pooled).",
                    pool.post_only,
                )
                % {"num": pool.post_only}
            )
        dash = "\u2013"
        return LevelBlock(
            level=pool.level,
            number=pool.level.number,
            name=self.label(pool.level),
            k=pool.k,
            n=pool.n,
            estimate=self.num(r.estimate) if ok else dash,
            ci=self.interval(r.ci_low, r.ci_high) if ok else dash,
            pi=self.interval(r.pi_low, r.pi_high) if ok and math.isfinite(r.pi_low) else dash,
            tau2=self.num(r.tau2, 3) if ok else dash,
            i2=i18n.format_percent(r.I2, self.lang) if ok else dash,
            q=f"Q({int(r.Q_df)}) = {self.num(r.Q)}, {self.p_is(r.Q_p)}" if ok else dash,
            benchmark=self.num(pool.benchmark.estimate),
            reading=self.reading(pool),
            forest=self.forest(pool),
            notes=notes,
        )

    # -------------------------------------------------------------- moderators


class _Moderators(_Pools):
    """The transfer factors, spacing and the meta-regression as moderators."""

    def factor_note(self, f: FactorComparison) -> str:
        _ = self._
        total = f.k_used + f.k_not_used
        if f.reason is None:
            return ""
        if f.k_not_used == 0:
            return _("not estimable: used by all %(k)s interventions") % {"k": total}
        if f.k_used == 0:
            return _("not estimable: used by none of the %(k)s interventions") % {"k": total}
        return _("not estimable: only %(k)s intervention on one side") % {"k": min(f.k_used, f.k_not_used)}

    def factor_line(self, f: FactorComparison) -> FactorLine:
        def group(g: object) -> str:
            if g is None or not math.isfinite(g.estimate):  # type: ignore[attr-defined]
                return "\u2013"
            return self.est_ci(g.estimate, g.ci_low, g.ci_high)  # type: ignore[attr-defined]

        estimable = f.reason is None
        return FactorLine(
            name=self.label(f.factor),
            k_used=f.k_used,
            k_not_used=f.k_not_used,
            used=group(f.used),
            not_used=group(f.not_used),
            difference=f"{self.num(f.difference, sign=True)} {self.interval(f.ci_low, f.ci_high)}"
            if estimable
            else "\u2013",
            p=i18n.format_p(f.p, self.lang) if estimable else "\u2013",
            note=self.factor_note(f),
            published=self._(FACTOR_EVIDENCE[f.factor].summary),
        )

    def spacing(self, s: Regression) -> str:
        _ = self._
        res = s.result
        if res is None or s.reason is not None:
            return _(
                "Spacing between sessions: not estimable with %(k)s interventions that had at least two "
                "sessions (at least %(need)s are needed)."
            ) % {"k": s.k, "need": STUDIES_PER_MODERATOR}
        b, lo, hi, p = (7 * res.coef[1], 7 * res.ci_low[1], 7 * res.ci_high[1], res.p[1])
        return _(
            "Spacing between sessions: each additional week between sessions was associated with a difference of "
            "%(b)s %(ci)s in the change (%(p)s, %(k)s interventions with at least two sessions)."
        ) % {"b": self.num(b, sign=True), "ci": self.interval(lo, hi), "p": self.p_is(p), "k": s.k}

    def regression(self, reg: Regression) -> tuple[str, list[tuple[str, str, str]]]:
        _ = self._
        m = len(reg.moderators)
        if reg.result is None or reg.reason is not None:
            if not m:
                return _("All factors at once: not estimable, no factor varies between the interventions."), []
            return _(
                "All factors at once: not estimable, too few interventions (k = %(k)s for %(m)s factors; "
                "the rule is at least %(per)s interventions per factor, here %(need)s)."
            ) % {"k": reg.k, "m": m, "per": STUDIES_PER_MODERATOR, "need": STUDIES_PER_MODERATOR * m}, []
        res = reg.result
        rows = [
            (
                self.label(_factor(name)),
                self.est_ci(res.coef[i], res.ci_low[i], res.ci_high[i]),
                i18n.format_p(res.p[i], self.lang),
            )
            for i, name in enumerate(res.names)
            if i > 0
        ]
        text = _(
            "All factors at once (meta-regression, %(k)s interventions): each coefficient is the "
            "difference with the factor, the other factors held constant; together they explain "
            "%(r2)s of the variation between interventions."
        ) % {"k": reg.k, "r2": i18n.format_percent(res.R2, self.lang)}
        return text, rows

    def factor_tables(self) -> list[FactorTable]:
        out = []
        for pool in self.p.levels:
            if pool.k < 2:
                continue
            spacing = next(s for s in self.p.spacing if s.level == pool.level)
            reg = next(r for r in self.p.regressions if r.level == pool.level)
            text, coefs = self.regression(reg)
            out.append(
                FactorTable(
                    pool.level,
                    self.label(pool.level),
                    [self.factor_line(f) for f in self.p.factors_at(pool.level)],
                    self.spacing(spacing),
                    text,
                    coefs,
                )
            )
        return out

    # -------------------------------------------------------------- summary


class _Builder(_Moderators):
    """Turns a portfolio into its report context in one language."""

    def summary(self) -> list[str]:
        _ = self._
        p = self.p
        out = [
            self.ngettext(
                "This portfolio covers %(num)s intervention.",
                "This portfolio covers %(num)s interventions.",
                len(p.interventions),
            )
            % {"num": len(p.interventions)}
        ]
        for pool in p.levels:
            if pool.k >= 2 and math.isfinite(pool.pooled.estimate):
                out.append(f"{self.label(pool.level)}: {self.reading(pool)}")
        findings = []
        for f in p.factors:
            if f.reason is None and math.isfinite(f.ci_low) and (f.ci_low > 0 or f.ci_high < 0):
                key = (
                    N_(
                        "Interventions that used %(factor)s showed a larger change in %(level)s "
                        "(difference %(d)s %(ci)s)."
                    )
                    if f.difference > 0
                    else N_(
                        "Interventions that used %(factor)s showed a smaller change in %(level)s "
                        "(difference %(d)s %(ci)s)."
                    )
                )
                findings.append(
                    _(key)
                    % {
                        "factor": self.label(f.factor).lower(),
                        "level": self.label(f.level).lower(),
                        "d": self.num(f.difference, sign=True),
                        "ci": self.interval(f.ci_low, f.ci_high),
                    }
                )
        tested = sum(1 for f in p.factors if f.reason is None)
        out.extend(findings)
        if findings and tested >= 3:
            # Many comparisons: some "clear" differences are expected by chance alone.
            out.append(
                _(
                    "%(found)s of %(tested)s factor comparisons show a clear difference (the %(confidence)s%% "
                    "interval excludes zero). With %(tested)s comparisons, about %(chance)s would do so by chance "
                    "alone, even if no factor mattered."
                )
                % {
                    "confidence": round(p.confidence * 100),
                    "found": len(findings),
                    "tested": tested,
                    "chance": self.num(0.05 * tested, 0 if tested >= 20 else 1),
                }
            )
        if tested and not findings:
            out.append(
                _(
                    "No transfer factor was associated with a clear difference (a %(confidence)s%% interval that "
                    "excludes zero)."
                )
                % {"confidence": round(p.confidence * 100)}
            )
        ks = [pool.k for pool in p.levels if pool.k]
        out.append(
            _(
                "Read this with care. The comparisons are observational: the interventions were not "
                "assigned their design at random, and factors that go together (for example needs analysis "
                "in longer programmes) cannot be told apart. With %(k)s interventions per level at most, "
                "every estimate is uncertain: treat a difference as a question to follow up, not as proof "
                "that a factor works."
            )
            % {"k": max(ks) if ks else 0}
        )
        return out

    def intervention_lines(self) -> list[InterventionLine]:
        return [
            InterventionLine(
                i.code,
                i.title,
                i.client,
                self.label(i.format),
                i18n.format_period(i.start, i.end, self.lang),
                i.sessions,
                self.num(i.spacing_days, 0) if math.isfinite(i.spacing_days) else "\u2013",
                sum(1 for v in i.factors.values() if v),
            )
            for i in self.p.interventions
        ]

    def scope(self) -> str:
        _ = self._
        f = self.p.filters
        parts = []
        if f.client:
            parts.append(_("client %(name)s") % {"name": f.client})
        if f.consultant:
            parts.append(_("consultant %(name)s") % {"name": f.consultant})
        if f.format:
            parts.append(self.label(f.format))
        if f.since:
            parts.append(_("started from %(date)s") % {"date": i18n.format_date(f.since, self.lang)})
        if f.until:
            parts.append(_("ended by %(date)s") % {"date": i18n.format_date(f.until, self.lang)})
        return ", ".join(parts) if parts else _("all interventions")

    def build(self) -> PortfolioContext:
        return PortfolioContext(
            lang=self.lang,
            scope=self.scope(),
            generated=i18n.format_date(dt.date.today(), self.lang),
            k=len(self.p.interventions),
            n=max((pool.n for pool in self.p.levels), default=0),
            min_group=self.p.min_group,
            confidence=round(self.p.confidence * 100),
            summary=self.summary(),
            levels=[self.level_block(pool) for pool in self.p.levels],
            factors=self.factor_tables(),
            interventions=self.intervention_lines(),
            rule=STUDIES_PER_MODERATOR,
        )


def _factor(name: str) -> TransferFactor:
    return TransferFactor(name)


# ------------------------------------------------------------------ public API


def build_context(p: Portfolio, lang: str) -> PortfolioContext:
    """The portfolio report's context in ``lang`` (``en`` or ``sv``)."""
    i18n.translations(lang)  # validates lang
    return _Builder(p, lang).build()


def render(p: Portfolio, lang: str = "en") -> str:
    """The portfolio report as one self-contained HTML page."""
    return environment(lang).get_template("portfolio.html").render(r=build_context(p, lang))


def write(p: Portfolio, *, html: Path | None, pdf: Path | None = None, lang: str = "en") -> list[Path]:
    """Write the HTML report (and the PDF, printed by Chromium from the HTML); returns the paths.

    With only ``pdf`` given, the HTML goes to a temporary file beside it and is removed.
    """
    if pdf is not None:
        printer.find_chromium()  # fail before writing anything
    page = render(p, lang)
    written = []
    target = html if html is not None else (pdf.with_suffix(".tmp.html") if pdf is not None else None)
    if target is None:
        return []
    target.write_text(page, encoding="utf-8")
    if html is not None:
        written.append(html)
    if pdf is not None:
        try:
            printer.html_to_pdf(target, pdf)
        finally:
            if html is None:
                target.unlink(missing_ok=True)
        written.append(pdf)
    return written
