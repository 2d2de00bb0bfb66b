"""The logging commands: a full round trip, help everywhere, and bad input that changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from support import SAMPLE, Cli, snapshot

from kirkpatrick.cli import main


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        found.append(path)
        if isinstance(command, click.Group):
            found.extend(_all_commands(command, path))
    return found


@pytest.mark.parametrize("path", _all_commands(main), ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    command = main
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    assert command.help and len(command.help.strip()) > 20, f"{' '.join(path)} needs real help text"


def _log_intervention(cli: Cli) -> None:
    cli("client", "add", "Norrby kommun", "--unit", "Socialkontoret")
    cli(
        "intervention",
        "add",
        "NRB-LG-2024",
        "--client",
        "Norrby kommun",
        "--title",
        "Ledningsgruppsutveckling",
        "--consultant",
        "Karin L",
        "--target-group",
        "leadership_group",
        "--format",
        "leadership_group_development",
        "--start",
        "2024-01-15",
        "--end",
        "2025-12-10",
    )
    cli("session", "add", "NRB-LG-2024", "2024-02-01", "2024-03-07", "2024-04-11")
    cli("factor", "set", "NRB-LG-2024", "needs_analysis", "--present", "--note", "Intervjuer med alla chefer")
    cli("factor", "set", "NRB-LG-2024", "spaced_sessions", "--present")
    cli("factor", "set", "NRB-LG-2024", "supervisor_support", "--absent")
    cli("measure", "import", str(SAMPLE / "measures.csv"))
    cli(
        "feedback",
        "add",
        "NRB-LG-2024",
        "Jag har fått konkreta verktyg.",
        "--level",
        "behaviour",
        "--theme",
        "verktyg",
        "--cleared",
    )


def test_round_trip(cli: Cli) -> None:
    _log_intervention(cli)
    shown = json.loads(cli("intervention", "show", "NRB-LG-2024", "--json").output)
    assert shown["code"] == "NRB-LG-2024"
    assert shown["title"] == "Ledningsgruppsutveckling"
    assert shown["client"] == {"name": "Norrby kommun", "unit": "Socialkontoret"}
    assert shown["consultant"] == "Karin L"
    assert (shown["target_group"], shown["format"]) == ("leadership_group", "leadership_group_development")
    assert (shown["start"], shown["end"]) == ("2024-01-15", "2025-12-10")
    assert shown["sessions"] == ["2024-02-01", "2024-03-07", "2024-04-11"]
    assert shown["days_between_sessions"] == [35, 35]
    assert {f["factor"]: (f["present"], f["note"]) for f in shown["factors"]} == {
        "needs_analysis": (True, "Intervjuer med alla chefer"),
        "spaced_sessions": (True, None),
        "supervisor_support": (False, None),
    }
    assert [m["code"] for m in shown["measures"]] == [
        "proc_credibility",
        "proc_effectiveness",
        "proc_feasibility",
        "proc_fit",
        "recommend",
        "satisfaction",
        "usefulness",
        "knowledge",
        "lf",
        "sick_leave",
        "team",
    ]
    lf = next(m for m in shown["measures"] if m["code"] == "lf")
    assert lf["level"] == "behaviour" and lf["measurements"] == {"pre": 0, "post": 0, "follow_up": 0}
    assert shown["feedback"] == [
        {
            "id": shown["feedback"][0]["id"],
            "text": "Jag har fått konkreta verktyg.",
            "level": "behaviour",
            "theme": "verktyg",
            "cleared": True,
        }
    ]
    measures = json.loads(cli("measure", "list", "--json").output)
    lf_entry = next(m for m in measures if m["code"] == "lf")
    assert lf_entry["items"] == ["lf_1", "lf_2", "-lf_3", "lf_4", "lf_5", "lf_6", "-lf_7", "lf_8"]
    assert lf_entry["reliability"] == 0.88
    sick = next(m for m in measures if m["code"] == "sick_leave")
    assert sick["higher_is_better"] is False
    factors = json.loads(cli("factor", "list", "NRB-LG-2024", "--json").output)
    assert len(factors) == 7 and sum(f["present"] is None for f in factors) == 4
    assert json.loads(cli("client", "list", "--json").output) == [
        {"name": "Norrby kommun", "unit": "Socialkontoret", "interventions": 1}
    ]
    listed = json.loads(cli("intervention", "list", "--json").output)
    assert [i["code"] for i in listed] == ["NRB-LG-2024"]


def test_edit_changes_only_given_fields(cli: Cli) -> None:
    _log_intervention(cli)
    cli("intervention", "edit", "NRB-LG-2024", "--end", "2026-01-31", "--title", "Ny titel")
    shown = json.loads(cli("intervention", "show", "NRB-LG-2024", "--json").output)
    assert (shown["title"], shown["end"], shown["start"]) == ("Ny titel", "2026-01-31", "2024-01-15")


def test_intervention_import_creates_clients_factors_sessions(cli: Cli) -> None:
    cli("intervention", "import", str(SAMPLE / "interventions.csv"))
    clients = json.loads(cli("client", "list", "--json").output)
    assert [(c["name"], c["interventions"]) for c in clients] == [
        ("Norrby kommun, Socialkontoret", 1),
        ("Västerby stad, Utbildningsförvaltningen", 2),
    ]
    course = json.loads(cli("intervention", "show", "VBY-KURS-2025", "--json").output)
    assert all(f["present"] is False for f in course["factors"]) and len(course["factors"]) == 7
    programme = json.loads(cli("intervention", "show", "NRB-LG-2024", "--json").output)
    assert all(f["present"] for f in programme["factors"]) and len(programme["sessions"]) == 20


BAD_INPUT = [
    (("client", "add", "Norrby kommun"), "Error: client 'Norrby kommun' already exists"),
    (("client", "add", "  "), "Error: client name must not be empty"),
    (
        (
            "intervention",
            "add",
            "NRB-LG-2024",
            "--client",
            "Norrby kommun",
            "--title",
            "T",
            "--target-group",
            "managers",
            "--format",
            "training_programme",
            "--start",
            "2024-01-01",
            "--end",
            "2024-02-01",
        ),
        "Error: intervention 'NRB-LG-2024' already exists",
    ),
    (
        (
            "intervention",
            "add",
            "X-1",
            "--client",
            "Okänd",
            "--title",
            "T",
            "--target-group",
            "managers",
            "--format",
            "training_programme",
            "--start",
            "2024-01-01",
            "--end",
            "2024-02-01",
        ),
        "Error: no client named 'Okänd' (add it with `kirkpatrick client add`)",
    ),
    (
        (
            "intervention",
            "add",
            "X-1",
            "--client",
            "Norrby kommun",
            "--title",
            "T",
            "--target-group",
            "managers",
            "--format",
            "training_programme",
            "--start",
            "2024-13-01",
            "--end",
            "2024-02-01",
        ),
        "Error: bad start date '2024-13-01' (month must be in 1..12)",
    ),
    (
        (
            "intervention",
            "add",
            "X-1",
            "--client",
            "Norrby kommun",
            "--title",
            "T",
            "--target-group",
            "managers",
            "--format",
            "training_programme",
            "--start",
            "2024-03-01",
            "--end",
            "2024-02-01",
        ),
        "Error: end date 2024-02-01 is before start date 2024-03-01",
    ),
    (
        (
            "intervention",
            "add",
            "bad code!",
            "--client",
            "Norrby kommun",
            "--title",
            "T",
            "--target-group",
            "managers",
            "--format",
            "training_programme",
            "--start",
            "2024-01-01",
            "--end",
            "2024-02-01",
        ),
        "Error: bad intervention code 'bad code!' (letters, digits, '_', '-', '.'; at most 64 characters)",
    ),
    (("intervention", "edit", "NOPE", "--title", "T"), "Error: no intervention with code 'NOPE'"),
    (
        ("intervention", "edit", "NRB-LG-2024", "--start", "15/01/2024"),
        "Error: bad start date '15/01/2024' (expected YYYY-MM-DD)",
    ),
    (("intervention", "show", "NOPE"), "Error: no intervention with code 'NOPE'"),
    (
        ("session", "add", "NRB-LG-2024", "2024-05-01", "2024-02-01"),
        "Error: intervention NRB-LG-2024 already has a session on 2024-02-01",
    ),
    (
        ("session", "add", "NRB-LG-2024", "2024-05-01", "yesterday"),
        "Error: bad session date 'yesterday' (expected YYYY-MM-DD)",
    ),
    (("session", "add", "NOPE", "2024-05-01"), "Error: no intervention with code 'NOPE'"),
    (("factor", "set", "NOPE", "peer_support", "--present"), "Error: no intervention with code 'NOPE'"),
    (
        ("factor", "set", "NRB-LG-2024", "coffee", "--present"),
        "Error: Invalid value for 'FACTOR': 'coffee' is not one of",
    ),
    (
        ("measure", "add", "lf", "--name", "X", "--level", "behaviour", "--scale-min", "1", "--scale-max", "5"),
        "Error: measure 'lf' already exists",
    ),
    (
        ("measure", "add", "new", "--name", "X", "--level", "behaviour", "--scale-min", "5", "--scale-max", "1"),
        "Error: measure new: scale_max 1 must be above scale_min 5",
    ),
    (
        (
            "measure",
            "add",
            "new",
            "--name",
            "X",
            "--level",
            "behaviour",
            "--scale-min",
            "1",
            "--scale-max",
            "5",
            "--reliability",
            "1.5",
        ),
        "Error: measure new: reliability 1.5 must be between 0 and 1",
    ),
    (
        ("measure", "add", "new", "--name", "X", "--level", "behaviour", "--scale-min", "one", "--scale-max", "5"),
        "Error: bad scale_min 'one' (expected a number)",
    ),
    (("feedback", "add", "NOPE", "Bra!"), "Error: no intervention with code 'NOPE'"),
    (("feedback", "add", "NRB-LG-2024", ""), "Error: feedback text must not be empty"),
    (("feedback", "list", "NOPE"), "Error: no intervention with code 'NOPE'"),
    (("factor", "list", "NOPE"), "Error: no intervention with code 'NOPE'"),
]


@pytest.mark.parametrize(
    ("args", "message"), BAD_INPUT, ids=lambda v: " ".join(v[:3]) if isinstance(v, tuple) else None
)
def test_bad_input_is_one_line_and_changes_nothing(
    cli: Cli, engine: Engine, args: tuple[str, ...], message: str
) -> None:
    _log_intervention(cli)
    before = snapshot(engine)
    result = cli(*args, ok=False)
    assert result.exit_code != 0
    assert result.output.strip().splitlines()[-1].startswith(message), result.output
    assert "Traceback" not in result.output
    assert snapshot(engine) == before


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


BAD_FILES = [
    (
        "measure",
        "code,name,level,scale_min,scale_max\nnew1,A,behaviour,1,5\nnew2,B,attitude,1,5\n",
        "Error: {f}:3: unknown level 'attitude' (expected one of: reaction, learning, behaviour, results)",
    ),
    (
        "measure",
        "code,name,level,scale_min,scale_max,colour\nnew1,A,behaviour,1,5,red\n",
        "Error: {f}:1: unknown column 'colour'",
    ),
    (
        "measure",
        "code,name,level,scale_min,scale_max\nnew1,A,behaviour,1,5\nnew1,B,learning,1,5\n",
        "Error: {f}:3: measure 'new1' already exists",
    ),
    (
        "intervention",
        "code,client,title,target_group,format,start,end,factors\n"
        "A-1,Ny kund,T,managers,training_programme,2024-01-01,2024-01-02,\n"
        "A-2,Ny kund,T,managers,training_programme,2024-01-01,2024-01-02,peer_support telepathy\n",
        "Error: {f}:3: unknown transfer factor 'telepathy'",
    ),
    (
        "intervention",
        "code,client,title,target_group,format,start,end\n"
        "A-1,Ny kund,T,managers,training_programme,2024-01-01,2024-01-32\n",
        "Error: {f}:2: bad end date '2024-01-32' (day is out of range for month)",
    ),
]


@pytest.mark.parametrize(("kind", "content", "message"), BAD_FILES)
def test_bad_files_change_nothing(
    cli: Cli, engine: Engine, tmp_path: Path, kind: str, content: str, message: str
) -> None:
    _log_intervention(cli)
    path = _write(tmp_path / "bad.csv", content)
    before = snapshot(engine)
    result = cli(kind, "import", str(path), ok=False)
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith(message.format(f=path)), result.output
    assert snapshot(engine) == before


def test_commands_refuse_an_uninitialised_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--db", f"sqlite:///{tmp_path / 'new.db'}", "client", "list"])
    assert result.exit_code == 1
    assert "is not initialised; run `kirkpatrick init` first" in result.output


def test_init_command_creates_then_reports_up_to_date(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    first = CliRunner().invoke(main, ["--db", url, "init"])
    assert first.exit_code == 0 and first.output.startswith("Created database")
    second = CliRunner().invoke(main, ["--db", url, "init"])
    assert second.exit_code == 0 and "is up to date" in second.output
