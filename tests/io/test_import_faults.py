"""The independent corpus (tests/io/data/corpus, README.md there): five tools, five layouts each,
all through the one import service; each fault class of issue #24 with the file that reproduces
it; shuffling columns and rows or re-saving through Swedish Excel changes no figure."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from support import Cli

from kirkpatrick.io.sniff import open_path
from kirkpatrick.io.validate import ImportFailed
from kirkpatrick.services import importing
from kirkpatrick.storage import db

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
SECRET = "corpus-secret"
# Every layout carries the same kept answers (make_corpus.py PEOPLE): n and mean per measure.
# Means by hand from PEOPLE: listen 39/10, nps 89/10, sat 78/10; NPS 9 promoters, 1 detractor: +80.
EXPECTED = {"listen": (10, 3.9), "nps": (10, 8.9), "sat": (10, 7.8)}
FILES = sorted(
    p.name
    for p in CORPUS.iterdir()
    if p.suffix in (".csv", ".tsv", ".xlsx") and p.name not in ("catalogue.csv", "msforms_keys.csv")
    and "qualtRics" not in p.name
)  # fmt: skip


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    url = f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'c.db'}"
    cli = Cli(url)
    cli("init")
    cli("measure", "import", str(CORPUS / "catalogue.csv"))
    cli("client", "add", "Ekby kommun")
    cli(
        "intervention", "add", "EKB-COACH-2026", "--client", "Ekby kommun", "--title", "Coachande ledarskap",
        "--target-group", "managers", "--format", "training_programme", "--start", "2026-03-01", "--end", "2026-06-30",
    )  # fmt: skip
    return db.make_engine(url)


def _request(name: str, **extra: object) -> importing.ImportRequest:
    keys = importing.read_key_file(CORPUS / "msforms_keys.csv") if name == "msforms_english_keyfile.xlsx" else {}
    source = "swedish" if name.startswith("swedish") else None
    fields: dict[str, object] = {"key_file": keys, "source": source, "secret": SECRET, **extra}
    return importing.ImportRequest("EKB-COACH-2026", "pre", **fields)  # type: ignore[arg-type]


def _figures(engine: Engine, path: Path, name: str, **extra: object) -> dict[str, tuple[int, float]]:
    table = importing.open_file(path, _request(name, **extra), name)
    result = importing.run(engine, table, _request(name, **extra), dry_run=True)
    assert result.survey is not None
    return {f.code: (f.n, round(f.mean or 0, 6)) for f in result.survey.figures}


@pytest.mark.parametrize("name", FILES)
def test_every_layout_gives_the_same_figures(engine: Engine, name: str) -> None:
    assert _figures(engine, CORPUS / name, name) == EXPECTED


def test_nps_group_column_is_not_the_answer(engine: Engine) -> None:
    name = "qualtrics_numeric_nps_group.csv"
    result = importing.run(engine, importing.open_file(CORPUS / name, _request(name)), _request(name), dry_run=True)
    assert result.survey is not None
    kinds = {c.header: (c.kind, c.detail) for c in result.survey.columns}
    nps = next(f for f in result.survey.figures if f.code == "nps")
    assert kinds["Hur troligt är det att du skulle rekommendera programmet till en kollega? - Group"] == (
        "derived",
        "NPS group",
    )
    assert kinds["Dept"] == ("derived", "embedded data")
    assert (nps.n, nps.mean, nps.minimum, nps.maximum) == (10, 8.9, 3, 10)  # NPS +80, not a mean of 2.8
    assert not nps.recode_suspected


def test_two_columns_for_one_measure_is_an_error_naming_both(engine: Engine, tmp_path: Path) -> None:
    question = "Hur nöjd är du med programmet som helhet?"
    data = f"Deltagarkod;{question};3. {question}\nekb-01;9;3\n"
    path = tmp_path / "twice.csv"
    path.write_text(data, encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        importing.run(engine, importing.open_file(path, _request("swedish_x")), _request("swedish_x"), dry_run=True)
    problem = failure.value.problems[0]
    assert problem.values["first"] == "'Hur nöjd är du med programmet som helhet?'"
    assert problem.values["second"] == "'3. Hur nöjd är du med programmet som helhet?'"
    assert (problem.line, problem.code.startswith("columns %(first)s and %(second)s both match")) == (1, True)


def test_recode_is_suspected_on_part_of_a_scale(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "recoded.csv"
    path.write_text(
        "Deltagarkod;Hur troligt är det att du skulle rekommendera programmet till en kollega?\n"
        + "".join(f"ekb-0{i};{v}\n" for i, v in enumerate([3, 1, 3, 2, 3], 1)),
        encoding="utf-8",
    )
    result = importing.run(engine, importing.open_file(path, _request("swedish")), _request("swedish"), dry_run=True)
    assert result.survey is not None and result.survey.figures[0].recode_suspected


def test_surveymonkey_row_without_email_is_left_out(engine: Engine) -> None:
    name = "surveymonkey_numeric_email.csv"
    result = importing.run(engine, importing.open_file(CORPUS / name, _request(name)), _request(name), dry_run=True)
    assert result.survey is not None
    assert [(e.line, e.reason) for e in result.survey.excluded] == [(13, "no participant identity")]
    with pytest.raises(ImportFailed) as failure:
        importing.run(
            engine, importing.open_file(CORPUS / name, _request(name)), _request(name, strict_people=True), dry_run=True
        )
    assert failure.value.problems[0].line == 13 and failure.value.problems[0].code == "no participant code"


def test_forms_email_not_in_key_file_is_left_out(engine: Engine) -> None:
    name = "msforms_english_keyfile.xlsx"
    result = importing.run(engine, importing.open_file(CORPUS / name, _request(name)), _request(name), dry_run=True)
    assert result.survey is not None
    assert [(e.line, e.reason) for e in result.survey.excluded] == [(12, "not on the participant list")]
    with pytest.raises(ImportFailed) as failure:
        importing.run(
            engine, importing.open_file(CORPUS / name, _request(name)), _request(name, strict_people=True), dry_run=True
        )
    assert failure.value.problems[0].values["value"] == "'konsult@coachbyran.example'"


@pytest.mark.parametrize("name", ["swedish_numbered.csv", "swedish_dash_numbered.csv", "swedish_required.csv"])
def test_numbered_statements_match(engine: Engine, name: str) -> None:
    assert _figures(engine, CORPUS / name, name) == EXPECTED


@pytest.mark.parametrize("name", ["swedish_labelled_ends.csv", "msforms_labelled_ends.xlsx"])
def test_labelled_end_points_read_as_numbers(engine: Engine, name: str) -> None:
    result = importing.run(engine, importing.open_file(CORPUS / name, _request(name)), _request(name), dry_run=True)
    assert result.survey is not None
    by_code = {f.code: f for f in result.survey.figures}
    assert (by_code["sat"].n, by_code["sat"].mean) == (10, 7.8)
    assert by_code["sat"].label_share == pytest.approx(2 / 10)  # the two 10s carry their words (1 is not given)
    assert by_code["listen"].label_share == 1.0


def test_nothing_matches_says_why(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Deltagarkod;Jag ger medarbetarna tid att tänka;Favoritfärg\nekb-01;4;blå\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        importing.run(engine, importing.open_file(path, _request("swedish")), _request("swedish"), dry_run=True)
    problems = failure.value.problems
    assert "'Jag ger medarbetarna tid att tänka'" in problems[0].values["columns"]
    close = next(p for p in problems if p.column == "Jag ger medarbetarna tid att tänka")
    assert close.values["closest"].startswith("Jag ger mina medarbetare tid att tänka själva (listen)")
    assert (
        next(p for p in problems if p.column == "Favoritfärg").code == "no catalogue wording is close to this question"
    )
    assert failure.value.errors[0].startswith(f"{path}:1: no column matches")


def test_qualtrics_own_sample_is_recognised_and_says_why_nothing_imports(engine: Engine) -> None:
    # ropensci/qualtRics tests/testthat/files/sample.csv, as published: German UI, one response.
    name = "qualtrics_qualtRics_sample.csv"
    table = importing.open_file(CORPUS / name, _request(name))
    assert importing.detect_tool(table, _request(name)) == "qualtrics"
    with pytest.raises(ImportFailed) as failure:
        importing.run(engine, table, _request(name, participant="ResponseId"), dry_run=True)
    assert "'This is a multiple choice question.'" in failure.value.problems[0].values["columns"]
    assert not any(p.column == "Q2 - Topics" for p in failure.value.problems)  # the tool's text analysis


def _resave(text_rows: list[list[str]], order: list[int], rows: list[int], excel: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if excel else ",")
    for i, row in enumerate(text_rows):
        body = [row[j] for j in order]
        if excel:
            body = [c.replace(".", ",") if c.replace(".", "").isdigit() else c for c in body]
        writer.writerow(body)
        if i == 0:
            continue
    data = out.getvalue()
    lines = data.splitlines(keepends=True)
    lines = [lines[0], *[lines[1 + r] for r in rows]]
    return "".join(lines).encode("cp1252" if excel else "utf-8")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), excel=st.booleans())
def test_shuffling_or_swedish_excel_changes_no_figure(engine: Engine, tmp_path: Path, seed: int, excel: bool) -> None:
    source = open_path(CORPUS / "googleforms_english.csv")
    rows = [[str(c) for c in cells] for _, cells in source.rows()]
    rng = random.Random(seed)
    order = list(range(1, len(rows[0])))
    rng.shuffle(order)
    order = [0, *order]  # the timestamp stays first: it names the tool
    body = list(range(len(rows) - 1))
    rng.shuffle(body)
    path = tmp_path / f"shuffled-{seed}-{excel}.csv"
    path.write_bytes(_resave(rows, order, body, excel))
    assert _figures(engine, path, "googleforms") == EXPECTED


def test_utf16_csv_is_read_by_its_byte_order_mark(engine: Engine, tmp_path: Path) -> None:
    # Excel's "Unicode text" (UTF-16 with BOM, tabs), as a Swedish tool's export re-saved.
    path = tmp_path / "unicode.txt"
    text = "Deltagarkod\tHur nöjd är du med programmet som helhet?\r\nekb-01\t9\r\nekb-02\t10 – Mycket nöjd\r\n"
    path.write_bytes(text.encode("utf-16"))
    table = importing.open_file(path, _request("swedish"))
    assert table.dialect.encoding == "utf-16"
    assert _figures(engine, path, "swedish") == {"sat": (2, 9.5)}
