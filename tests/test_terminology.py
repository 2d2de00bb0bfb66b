"""The terminology list (kirkpatrick/reports/terminology.csv, docs/terminology.md) holds in every
rendered report: the demo's intervention reports and the portfolio report, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kirkpatrick.demo import steps as demo
from kirkpatrick.reports import terminology

DOCS = Path(__file__).resolve().parent.parent / "docs" / "terminology.md"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("demo") / "run"
    demo.run_demo(out, lambda _msg: None)
    pages = {p.name: p.read_text(encoding="utf-8") for p in sorted((out / "reports").glob("*.html"))}
    assert {"portfolio-sv.html", "portfolio-en.html", "VBY-COACH-2024-sv.html", "NRB-LG-2024-en.html"} <= set(pages)
    return pages


def lang_of(name: str) -> str:
    return "sv" if name.endswith("-sv.html") else "en"


def test_no_report_uses_a_term_from_the_not_to_use_column(reports: dict[str, str]) -> None:
    found = {name: terminology.forbidden_terms(html, lang_of(name)) for name, html in reports.items()}
    assert found == {name: [] for name in reports}


def test_forbidden_terms_matches_whole_words_in_visible_text_only() -> None:
    page = (
        "<html><head><title>urval</title><style>.urval{}</style></head><body>"
        '<p class="kund" title="kund">Sammanvägt för 19 insatser, Urvalet; Gick&nbsp;ihop\nmed.</p>'
        "<p>Beställare: kundnöjdhet, transferfaktorerna, effektstorlek.</p></body></html>"
    )
    assert terminology.forbidden_terms(page, "sv") == ["gick ihop med", "urvalet"]
    assert terminology.forbidden_terms("<p>The chain of Evidence went with it</p>", "en") == [
        "chain of evidence",
        "went with",
    ]
    assert terminology.forbidden_terms("<p>Customer-facing</p>", "en") == []  # part of a longer word


def test_the_old_wording_would_fail(reports: dict[str, str]) -> None:
    # The check is not vacuous: the wording the reports used before fails it.
    html = reports["VBY-COACH-2024-sv.html"].replace("Sammanfattning: de fyra nivåerna", "Sammanfattning: beviskedjan")
    assert terminology.forbidden_terms(html, "sv") == ["beviskedjan"]


def test_effect_only_with_a_control_group(reports: dict[str, str]) -> None:
    """Without a control group the findings speak of change; "effect" as a word is for d_ppc2."""
    effect = re.compile(r"(?<![\w-])(effekt|effekten|effekter|effekterna|effect|effects)(?![\w-])", re.IGNORECASE)
    for name in ("VBY-COACH-2024-sv.html", "VBY-KURS-2025-sv.html", "VBY-COACH-2024-en.html", "VBY-KURS-2025-en.html"):
        page = BeautifulSoup(reports[name], "html.parser")
        for section in page.select("#summary, #level-1, #level-2, #level-3, #level-4, #reliable-change"):
            for svg in section.select("svg"):
                svg.decompose()
            text = section.get_text(" ", strip=True)
            assert not effect.findall(text), (name, section.get("id"), effect.findall(text))
    # With one, the effect against it is named.
    assert (
        "Effekt jämfört med kontrollgruppen" in BeautifulSoup(reports["NRB-LG-2024-sv.html"], "html.parser").get_text()
    )


def test_level_4_names_the_units_measures_not_the_participants(reports: dict[str, str]) -> None:
    for name in ("VBY-COACH-2024-sv.html", "NRB-LG-2024-sv.html", "VBY-KURS-2025-sv.html"):
        reading = BeautifulSoup(reports[name], "html.parser").select_one("#level-4 p")
        assert reading is not None
        text = reading.get_text(" ", strip=True)
        assert text.startswith("Enhetens mått (Sjukfrånvaro i enheten (%) och Teamfunktion)"), text
        assert "Deltagarna" not in text
    coaching = BeautifulSoup(reports["VBY-COACH-2024-sv.html"], "html.parser").select_one("#level-4 p")
    assert coaching is not None
    # The coaching demo's sick leave did not clearly change: the verdict says so per measure.
    assert "Sjukfrånvaro i enheten (%): ingen tydlig förändring." in coaching.get_text(" ", strip=True)


def test_dates_and_spaces_in_the_swedish_reports(reports: dict[str, str]) -> None:
    course = BeautifulSoup(reports["VBY-KURS-2025-sv.html"], "html.parser").get_text()
    assert "11\u201312 mars 2025" in course and "11 mars 2025 \u2013" not in course
    assert "2 träffar, 1 dag mellan träffarna" in course
    assert "95\u00a0% KI" in course and "95 % KI" not in course
    assert "Deltagarens test" in course  # the knowledge test has no "self" rater
    coaching = BeautifulSoup(reports["VBY-COACH-2024-sv.html"], "html.parser")
    level1 = coaching.select_one(".tier-1")
    assert level1 is not None and "av maximum" in level1.get_text() and "δ" not in level1.get_text()


def test_docs_table_matches_the_data_file() -> None:
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in DOCS.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and not line.startswith("| Lang") and not line.startswith("| ---")
    ]
    expected = [[t.lang, t.term, t.meaning, "; ".join(t.not_to_use)] for t in terminology.terms()]
    assert rows == expected
