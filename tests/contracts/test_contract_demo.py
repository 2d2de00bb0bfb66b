"""``kirkpatrick demo`` writes the contract follow-up in both languages from its fictional city."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from kirkpatrick.demo import contract as contract_demo
from kirkpatrick.demo import steps as demo


def test_demo_contract_step(tmp_path: Path) -> None:
    assert contract_demo.demo_contract in demo.STEPS
    said: list[str] = []
    run = demo.run_demo(
        tmp_path / "d", said.append, steps=[demo.create_database, demo.import_catalogue, contract_demo.demo_contract]
    )
    assert "3 call-offs, 10 delivery rows, 8 interviews and 15 quotes" in said[-1]
    for lang, suppressed in (("sv", "Effektivitet"), ("en", "Efficiency")):
        page = tmp_path / "d" / "reports" / f"contract-{contract_demo.CODE}-{lang}.html"
        assert page in run.written
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        text = soup.get_text()
        # Efficiency was graded by 4 of the 8 interviewees: below the threshold, no figures.
        row = next(tr for tr in soup.select("#grades tbody tr") if tr.th.get_text(strip=True) == suppressed)
        assert row.find("td", class_="suppressed") is not None
        for _interview, _theme, quote, cleared in contract_demo.QUOTES:
            assert (quote in text) is (cleared == "true")
        assert "KS 2023/0412" in text and "Coachhuset Norr AB" in text
        # The three call-offs' behaviour effects are pooled (they measured lf before and after).
        level3 = soup.select("#evidence tbody tr")[2].find_all("td")
        assert level3[0].get_text(strip=True) == "3" and level3[2].get_text(strip=True).startswith("g = +")
