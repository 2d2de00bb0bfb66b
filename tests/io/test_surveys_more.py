"""Survey exports in their other shapes (Qualtrics TSV, SurveyMonkey xlsx), free-text answers as
uncleared feedback, and a saved mapping reused on the next wave's file with other wording."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from sqlalchemy import select
from test_surveys import SURVEYS, _database, _values

from kirkpatrick.io import surveys
from kirkpatrick.io.importing import open_input
from kirkpatrick.storage.models import Feedback

OPEN = "Vad tar du med dig från programmet?"


def _rows(name: str) -> list[list[str]]:
    with (SURVEYS / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_qualtrics_tsv_imports_like_the_csv_and_free_text_becomes_uncleared_feedback(tmp_path: Path) -> None:
    rows = _rows("qualtrics_pre.csv")
    rows[0].append("Q3")
    rows[1].append(OPEN)
    rows[2].append('{"ImportId":"QID3_TEXT"}')
    for i, row in enumerate(rows[3:]):
        row.append(f"Att lyssna mer, svar {i}" if i % 2 == 0 else "")
    tsv = tmp_path / "qualtrics_pre.tsv"
    with tsv.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter="\t").writerows(rows)
    _, from_csv = _database(tmp_path, "csv")
    surveys.import_survey(
        from_csv, open_input(SURVEYS / "qualtrics_pre.csv"), surveys.SurveyOptions("SJV-LED-2025", "pre")
    )
    _, engine = _database(tmp_path, "tsv")
    table = open_input(tsv)
    assert table.dialect.delimiter == "\t"
    dry = surveys.import_survey(engine, table, surveys.SurveyOptions("SJV-LED-2025", "pre"), dry_run=True)
    assert dry.free_text and {q for q, _ in dry.free_text} == {OPEN}
    with engine.connect() as c:
        assert c.scalar(select(Feedback.id)) is None  # the dry run stored nothing
    done = surveys.import_survey(engine, table, surveys.SurveyOptions("SJV-LED-2025", "pre"))
    assert done.summary is not None and done.summary.imported == 23
    assert _values(engine) == _values(from_csv)
    with engine.connect() as c:
        stored = c.execute(select(Feedback.text, Feedback.theme, Feedback.cleared)).all()
    # Only answers of kept responses; excluded ones (test, unfinished, duplicate) are not stored.
    assert stored and len(stored) == len(dry.free_text)
    assert {(theme, cleared) for _, theme, cleared in stored} == {(OPEN, False)}
    assert all(text.startswith("Att lyssna mer") for text, _, _ in stored)


def test_surveymonkey_xlsx_imports_like_the_csv(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in _rows("surveymonkey_pre.csv"):
        sheet.append([float(v) if v.isdigit() else (v or None) for v in row])
    xlsx = tmp_path / "surveymonkey_pre.xlsx"
    book.save(xlsx)
    _, from_csv = _database(tmp_path, "csv")
    first = surveys.import_survey(
        from_csv, open_input(SURVEYS / "surveymonkey_pre.csv"), surveys.SurveyOptions("SJV-LED-2025", "pre")
    )
    _, engine = _database(tmp_path, "xlsx")
    done = surveys.import_survey(engine, open_input(xlsx), surveys.SurveyOptions("SJV-LED-2025", "pre"))
    assert done.tool == "surveymonkey" and done.summary is not None and first.summary is not None
    assert done.summary.imported == first.summary.imported > 0
    assert _values(engine) == _values(from_csv)


def _reworded(name: str, tmp_path: Path) -> Path:
    """The export with its question texts reworded (the catalogue does not know them)."""
    rows = _rows(name)
    rows[1] = [f"Ny formulering: {h}" if h.startswith("Hur") else h for h in rows[1]]
    out = tmp_path / f"reworded_{name}"
    with out.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return out


def test_a_saved_mapping_reused_on_the_next_wave_gives_the_same_import(tmp_path: Path) -> None:
    cli, plain = _database(tmp_path, "plain")
    for wave in ("pre", "post"):
        surveys.import_survey(
            plain, open_input(SURVEYS / f"qualtrics_{wave}.csv"), surveys.SurveyOptions("SJV-LED-2025", wave)
        )
    cli, engine = _database(tmp_path, "mapped")
    mapping = tmp_path / "mapping.csv"
    pre, post = _reworded("qualtrics_pre.csv", tmp_path), _reworded("qualtrics_post.csv", tmp_path)
    args = ["--intervention", "SJV-LED-2025", "--dry-run", "--save-mapping", str(mapping)]
    saved = cli("import", str(pre), "--wave", "pre", *args)
    assert "ignored: no match in the catalogue" in saved.output
    # The analyst fills in the codes once (as the original wording matched them: Q1_1 fb, Q1_2 trust, Q2 nps).
    lines = mapping.read_text(encoding="utf-8").splitlines()
    codes = iter(["fb", "trust", "nps"])
    edited = [
        lines[0],
        *(line.replace(",ignore", f",{next(codes)}") if "Ny formulering" in line else line for line in lines[1:]),
    ]
    mapping.write_text("\n".join(edited) + "\n", encoding="utf-8")
    for wave, path in (("pre", pre), ("post", post)):
        result = cli("import", str(path), "--intervention", "SJV-LED-2025", "--wave", wave, "--mapping", str(mapping))
        assert result.exit_code == 0, result.output
        assert "(mapping file)" in result.output
    assert _values(engine) == _values(plain) and len(_values(engine)) > 23


def test_the_cli_offers_every_survey_reader() -> None:
    from kirkpatrick.domain.vocab import SurveyTool
    from kirkpatrick.io import surveys

    assert set(surveys.TOOLS) == {tool.value for tool in SurveyTool}
