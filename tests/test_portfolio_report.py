"""The portfolio report's HTML, read with a parser: forest plots, factor table, languages,
escaping, and the anonymity rules of the intervention report."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

from bs4 import BeautifulSoup
from sqlalchemy import Engine, select
from support import SAMPLE, Cli
from test_portfolio import BEHAVIOUR, info

from kirkpatrick.demo import portfolio as portfolio_demo
from kirkpatrick.domain.vocab import Level, TransferFactor
from kirkpatrick.reports import portfolio as portfolio_report
from kirkpatrick.services import portfolio, records
from kirkpatrick.services.analysis import LevelEffect
from kirkpatrick.services.portfolio import assemble
from kirkpatrick.storage import db
from kirkpatrick.storage.models import Participant


def fixed(**changes: object) -> portfolio.Portfolio:
    infos = [
        info(c, factors={TransferFactor.NEEDS_ANALYSIS: bool(na), TransferFactor.PRACTICE_FEEDBACK: True}, spacing=sp)
        for c, _, _, _, na, sp in BEHAVIOUR
    ]
    if "title" in changes:
        infos[0] = dataclasses.replace(infos[0], title=str(changes["title"]))
    heads = [LevelEffect(c, Level.BEHAVIOUR, "smcr", y, v, n, 2) for c, y, v, n, _, _ in BEHAVIOUR]
    heads += [LevelEffect(c, Level.LEARNING, "smcr", y + 0.1, v, n, 1) for c, y, v, n, _, _ in BEHAVIOUR[:6]]
    heads.append(LevelEffect("PF-007", Level.LEARNING, "smcr", 2.0, 0.3, 3, 1))  # n 3: below the threshold
    heads += [LevelEffect(c, Level.REACTION, "pomp", math.nan, math.nan, n, 1) for c, _, _, n, _, _ in BEHAVIOUR]
    return assemble(infos, heads)


def soup(p: portfolio.Portfolio, lang: str) -> BeautifulSoup:
    return BeautifulSoup(portfolio_report.render(p, lang), "html.parser")


def test_forest_plot_per_level_with_pooled_diamond_and_prediction_interval() -> None:
    page = soup(fixed(), "en")
    forests = page.select("svg.forest")
    assert len(forests) == 2  # learning and behaviour; reaction is post-only, results empty
    behaviour = page.select_one("#level-3 svg.forest")
    assert behaviour is not None
    labels = [t.get_text() for t in behaviour.select("text.ch-label")]
    assert labels[:-1] == [f"{c} · n {n}" for c, _, _, n, _, _ in BEHAVIOUR]
    assert labels[-1] == "Pooled (random effects)"
    assert len(behaviour.select("rect.ch-mark")) == 12
    assert len(behaviour.select("polygon.ch-diamond")) == 1 and len(behaviour.select("line.ch-pi")) == 1
    values = [t.get_text() for t in behaviour.select("text.ch-value")]
    assert values[-1] == "0.69 [0.54, 0.83]"  # metafor: 0.687 [0.541, 0.833] (test_portfolio)


def test_levels_table_and_readings_in_both_languages() -> None:
    p = fixed()
    en, sv = soup(p, "en"), soup(p, "sv")
    row = [td.get_text() for td in en.select("#levels table tbody tr")[2].select("td")]
    # PI on t with k - 2 df: [0.3120, 1.0622]
    assert row[:5] == ["3 · Behaviour", "12", "0.69", "[0.54, 0.83]", "[0.31, 1.06]"]
    assert row[8] == "0.82"
    row_sv = [td.get_text() for td in sv.select("#levels table tbody tr")[2].select("td")]
    assert row_sv[:5] == ["3 · Beteende", "12", "0,69", "[0,54; 0,83]", "[0,31; 1,06]"]
    assert sv.html is not None and sv.html["lang"] == "sv"
    assert "Portfölj: förändring i våra insatser" in sv.h1.get_text()  # type: ignore[union-attr]
    assert "consistent with the published benchmark (0.82)" in en.select_one("#level-3").get_text()  # type: ignore[union-attr]
    # The learning row left out for anonymity is counted, not shown.
    learning = en.select_one("#level-2")
    assert learning is not None and "PF-007" not in learning.get_text()
    assert "1 intervention left out: fewer than 5 participants with both measurements." in learning.get_text()
    assert "Measured after the intervention only" in en.select_one("#level-1").get_text()  # type: ignore[union-attr]


def test_factor_table_shows_not_estimable_and_published_evidence() -> None:
    page = soup(fixed(), "en")
    table = page.select_one("#factors-3 table.factors")
    assert table is not None
    rows = {tr.select("td")[0].get_text(): [td.get_text() for td in tr.select("td")] for tr in table.select("tbody tr")}
    assert len(rows) == 7
    assert rows["Practice and feedback"][1] == "12 / 0"
    assert rows["Practice and feedback"][2] == "not estimable: used by all 12 interventions"
    needs = rows["Needs analysis"]
    # R: used 0.805 (SE 0.0773), not used 0.492 (SE 0.0980); difference 0.313.
    assert needs[1:5] == ["8 / 4", "0.80 [0.65, 0.96]", "0.49 [0.30, 0.68]", "+0.31 [0.07, 0.56]"]
    assert "Lacerenza et al. 2017" in needs[-1]
    text = page.select_one("#factors-3").get_text()  # type: ignore[union-attr]
    assert "not estimable, too few interventions" not in text  # one varying factor: k 12 >= 10
    assert "Spacing between sessions: each additional week" in text


def test_summary_does_not_overclaim() -> None:
    text = soup(fixed(), "en").select_one("#summary").get_text()  # type: ignore[union-attr]
    assert "observational" in text and "not as proof" in text
    assert (
        "Interventions that used needs analysis showed a larger change in behaviour (difference +0.31 [0.07, 0.56])."
        in text
    )
    assert "by chance alone" not in text  # one comparison only
    # Several comparisons: the reader is told how many clear differences chance alone would give.
    infos = [
        info(
            c,
            factors={
                TransferFactor.NEEDS_ANALYSIS: bool(na),
                TransferFactor.PEER_SUPPORT: i % 2 == 0,
                TransferFactor.SUPERVISOR_SUPPORT: i % 3 == 0,
            },
        )
        for i, (c, _, _, _, na, _) in enumerate(BEHAVIOUR)
    ]
    heads = [LevelEffect(c, Level.BEHAVIOUR, "smcr", y, v, n, 1) for c, y, v, n, _, _ in BEHAVIOUR]
    p = assemble(infos, heads)
    clear = sum(1 for f in p.factors if f.reason is None and (f.ci_low > 0 or f.ci_high < 0))
    text = soup(p, "en").select_one("#summary").get_text()  # type: ignore[union-attr]
    assert (
        f"{clear} of 3 factor comparisons show a clear difference (the 95% interval excludes zero). "
        "With 3 comparisons, about 0.2 would" in text
    )  # 3 x 0.05


def test_user_text_is_escaped_and_page_is_self_contained() -> None:
    html = portfolio_report.render(fixed(title="<script>alert(1)</script>"), "en")
    page = BeautifulSoup(html, "html.parser")
    assert page.find("script") is None and "&lt;script&gt;" in html
    assert not page.find_all(["link", "img", "iframe"])
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_report_from_database_shows_no_participant_code(engine: Engine, tmp_path: Path) -> None:
    with db.transaction(engine) as s:
        records.import_measures(s, SAMPLE / "measures.csv")
    portfolio_demo.load_sample(engine, *portfolio_demo.write_sample(tmp_path / "s", count=6))
    with db.reading(engine) as s:
        p = portfolio.build(s)
        codes = list(s.scalars(select(Participant.code)))
    assert codes
    for lang in ("en", "sv"):
        html = portfolio_report.render(p, lang)
        assert not [c for c in codes if c in html]


def test_cli_writes_html(cli: Cli, engine: Engine, tmp_path: Path) -> None:
    cli("measure", "import", str(SAMPLE / "measures.csv"))
    portfolio_demo.load_sample(engine, *portfolio_demo.write_sample(tmp_path / "s", count=4))
    out = tmp_path / "p.html"
    result = cli("portfolio", "-o", str(out), "--lang", "en")
    assert result.output == f"Wrote {out}\n"
    page = BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser")
    assert page.html is not None and page.html["lang"] == "en" and page.select("svg.forest")
