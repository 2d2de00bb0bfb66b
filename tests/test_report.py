"""The intervention report: anonymity, escaping, self-containedness, both languages, CLI."""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup
from report_fixtures import add_intervention, rng_pairs

from kirkpatrick.reports import intervention as reports
from kirkpatrick.reports import pdf
from kirkpatrick.services import analysis
from kirkpatrick.storage import db


def _html(engine, code, lang="en", **kw):
    with db.reading(engine) as s:
        return reports.render_intervention(analysis.analyse(s, code, **kw), lang)


def _row_texts(soup):
    return [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in soup.find_all("tr")]


@pytest.fixture
def raters(engine):
    """A 360 measure with a 4-person manager group and a 5-person direct-report group."""
    four, five = rng_pairs(11, 4), rng_pairs(12, 5)
    add_intervention(
        engine,
        "R-1",
        {
            ("lf", "pre", "manager"): four[0],
            ("lf", "post", "manager"): four[1],
            ("lf", "pre", "report"): five[0],
            ("lf", "post", "report"): five[1],
            ("recommend", "post", "self"): [9, 10, 7, 8, 10],
        },
        n=5,
        quotes=[("<script>alert('x')</script> Bra <b>kurs</b>", True), ("Not cleared secret", False)],
        title="Ledarskap <img src=x onerror=alert(1)>",
    )
    return engine


@pytest.mark.parametrize(
    "lang,too_few,manager,report",
    [("en", "too few responses", "Manager", "Direct reports"), ("sv", "för få svar", "Chef", "Medarbetare")],
)
def test_four_person_group_suppressed_five_shown(raters, lang, too_few, manager, report):
    soup = BeautifulSoup(_html(raters, "R-1", lang), "html.parser")
    rows = [r for r in _row_texts(soup.select_one("#level-3")) if r]
    mgr = [r for r in rows if r[0] == manager]
    rep = [r for r in rows if r[0] == report]
    assert mgr and all(too_few in " ".join(r) for r in mgr)
    assert all(not re.search(r"\d", " ".join(r[2:])) for r in mgr)  # no figure at all
    assert rep and rep[0][-1] == "5" and too_few not in " ".join(rep[0])
    # and the chart and forest plot hide the small group too
    forest = soup.select_one("#level-3 svg.forest").get_text(" ")
    assert too_few in forest


def test_min_group_option_changes_threshold(raters):
    soup = BeautifulSoup(_html(raters, "R-1", min_group=4), "html.parser")
    assert "too few responses" not in soup.select_one("#level-3 table").get_text()


def test_script_and_html_render_inert(raters):
    html = _html(raters, "R-1")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None and soup.find("img") is None and soup.find("b") is None
    quotes = [q.get_text() for q in soup.select("blockquote")]
    assert quotes == ["<script>alert('x')</script> Bra <b>kurs</b>"]
    assert soup.find("h1").get_text() == "Ledarskap <img src=x onerror=alert(1)>"
    assert "Not cleared secret" not in html


def test_quotes_need_enough_participants(engine):
    add_intervention(engine, "Q-1", {("recommend", "post", "self"): [9, 9, 9, 9]}, n=4, quotes=[("Fint", True)])
    html = _html(engine, "Q-1")
    assert "Fint" not in html
    assert "fewer than 5 participants" in BeautifulSoup(html, "html.parser").select_one("#quotes").get_text()


def test_participant_codes_never_appear(raters):
    for lang in ("en", "sv"):
        assert "R-1-t0" not in _html(raters, "R-1", lang)


def test_self_contained_no_external_urls(raters):
    html = _html(raters, "R-1", "sv")
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        for attr in ("src", "href", "srcset", "poster", "data", "action"):
            value = tag.get(attr)
            assert value is None or str(value).startswith("#"), (tag.name, attr, value)
    assert soup.find("link") is None and soup.find("script") is None
    styles = " ".join(s.get_text() for s in soup.find_all("style")) + " ".join(
        t["style"] for t in soup.find_all(style=True)
    )
    assert "url(" not in styles and "@import" not in styles
    # the only URLs anywhere are the SVG namespace and the references' DOIs, which are text
    for url in re.findall(r"https?://[^\s\"'<]+", html):
        assert url == "http://www.w3.org/2000/svg" or url.startswith("https://doi.org/"), url


def test_swedish_numbers_have_decimal_comma(raters):
    soup = BeautifulSoup(_html(raters, "R-1", "sv"), "html.parser")
    cells = [td.get_text() for td in soup.select("#level-3 td.num")]
    assert any(re.fullmatch(r"\d,\d\d \(\d,\d\d\)", c) for c in cells), cells
    assert not any(re.search(r"\d\.\d", c) for c in cells)
    assert soup.html["lang"] == "sv"


def test_pyramid_levels_bottom_up_with_benchmark(raters):
    soup = BeautifulSoup(_html(raters, "R-1", "en"), "html.parser")
    tiers = soup.select(".pyramid .tier")
    assert [t["class"][1] for t in tiers] == ["tier-4", "tier-3", "tier-2", "tier-1"]
    text = soup.select_one(".pyramid").get_text(" ")
    assert "δ = 0.82" in text
    # Level 1 is a rating after the intervention: no benchmark change (δ) beside it.
    assert "δ" not in soup.select_one(".pyramid .tier-1 + .tier-text").get_text()


def test_no_control_group_means_no_causal_claim(raters):
    text = BeautifulSoup(_html(raters, "R-1"), "html.parser").select_one("#methods").get_text()
    assert "cannot be attributed to the intervention" in text


def test_cli_stats_table_and_json(cli, raters):
    out = cli("stats", "R-1").output
    assert all(len(line) <= 100 for line in out.splitlines()), max(out.splitlines(), key=len)
    assert "lf" in out and "4*" in out
    data = json.loads(cli("stats", "R-1", "--json").output)
    change = data["levels"][2]["changes"][0]
    assert set(change["paired"]) >= {"n", "n_dropped", "mean_diff", "d_z", "d_av", "g_av", "wilcoxon_p", "p"}
    assert set(change["paired"]["d_z"]) == {
        "name",
        "estimate",
        "ci_low",
        "ci_high",
        "ci_method",
        "variance",
        "confidence",
    }
    assert data["levels"][0]["descriptives"][0]["nps"]["nps"] == pytest.approx(60.0)


def test_cli_report_writes_html(cli, raters, tmp_path):
    out = tmp_path / "r.html"
    result = cli("report", "R-1", "-o", str(out), "--lang", "en")
    assert f"Wrote {out}" in result.output
    assert BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser").select_one("#summary")


def test_cli_report_unknown_code_writes_nothing(cli, tmp_path):
    out = tmp_path / "r.html"
    result = cli("report", "NOPE", "-o", str(out), ok=False)
    assert result.exit_code == 1 and result.output.strip() == "Error: no intervention with code 'NOPE'"
    assert not out.exists()


def test_cli_pdf_without_chromium_writes_nothing(cli, raters, tmp_path, monkeypatch):
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    out = tmp_path / "r.html"
    result = cli("report", "R-1", "-o", str(out), "--pdf", str(tmp_path / "r.pdf"), ok=False)
    assert result.exit_code == 1 and "Chromium" in result.output
    assert not out.exists()
