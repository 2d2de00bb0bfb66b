"""The series and event-study SVG charts: accessible, escaped, lines where the model says."""

from __future__ import annotations

import math
import re

from bs4 import BeautifulSoup

from kirkpatrick.reports.series_charts import EventRow, event_study_plot, series_plot
from kirkpatrick.stats.series import segmented_regression

SERIES = [6.8, 6.9, 7.1, 5.9, 6.6, 6.3, 6.1, 6.9, 6.3, 5.5, 5.7, 5.3, 4.7, 5.5, 6.2, 5.0,
          5.0, 5.5, 5.7, 4.9, 5.1, 5.2, 5.7, 4.9, 5.5, 6.1, 4.5, 5.1]  # fmt: skip
LABELS = [f"2024-{m:02d}" if m <= 12 else f"2025-{m - 12:02d}" for m in range(1, 29)]


def fmt(v: float) -> str:
    return f"{v:.1f}".replace(".", ",").replace("-", "\u2212")


def _svg(markup):
    return BeautifulSoup(str(markup), "html.parser").find("svg")


def _font_sizes(svg):
    sizes = [float(svg["font-size"])]
    sizes += [float(t["font-size"]) for t in svg.find_all("text") if t.has_attr("font-size")]
    return sizes


def _plot(**kw):
    r = segmented_regression(SERIES, range(28), 14)
    args = dict(
        start_index=r.start_index, fitted=r.fitted, counterfactual=r.counterfactual, fmt=fmt,
        title="Sick leave <unit A>", description="Monthly sick leave & the fitted lines", axis_label="Sick leave (%)",
        start_label="Start", legend=["Observed", "Fitted", "Trend carried on", "Comparison"],
    )  # fmt: skip
    args.update(kw)
    return r, _svg(series_plot(LABELS, SERIES, **args))


def test_series_plot_is_accessible_and_escaped():
    _, svg = _plot()
    assert svg["role"] == "img"
    title, desc = svg.find("title"), svg.find("desc")
    assert title.get_text() == "Sick leave <unit A>" and desc.get_text() == "Monthly sick leave & the fitted lines"
    assert svg["aria-labelledby"] == f"{title['id']} {desc['id']}"
    assert "<unit A>" not in str(svg).replace(title.get_text(), "")  # escaped in the markup
    assert min(_font_sizes(svg)) >= 12


def test_series_plot_draws_points_fitted_segments_trend_and_start():
    r, svg = _plot()
    points = svg.select("circle.ch-point title")
    assert len(points) == 28 and points[0].get_text() == "2024-01: 6,8"
    fits = svg.select("polyline.ch-fit")
    assert len(fits) == 2  # before and after the start, not joined
    assert [len(f["points"].split()) for f in fits] == [14, 14]
    trend = svg.select("polyline.ch-trend")
    assert len(trend) == 1 and len(trend[0]["points"].split()) == 15  # from the last point before
    start = svg.select_one("line.ch-start")
    first_post = float(fits[1]["points"].split()[0].split(",")[0])
    last_pre = float(fits[0]["points"].split()[-1].split(",")[0])
    assert last_pre < float(start["x1"]) < first_post
    assert svg.select_one("text.ch-start-label").get_text() == "Start"
    assert [t.get_text() for t in svg.select("text.ch-legend")] == ["Observed", "Fitted", "Trend carried on"]
    # higher values are drawn higher: the first fitted point (about 6.9) lies above the last pre one
    ys = [float(p.split(",")[1]) for p in fits[0]["points"].split()]
    assert r.fitted[0] > r.fitted[13] and ys[0] < ys[-1]


def test_series_plot_without_model_and_with_comparison_and_gaps():
    values = list(SERIES)
    values[5] = math.nan
    svg = _svg(series_plot(
        LABELS, values, start_index=14, fitted=None, counterfactual=None, fmt=fmt, title="T", description="D",
        axis_label="%", start_label="Start", comparison=[v + 0.5 for v in SERIES], legend=["Observed", "Comparison"],
    ))  # fmt: skip
    assert not svg.select("polyline.ch-fit") and not svg.select("polyline.ch-trend")
    assert len(svg.select("circle.ch-point title")) == 27
    assert len(svg.select("polyline.ch-comparison")) == 1
    assert [t.get_text() for t in svg.select("text.ch-legend")] == ["Observed", "Comparison"]


def test_series_plot_x_labels_do_not_crowd():
    svg = _svg(series_plot([f"v{i:03d}" for i in range(120)], [float(i % 7) for i in range(120)], start_index=60,
                           fitted=None, counterfactual=None, fmt=fmt, title="T", description="D", axis_label="%",
                           start_label="S", width=390))  # fmt: skip
    xs = sorted(float(t["x"]) for t in svg.select("text.ch-tick") if t.get_text().startswith("v"))
    assert 2 <= len(xs) < 12 and min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= 4 * 7


def test_event_study_plot():
    rows = [EventRow(str(k), 0.1 * k, 0.1 * k - 0.3, 0.1 * k + 0.3, reference=(k == -1)) for k in range(-4, 4)]
    rows[-1] = EventRow("3", math.nan, math.nan, math.nan)
    svg = _svg(event_study_plot(rows, fmt=fmt, title="Event <study>", description="Periods", axis_label="Difference",
                                x_label="Months since the start"))  # fmt: skip
    assert svg["role"] == "img" and svg.find("title").get_text() == "Event <study>"
    assert min(_font_sizes(svg)) >= 12
    marks = svg.select("circle.ch-mark")
    assert len(marks) == 6  # 8 rows less the reference and the one without an estimate
    assert marks[0].find("title").get_text() == "-4: \u22120,4 [\u22120,7, \u22120,1]"
    assert len(svg.select("line.ch-ci")) == 6
    ref = svg.select_one("circle.ch-ref-mark")
    zero = svg.select_one("line.ch-null")
    assert ref["cy"] == zero["y1"]  # the reference period sits on the zero line
    start = float(svg.select_one("line.ch-start")["x1"])
    assert float(ref["cx"]) < start < float(marks[3]["cx"])  # between -1 and 0
    assert svg.select_one("text.ch-axis-label:-soup-contains('Months since')") is not None
    assert re.search(r"Difference", svg.get_text())


def test_event_study_labels_thin_out_around_the_reference_on_a_phone():
    rows = [EventRow(str(k), -0.1 * k, -0.1 * k - 0.3, -0.1 * k + 0.3, reference=(k == -1)) for k in range(-12, 12)]
    svg = _svg(event_study_plot(rows, fmt=fmt, title="T", description="D", axis_label="A", x_label="X", width=360))
    labels = [t.get_text() for t in svg.select("text.ch-tick") if t.get_text().lstrip("-").isdigit()]
    assert "-1" in labels and 4 <= len(labels) < 24
    steps = {int(b) - int(a) for a, b in zip(labels, labels[1:], strict=False)}
    assert len(steps) == 1 and steps.pop() > 1  # evenly thinned, every k-th period from -1
