"""End to end in Chromium: an admin creates users, a consultant logs an intervention, an HR user
imports the demo file through the import page and sees the statistics, a client opens a shared
link, a user of another organisation is refused. Every page is checked with axe-core (WCAG 2.1
A/AA) and screenshots are saved (``$KIRKPATRICK_SCREENSHOTS`` too, when set)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from support import live_server

from kirkpatrick.services import accounts
from kirkpatrick.storage import db
from tests.conftest import SAMPLE

pytestmark = pytest.mark.browser
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PASSWORD = "a browser password"
OWN = "NRB-LG-2024"


@pytest.fixture
def server(catalogue: Engine, db_url: str, tmp_path: Path) -> Iterator[str]:
    from kirkpatrick.web import create_app

    with db.transaction(catalogue) as s:
        accounts.create_user(s, "admin@x.example", PASSWORD, "admin", None)
    app = create_app(db_url, secret="b" * 40, config={"UPLOAD_DIR": str(tmp_path / "uploads")})
    with live_server(app) as url:
        yield url


class Tour:
    def __init__(self, base: str, folders: list[Path], axe: Any) -> None:
        self.base, self.folders, self.axe = base, folders, axe
        self.violations: dict[str, list[str]] = {}

    def check(self, page: Any, name: str, shot: bool = False, full: bool = False) -> None:
        result = self.axe.run(page, options=WCAG)
        found = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in result.response["violations"]]
        if found:
            self.violations[name] = found
        if shot:
            for folder in self.folders:
                page.screenshot(path=str(folder / f"{name}.png"), full_page=full)


def sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def own_rows_file(tmp_path: Path) -> Path:
    """The demo's long file, cut to the one intervention the HR user owns."""
    with open(SAMPLE / "measurements.csv", encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["intervention"] == OWN]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "norrby.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_tour(server: str, tmp_path: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    folders = [tmp_path / "screenshots"]
    if os.environ.get("KIRKPATRICK_SCREENSHOTS"):
        folders.append(Path(os.environ["KIRKPATRICK_SCREENSHOTS"]))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    tour = Tour(server, folders, Axe())
    bad = tmp_path / "bad.csv"
    bad.write_text("participant,measure,wave,rater,value\nP1,knowledge,post,self,12\nP2,knowledge,post,self,tolv\n")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        ctx = browser.new_context(viewport={"width": 1100, "height": 800})
        page = ctx.new_page()

        # The admin creates the users and says who owns what.
        page.goto(f"{server}/sign-in")
        tour.check(page, "01-sign-in", shot=True)
        sign_in(page, server, "admin@x.example")
        for email, role, org in (
            ("konsult@a.example", "consultant", "Konsult A"),
            ("hr@norrby.example", "hr", "Norrby kommun"),
            ("chef@norrby.example", "client", "Norrby kommun"),
            ("hr@vasterby.example", "hr", "Västerby stad"),
        ):
            page.get_by_label("E-postadress").fill(email)
            page.get_by_label("Lösenord (minst 10 tecken)").fill(PASSWORD)
            page.get_by_label("Roll").select_option(role)
            page.get_by_label("Organisation").fill(org)
            page.get_by_role("button", name="Lägg till användaren").click()
            assert email in page.content()
        tour.check(page, "02-users")
        page.goto(f"{server}/admin/organisations")
        page.locator("#client-organisation").fill("Norrby kommun")
        page.locator("#client-client").fill("Norrby kommun, Socialkontoret")
        page.locator("#client-organisation").press("Enter")
        page.locator("#run-organisation").fill("Konsult A")
        page.locator("#run-code").fill(OWN)
        page.locator("#run-code").press("Enter")
        tour.check(page, "03-organisations")
        page.get_by_role("button", name="Logga ut").click()

        # The consultant logs an intervention.
        sign_in(page, server, "konsult@a.example")
        page.get_by_role("link", name="Ny insats").click()
        page.get_by_label("Kod").fill("NRB-NY-2026")
        page.get_by_label("Titel").fill("Ny ledarutbildning")
        page.get_by_label("Beställare").fill("Norrby kommun, Socialkontoret")
        page.get_by_label("Startdatum").fill("2026-01-10")
        page.get_by_label("Slutdatum").fill("2026-06-10")
        tour.check(page, "04-new-intervention")
        page.get_by_role("button", name="Spara").click()
        assert "Insatsen är sparad" in page.content()
        page.get_by_role("button", name="Logga ut").click()

        # HR uploads: first a file with an error, then the demo data; then sees the statistics.
        sign_in(page, server, "hr@norrby.example")
        assert "NRB-NY-2026" in page.content() and OWN in page.content()
        tour.check(page, "05-start-page", shot=True)
        page.goto(f"{server}/i/{OWN}/import")
        tour.check(page, "06-import")
        page.get_by_label("Mätfil (.csv, .tsv eller .xlsx)").set_input_files(str(bad))
        page.get_by_role("button", name="Ladda upp och förhandsvisa").click()
        page.wait_for_url("**/import/preview")  # upload.js sends the file, then goes to the preview
        assert "inget kan importeras" in page.content()
        tour.check(page, "07-import-preview-errors", shot=True)
        page.get_by_role("link", name="Välj en annan fil").click()
        page.get_by_label("Mätfil (.csv, .tsv eller .xlsx)").set_input_files(str(own_rows_file(tmp_path)))
        page.get_by_role("button", name="Ladda upp och förhandsvisa").click()
        page.wait_for_url("**/import/preview")
        tour.check(page, "08-import-preview")
        page.get_by_role("button", name="Bekräfta importen").click()
        assert "Importerade" in page.content()
        assert page.locator("caption", has_text="Beteende").count() == 1  # the statistics table of level 3
        page.frame_locator("iframe.report").locator("h1").first.wait_for()
        tour.check(page, "09-intervention-page", shot=True, full=True)
        page.locator("#h-report").scroll_into_view_if_needed()
        page.mouse.wheel(0, 150)
        page.wait_for_timeout(300)
        for folder in folders:
            page.screenshot(path=str(folder / "10-report-in-the-page.png"))
        page.get_by_label("Giltig i (dagar)").fill("14")
        page.get_by_role("button", name="Skapa en länk för läsning").click()
        link = page.locator("#link").input_value()
        tour.check(page, "10b-link-created")
        page.goto(f"{server}/audit")
        tour.check(page, "11-audit")

        # A client opens the shared link without an account.
        reader = browser.new_context(viewport={"width": 1100, "height": 800})
        shared = reader.new_page()
        shared.goto(link)
        assert "Utvärderingsrapport" in shared.content() or "rapport" in shared.title().lower()
        for folder in folders:
            shared.screenshot(path=str(folder / "12-shared-report.png"))
        reader.close()

        # A user of another organisation is refused, with nothing of the intervention shown.
        page.get_by_role("button", name="Logga ut").click()
        sign_in(page, server, "hr@vasterby.example")
        response = page.goto(f"{server}/i/{OWN}")
        assert response is not None and response.status == 404
        assert OWN not in page.locator("main").inner_text()
        tour.check(page, "13-refused", shot=True)
        browser.close()

    assert tour.violations == {}


def test_report_meets_wcag_aa(server: str, catalogue: Engine) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    from kirkpatrick.io.importing import import_measurements
    from kirkpatrick.services import sharing

    import_measurements(catalogue, SAMPLE / "measurements.csv")
    with db.transaction(catalogue) as s:
        admin = accounts.create_user(s, "konsult@r.example", PASSWORD, "consultant", "Konsult R")
        token = sharing.create_link(s, admin, OWN, days=1, lang="sv")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        # The report forbids script (CSP sandbox): axe runs with the CSP bypassed.
        page = browser.new_context(bypass_csp=True).new_page()
        page.goto(f"{server}/r/{token}")
        violations = Axe().run(page, options=WCAG).response["violations"]
        browser.close()
    assert [v["id"] for v in violations] == []
