"""In Chromium: the start page with many interventions (search, pages) and the portfolio page
with the full report in its frame, in Swedish and in English; axe-core finds no WCAG 2.1 A/AA
violation on either, and screenshots are saved ($KIRKPATRICK_SCREENSHOTS too, when set)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kirkpatrick.demo import portfolio as generator
from kirkpatrick.services import accounts
from kirkpatrick.storage import db
from tests.web.test_browser import ARGS, PASSWORD, Tour, server, sign_in  # noqa: F401  (server: a fixture)

pytestmark = pytest.mark.browser
COUNT = 60  # more than one page of the start page


def test_start_page_and_portfolio(server: str, catalogue: Engine, tmp_path: Path) -> None:  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    generator.load_sample(catalogue, *generator.write_sample(tmp_path / "sample", count=COUNT))
    with db.transaction(catalogue) as s:
        accounts.create_user(s, "konsult@a.example", PASSWORD, "consultant", "Konsult A")
        for k in range(1, COUNT + 1):
            accounts.link_intervention(s, "Konsult A", f"PF-{k:03d}")
    folders = [tmp_path / "screenshots"]
    if os.environ.get("KIRKPATRICK_SCREENSHOTS"):
        folders.append(Path(os.environ["KIRKPATRICK_SCREENSHOTS"]))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    tour = Tour(server, folders, Axe())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_context(viewport={"width": 1200, "height": 1100}).new_page()
        sign_in(page, server, "konsult@a.example")
        for language, texts in (
            ("sv", {"count": f"{COUNT} insatser", "next": "Nästa sida", "search": "Sök", "title": "Portfölj"}),
            ("en", {"count": f"{COUNT} interventions", "next": "Next page", "search": "Search", "title": "Portfolio"}),
        ):
            if language == "en":
                page.get_by_role("button", name="English").click()
            page.goto(f"{server}/")
            assert texts["count"] in page.content()
            assert page.locator("tbody tr").count() == 50
            tour.check(page, f"14-start-page-{language}", shot=True, full=True)
            page.get_by_role("link", name=texts["next"]).click()
            assert page.locator("tbody tr").count() == COUNT - 50
            tour.check(page, f"14-start-page-2-{language}")
            page.locator("#q").fill("PF-007")
            page.get_by_role("button", name=texts["search"], exact=True).click()
            assert page.locator("tbody tr").count() == 1
            tour.check(page, f"14-start-page-search-{language}")
            page.goto(f"{server}/portfolio")
            report = page.frame_locator("iframe.report")
            report.locator("h1").first.wait_for()
            assert report.locator("section#levels svg").count() >= 1  # forest plots
            tour.check(page, f"15-portfolio-{language}")
            page.wait_for_timeout(300)
            for folder in folders:
                page.screenshot(path=str(folder / f"15-portfolio-{language}.png"))
            assert page.locator("h1").inner_text() == texts["title"]
        browser.close()
    assert tour.violations == {}
