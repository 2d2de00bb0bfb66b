"""The catalogue, client, participant, feedback-import and user-edit pages in Chromium with
axe-core: no WCAG 2.1 A/AA violation, empty, filled and with an error tied to a field.
Screenshots are saved (``$KIRKPATRICK_SCREENSHOTS`` too, when set)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from support import live_server

from kirkpatrick.io.pipeline import ImportOptions, import_measurements
from tests.conftest import SAMPLE
from tests.web.conftest import OWN, PASSWORD, USERS
from tests.web.test_browser import ARGS, WCAG

pytestmark = pytest.mark.browser


@pytest.fixture
def server(catalogue: Engine, people: dict[str, int], db_url: str, tmp_path: Path) -> Iterator[str]:
    from kirkpatrick.web import create_app

    values = tmp_path / "values.csv"
    values.write_text(
        "participant,measure,wave,rater,value\nNRBL001,knowledge,pre,self,12\nNRBL002,knowledge,pre,self,9\n"
    )
    import_measurements(catalogue, values, ImportOptions(intervention=OWN))
    app = create_app(db_url, secret="f" * 40, config={"UPLOAD_DIR": str(tmp_path / "uploads")})
    with live_server(app) as url:
        yield url


def test_form_pages_meet_wcag_aa(server: str, tmp_path: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    axe = Axe()
    violations: dict[str, list[str]] = {}
    folders = [tmp_path / "screenshots"]
    if os.environ.get("KIRKPATRICK_SCREENSHOTS"):
        folders.append(Path(os.environ["KIRKPATRICK_SCREENSHOTS"]))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)

    def check(page: object, name: str, shot: bool = False) -> None:
        result = axe.run(page, options=WCAG)
        found = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in result.response["violations"]]
        if found:
            violations[name] = found
        if shot:
            for folder in folders:
                page.screenshot(path=str(folder / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]

    def sign_in(page: object, key: str) -> None:
        page.goto(f"{server}/sign-in")  # type: ignore[attr-defined]
        page.get_by_label("E-postadress").fill(USERS[key][0])  # type: ignore[attr-defined]
        page.get_by_label("Lösenord").fill(PASSWORD)  # type: ignore[attr-defined]
        page.get_by_role("button", name="Logga in").click()  # type: ignore[attr-defined]

    own_quotes = tmp_path / "citat.csv"
    lines = (SAMPLE / "feedback.csv").read_text(encoding="utf-8").splitlines()
    own_quotes.write_text("\n".join([lines[0], *(x for x in lines[1:] if x.startswith(OWN))]), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_context(viewport={"width": 1100, "height": 800}).new_page()
        sign_in(page, "consultant")

        # The catalogue: the list, a new measure with an error, then saved; an edit of a measure in use.
        page.get_by_role("link", name="Mått", exact=True).click()
        check(page, "measures")
        page.get_by_role("link", name="Nytt mått").click()
        page.get_by_label("Kod").fill("trygghet")
        page.get_by_label("Namn som visas i rapporter").fill("Psykologisk trygghet")
        page.get_by_label("Nivå").select_option("behaviour")
        page.get_by_label("Lägsta möjliga värde").fill("1")
        page.get_by_label("Högsta möjliga värde").fill("5")
        page.get_by_label("Reliabilitet").fill("0,81")
        page.get_by_label("Frågor", exact=True).fill("pt_1 -pt_2 pt_3")
        page.get_by_label("Frågans formulering").fill("Jag kan ta upp problem i gruppen\nI can raise problems")
        page.get_by_label("Svarsalternativ").fill("Instämmer inte alls\nInstämmer helt")
        page.get_by_label("Alternativ som betyder inget svar").fill("Vet ej")
        page.get_by_label("Frågornas formulering").fill("pt_2 | Man blir straffad för misstag | You are punished")
        page.get_by_role("button", name="Spara").click()
        assert page.locator("#labels").get_attribute("aria-invalid") == "true"
        check(page, "20-new-measure-error", shot=True)
        page.get_by_label("Svarsalternativ").fill("Instämmer inte alls\nInstämmer inte\nNeutral\nInstämmer\nHelt")
        page.get_by_role("button", name="Spara").click()
        assert "Måttet trygghet är sparat" in page.content()
        page.goto(f"{server}/measures/knowledge/edit")
        assert "kan inte ändras" in page.content()
        check(page, "measure-edit")

        # Clients, participants and a feedback file.
        page.get_by_role("link", name="Beställare", exact=True).click()
        check(page, "clients")
        page.get_by_role("link", name="Ny beställare").click()
        page.get_by_label("Namn").fill("Norrby kommun, Socialkontoret")
        page.get_by_role("button", name="Spara").click()
        assert page.locator("#name").get_attribute("aria-invalid") == "true"
        check(page, "client-new-error")
        page.goto(f"{server}/i/{OWN}")
        page.get_by_role("link", name="Deltagarnas grupp och roll").click()
        check(page, "participants")
        page.get_by_role("link", name="Ändra NRBL001").click()
        page.get_by_label("Grupp").select_option("control")
        page.get_by_label("Roll").fill("enhetschef")
        check(page, "participant-edit")
        page.get_by_role("button", name="Spara").click()
        assert "Kontrollgrupp" in page.content()
        page.goto(f"{server}/i/{OWN}")
        page.get_by_role("link", name="Importera citat").click()
        check(page, "feedback-import")
        page.get_by_label("Fil med citat (.csv, .tsv eller .xlsx)").set_input_files(str(SAMPLE / "feedback.csv"))
        page.get_by_role("button", name="Ladda upp och förhandsvisa").click()
        assert "ingenting kan importeras" in page.content()
        check(page, "feedback-preview-error")
        page.get_by_role("link", name="Välj en annan fil").click()
        page.get_by_label("Fil med citat (.csv, .tsv eller .xlsx)").set_input_files(str(own_quotes))
        page.get_by_role("button", name="Ladda upp och förhandsvisa").click()
        check(page, "21-feedback-preview", shot=True)
        page.get_by_role("button", name="Bekräfta importen").click()
        assert "Importerade" in page.content()
        catalogue_file = tmp_path / "katalog.csv"
        catalogue_file.write_text(
            "code,name,level,scale_min,scale_max,labels\nmotiv,Motivation,reaction,1,3,Låg | Mellan | Hög\n"
        )
        page.goto(f"{server}/measures/import")
        check(page, "measures-import")
        page.get_by_label("Fil med måttkatalog (.csv, .tsv eller .xlsx)").set_input_files(str(catalogue_file))
        page.get_by_role("button", name="Ladda upp och förhandsvisa").click()
        check(page, "measures-import-preview")
        page.get_by_role("button", name="Bekräfta importen").click()
        assert "Motivation" in page.content()
        page.goto(f"{server}/new")
        page.get_by_role("link", name="Importera många insatser från en fil").click()
        check(page, "interventions-import")
        page.goto(f"{server}/contracts")
        page.get_by_role("link", name="Nytt avtal").click()
        page.get_by_label("Kod").fill("NRB-AVTAL")
        page.get_by_label("Diarienummer").fill("KS 2026/3")
        page.get_by_label("Titel").fill("Coachning")
        page.get_by_label("Beställare").fill("Norrby kommun")
        page.get_by_label("Leverantör").fill("Konsult A AB")
        page.get_by_label("Startdatum").fill("2026-01-01")
        page.get_by_label("Slutdatum").fill("2026-12-31")
        page.get_by_label("Avtalade tjänster").fill("individual_coaching=30")
        page.get_by_label("Avrop").fill("VBY-KURS-2025")
        page.get_by_role("button", name="Spara").click()
        assert page.locator("#call_offs").get_attribute("aria-invalid") == "true"
        check(page, "contract-new-error")
        page.get_by_label("Avrop").fill(OWN)
        page.get_by_role("button", name="Spara").click()
        assert "Avtalet NRB-AVTAL är sparat" in page.content()
        page.get_by_role("link", name="Importera intervjuer", exact=True).click()
        check(page, "contract-interviews-import")
        page.get_by_role("button", name="Logga ut").click()

        # The admin edits a user.
        sign_in(page, "admin")
        page.get_by_role("link", name=f"Ändra {USERS['hr'][0]}").click()
        page.get_by_label("Nytt lösenord").fill("kort")
        page.get_by_role("button", name="Spara").click()
        assert page.locator("#password").get_attribute("aria-invalid") == "true"
        check(page, "user-edit-error")
        browser.close()
    assert violations == {}
