"""Small inline-SVG charts for reports: no JavaScript, no fonts, no files fetched.

Every function returns :class:`markupsafe.Markup` whose text (labels, notes) has been escaped
here, so a chart can be dropped into an autoescaping template as is. Numbers on axes are
formatted by the caller's ``fmt`` (locale decimal comma, minus sign), so charts stay language-free.
Colours come from CSS classes (``.ch-*``) styled by the report, so print and screen agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

Formatter = Callable[[float], str]

FONT = 12  # px; matches the report's small text
ROW = 24  # px per row in row charts


@dataclass(frozen=True)
class ForestRow:
    """One row of a forest plot. A row with a NaN estimate shows its ``note`` instead of a marker."""

    label: str
    estimate: float
    ci_low: float
    ci_high: float
    note: str = ""
    weight: float = 1.0  # relative marker size, 0..1


@dataclass(frozen=True)
class Point:
    """A mean with its interval at one wave (for :func:`change_plot`)."""

    label: str
    mean: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class ChangeRow:
    """One rater's (or group's) means over waves; ``note`` replaces the points when they are hidden."""

    label: str
    points: Sequence[Point]
    note: str = ""


def _finite(*xs: float) -> bool:
    return all(isinstance(x, (int, float)) and math.isfinite(x) for x in xs)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (Heckbert 1990, "Nice numbers for graph labels")."""
    if not _finite(lo, hi) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(count - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    ticks = []
    x = first
    while x <= hi + step * 1e-9:
        if x >= lo - step * 1e-9:
            ticks.append(round(x, 10))
        x += step
    return ticks


class _Scale:
    def __init__(self, lo: float, hi: float, x0: float, x1: float) -> None:
        self.lo, self.hi, self.x0, self.x1 = lo, hi, x0, x1

    def __call__(self, v: float) -> float:
        v = min(max(v, self.lo), self.hi)
        return self.x0 + (v - self.lo) / (self.hi - self.lo) * (self.x1 - self.x0)


def _axis(scale: _Scale, ticks: Sequence[float], y: float, fmt: Formatter, label: str, top: float) -> list[str]:
    out = [f'<line class="ch-axis" x1="{scale.x0:.1f}" y1="{y:.1f}" x2="{scale.x1:.1f}" y2="{y:.1f}"/>']
    for t in ticks:
        x = scale(t)
        out.append(f'<line class="ch-grid" x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="ch-tick" x="{x:.1f}" y="{y + 14:.1f}" text-anchor="middle">{escape(fmt(t))}</text>')
    mid = (scale.x0 + scale.x1) / 2
    out.append(
        f'<text class="ch-axis-label" x="{mid:.1f}" y="{y + 30:.1f}" text-anchor="middle">{escape(label)}</text>'
    )
    return out


def _svg(width: float, height: float, title: str, body: list[str], css_class: str) -> Markup:
    return Markup(
        f'<svg class="chart {css_class}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'font-size="{FONT}"><title>{escape(title)}</title>' + "".join(body) + "</svg>"
    )


def forest_plot(
    rows: Sequence[ForestRow],
    *,
    fmt: Formatter,
    axis_label: str,
    title: str,
    pooled: ForestRow | None = None,
    prediction: tuple[float, float] | None = None,
    reference: float | None = None,
    reference_label: str = "",
    null: float = 0.0,
    ci_sep: str = ", ",
    width: int = 700,
    label_width: int | None = None,
    value_width: int = 130,
) -> Markup:
    """A forest plot: one row per effect (square and CI line), optional pooled diamond with a
    prediction interval, a line at ``null`` and a dashed ``reference`` line (e.g. a benchmark).

    The estimate and interval are printed at the right, so the chart can be read without the
    table (and in black and white).
    """
    items = list(rows)
    if label_width is None:
        # About 6.3 px per character at 12 px in a sans-serif face; capped so the plot keeps room.
        longest = max((len(r.label) for r in [*items, *([pooled] if pooled else [])]), default=10)
        label_width = min(320, max(120, int(longest * 6.3) + 16))
    n_rows = len(items) + (1 if pooled is not None else 0)
    top, x0, x1 = 10.0, float(label_width), float(width - value_width)
    bottom = top + ROW * n_rows + 6
    values = [null] + [v for r in [*items, *([pooled] if pooled else [])] for v in (r.ci_low, r.ci_high) if _finite(v)]
    if prediction is not None:
        values += [v for v in prediction if _finite(v)]
    if reference is not None and _finite(reference):
        values.append(reference)
    lo, hi = min(values), max(values)
    pad = max((hi - lo) * 0.08, 0.1)
    ticks = nice_ticks(lo - pad, hi + pad)
    scale = _Scale(min(ticks[0], lo - pad), max(ticks[-1], hi + pad), x0, x1)
    body = _axis(scale, ticks, bottom, fmt, axis_label, top)
    body.append(
        f'<line class="ch-null" x1="{scale(null):.1f}" y1="{top:.1f}" x2="{scale(null):.1f}" y2="{bottom:.1f}"/>'
    )
    if reference is not None and _finite(reference):
        xr = scale(reference)
        body.append(f'<line class="ch-ref" x1="{xr:.1f}" y1="{top:.1f}" x2="{xr:.1f}" y2="{bottom:.1f}"/>')
        if reference_label:
            body.append(
                f'<text class="ch-ref-label" x="{xr + 3:.1f}" y="{top + 8:.1f}">{escape(reference_label)}</text>'
            )

    def row_text(y: float, row: ForestRow, bold: bool = False) -> None:
        cls = "ch-label ch-strong" if bold else "ch-label"
        body.append(f'<text class="{cls}" x="4" y="{y + 4:.1f}">{escape(row.label)}</text>')
        if _finite(row.estimate, row.ci_low, row.ci_high):
            text = f"{fmt(row.estimate)} [{fmt(row.ci_low)}{ci_sep}{fmt(row.ci_high)}]"
            body.append(
                f'<text class="ch-value" x="{width - 4}" y="{y + 4:.1f}" text-anchor="end">{escape(text)}</text>'
            )
        else:
            body.append(f'<text class="ch-note" x="{x0 + 4:.1f}" y="{y + 4:.1f}">{escape(row.note)}</text>')

    for i, row in enumerate(items):
        y = top + ROW * i + ROW / 2
        row_text(y, row)
        if _finite(row.estimate, row.ci_low, row.ci_high):
            body.append(
                f'<line class="ch-ci" x1="{scale(row.ci_low):.1f}" y1="{y:.1f}" '
                f'x2="{scale(row.ci_high):.1f}" y2="{y:.1f}"/>'
            )
            s = 4 + 4 * max(0.0, min(1.0, row.weight))
            body.append(
                f'<rect class="ch-mark" x="{scale(row.estimate) - s / 2:.1f}" y="{y - s / 2:.1f}" '
                f'width="{s:.1f}" height="{s:.1f}"/>'
            )
    if pooled is not None:
        y = top + ROW * len(items) + ROW / 2
        row_text(y, pooled, bold=True)
        if prediction is not None and _finite(*prediction):
            body.append(
                f'<line class="ch-pi" x1="{scale(prediction[0]):.1f}" y1="{y:.1f}" '
                f'x2="{scale(prediction[1]):.1f}" y2="{y:.1f}"/>'
            )
        if _finite(pooled.estimate, pooled.ci_low, pooled.ci_high):
            xl, xm, xh = scale(pooled.ci_low), scale(pooled.estimate), scale(pooled.ci_high)
            body.append(
                f'<polygon class="ch-diamond" '
                f'points="{xl:.1f},{y:.1f} {xm:.1f},{y - 7:.1f} {xh:.1f},{y:.1f} {xm:.1f},{y + 7:.1f}"/>'
            )
    return _svg(width, bottom + 40, title, body, "forest")


def change_plot(
    rows: Sequence[ChangeRow],
    *,
    scale_min: float,
    scale_max: float,
    fmt: Formatter,
    axis_label: str,
    title: str,
    width: int = 640,
    label_width: int = 150,
) -> Markup:
    """Dot-and-interval chart of means over waves on the measure's own scale: one row per rater,
    one dot per wave (filled darker for later waves), an arrow from the first to the last mean."""
    top, x0, x1 = 22.0, float(label_width), float(width - 20)
    bottom = top + ROW * 1.4 * len(rows) + 6
    lo, hi = _zoom(
        [v for r in rows for p in r.points for v in (p.mean, p.ci_low, p.ci_high) if _finite(v)], scale_min, scale_max
    )
    ticks = nice_ticks(lo, hi)
    scale = _Scale(min(lo, ticks[0]), max(hi, ticks[-1]), x0, x1)
    body = _axis(scale, ticks, bottom, fmt, axis_label, top)
    legend: list[str] = []
    for i, row in enumerate(rows):
        y = top + ROW * 1.4 * i + ROW * 0.7
        body.append(f'<text class="ch-label" x="4" y="{y + 4:.1f}">{escape(row.label)}</text>')
        pts = [p for p in row.points if _finite(p.mean)]
        if not pts:
            body.append(f'<text class="ch-note" x="{x0 + 4:.1f}" y="{y + 4:.1f}">{escape(row.note)}</text>')
            continue
        if len(pts) > 1:
            body.append(
                f'<line class="ch-arrow" x1="{scale(pts[0].mean):.1f}" y1="{y:.1f}" '
                f'x2="{scale(pts[-1].mean):.1f}" y2="{y:.1f}"/>'
            )
        for k, p in enumerate(pts):
            dy = (k - (len(pts) - 1) / 2) * 5
            if _finite(p.ci_low, p.ci_high):
                body.append(
                    f'<line class="ch-ci ch-wave{k}" x1="{scale(p.ci_low):.1f}" y1="{y + dy:.1f}" '
                    f'x2="{scale(p.ci_high):.1f}" y2="{y + dy:.1f}"/>'
                )
            body.append(
                f'<circle class="ch-dot ch-wave{k}" cx="{scale(p.mean):.1f}" cy="{y + dy:.1f}" r="4.5">'
                f"<title>{escape(p.label)}: {escape(fmt(p.mean))}</title></circle>"
            )
            if i == 0:
                legend.append(p.label)
    for k, text in enumerate(legend):
        lx = x0 + k * 120
        body.append(f'<circle class="ch-dot ch-wave{k}" cx="{lx + 5:.1f}" cy="10" r="4.5"/>')
        body.append(f'<text class="ch-legend" x="{lx + 14:.1f}" y="14">{escape(text)}</text>')
    return _svg(width, bottom + 40, title, body, "change")


def _zoom(values: Sequence[float], scale_min: float, scale_max: float) -> tuple[float, float]:
    """The whole scale, unless the data fill under a third of it (e.g. sick leave of 5-8 on 0-100):
    then a padded range around the data, inside the scale, so the change stays visible."""
    span = scale_max - scale_min
    if not values:
        return scale_min, scale_max
    lo, hi = min(values), max(values)
    if hi - lo >= span / 3:
        return scale_min, scale_max
    pad = max((hi - lo) * 0.6, span * 0.03)
    ticks = nice_ticks(max(scale_min, lo - pad), min(scale_max, hi + pad))
    return max(scale_min, ticks[0]), min(scale_max, ticks[-1])


def stacked_bar(segments: Sequence[tuple[str, int]], *, title: str, width: int = 640) -> Markup:
    """One horizontal bar split into counts (e.g. improved / unchanged / declined), classes
    ``ch-seg0``.. in order, each labelled with its count when wide enough."""
    total = sum(c for _, c in segments)
    height = 46
    body: list[str] = []
    x = 0.0
    for k, (_label, count) in enumerate(segments):
        w = width * count / total if total else 0
        if w > 0:
            body.append(f'<rect class="ch-seg{k}" x="{x:.1f}" y="0" width="{w:.1f}" height="26"/>')
            if w > 24:
                body.append(f'<text class="ch-seg-text" x="{x + w / 2:.1f}" y="17" text-anchor="middle">{count}</text>')
        x += w
    lx = 0.0
    for k, (label, count) in enumerate(segments):
        body.append(f'<rect class="ch-seg{k}" x="{lx:.1f}" y="32" width="10" height="10"/>')
        text = f"{label} ({count})"
        body.append(f'<text class="ch-legend" x="{lx + 14:.1f}" y="41">{escape(text)}</text>')
        lx += 14 + 7.2 * len(text) + 16
    return _svg(width, height, title, body, "bar")
