"""The generated demo portfolio: fixed seed, varied designs, and the demo writes the report."""

from __future__ import annotations

import collections
from pathlib import Path

from bs4 import BeautifulSoup

from kirkpatrick.demo import portfolio as portfolio_demo
from kirkpatrick.demo import steps as demo
from kirkpatrick.domain.vocab import Format, TransferFactor


def test_generator_is_fixed_and_varied() -> None:
    a, b = portfolio_demo.generate(), portfolio_demo.generate()
    assert a == b
    assert portfolio_demo.generate(seed=1) != a
    assert len(a.interventions) >= 20
    used = collections.Counter(f for i in a.interventions for f in i["factors"].split())
    # Every factor is used by some interventions and not by others, so each can be compared.
    assert all(0 < used[f.value] < len(a.interventions) for f in TransferFactor)
    assert {i["format"] for i in a.interventions} == {f.value for f in Format}
    sizes = collections.Counter(m["intervention"] for m in a.measurements if m["measure"] == "satisfaction")
    assert min(sizes.values()) >= 8 * 0.8 and max(sizes.values()) <= 40
    sessions = [len(i["sessions"].split()) for i in a.interventions]
    assert min(sessions) < 2 <= max(sessions)  # some have no spacing at all
    assert len({i["client"] for i in a.interventions}) >= 5
    assert all(i["code"].startswith("PF-") for i in a.interventions)


def test_demo_writes_the_portfolio_report(tmp_path: Path) -> None:
    lines: list[str] = []
    run = demo.run_demo(tmp_path / "demo", lines.append)
    reports = tmp_path / "demo" / "reports"
    for lang in ("sv", "en"):
        path = reports / f"portfolio-{lang}.html"
        assert path in run.written
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        assert page.html is not None and page.html["lang"] == lang
        assert len(page.select("svg.forest")) == 3  # learning, behaviour, results
        assert len(page.select("table.factors")) == 3
        # The three main sample interventions are in the portfolio with the generated ones.
        text = page.get_text()
        assert all(code in text for code in ("NRB-LG-2024", "VBY-COACH-2024", "VBY-KURS-2025", "PF-024"))
    assert (reports / "portfolio-effects.csv") in run.written and (reports / "portfolio.json") in run.written
    assert any(line.startswith("Wrote the portfolio of 27 interventions") for line in lines)
