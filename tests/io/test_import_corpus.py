"""The bad-file corpus (``tests/io/data/import``): each file gives its exact message and changes
nothing; the quirky-but-valid ones import without flags."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from support import Cli, snapshot

CORPUS = Path(__file__).resolve().parent / "data" / "import"
KURS = ("--intervention", "VBY-KURS-2025", "--wave", "post")


BAD = [
    ("empty.csv", (), ["{f}: file is empty"]),
    ("header_only.csv", (), ["{f}: no rows after the header"]),
    ("blank_lines.csv", (), ["{f}:8:value: 'ten' is not a number (decimal point expected)"]),
    ("mixed_delimiters.csv", (), ["{f}:3: expected 4 fields, found 1"]),
    ("decimal_comma_in_comma_file.csv", (), ["{f}:3:value: '4,5' is not a number (decimal point expected)"]),
    (
        "unknown_columns.csv",
        (),
        [
            "{f}:1:colour: unknown column 'colour' (expected: participant, measure, wave, value, rater, date, "
            "intervention, group, role)"
        ],
    ),
    ("seven_on_five.csv", (), ["{f}:3:value: 7 is outside the scale of proc_fit (1 to 5)"]),
    ("duplicated_rows.csv", (), ["{f}:4:value: same measurement as line 2 (p001 proc_fit post self)"]),
    ("truncated.csv", (), ["{f}:4: expected 6 fields, found 2"]),
    (
        "wrong_encoding.csv",
        ("--encoding", "utf-8"),
        ["{f}:2: byte 0xf6 is not valid utf-8; give the right --encoding (e.g. utf-8, cp1252)"],
    ),
    (
        "formulas.xlsx",
        (),
        ["{f}:4: cell C4 has the formula =B2+1 but no saved result; open the file in Excel and save it"],
    ),
    (
        "every_mistake.csv",
        (),
        [
            "{f}:2:measure: unknown measure 'nosuch'",
            "{f}:3:wave: unknown wave 'later' (expected one of: pre, post, follow_up)",
            "{f}:4:rater: unknown rater 'boss' (expected one of: self, manager, report, peer, org)",
            "{f}:5:group: unknown group 'placebo' (expected one of: treatment, control)",
            "{f}:6:participant: empty participant",
            "{f}:7:value: 'four' is not a number (decimal point expected)",
            "{f}:8:value: empty value",
            "{f}:9:date: bad date '15/06/2025' (expected YYYY-MM-DD)",
        ],
    ),
]


@pytest.mark.parametrize(("name", "flags", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_file_gives_its_message_and_changes_nothing(
    catalogue: Engine, cli: Cli, name: str, flags: tuple[str, ...], expected: list[str]
) -> None:
    path = CORPUS / name
    before = snapshot(catalogue)
    result = cli("import", str(path), *KURS, *flags, ok=False)
    assert result.exit_code == 1
    # The detected dialect comes first, unless the file could not even be decoded.
    lines = [line for line in result.output.splitlines() if not line.startswith(f"Reading {path}: ")]
    n = len(expected)
    assert lines == [e.format(f=path) for e in expected] + [
        f"Error: {n} error{'s' if n > 1 else ''} in {path}; nothing imported"
    ]
    assert snapshot(catalogue) == before


def test_ten_thousand_bad_rows_show_fifty_then_a_count(catalogue: Engine, cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    body = "".join(f"p{i:05d},proc_fit,post,self,{6 + i % 3},\n" for i in range(10_000))
    path.write_text("participant,measure,wave,rater,value,date\n" + body, encoding="utf-8")
    before = snapshot(catalogue)
    result = cli("import", str(path), *KURS, ok=False)
    lines = result.output.splitlines()[1:]
    assert len(lines) == 52
    assert lines[0] == f"{path}:2:value: 6 is outside the scale of proc_fit (1 to 5)"
    assert lines[49] == f"{path}:51:value: 7 is outside the scale of proc_fit (1 to 5)"
    assert lines[50] == "... and 9950 more"
    assert lines[51] == f"Error: 10000 errors in {path}; nothing imported"
    assert snapshot(catalogue) == before


def test_swedish_excel_export_imports_without_flags(catalogue: Engine, cli: Cli) -> None:
    path = CORPUS / "swedish_excel.csv"
    result = cli("import", str(path), *KURS)
    assert f"Reading {path}: csv, cp1252, delimiter semicolon, decimal comma" in result.output
    assert (
        "Imported 6 measurements from swedish_excel.csv (3 rows read, 0 already present, 3 new participants)."
        in result.output
    )
    exported = cli("export", "--intervention", "VBY-KURS-2025").output
    assert "VBY-KURS-2025,k001,treatment,förskolechef,proc_fit,post,self,4.5,\n" in exported
    assert "VBY-KURS-2025,k002,treatment,enhetschef,satisfaction,post,self,7.5,\n" in exported
    assert "VBY-KURS-2025,k003,control,områdeschef,proc_fit,post,self,5,\n" in exported


@pytest.mark.parametrize(
    ("name", "imported", "summary"),
    [
        ("bom.csv", 2, "csv, utf-8-sig, delimiter comma, decimal point"),
        ("decimal_commas.csv", 3, "csv, utf-8, delimiter semicolon, decimal comma"),
        ("empty_cells.xlsx", 4, "xlsx, sheet 'Svar'"),
    ],
)
def test_quirky_files_import_and_twice_changes_nothing(
    catalogue: Engine, cli: Cli, name: str, imported: int, summary: str
) -> None:
    path = CORPUS / name
    first = cli("import", str(path), *KURS)
    assert f"Reading {path}: {summary}" in first.output
    assert f"Imported {imported} measurements from {name}" in first.output
    after_first = snapshot(catalogue)
    again = cli("import", str(path), *KURS)
    assert f"Imported 0 measurements from {name}" in again.output
    assert f"{imported} already present, 0 new participants" in again.output
    assert snapshot(catalogue) == after_first


def test_decimal_comma_values_are_read_as_numbers(catalogue: Engine, cli: Cli) -> None:
    cli("import", str(CORPUS / "decimal_commas.csv"), *KURS)
    exported = cli("export").output.splitlines()[1:]
    assert [line.split(",")[7] for line in exported] == ["3.5", "4", "2.25"]


def test_blank_lines_are_skipped(catalogue: Engine, cli: Cli, tmp_path: Path) -> None:
    text = (CORPUS / "blank_lines.csv").read_text(encoding="utf-8").replace("ten", "6")
    path = tmp_path / "blank.csv"
    path.write_text(text, encoding="utf-8")
    result = cli("import", str(path), *KURS)
    assert "Imported 3 measurements from blank.csv (3 rows read" in result.output
