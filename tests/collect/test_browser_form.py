"""Chromium follows the link from a captured message, fills the form, and axe-core checks it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from collect_helpers import CODE, ROOT, Mailbox, make_app
from sqlalchemy import Engine, text
from support import live_server

from kirkpatrick.collect import mail, plan, respond
from kirkpatrick.storage import db

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = ROOT / "docs" / "screenshots" / "collect"


@pytest.fixture
def server(collecting: Engine) -> Iterator[str]:
    with live_server(make_app(collecting)) as url:
        yield url


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_phone_fills_the_form_from_the_mail(
    collecting: Engine, mailbox: Mailbox, server: str, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    monkeypatch.setattr(respond, "_utcnow", lambda: dt.datetime(2024, 1, 5, 12))
    with db.transaction(collecting) as s:
        plan.add_respondent(s, CODE, "p1", "p1@example.org", lang=lang)
    send, close = mail.smtp_sender(mail.SmtpSettings.from_url(mailbox.url))
    mail.send_due(collecting, send, today=dt.date(2024, 1, 2), base_url=server)
    close()
    body = mailbox.messages[0].get_content()
    link = re.search(re.escape(server) + r"/s/[A-Za-z0-9_-]{43}", body).group(0)  # type: ignore[union-attr]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
        external: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(server) else external.append(r.url))
        page.goto(link)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"form-{lang}.png"), full_page=False)
        violations = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
        assert violations.violations_count == 0, violations.generate_report()
        # Submit with one scale missing: the error is tied to its field and axe still finds nothing.
        radios = page.locator("fieldset")
        for i in range(radios.count()):
            if i == 1:
                continue
            radios.nth(i).locator("input[type=radio]").nth(3).check()
        page.locator("button[value=submit]").click()
        assert page.locator("[role=alert]").count() == 1
        page.screenshot(path=str(SHOTS / f"form-error-{lang}.png"))
        assert Axe().run(page).violations_count == 0
        # Keyboard: the error summary link moves focus to the missing field.
        page.locator(".summary a").first.focus()
        page.keyboard.press("Enter")
        page.locator("fieldset").nth(1).locator("input[type=radio]").nth(3).check()
        page.locator("button[value=submit]").click()
        assert page.locator("h1").inner_text() in ("Tack!", "Thank you!")
        page.screenshot(path=str(SHOTS / f"thanks-{lang}.png"))
        browser.close()
    assert external == []
    with collecting.connect() as c:
        rows = c.execute(text("SELECT count(*) FROM measurement")).scalar()
    assert rows == 3  # kp_lb, kp_team, kp_confidence for p1 at pre
