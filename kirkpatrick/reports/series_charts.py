"""Inline-SVG charts for results series: an interrupted series with its fitted lines, and an
event-study plot of period effects with intervals.

Same rules as :mod:`kirkpatrick.reports.charts`: no JavaScript, no fonts, nothing fetched; text
escaped here and returned as :class:`markupsafe.Markup`; numbers formatted by the caller's ``fmt``
(so the charts stay language-free); colours from CSS classes (``.ch-*``); text at 12 px; each
chart has ``role="img"``, a ``<title>`` and a ``<desc>`` for screen readers.
"""

from __future__ import annotations

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
        Period labels (e.g. "2024-01"); a few are printed along the x axis.
    values : sequence of float
        The series (NaN = missing, not drawn).
    start_index : int
        Index of the first period of the programme (the start line is drawn before it).
    fitted, counterfactual : sequence of float, optional
        The model's line and the pre-start trend carried on, at each period (from
        :class:`kirkpatrick.stats.series.ItsResult`); None when there is no model (too few points).
    fmt : callable
        Formats axis numbers.
    title, description : str
        The chart's accessible name and description (``<title>``, ``<desc>``).
    axis_label : str
        The y axis's measure and unit.
    start_label : str
        Text at the start line (e.g. "Start").
    comparison : sequence of float, optional
        Mean of the comparison units per period, drawn as a grey line.
    legend : sequence of str
        Legend texts, in order: observed, fitted, trend carried on, comparison (as many as drawn).
    """
    raise NotImplementedError


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
    """
    raise NotImplementedError


def _unused() -> None:
    _ = (math, escape, FONT, nice_ticks)
