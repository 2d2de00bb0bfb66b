"""The commands that change what was added: ``measure edit``, ``client edit``, ``participant set``
and ``user edit`` (the web's forms call the same services)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine, select
from support import Cli, snapshot

from kirkpatrick.cli import main
from kirkpatrick.services import accounts
from kirkpatrick.storage import db
from kirkpatrick.storage.accounts import AuditEvent, User
from kirkpatrick.storage.models import Client, Measure, Participant


def _catalogue(cli: Cli, tmp_path: Path) -> None:
    cli("client", "add", "Norrby kommun", "--unit", "Socialkontoret")
    cli("intervention", "add", "NRB", "--client", "Norrby kommun", "--title", "Kurs", "--target-group", "managers",
        "--format", "training_programme", "--start", "2024-01-15", "--end", "2024-06-10")  # fmt: skip
    cli("measure", "add", "lf", "--name", "Ledarbeteende", "--level", "behaviour", "--scale-min", "1",
        "--scale-max", "5", "--items", "lf_1 -lf_2")  # fmt: skip
    cli("measure", "add", "knowledge", "--name", "Kunskap", "--level", "learning", "--scale-min", "0",
        "--scale-max", "20")  # fmt: skip
    values = tmp_path / "v.csv"
    values.write_text("participant,measure,wave,rater,value\np1,knowledge,pre,self,12\np2,knowledge,pre,self,9\n")
    cli("import", str(values), "--intervention", "NRB")


def test_measure_edit_changes_only_given_fields(cli: Cli, engine: Engine, tmp_path: Path) -> None:
    _catalogue(cli, tmp_path)
    cli(
        "measure",
        "edit",
        "lf",
        "--reliability",
        "0,86",
        "--items",
        "-lf_2 lf_3",
        "--item-wording",
        "lf_2|Sällan|Rarely",
    )
    with db.reading(engine) as s:
        m = s.scalars(select(Measure).where(Measure.code == "lf")).one()
        assert (m.name, m.reliability, m.scale_max) == ("Ledarbeteende", 0.86, 5.0)
        assert [(it.code, it.reverse, it.wording) for it in m.items] == [
            ("lf_2", True, "Sällan\nRarely"),
            ("lf_3", False, None),
        ]
    before = snapshot(engine)
    result = cli("measure", "edit", "knowledge", "--scale-max", "25", ok=False)
    assert result.exit_code == 1 and "cannot change while values" in result.output and "Traceback" not in result.output
    assert snapshot(engine) == before
    cli("measure", "edit", "knowledge", "--name", "Kunskapstest", "--lower-is-better")
    with db.reading(engine) as s:
        m = s.scalars(select(Measure).where(Measure.code == "knowledge")).one()
        assert (m.name, m.higher_is_better, m.scale_max) == ("Kunskapstest", False, 20.0)


def test_client_edit_and_participant_set(cli: Cli, engine: Engine, tmp_path: Path) -> None:
    _catalogue(cli, tmp_path)
    cli("client", "edit", "Norrby kommun", "--name", "Norrby stad", "--unit", "")
    cli("participant", "set", "NRB", "p1", "--group", "control", "--role", "enhetschef")
    cli("participant", "set", "NRB", "p2", "--role", "rektor")
    with db.reading(engine) as s:
        assert [(c.name, c.unit) for c in s.scalars(select(Client))] == [("Norrby stad", None)]
        got = {p.code: (p.group.value, p.role) for p in s.scalars(select(Participant))}
    assert got == {"p1": ("control", "enhetschef"), "p2": ("treatment", "rektor")}
    before = snapshot(engine)
    assert "has no participant 'p9'" in cli("participant", "set", "NRB", "p9", "--group", "control", ok=False).output
    assert "nothing to change" in cli("client", "edit", "Norrby stad", ok=False).output
    assert snapshot(engine) == before


def test_user_edit_resets_the_password_from_stdin(cli: Cli, engine: Engine) -> None:
    runner = CliRunner()
    add = ["--db", cli.url, "user", "add", "hr@norrby.se", "--role", "hr", "--org", "Norrby kommun"]
    assert runner.invoke(main, add, input="first password\n").exit_code == 0
    edit = ["--db", cli.url, "user", "edit", "hr@norrby.se", "--role", "client", "--password"]
    result = runner.invoke(main, edit, input="second password\n")
    assert result.exit_code == 0, result.output
    with db.transaction(engine) as s:
        user = s.scalars(select(User)).one()
        assert (user.role.value, user.session_version) == ("client", 1)
        assert accounts.authenticate(s, "hr@norrby.se", "second password", "test") is not None
        events = [
            (e.actor, e.action, e.detail) for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "user_edit"))
        ]
    assert events == [("command line", "user_edit", "role, password")]
    short = runner.invoke(main, edit, input="kort\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
