"""The demo's contract follow-up report in headless Chromium: no console errors, nothing fetched,
the grade charts drawn; and the same report as PDF. Run with --browser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_browser_report import Browser

from kirkpatrick.demo import contract as contract_demo
from kirkpatrick.demo import steps as demo
from kirkpatrick.reports import pdf as reports

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def reports_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("contract-demo") / "run"
    demo.run_demo(
        out, lambda _msg: None, steps=[demo.create_database, demo.import_catalogue, contract_demo.demo_contract]
    )
    return out / "reports"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_contract_report_in_chromium(reports_dir: Path, tmp_path: Path, lang: str) -> None:
    page = reports_dir / f"contract-{contract_demo.CODE}-{lang}.html"
    browser = Browser(tmp_path / "profile")
    try:
        s = browser.open(page.as_uri())
        probe = """const page = document.querySelector('.page').getBoundingClientRect(); JSON.stringify({
          charts: [...document.querySelectorAll('#grades svg.chart')].map(e => {
              const r = e.getBoundingClientRect(); return [r.width, r.height]; }),
          overflow: [...document.querySelectorAll('table')].filter(t =>
              t.getBoundingClientRect().right > page.right + 1).length,
          sections: document.querySelectorAll('section h2').length})"""
        seen = json.loads(browser.evaluate(s, probe))
    finally:
        browser.close()
    assert browser.errors() == []
    assert browser.requests() == [page.as_uri()]
    assert seen["sections"] == 8
    assert len(seen["charts"]) == 3 and all(w > 100 and h > 20 for w, h in seen["charts"])  # efficiency: hidden
    assert seen["overflow"] == 0  # no table runs past the page


@pytest.mark.slow
def test_contract_report_as_pdf(reports_dir: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "uppfoljning.pdf"
    reports.html_to_pdf(reports_dir / f"contract-{contract_demo.CODE}-sv.html", pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 3
