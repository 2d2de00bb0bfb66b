"""Inline-SVG charts for results series: an interrupted series with its fitted lines, and an
event-study plot of period effects with intervals.

Same rules as :mod:`kirkpatrick.reports.charts`: no JavaScript, no fonts, nothing fetched; text
escaped here and returned as :class:`markupsafe.Markup`; numbers formatted by the caller's ``fmt``
(so the charts stay language-free); colours from CSS classes (``.ch-*``); text at 12 px; each
chart has ``role="img"``, a ``<title>`` and a ``<desc>`` for screen readers.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from .charts import FONT, Formatter, nice_ticks

__all__ = ["EventRow", "event_study_plot", "series_plot"]


@dataclass(frozen=True)
class EventRow:
    """One period effect: ``label`` on the x axis (e.g. "-3", "0"), its estimate and interval
    (NaN interval for the reference period, drawn as a hollow marker at 0)."""

    label: str
    estimate: float
    ci_low: float
    ci_high: float
    reference: bool = False


# Colours as presentation attributes, so a chart reads the same without the report's style sheet;
# a style sheet's .ch-* rules override them. All pass 3:1 against white (WCAG 1.4.11).
INK = "#39424e"
FIT = "#1f5fa8"
TREND = "#a5641e"
COMPARISON = "#6b7684"
GRID = "#e3e7ed"

LEFT, RIGHT, TOP = 64.0, 16.0, 30.0
CHAR = 7.0  # px per character at 12 px, for fitting labels


def _fin(*xs: float) -> bool:
    return all(isinstance(x, (int, float)) and math.isfinite(x) for x in xs)


def _svg(width: float, height: float, title: str, description: str, body: list[str], css_class: str) -> Markup:
    # ids from the text, so two charts on one page differ unless they say the same thing
    key = hashlib.sha1(f"{css_class}\0{title}\0{description}".encode()).hexdigest()[:10]
    return Markup(
        f'<svg class="chart {css_class}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="t-{key} d-{key}" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" font-size="{FONT}"><title id="t-{key}">{escape(title)}</title>'
        f'<desc id="d-{key}">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def _y_axis(lo: float, hi: float, top: float, bottom: float, left: float, right: float, fmt: Formatter,
            label: str) -> tuple[list[str], float, float]:  # fmt: skip
    """Horizontal grid lines with tick labels at the left, the measure's name above the plot.
    Returns the body and the (lo, hi) the scale spans."""
    ticks = nice_ticks(lo, hi)
    lo2, hi2 = min(lo, ticks[0]), max(hi, ticks[-1])
    if hi2 <= lo2:
        lo2, hi2 = lo2 - 1, hi2 + 1
        ticks = nice_ticks(lo2, hi2)
    out = []
    for v in ticks:
        y = bottom - (v - lo2) / (hi2 - lo2) * (bottom - top)
        out.append(
            f'<line class="ch-grid" stroke="{GRID}" x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}"/>'
        )
        out.append(
            f'<text class="ch-tick" fill="{INK}" x="{left - 6:.1f}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(fmt(v))}</text>"
        )
    out.append(f'<text class="ch-axis-label" fill="{INK}" x="4" y="{top - 14:.1f}">{escape(label)}</text>')
    out.append(
        f'<line class="ch-axis" stroke="{INK}" x1="{left:.1f}" y1="{bottom:.1f}" x2="{right:.1f}" y2="{bottom:.1f}"/>'
    )
    return out, lo2, hi2


def _every(n: int, labels: Sequence[str], span: float) -> int:
    """Print every k-th x label so the labels do not overlap."""
    widest = max((len(s) for s in labels), default=1) * CHAR + 10
    fit = max(1, int(span // widest))
    return max(1, math.ceil(n / fit))


def _polyline(points: list[tuple[float, float]], attrs: str) -> str:
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return f'<polyline {attrs} fill="none" points="{pts}"/>'


def _runs(idx: Sequence[int], vals: Sequence[float]) -> list[list[int]]:
    """Consecutive indices with finite values (a gap breaks a line)."""
    runs: list[list[int]] = []
    for i in idx:
        if _fin(vals[i]):
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
    return runs


def series_plot(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    start_index: int,
    fitted: Sequence[float] | None,
    counterfactual: Sequence[float] | None,
    fmt: Formatter,
    title: str,
    description: str,
    axis_label: str,
    start_label: str,
    comparison: Sequence[float] | None = None,
    legend: Sequence[str] = (),
    width: int = 640,
    height: int = 300,
) -> Markup:
    """One unit's series as points, the fitted pre- and post-start lines, the pre-start trend
    carried on (dashed), a vertical line at the start, and optionally a comparison series.

    Parameters
    ----------
    labels : sequence of str
        Period labels (e.g. "2024-01"); as many as fit are printed along the x axis.
    values : sequence of float
        The series (NaN = missing, not drawn).
    start_index : int
        Index of the first period of the programme (the start line is drawn just before it).
    fitted, counterfactual : sequence of float, optional
        The model's line and the pre-start trend carried on, one value per label (from
        :class:`kirkpatrick.stats.series.ItsResult`, NaN where a point was dropped); None when
        there is no model (too few points): then only the points and the start are drawn.
    fmt : callable
        Formats axis numbers.
    title, description : str
        The chart's accessible name and description (``<title>``, ``<desc>``).
    axis_label : str
        The measure and its unit, printed above the plot.
    start_label : str
        Text at the start line (e.g. "Start").
    comparison : sequence of float, optional
        Mean of the comparison units per period, drawn as a grey line.
    legend : sequence of str
        Legend texts in order: observed, fitted, trend carried on, comparison (as many as drawn).
    """
    n = len(labels)
    for name, seq in (("values", values), ("fitted", fitted), ("counterfactual", counterfactual),
                      ("comparison", comparison)):  # fmt: skip
        if seq is not None and len(seq) != n:
            raise ValueError(f"{name} must have one value per label ({n}), but has {len(seq)}")
    if not 0 <= start_index <= n:
        raise ValueError(f"start_index must lie within the series (0-{n}), but got {start_index}")
    bottom = float(height - 64)
    right = float(width - RIGHT)
    pool = [v for seq in (values, fitted, counterfactual, comparison) if seq is not None for v in seq if _fin(v)]
    lo, hi = (min(pool), max(pool)) if pool else (0.0, 1.0)
    pad = (hi - lo) * 0.08 or max(abs(hi) * 0.1, 1.0)
    body, ylo, yhi = _y_axis(lo - pad, hi + pad, TOP, bottom, LEFT, right, fmt, axis_label)
    step = (right - LEFT) / max(n, 1)

    def x(i: float) -> float:
        return LEFT + step * (i + 0.5)

    def y(v: float) -> float:
        return bottom - (v - ylo) / (yhi - ylo) * (bottom - TOP)

    k = _every(n, labels, right - LEFT)
    for i in range(0, n, k):
        body.append(
            f'<text class="ch-tick" fill="{INK}" x="{x(i):.1f}" y="{bottom + 16:.1f}" text-anchor="middle">'
            f"{escape(labels[i])}</text>"
        )
    if 0 < start_index <= n:
        xs = x(start_index - 0.5)
        body.append(
            f'<line class="ch-start" stroke="{INK}" stroke-width="1.5" stroke-dasharray="5 4" '
            f'x1="{xs:.1f}" y1="{TOP - 4:.1f}" x2="{xs:.1f}" y2="{bottom:.1f}"/>'
        )
        anchor = "start" if xs < width / 2 else "end"
        tx = xs + 4 if anchor == "start" else xs - 4
        body.append(
            f'<text class="ch-start-label" fill="{INK}" x="{tx:.1f}" y="{TOP + 10:.1f}" text-anchor="{anchor}">'
            f"{escape(start_label)}</text>"
        )
    drawn: list[str] = ["point"]
    if comparison is not None:
        for run in _runs(range(n), comparison):
            body.append(_polyline([(x(i), y(comparison[i])) for i in run],
                                  f'class="ch-comparison" stroke="{COMPARISON}" stroke-width="2"'))  # fmt: skip
    if counterfactual is not None:
        # carried on from the last fitted point before the start, so the dashed line leaves the solid one
        idx = range(max(start_index - 1, 0), n)
        for run in _runs(idx, counterfactual):
            if len(run) > 1:
                attrs = f'class="ch-trend" stroke="{TREND}" stroke-width="2" stroke-dasharray="6 4"'
                body.append(_polyline([(x(i), y(counterfactual[i])) for i in run], attrs))
    if fitted is not None:
        for seg in (range(0, start_index), range(start_index, n)):
            for run in _runs(seg, fitted):
                body.append(_polyline([(x(i), y(fitted[i])) for i in run],
                                      f'class="ch-fit" stroke="{FIT}" stroke-width="2.5"'))  # fmt: skip
        drawn += ["fit"]
        if counterfactual is not None:
            drawn += ["trend"]
    if comparison is not None:
        drawn += ["comparison"]
    for i in range(n):
        if _fin(values[i]):
            body.append(
                f'<circle class="ch-point" fill="{INK}" cx="{x(i):.1f}" cy="{y(values[i]):.1f}" r="3">'
                f"<title>{escape(labels[i])}: {escape(fmt(values[i]))}</title></circle>"
            )
    lx, ly = LEFT, bottom + 40
    for kind, text in zip(drawn, legend, strict=False):
        if kind == "point":
            body.append(f'<circle class="ch-point" fill="{INK}" cx="{lx + 9:.1f}" cy="{ly - 4:.1f}" r="3"/>')
        else:
            attrs = {
                "fit": f'class="ch-fit" stroke="{FIT}" stroke-width="2.5"',
                "trend": f'class="ch-trend" stroke="{TREND}" stroke-width="2" stroke-dasharray="6 4"',
                "comparison": f'class="ch-comparison" stroke="{COMPARISON}" stroke-width="2"',
            }[kind]
            body.append(f'<line {attrs} x1="{lx:.1f}" y1="{ly - 4:.1f}" x2="{lx + 18:.1f}" y2="{ly - 4:.1f}"/>')
        body.append(f'<text class="ch-legend" fill="{INK}" x="{lx + 24:.1f}" y="{ly:.1f}">{escape(text)}</text>')
        lx += 24 + CHAR * len(text) + 18
        if lx > width - 120:
            lx, ly = LEFT, ly + 18
    return _svg(width, max(height, ly + 8), title, description, body, "series")


def event_study_plot(
    rows: Sequence[EventRow],
    *,
    fmt: Formatter,
    title: str,
    description: str,
    axis_label: str,
    x_label: str,
    width: int = 640,
    height: int = 280,
) -> Markup:
    """Period effects relative to the period before the start, each with its interval, a line at
    zero and a dashed line between the last period before and the first period of the programme.

    Parameters
    ----------
    rows : sequence of EventRow
        In order of relative period; the reference row (``reference=True``) is drawn hollow at 0.
    fmt : callable
    title, description : str
        Accessible name and description.
    axis_label : str
        What the effects are in (e.g. "Difference in sick leave, percentage points"), above the plot.
    x_label : str
        The x axis's name (e.g. "Months since the start"), below it.
    """
    n = len(rows)
    bottom = float(height - 50)
    right = float(width - RIGHT)
    pool = [0.0] + [v for r in rows for v in (r.estimate, r.ci_low, r.ci_high) if _fin(v)]
    lo, hi = min(pool), max(pool)
    pad = (hi - lo) * 0.08 or 1.0
    body, ylo, yhi = _y_axis(lo - pad, hi + pad, TOP, bottom, LEFT, right, fmt, axis_label)
    step = (right - LEFT) / max(n, 1)

    def x(i: float) -> float:
        return LEFT + step * (i + 0.5)

    def y(v: float) -> float:
        return bottom - (v - ylo) / (yhi - ylo) * (bottom - TOP)

    body.append(
        f'<line class="ch-null" stroke="{INK}" x1="{LEFT:.1f}" y1="{y(0):.1f}" x2="{right:.1f}" y2="{y(0):.1f}"/>'
    )
    ref = next((i for i, r in enumerate(rows) if r.reference), None)
    if ref is not None and ref + 1 < n:
        xs = x(ref + 0.5)
        body.append(
            f'<line class="ch-start" stroke="{INK}" stroke-width="1.5" stroke-dasharray="5 4" '
            f'x1="{xs:.1f}" y1="{TOP - 4:.1f}" x2="{xs:.1f}" y2="{bottom:.1f}"/>'
        )
    k = _every(n, [r.label for r in rows], right - LEFT)
    # labels counted from the reference period, so it is always among them and none crowds it
    offset = ref if ref is not None else 0
    for i, r in enumerate(rows):
        if (i - offset) % k == 0:
            body.append(
                f'<text class="ch-tick" fill="{INK}" x="{x(i):.1f}" y="{bottom + 16:.1f}" text-anchor="middle">'
                f"{escape(r.label)}</text>"
            )
        if r.reference:
            body.append(
                f'<circle class="ch-ref-mark" fill="#fff" stroke="{FIT}" stroke-width="2" cx="{x(i):.1f}" '
                f'cy="{y(0):.1f}" r="4"><title>{escape(r.label)}: 0</title></circle>'
            )
            continue
        if _fin(r.ci_low, r.ci_high):
            body.append(
                f'<line class="ch-ci" stroke="{FIT}" stroke-width="2" x1="{x(i):.1f}" y1="{y(r.ci_low):.1f}" '
                f'x2="{x(i):.1f}" y2="{y(r.ci_high):.1f}"/>'
            )
        if _fin(r.estimate):
            tip = f"{r.label}: {fmt(r.estimate)}"
            if _fin(r.ci_low, r.ci_high):
                tip += f" [{fmt(r.ci_low)}, {fmt(r.ci_high)}]"
            body.append(
                f'<circle class="ch-mark" fill="{FIT}" cx="{x(i):.1f}" cy="{y(r.estimate):.1f}" r="4">'
                f"<title>{escape(tip)}</title></circle>"
            )
    body.append(
        f'<text class="ch-axis-label" fill="{INK}" x="{(LEFT + right) / 2:.1f}" y="{bottom + 36:.1f}" '
        f'text-anchor="middle">{escape(x_label)}</text>'
    )
    return _svg(width, height, title, description, body, "event-study")
