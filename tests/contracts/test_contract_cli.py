"""The contract and interview commands, end to end through the CLI (in-process)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from bs4 import BeautifulSoup
from support import SAMPLE, Cli

from kirkpatrick.cli import main


def _setup(cli: Cli) -> None:
    cli("measure", "import", str(SAMPLE / "measures.csv"))
    cli("intervention", "import", str(SAMPLE / "interventions.csv"))
    cli(
        "contract",
        "add",
        "GRN-COACH",
        "--reg",
        "KS 2023/0412",
        "--title",
        "Coachning",
        "--buyer",
        "Granlida stad",
        "--supplier",
        "Coachhuset AB",
        "--start",
        "2024-01-01",
        "--end",
        "2025-12-31",
        "--service",
        "individual_coaching=240",
        "--service",
        "leadership_group_development",
    )


def test_contract_workflow(cli: Cli, tmp_path: Path) -> None:
    _setup(cli)
    assert (
        "Linked VBY-COACH-2024, NRB-LG-2024 to GRN-COACH."
        in cli("contract", "call-off", "GRN-COACH", "VBY-COACH-2024", "NRB-LG-2024").output
    )
    delivery = tmp_path / "leverans.csv"
    delivery.write_text(
        "service;period_start;period_end;sessions\nindividual_coaching;2024-01-01;2024-12-31;120\n", encoding="utf-8"
    )
    assert "Imported 1 delivery rows" in cli("contract", "delivery", "import", "GRN-COACH", str(delivery)).output
    for k in range(5):
        grades = ("--grade", "feasibility=5", "--grade", f"credibility={3 + k % 3}")
        cli(
            "interview",
            "add",
            "GRN-COACH",
            f"I{k}",
            "--role",
            "rektor",
            "--unit",
            "Utbildning",
            "--date",
            f"2025-11-0{k + 1}",
            *grades,
        )
    cli("interview", "quote", "add", "GRN-COACH", "I1", "Mycket bra", "--theme", "quality_outcome", "--cleared")
    cli("interview", "quote", "add", "GRN-COACH", "I2", "HEMLIGT", "--theme", "other")
    listed = json.loads(cli("contract", "list", "--json").output)
    assert [(c["code"], c["call_offs"], c["interviews"]) for c in listed] == [("GRN-COACH", 2, 5)]
    shown = json.loads(cli("contract", "show", "GRN-COACH", "--json").output)
    assert shown["deliveries"][0]["sessions"] == 120 and shown["quotes_cleared"] == 1
    assert "KS 2023/0412" in cli("contract", "show", "GRN-COACH").output
    interviews = json.loads(cli("interview", "list", "GRN-COACH", "--json").output)
    assert interviews[1]["grades"] == {"feasibility": 5, "credibility": 4}
    out = tmp_path / "r.html"
    assert f"Wrote {out}" in cli("contract", "report", "GRN-COACH", "-o", str(out), "--lang", "en").output
    soup = BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser")
    assert "Mycket bra" in soup.get_text() and "HEMLIGT" not in soup.get_text()


def test_user_errors_are_one_line(cli: Cli, tmp_path: Path) -> None:
    _setup(cli)
    bad = tmp_path / "intervjuer.csv"
    bad.write_text(
        "interview,role,unit,date,feasibility\nI1,rektor,U,2025-11-01,4\nI2,rektor,U,2025-13-01,4\n", encoding="utf-8"
    )
    result = cli("interview", "import", "GRN-COACH", str(bad), ok=False)
    assert result.exit_code == 1
    assert result.output == f"Error: {bad}:3: bad interview date '2025-13-01' (month must be in 1..12)\n"
    assert json.loads(cli("interview", "list", "GRN-COACH", "--json").output) == []
    result = cli("contract", "report", "NOPE", "-o", str(tmp_path / "x.html"), ok=False)
    assert result.output == "Error: no contract with code 'NOPE'\n"
    result = cli(
        "interview",
        "add",
        "GRN-COACH",
        "I9",
        "--role",
        "r",
        "--unit",
        "u",
        "--date",
        "2025-01-01",
        "--grade",
        "feasibility",
        ok=False,
    )
    assert "is not CRITERION=GRADE" in result.output


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


@pytest.mark.parametrize("path", [p for p in _commands(main) if p[0] in ("contract", "interview")])
def test_every_contract_command_has_help(path: tuple[str, ...]) -> None:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert command.help and len(command.help.strip()) > 20
