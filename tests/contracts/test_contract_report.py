"""The follow-up report: structure, figures, the threshold, no uncleared quote, every typed text escaped."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from contract_fixtures import CODE, add_contract
from sqlalchemy import Engine

from kirkpatrick.reports import contract as report
from kirkpatrick.reports.environment import format_number
from kirkpatrick.services import contracts, records
from kirkpatrick.services.records import InterventionFields
from kirkpatrick.stats.ordinal import wilson_mean_interval
from kirkpatrick.storage import db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;'


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_sections_figures_and_threshold(catalogue: Engine, lang: str) -> None:
    add_contract(catalogue, graders_of_efficiency=4)
    with db.reading(catalogue) as s:
        html = report.render_contract(contracts.follow_up(s, CODE), lang)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html is not None and soup.html["lang"] == lang
    ids = [sec["id"] for sec in soup.find_all("section")]
    assert ids == ["method", "feedback", "success-factors", "delivery", "grades", "evidence", "requirements", "methods"]
    rows = {tr.th.get_text(strip=True): tr for tr in soup.select("#grades tbody tr")}
    names = (
        ["Målgruppsanpassning", "Genomförbarhet", "Trovärdighet", "Effektivitet"]
        if lang == "sv"
        else ["Fit to the target group", "Feasibility", "Credibility", "Efficiency"]
    )
    assert list(rows) == names
    # Feasibility grades 3, 4, 5, 3, 4, 5: counts, n, and the mean with its interval, computed here.
    cells = [td.get_text(" ", strip=True) for td in rows[names[1]].find_all("td")]
    low, high = wilson_mean_interval(4.0, 6, scale_min=1, scale_max=5)
    sep = "; " if lang == "sv" else ", "
    interval = f"[{format_number(low, lang)}{sep}{format_number(high, lang)}]"
    assert cells[:6] == ["0", "0", "2", "2", "2", "6"]
    assert cells[7] == f"{format_number(4.0, lang)} {interval}"
    # Efficiency has 4 graders, below the threshold of 5: no figure at all in its row.
    suppressed = rows[names[3]]
    assert suppressed.find("td", class_="suppressed") is not None
    assert not any(ch.isdigit() for ch in suppressed.get_text().replace("5", "")), suppressed.get_text()
    assert len(soup.select("#grades svg.chart")) == 3
    assert all(svg.get("aria-label") for svg in soup.select("svg"))


def test_a_quote_not_cleared_never_appears(catalogue: Engine) -> None:
    add_contract(catalogue)
    with db.reading(catalogue) as s:
        follow = contracts.follow_up(s, CODE)
    for lang in ("sv", "en"):
        html = report.render_contract(follow, lang)
        assert "SECRET" not in html
        assert (
            "Require municipal experience" in BeautifulSoup(html, "html.parser").select_one("#requirements").get_text()
        )  # type: ignore[union-attr]


def test_every_typed_text_is_escaped(catalogue: Engine) -> None:
    fields = contracts.ContractFields(
        registration_number=HOSTILE[:60],
        title=HOSTILE,
        buyer=HOSTILE,
        supplier=HOSTILE,
        start="2024-01-01",
        end="2025-12-31",
        criteria=(f"own={HOSTILE}", "credibility"),
        services=("individual_coaching=10",),
    )
    with db.transaction(catalogue) as s:
        records.add_intervention(
            s,
            "EVIL",
            InterventionFields(
                HOSTILE, HOSTILE, HOSTILE, "managers", "individual_coaching", "2024-01-01", "2024-02-01", HOSTILE
            ),
            create_client=True,
        )
        contracts.add_contract(s, "EVIL-C", fields)
        contracts.set_call_offs(s, "EVIL-C", ["EVIL"])
        for k in range(5):
            contracts.add_interview(
                s,
                "EVIL-C",
                f"I{k}",
                contracts.InterviewFields(
                    HOSTILE[:100], HOSTILE, "2025-01-01", HOSTILE, {"own": "4", "credibility": "5"}
                ),
            )
            for theme in ("quality_outcome", "success_factors", "future_requirements", "treatment"):
                contracts.add_quote(s, "EVIL-C", f"I{k}", HOSTILE, theme=theme, cleared=True)
    with db.reading(catalogue) as s:
        follow = contracts.follow_up(s, "EVIL-C")
    for lang in ("sv", "en"):
        html = report.render_contract(follow, lang)
        soup = BeautifulSoup(html, "html.parser")
        assert soup.find("script") is None and soup.find("img") is None
        assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]
        text = soup.get_text()
        # Each typed text shows as text: title, buyer, supplier, criterion, call-off, units, quotes.
        assert text.count('<script>alert("x")</script>') >= 5 + 4 * 5
        assert "&amp;" in text  # the literal ampersand-entity typed by the user, shown as typed
