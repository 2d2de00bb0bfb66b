"""The staff pages of data collection in Chromium with axe-core: no WCAG 2.1 A/AA violation, with
filled tracking, and with an error tied to a field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from support import live_server

from kirkpatrick.collect import bank, plan
from kirkpatrick.domain.vocab import Rater, Wave
from kirkpatrick.services import records
from kirkpatrick.storage import db
from tests.web.conftest import OWN, PASSWORD, USERS
from tests.web.test_browser import ARGS, WCAG

pytestmark = pytest.mark.browser


@pytest.fixture
def server(catalogue: Engine, people: dict[str, int], db_url: str, tmp_path: Path) -> Iterator[str]:
    from kirkpatrick.web import create_app

    today = dt.date.today()
    with db.transaction(catalogue) as s:
        records.import_measures(s, bank.measures_csv())
        bank.load_bank(s)
        for rater in (Rater.SELF, Rater.REPORT):
            plan.set_questionnaire(s, OWN, Wave.PRE, rater)
        plan.set_wave(s, OWN, Wave.PRE, today, today + dt.timedelta(days=14))
        plan.add_respondent(s, OWN, "p1", "p1@norrby.example")
        plan.add_respondent(s, OWN, "p1", "r1@norrby.example", rater=Rater.REPORT)
    app = create_app(db_url, secret="s" * 40, config={"UPLOAD_DIR": str(tmp_path / "uploads")})
    with live_server(app) as url:
        yield url


def test_survey_pages_meet_wcag_aa(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIRKPATRICK_SMTP_URL", raising=False)
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    axe = Axe()
    violations: dict[str, list[str]] = {}

    def check(page: object, name: str) -> None:
        result = axe.run(page, options=WCAG)
        found = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in result.response["violations"]]
        if found:
            violations[name] = found

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_context(viewport={"width": 1100, "height": 800}).new_page()
        page.goto(f"{server}/sign-in")
        page.get_by_label("E-postadress").fill(USERS["hr"][0])
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.goto(f"{server}/i/{OWN}")
        page.get_by_role("link", name="Datainsamling").click()
        assert "Svarsuppföljning" in page.content()
        check(page, "survey-page")
        page.locator("#r-participant").fill("p2")
        page.locator("#r-email").fill("inte en adress")
        page.get_by_role("button", name="Lägg till den svarande").click()
        assert page.locator("#r-email").get_attribute("aria-invalid") == "true"
        check(page, "survey-page-with-error")
        page.goto(f"{server}/i/{OWN}/survey")
        page.get_by_role("button", name="Skicka det som ska gå ut nu").click()
        assert "KIRKPATRICK_SMTP_URL" in page.content()
        check(page, "survey-page-after-send")
        browser.close()
    assert violations == {}


def test_editor_pages_meet_wcag_aa(server: str, tmp_path: Path) -> None:
    """The question editor and the e-mail editor, in Swedish, with an error and with a preview;
    screenshots go to $KIRKPATRICK_SCREENSHOTS too, when set (docs/screenshots/collect/)."""
    import os

    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    axe = Axe()
    violations: dict[str, list[str]] = {}
    folders = [tmp_path] + (
        [Path(os.environ["KIRKPATRICK_SCREENSHOTS"])] if os.environ.get("KIRKPATRICK_SCREENSHOTS") else []
    )

    def check(page: Any, name: str) -> None:
        result = axe.run(page, options=WCAG)
        found = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in result.response["violations"]]
        if found:
            violations[name] = found
        for folder in folders:
            page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_context(viewport={"width": 1100, "height": 800}).new_page()
        page.goto(f"{server}/sign-in")
        page.get_by_label("E-postadress").fill(USERS["consultant"][0])
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.goto(f"{server}/i/{OWN}/survey")
        page.get_by_role("link", name="Välj frågorna i en enkät, eller lägg till frågor i frågebanken").click()
        assert page.locator("#q-kp_lb_1").is_checked()
        check(page, "questions-sv")
        page.locator("#b-code").fill("Egen fråga")
        page.locator("#b-text_sv").fill("Jag vet vad jag ska göra härnäst.")
        page.get_by_role("button", name="Lägg till frågan").click()
        assert page.locator("#b-code").get_attribute("aria-invalid") == "true"
        assert page.locator("#b-text_en").get_attribute("aria-invalid") == "true"
        check(page, "questions-error-sv")
        page.goto(f"{server}/i/{OWN}/survey")
        page.get_by_role("link", name="Redigera inbjudan och påminnelse per e-post").click()
        page.locator("#m-body").fill(
            "Hej!\n\nVälkommen att svara på enkäten om $title <b>senast</b> $closes_on:\n$link\n"
        )
        page.get_by_role("button", name="Förhandsgranska").click()
        assert "<b>senast</b>" in page.locator("#preview-body").inner_text()
        check(page, "mail-preview-sv")
        page.locator("#m-body").fill("Ingen länk här.")
        page.get_by_role("button", name="Spara meddelandet").click()
        assert page.locator("#m-body").get_attribute("aria-invalid") == "true"
        check(page, "mail-error-sv")
        browser.close()
    assert violations == {}
