"""The SVG charts: escaped text, one mark per row, axis ticks."""

from __future__ import annotations

import math

from bs4 import BeautifulSoup

from kirkpatrick.reports import charts


def _svg(markup):
    return BeautifulSoup(str(markup), "html.parser").find("svg")


def test_forest_plot_rows_pooled_and_escaping():
    rows = [
        charts.ForestRow("<script>x</script>", 0.5, 0.1, 0.9),
        charts.ForestRow("B & C", 0.2, -0.1, 0.5),
        charts.ForestRow("small", math.nan, math.nan, math.nan, note="too few"),
    ]
    svg = _svg(
        charts.forest_plot(
            rows,
            fmt=lambda v: f"{v:.2f}",
            axis_label="g",
            title="T <t>",
            pooled=charts.ForestRow("Pooled", 0.35, 0.1, 0.6),
            prediction=(-0.2, 0.9),
            reference=0.82,
            reference_label="benchmark",
        )
    )
    assert svg.find("script") is None
    labels = [t.get_text() for t in svg.select("text.ch-label")]
    assert labels == ["<script>x</script>", "B & C", "small", "Pooled"]
    assert len(svg.select("rect.ch-mark")) == 2 and len(svg.select("polygon.ch-diamond")) == 1
    assert len(svg.select("line.ch-pi")) == 1 and len(svg.select("line.ch-ref")) == 1
    assert [t.get_text() for t in svg.select("text.ch-note")] == ["too few"]
    assert svg.find("title").get_text() == "T <t>"


def test_forest_marker_position_is_monotone():
    rows = [
        charts.ForestRow("a", -0.5, -0.6, -0.4),
        charts.ForestRow("b", 0.0, -0.1, 0.1),
        charts.ForestRow("c", 1.0, 0.9, 1.1),
    ]
    svg = _svg(charts.forest_plot(rows, fmt=str, axis_label="g", title="t"))
    xs = [float(r["x"]) for r in svg.select("rect.ch-mark")]
    assert xs == sorted(xs) and xs[0] < xs[1] < xs[2]


def test_change_plot_points_and_hidden_rows():
    rows = [
        charts.ChangeRow("Self", [charts.Point("Before", 3.0, 2.8, 3.2), charts.Point("After", 3.6, 3.4, 3.8)]),
        charts.ChangeRow("Manager", [], note="too few"),
    ]
    svg = _svg(charts.change_plot(rows, scale_min=1, scale_max=5, fmt=str, axis_label="scale", title="t"))
    dots = svg.select("circle.ch-dot")
    assert len(dots) == 2 + 2  # two points + two legend entries
    assert float(dots[0]["cx"]) < float(dots[1]["cx"])
    assert [t.get_text() for t in svg.select("text.ch-note")] == ["too few"]


def test_stacked_bar_widths_proportional():
    svg = _svg(charts.stacked_bar([("up", 6), ("same", 3), ("down", 1)], title="t", width=500))
    widths = [float(r["width"]) for r in svg.select("rect") if r.get("height") == "26"]
    assert widths == [300.0, 150.0, 50.0]


def test_nice_ticks():
    assert charts.nice_ticks(1, 5) == [1, 2, 3, 4, 5]
    assert charts.nice_ticks(0, 100) == [0, 25, 50, 75, 100]
    ticks = charts.nice_ticks(-0.23, 1.37)
    assert ticks[0] >= -0.23 and ticks[-1] <= 1.37 and len(ticks) >= 3
