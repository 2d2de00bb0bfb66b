"""The import, export and feedback import commands."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from support import SAMPLE, Cli

from kirkpatrick.cli import main


def _catalogue(cli: Cli) -> None:
    cli("measure", "import", str(SAMPLE / "measures.csv"))
    cli("intervention", "import", str(SAMPLE / "interventions.csv"))


def test_sample_files_import_as_documented(cli: Cli) -> None:
    _catalogue(cli)
    result = cli("import", str(SAMPLE / "measurements.csv"))
    assert (
        "Imported 1092 measurements from measurements.csv (1092 rows read, 0 already present, 84 new participants)."
        in result.output
    )
    result = cli(
        "import",
        str(SAMPLE / "norrby_ledarbeteende_fore.csv"),
        "--intervention",
        "NRB-LG-2024",
        "--wave",
        "pre",
        "--rater",
        "self",
    )
    assert "csv, cp1252, delimiter semicolon, decimal comma" in result.output
    assert "Imported 60 measurements from norrby_ledarbeteende_fore.csv" in result.output
    result = cli(
        "import", str(SAMPLE / "kurs_utvardering.xlsx"), "--intervention", "VBY-KURS-2025", "--wave", "post", "--json"
    )
    summary = json.loads(result.stdout)
    assert (summary["imported"], summary["layout"], summary["rows_read"]) == (81, "wide", 27)
    again = cli("import", str(SAMPLE / "measurements.csv"), "--json")
    assert json.loads(again.stdout)["skipped"] == 1092


def test_dry_run_says_would(cli: Cli) -> None:
    _catalogue(cli)
    result = cli("import", str(SAMPLE / "measurements.csv"), "--dry-run")
    assert "Would import 1092 measurements" in result.output
    assert cli("export").output == "intervention,participant,group,role,measure,wave,rater,value,date\n"


def test_unknown_intervention_is_one_line(cli: Cli) -> None:
    _catalogue(cli)
    result = cli("import", str(SAMPLE / "measurements.csv"), "--intervention", "NOPE", ok=False)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "Error: no intervention with code 'NOPE'"


def test_export_to_file(cli: Cli, tmp_path: Path) -> None:
    _catalogue(cli)
    cli("import", str(SAMPLE / "measurements.csv"))
    out = tmp_path / "nrb.csv"
    result = cli("export", "--intervention", "NRB-LG-2024", "-o", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert f"Exported {len(lines) - 1} measurements to {out}." in result.output
    assert all(line.startswith("NRB-LG-2024,") for line in lines[1:])
    assert not (tmp_path / "nrb.csv.partial").exists()


def test_feedback_import(cli: Cli) -> None:
    _catalogue(cli)
    result = cli("feedback", "import", str(SAMPLE / "feedback.csv"))
    assert result.output == "Imported 13 feedback quotes (11 cleared for reports).\n"


def test_help_has_examples() -> None:
    for path in (["import"], ["export"], ["feedback", "import"]):
        result = CliRunner().invoke(main, [*path, "--help"])
        assert result.exit_code == 0 and "Example" in result.output
