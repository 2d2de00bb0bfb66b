"""The portfolio page: the full portfolio report in the page, with the page's filters, only the
consultancy's own interventions, the anonymity threshold, and the downloads."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from kirkpatrick.demo import portfolio as generator
from kirkpatrick.io.pipeline import ImportOptions, import_measurements
from kirkpatrick.reports import portfolio as portfolio_report
from kirkpatrick.services import accounts, records
from kirkpatrick.services import portfolio as portfolio_service
from kirkpatrick.services.portfolio import EXPORT_COLUMNS
from kirkpatrick.storage import db
from kirkpatrick.storage.models import Client, Intervention
from kirkpatrick.web.security import REPORT_CSP

MINE = [f"PF-{k:03d}" for k in range(1, 6)]  # run by Konsult A (as is NRB-LG-2024)
THEIRS = "PF-006"  # run by Konsult B (as are VBY-KURS-2025 and VBY-COACH-2024)
TINY = "TINY-1"  # Konsult A's, 3 participants: below the anonymity threshold (5)


@pytest.fixture
def portfolio_data(catalogue: Engine, people: dict[str, int], tmp_path: Path) -> Engine:
    generator.load_sample(catalogue, *generator.write_sample(tmp_path, count=6))
    with db.transaction(catalogue) as s:
        fields = records.InterventionFields(
            title="Liten grupp", client="Småort", consultant="K", target_group="managers",
            format="training_programme", start="2024-01-01", end="2024-06-30",
        )  # fmt: skip
        records.add_intervention(s, TINY, fields, create_client=True)
        for code in MINE + [TINY]:
            accounts.link_intervention(s, "Konsult A", code)
        accounts.link_intervention(s, "Konsult B", THEIRS)
    tiny = tmp_path / "tiny.csv"
    tiny.write_text(
        "participant,measure,wave,rater,value\n"
        + "".join(f"T{k},lf,pre,self,{2 + k / 10}\nT{k},lf,post,self,{3 + k / 5}\n" for k in range(3)),
        encoding="utf-8",
    )
    import_measurements(catalogue, tiny, ImportOptions(intervention=TINY))
    return catalogue


def _swedish(client: FlaskClient) -> FlaskClient:
    with client.session_transaction() as session:
        session["lang"] = "sv"
    return client


def test_the_page_frames_the_full_report_of_own_interventions(
    as_user: Callable[[str | None], FlaskClient], portfolio_data: Engine
) -> None:
    client = as_user("consultant")
    page = client.get("/portfolio").get_data(as_text=True)
    assert '<iframe class="report" src="/portfolio/report"' in page
    for fmt in ("html", "pdf", "xlsx", "csv"):
        assert f'href="/portfolio/download.{fmt}"' in page
    response = client.get("/portfolio/report")
    assert response.status_code == 200 and response.headers["Content-Security-Policy"] == REPORT_CSP
    report = response.get_data(as_text=True)
    # The CLI's report: its title and its five chapters.
    assert "Portfolio: change across our interventions" in report
    for section in ("summary", "levels", "factors", "interventions", "methods"):
        assert f'<section id="{section}"' in report
    for code in MINE:
        assert code in report
    assert THEIRS not in report and "VBY-KURS-2025" not in report  # another consultancy's
    # The anonymity threshold: the small intervention is listed but has no figure of its own.
    assert TINY in report and f"{TINY} \u00b7 n" not in report
    with db.reading(portfolio_data) as s:  # without the threshold its 3 participants would have a figure
        unguarded = portfolio_report.render(portfolio_service.build(s, min_group=1), "en")
    assert f"{TINY} \u00b7 n 3" in unguarded
    # The other consultancy sees its own and none of ours.
    theirs = as_user("consultant_other").get("/portfolio/report").get_data(as_text=True)
    assert THEIRS in theirs and not any(code in theirs for code in MINE)


def test_filters_and_language_reach_the_report(
    as_user: Callable[[str | None], FlaskClient], portfolio_data: Engine
) -> None:
    with db.reading(portfolio_data) as s:
        name = s.scalar(select(Client.name).join(Intervention).where(Intervention.code == MINE[0]))
        same = set(s.scalars(select(Intervention.code).join(Client).where(Client.name == name)))
    client = as_user("consultant")
    page = client.get("/portfolio", query_string={"client": name}).get_data(as_text=True)
    assert "/portfolio/report?client=" in page and "/portfolio/download.pdf?client=" in page
    report = client.get("/portfolio/report", query_string={"client": name}).get_data(as_text=True)
    for code in MINE:
        assert (code in report) == (code in same)
    swedish = _swedish(as_user("consultant")).get("/portfolio/report").get_data(as_text=True)
    assert "Portfölj: förändring i våra insatser" in swedish and 'lang="sv"' in swedish
    english = _swedish(as_user("consultant")).get("/portfolio/report?lang=en").get_data(as_text=True)
    assert "Portfolio: change across our interventions" in english


def test_downloads_agree_with_each_other(as_user: Callable[[str | None], FlaskClient], portfolio_data: Engine) -> None:
    client = as_user("consultant")
    html = client.get("/portfolio/download.html")
    assert html.headers["Content-Disposition"] == 'attachment; filename="portfolio-en.html"'
    assert "Portfolio: change across our interventions" in html.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(client.get("/portfolio/download.csv").get_data(as_text=True))))
    assert rows and set(rows[0]) == set(EXPORT_COLUMNS)
    assert {r["code"] for r in rows} <= set(MINE)  # own, and nothing below the threshold
    book = openpyxl.load_workbook(io.BytesIO(client.get("/portfolio/download.xlsx").get_data()))
    assert book.sheetnames == ["Reaction", "Learning", "Behaviour", "Results"]
    from_sheets = {}
    for level, sheet in zip(("reaction", "learning", "behaviour", "results"), book.worksheets):
        header = [c.value for c in sheet[1]]
        for values in sheet.iter_rows(min_row=2, values_only=True):
            row = dict(zip(header, values))
            assert isinstance(row["yi"], float) and isinstance(row["n"], int)  # numbers as numbers
            from_sheets[(row["code"], level)] = row["yi"]
    assert from_sheets.keys() == {(r["code"], r["level"]) for r in rows}
    for r in rows:
        assert math.isclose(from_sheets[(r["code"], r["level"])], float(r["yi"]), rel_tol=1e-12)


@pytest.mark.parametrize("role", ["hr", "client", "admin", "hr_other"])
def test_only_consultants_get_the_report_or_a_download(as_user: Callable[[str | None], FlaskClient], role: str) -> None:
    client = as_user(role)
    for path in ("/portfolio/report", "/portfolio/download.pdf", "/portfolio/download.csv"):
        assert client.get(path).status_code == 403
    assert as_user(None).get("/portfolio/download.pdf").status_code == 302


def test_a_bad_filter_is_told_in_swedish(as_user: Callable[[str | None], FlaskClient], catalogue: Engine) -> None:
    client = _swedish(as_user("consultant"))
    page = client.get("/portfolio?since=igår").get_data(as_text=True)
    assert "'igår' är inte ett datum (skriv ÅÅÅÅ-MM-DD)" in page.replace("&#39;", "'")
    assert "expected YYYY-MM-DD" not in page
    page = client.get("/portfolio?since=2025-06-01&until=2025-01-01").get_data(as_text=True)
    assert "slutdatumet 2025-01-01 ligger före startdatumet 2025-06-01" in page
    assert client.get("/portfolio/report?since=igår").status_code == 400


@pytest.mark.browser  # prints with Chromium
def test_the_pdf_download_is_a_tagged_pdf(as_user: Callable[[str | None], FlaskClient], portfolio_data: Engine) -> None:
    response = as_user("consultant").get("/portfolio/download.pdf?lang=sv")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="portfolio-sv.pdf"'
    data = response.get_data()
    assert data.startswith(b"%PDF") and b"/StructTreeRoot" in data
