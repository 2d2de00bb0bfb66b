"""An HR user imports each survey tool's export on the import page in Chromium: sees the tool, the
mapping and the rows left out, confirms, and the intervention's figures equal the command line's
import of the same file into a database of its own. Every page is checked with axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from support import Cli, live_server

from kirkpatrick.storage import db
from kirkpatrick.storage.models import Measure, Measurement, Participant
from tests.web.conftest import OWN, PASSWORD

pytestmark = pytest.mark.browser
CORPUS = Path(__file__).resolve().parents[1] / "io" / "data" / "corpus"
SHOTS = Path("/work/shots/24")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
SECRET = "browser-corpus-secret"
# (file, wave, rater, what the preview must show): one export of each tool, each in a wave/rater
# of its own so that the figures of each can be compared with the CLI's.
JOURNEYS = [
    ("qualtrics_numeric_nps_group.csv", "pre", "self", "NPS-grupp"),
    ("surveymonkey_numeric_email.csv", "post", "self", "ingen deltagaridentitet"),
    ("msforms_english_keyfile.xlsx", "follow_up", "self", "finns inte på deltagarlistan"),
    ("googleforms_quiz.csv", "pre", "manager", "quizpoäng"),
    ("swedish_numbered.csv", "post", "manager", "Annat enkätverktyg"),
]


@pytest.fixture
def server(catalogue: Engine, people: dict[str, int], db_url: str, tmp_path: Path) -> Iterator[str]:
    from kirkpatrick.web import create_app

    Cli(db_url)("measure", "import", str(CORPUS / "catalogue.csv"))
    app = create_app(
        db_url, secret="b" * 40, config={"UPLOAD_DIR": str(tmp_path / "uploads"), "PSEUDONYM_SECRET": SECRET}
    )
    with live_server(app) as url:
        yield url


def _figures(engine: Engine, wave: str, rater: str) -> dict[str, tuple[int, float]]:
    with engine.connect() as c:
        rows = c.execute(
            select(Measure.code, func.count(), func.avg(Measurement.value))
            .join(Measure, Measure.id == Measurement.measure_id)
            .join(Participant, Participant.id == Measurement.participant_id)
            .where(Measurement.wave == wave, Measurement.rater == rater, Measure.code.in_(["listen", "nps", "sat"]))
            .group_by(Measure.code)
        ).all()
    return {code: (int(n), round(float(mean), 6)) for code, n, mean in rows}


def _cli_figures(
    tmp_path: Path, name: str, wave: str, rater: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, tuple[int, float]]:
    url = f"sqlite:///{tmp_path / (name + '.db')}"
    cli = Cli(url)
    cli("init")
    cli("measure", "import", str(CORPUS / "catalogue.csv"))
    cli("client", "add", "Ekby kommun")
    cli("intervention", "add", "EKB-1", "--client", "Ekby kommun", "--title", "t", "--target-group", "managers",
        "--format", "training_programme", "--start", "2026-03-01", "--end", "2026-06-30")  # fmt: skip
    extra = ["--source", "swedish"] if name.startswith("swedish") else []
    if name.startswith("msforms"):
        extra += ["--key-file", str(CORPUS / "msforms_keys.csv")]
    monkeypatch.setenv("KIRKPATRICK_PSEUDONYM_SECRET", SECRET)
    cli("import", str(CORPUS / name), "--intervention", "EKB-1", "--wave", wave, "--rater", rater, *extra)
    engine = db.make_engine(url)
    try:
        return _figures(engine, wave, rater)
    finally:
        engine.dispose()


def test_hr_imports_each_tools_export(
    server: str, catalogue: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    axe = Axe()
    violations: dict[str, list[str]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{server}/sign-in")
        page.get_by_label("E-postadress").fill("hr@norrby.example")
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        for name, wave, rater, shown in JOURNEYS:
            page.goto(f"{server}/i/{OWN}/import")
            page.locator("#file").set_input_files(str(CORPUS / name))
            page.locator("#wave").select_option(wave)
            page.locator("#rater").select_option(rater)
            if name.startswith("swedish"):
                page.locator("#source").select_option("swedish")
            if name.startswith("msforms"):
                page.locator("#key_file").set_input_files(str(CORPUS / "msforms_keys.csv"))
            page.get_by_role("button", name="Ladda upp och förhandsvisa").click()
            page.wait_for_url("**/import/preview")
            content = page.content()
            assert "inget kan importeras" not in content, name
            assert page.locator("#tool").count() == 1 and page.locator("#mapping").count() == 1
            assert shown in content, name
            result = axe.run(page, options=WCAG)
            found = [f"{v['id']}: {v['help']}" for v in result.response["violations"]]
            if found:
                violations[name] = found
            stem = Path(name).stem
            page.screenshot(path=str(SHOTS / f"preview-{stem}-1280.png"), full_page=True)
            if name.startswith("qualtrics"):
                page.set_viewport_size({"width": 390, "height": 844})
                page.screenshot(path=str(SHOTS / f"preview-{stem}-390.png"), full_page=True)
                page.set_viewport_size({"width": 1280, "height": 900})
            page.get_by_role("button", name="Bekräfta importen").click()
            assert "Importerade" in page.content(), name
            web = _figures(catalogue, wave, rater)
            assert web == {"listen": (10, 3.9), "nps": (10, 8.9), "sat": (10, 7.8)}, name  # make_corpus.PEOPLE
            assert web == _cli_figures(tmp_path, name, wave, rater, monkeypatch), name
        browser.close()
    assert not violations, violations
