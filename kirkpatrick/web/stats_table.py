"""The statistics tables of an intervention (one per level), for the page and the Excel export.

Figures of a group below the anonymity threshold are left out (``reportable`` is false).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kirkpatrick.reports.environment import N_, label, translations
from kirkpatrick.services.analysis import InterventionAnalysis

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[Cell]]


HEADER = (
    N_("Measure"), N_("Rater"), N_("Waves"), "n", N_("Mean before"), N_("Mean after"), N_("Effect size"), N_("CI low"),
    N_("CI high"),
)  # fmt: skip


def _f(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def tables(result: InterventionAnalysis, lang: str) -> list[Table]:
    """One table per level that has measures; numbers stay numbers (None when not reportable)."""
    gettext = translations(lang).gettext
    out = []
    for lv in result.levels:
        rows: list[list[Cell]] = []
        for c in lv.changes:
            waves = f"{label(c.wave_from, lang)} \u2192 {label(c.wave_to, lang)}"
            base: list[Cell] = [c.measure.name, label(c.rater, lang), waves, c.n]
            if c.reportable:
                rows.append([*base, _f(c.paired.mean_pre), _f(c.paired.mean_post), _f(c.effect.estimate),
                             _f(c.effect.ci_low), _f(c.effect.ci_high)])  # fmt: skip
            else:
                rows.append([*base, None, None, None, None, None])
        for d in lv.descriptives:
            base = [d.measure.name, label(d.rater, lang), label(d.wave, lang), d.n]
            if d.reportable:
                rows.append([*base, None, _f(d.mean), None, _f(d.ci_low), _f(d.ci_high)])
            else:
                rows.append([*base, None, None, None, None, None])
        if rows:
            out.append(Table(label(lv.level, lang), [gettext(h) for h in HEADER], rows))
    return out
