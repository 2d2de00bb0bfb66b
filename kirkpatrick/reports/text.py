"""Terminal tables: the ``stats`` command's plain-text view of an analysis."""

from __future__ import annotations

import math

from kirkpatrick.domain.vocab import HeadlineKind, Wave
from kirkpatrick.services.analysis import InterventionAnalysis


def _f(v: float, digits: int = 2, sign: bool = False) -> str:
    if v is None or not math.isfinite(v):
        return "-"
    return f"{v:+.{digits}f}" if sign else f"{v:.{digits}f}"


def stats_table(analysis: InterventionAnalysis) -> str:
    """The analysis as aligned plain text, readable at 100 columns (the ``stats`` command).

    Figures are shown for every row, small groups included (the analyst sees the data anyway);
    rows below the report's anonymity threshold are marked ``*``.
    """
    a = analysis
    lines = [
        f"{a.facts.code}: {a.facts.title}",
        f"participants {a.n_treatment}"
        + (f", control {a.n_control}" if a.has_control else "")
        + "; per wave: "
        + ", ".join(f"{w.value} {a.wave_n(w)}" for w in Wave)
        + f"; attrition pre->post {_f(a.attrition * 100, 0)}%",
        "",
    ]
    head = ("level", "measure", "rater", "waves", "n", "pre", "post", "change", "g_smcr [95% CI]", "p", "d_ppc2")
    rows: list[tuple[str, ...]] = []
    for lv in a.levels:
        for c in lv.changes:
            p = c.paired
            e = c.effect
            ctrl = _f(c.control.d_ppc2.estimate) if c.control is not None else ""
            rows.append(
                (
                    lv.level.value,
                    c.measure.code + ("" if c.measure.higher_is_better else " (-)"),
                    c.rater.value,
                    f"{c.wave_from.value[:3]}>{c.wave_to.value[:4]}",
                    f"{c.n}{'' if c.reportable else '*'}",
                    _f(p.mean_pre),
                    _f(p.mean_post),
                    _f(p.mean_diff, sign=True),
                    f"{_f(e.estimate)} [{_f(e.ci_low)}, {_f(e.ci_high)}]",
                    "<.001" if p.p < 0.001 else _f(p.p, 3),
                    ctrl,
                )
            )
        for d in lv.descriptives:
            extra = f"NPS {_f(d.nps.nps, 0, sign=True)}" if d.nps is not None else f"{_f(d.pomp, 0)}% of max"
            rows.append(
                (
                    lv.level.value,
                    d.measure.code,
                    d.rater.value,
                    d.wave.value[:9],
                    f"{d.n}{'' if d.reportable else '*'}",
                    "",
                    _f(d.mean),
                    "",
                    extra,
                    "",
                    "",
                )
            )
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]
    right = {4, 5, 6, 7, 9, 10}

    def fmt(r: tuple[str, ...]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()

    lines += [fmt(head), fmt(tuple("-" * w for w in widths)), *(fmt(r) for r in rows)]
    lines += [
        "",
        "Headline per level (" + "composite standardized mean change, pre->post; see --json headline_method):",
    ]
    for lv in a.levels:
        h = lv.headline
        if h.kind == HeadlineKind.SMCR:
            text = (
                f"g = {_f(h.estimate)} [{_f(h.ci_low)}, {_f(h.ci_high)}], n {h.n}, k {h.k}; "
                f"benchmark {h.benchmark.estimate:.2f} ({h.comparison})"
            )
            if h.control_k:
                text += f"; vs control d_ppc2 {_f(h.control_estimate)}"
        elif h.kind == HeadlineKind.POMP:
            text = f"post only: {_f(h.estimate, 0)}% of scale max [{_f(h.ci_low, 0)}, {_f(h.ci_high, 0)}], n {h.n}"
        else:
            text = "no reportable data"
        lines.append(f"  {lv.level.number} {lv.level.value:<10} {text}")
    lines.append(f"(-) lower is better, sign flipped; * fewer than {a.min_group} respondents (hidden in reports)")
    return "\n".join(lines)
