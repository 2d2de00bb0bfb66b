"""``kirkpatrick portfolio``, ``portfolio export`` and ``cases`` on the command line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy import Engine
from support import SAMPLE, Cli

from kirkpatrick.demo import portfolio as portfolio_demo
from kirkpatrick.domain.vocab import TransferFactor


def load(cli: Cli, engine: Engine, tmp_path: Path, count: int = 10) -> None:
    cli("measure", "import", str(SAMPLE / "measures.csv"))
    portfolio_demo.load_sample(engine, *portfolio_demo.write_sample(tmp_path / "sample", count=count))


def test_portfolio_json_and_export_agree(cli: Cli, engine: Engine, tmp_path: Path) -> None:
    load(cli, engine, tmp_path)
    data = json.loads(cli("portfolio", "--json").output)
    assert len(data["interventions"]) == 10
    assert [lv["level"] for lv in data["levels"]] == ["reaction", "learning", "behaviour", "results"]
    behaviour = data["levels"][2]
    assert behaviour["k"] == 10 and behaviour["pooled"]["knha"] is True and behaviour["pooled"]["method"] == "REML"
    assert behaviour["benchmark"]["estimate"] == 0.82
    # Reaction is measured after the intervention only: no change effect, counted as post-only.
    assert data["levels"][0]["k"] == 0 and data["levels"][0]["post_only"] == 10
    out = tmp_path / "effects.csv"
    result = cli("portfolio", "export", "-o", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert result.output == f"Wrote {len(rows)} rows (10 interventions) to {out}\n"
    assert [(r["code"], r["level"], float(r["yi"]), float(r["vi"]), int(r["n"])) for r in rows] == [
        (e["code"], e["level"], e["yi"], e["vi"], e["n"]) for e in data["effects"]
    ]
    factors = {i["code"]: i["factors"] for i in data["interventions"]}
    for r in rows:
        assert all(r[f.value] == str(int(factors[r["code"]][f.value])) for f in TransferFactor)


def test_portfolio_summary_and_filters(cli: Cli, engine: Engine, tmp_path: Path) -> None:
    load(cli, engine, tmp_path, count=6)
    text = cli("portfolio").output
    assert text.startswith("6 interventions; random effects (REML, Knapp-Hartung CI)\n")
    assert "3 behaviour" in text and "not causal" in text
    client = json.loads(cli("portfolio", "--json").output)["interventions"][0]["client"]
    mine = json.loads(cli("portfolio", "--client", client, "--json").output)
    assert mine["filters"]["client"] == client and {i["client"] for i in mine["interventions"]} == {client}
    # Filters given to the group apply to `export` as well.
    out = tmp_path / "mine.csv"
    cli("portfolio", "--client", client, "export", "-o", str(out))
    codes = {r["code"] for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))}
    assert codes <= {i["code"] for i in mine["interventions"]}
    none = json.loads(cli("portfolio", "--client", "Nobody", "--json").output)
    assert none["interventions"] == [] and none["effects"] == []


def test_portfolio_user_errors(cli: Cli, tmp_path: Path) -> None:
    result = cli("portfolio", "--since", "2024-13-01", ok=False)
    assert result.exit_code == 1 and result.output == "Error: bad --since date '2024-13-01' (month must be in 1..12)\n"
    result = cli("portfolio", "--since", "2024-06-01", "--until", "2024-01-01", ok=False)
    assert result.output == "Error: --until 2024-01-01 is before --since 2024-06-01\n"
    result = cli("portfolio", "--min-group", "0", ok=False)
    assert result.output == "Error: --min-group must be at least 1, not 0\n"
    result = cli("portfolio", "export", ok=False)
    assert result.exit_code == 2 and "Missing option '-o'" in result.output
    assert not list(tmp_path.glob("*.csv"))


def test_cases_warns_and_lists(cli: Cli, engine: Engine, tmp_path: Path) -> None:
    load(cli, engine, tmp_path, count=2)
    result = cli("cases", "PF-001", "--top", "2")
    assert result.output.startswith("CONSULTANT ONLY")
    assert "Largest change (success cases)" in result.output and "PF001P" in result.output
    data = json.loads(cli("cases", "PF-001", "--json").output.split("\n", 1)[1])
    assert data["intervention"] == "PF-001" and len(data["largest"]) == 3 and data["warning"].startswith("CONSULTANT")
    assert cli("cases", "NOPE", ok=False).output.endswith("Error: no intervention with code 'NOPE'\n")


def test_help_has_examples() -> None:
    from click.testing import CliRunner

    from kirkpatrick.cli import main

    for args in (["portfolio"], ["portfolio", "export"], ["cases"]):
        result = CliRunner().invoke(main, [*args, "--help"])
        assert result.exit_code == 0 and "Example" in result.output, args
