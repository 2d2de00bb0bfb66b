"""Commands for the consultant's record: init, client, intervention, session, factor, measure, feedback."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import click

from kirkpatrick.cli._common import App, FriendlyGroup, echo_json, echo_table, json_option, pass_app
from kirkpatrick.cli.root import main
from kirkpatrick.domain.vocab import Format, Level, TargetGroup, TransferFactor

F = TypeVar("F", bound=Callable[..., Any])
EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _choices(vocabulary: type[StrEnum]) -> click.Choice[str]:
    return click.Choice([m.value for m in vocabulary], case_sensitive=False)


@main.command("init")
@pass_app
def init_command(app: App) -> None:
    """Create the database, or upgrade an older one to this version (rows are kept).

    Example: kirkpatrick --db sqlite:///evaluations.db init
    """
    from kirkpatrick.storage import db

    before, after = db.init_db(app.raw_engine)
    where = app.raw_engine.url.render_as_string(hide_password=True)
    if before is None:
        click.echo(f"Created database {where} (schema {after}).")
    elif before == after:
        click.echo(f"Database {where} is up to date (schema {after}).")
    else:
        click.echo(f"Upgraded database {where} from schema {before} to {after}; rows kept.")


# ------------------------------------------------------------------ client


@main.group("client", cls=FriendlyGroup)
def client_group() -> None:
    """Client organisations (e.g. a municipality's social-services office)."""


@client_group.command("add")
@click.argument("name")
@click.option("--unit", help="Department or unit, e.g. Socialkontoret.")
@pass_app
def client_add(app: App, name: str, unit: str | None) -> None:
    """Add a client organisation.

    Example: kirkpatrick client add "Norrby kommun" --unit Socialkontoret
    """
    from kirkpatrick.services import records

    with app.transaction() as s:
        client = records.add_client(s, name, unit)
        click.echo(f"Added client {client.name}.")


@client_group.command("list")
@json_option
@pass_app
def client_list(app: App, as_json: bool) -> None:
    """List clients and how many interventions each has."""
    from kirkpatrick.services import records

    with app.reading() as s:
        rows = records.list_clients(s)
    echo_json(rows) if as_json else echo_table(rows, ["name", "unit", "interventions"])


# ------------------------------------------------------------------ intervention


@main.group("intervention", cls=FriendlyGroup)
def intervention_group() -> None:
    """Interventions: coaching contracts, programmes, courses."""


def _intervention_options(required: bool) -> Callable[[F], F]:
    def decorate(f: F) -> F:
        options = [
            click.option("--client", required=required, help="Client name (must exist; see `client add`)."),
            click.option("--title", required=required, help="Title shown in reports."),
            click.option("--consultant", help="Consultant responsible."),
            click.option("--target-group", type=_choices(TargetGroup), required=required, help="Whom it is for."),
            click.option(
                "--format", "format_", type=_choices(Format), required=required, help="Form of the intervention."
            ),
            click.option("--start", required=required, metavar="YYYY-MM-DD", help="Start date."),
            click.option("--end", required=required, metavar="YYYY-MM-DD", help="End date."),
            click.option("--notes", help="Free-text notes (not shown to clients)."),
        ]
        for option in reversed(options):
            f = option(f)
        return f

    return decorate


@intervention_group.command("add")
@click.argument("code")
@_intervention_options(required=True)
@pass_app
def intervention_add(
    app: App,
    code: str,
    client: str,
    title: str,
    consultant: str | None,
    target_group: str,
    format_: str,
    start: str,
    end: str,
    notes: str | None,
) -> None:
    """Log a new intervention under a unique CODE.

    Example: kirkpatrick intervention add NRB-LG-2024 --client "Norrby kommun"
    --title "Ledningsgruppsutveckling" --target-group leadership_group
    --format leadership_group_development --start 2024-01-15 --end 2025-12-10
    """
    from kirkpatrick.services import records
    from kirkpatrick.services.records import InterventionFields

    fields = InterventionFields(title, client, consultant, target_group, format_, start, end, notes)
    with app.transaction() as s:
        intervention = records.add_intervention(s, code, fields)
        click.echo(f"Added intervention {intervention.code}: {intervention.title}.")


@intervention_group.command("edit")
@click.argument("code")
@_intervention_options(required=False)
@pass_app
def intervention_edit(
    app: App,
    code: str,
    client: str | None,
    title: str | None,
    consultant: str | None,
    target_group: str | None,
    format_: str | None,
    start: str | None,
    end: str | None,
    notes: str | None,
) -> None:
    """Change the given fields of intervention CODE; the others stay as they are.

    Example: kirkpatrick intervention edit NRB-LG-2024 --end 2026-01-31
    """
    from kirkpatrick.services import records
    from kirkpatrick.services.records import InterventionFields

    fields = InterventionFields(title, client, consultant, target_group, format_, start, end, notes)
    if fields == InterventionFields():
        raise click.UsageError("nothing to change: give at least one option")
    with app.transaction() as s:
        records.edit_intervention(s, code, fields)
        click.echo(f"Updated intervention {code}.")


@intervention_group.command("list")
@json_option
@pass_app
def intervention_list(app: App, as_json: bool) -> None:
    """List interventions with client, dates and number of participants."""
    from kirkpatrick.services import records

    with app.reading() as s:
        rows = records.list_interventions(s)
    if as_json:
        echo_json(rows)
    else:
        echo_table(rows, ["code", "client", "format", "start", "end", "participants", "title"])


@intervention_group.command("show")
@click.argument("code")
@json_option
@pass_app
def intervention_show(app: App, code: str, as_json: bool) -> None:
    """Show everything logged for intervention CODE."""
    from kirkpatrick.services import records

    with app.reading() as s:
        info = records.describe_intervention(s, code)
    if as_json:
        echo_json(info)
        return
    click.echo(f"{info['code']}: {info['title']}")
    client = info["client"]["name"] + (f" ({info['client']['unit']})" if info["client"]["unit"] else "")
    for label, value in [
        ("client", client),
        ("consultant", info["consultant"] or "-"),
        ("target group", info["target_group"]),
        ("format", info["format"]),
        ("dates", f"{info['start']} to {info['end']}"),
        ("sessions", " ".join(info["sessions"]) or "-"),
        ("participants", ", ".join(f"{n} {g}" for g, n in info["participants"].items())),
    ]:
        click.echo(f"  {label:<13} {value}")
    click.echo("\nTransfer factors")
    echo_table(info["factors"], ["factor", "present", "note"], empty="  (none recorded)")
    measured = [
        {"code": m["code"], "level": m["level"], **m["measurements"]}
        for m in info["measures"]
        if any(m["measurements"].values())
    ]
    click.echo("\nMeasurements")
    echo_table(measured, ["code", "level", "pre", "post", "follow_up"], empty="  (none imported)")
    click.echo("\nFeedback")
    echo_table(info["feedback"], ["id", "level", "theme", "cleared", "text"], empty="  (none)")


@intervention_group.command("import")
@click.argument("file", type=EXISTING_FILE)
@pass_app
def intervention_import(app: App, file: Path) -> None:
    """Add many interventions from a CSV, all or none.

    Columns: code, client, title, consultant, target_group, format, start, end,
    factors (codes of the transfer factors used, space-separated), sessions (ISO dates,
    space-separated), notes (optional). Clients are created on first sight.
    """
    from kirkpatrick.services import records

    with app.transaction() as s:
        added = records.import_interventions(s, file)
        click.echo(f"Imported {len(added)} interventions from {file}.")


# ------------------------------------------------------------------ session


@main.group("session", cls=FriendlyGroup)
def session_group() -> None:
    """Dated sessions of an intervention (spacing between them is derived)."""


@session_group.command("add")
@click.argument("code")
@click.argument("dates", nargs=-1, required=True, metavar="DATE...")
@pass_app
def session_add(app: App, code: str, dates: tuple[str, ...]) -> None:
    """Add one or more session DATEs (YYYY-MM-DD) to intervention CODE.

    Example: kirkpatrick session add NRB-LG-2024 2024-02-01 2024-03-07 2024-04-11
    """
    from kirkpatrick.services import records

    with app.transaction() as s:
        added = records.add_sessions(s, code, dates)
        click.echo(f"Added {len(added)} session(s) to {code}.")


# ------------------------------------------------------------------ factor


@main.group("factor", cls=FriendlyGroup)
def factor_group() -> None:
    """Transfer factors an intervention used (Lacerenza et al. 2017)."""


@factor_group.command("set")
@click.argument("code")
@click.argument("factor", type=_choices(TransferFactor), metavar="FACTOR")
@click.option("--present/--absent", required=True, help="Whether the intervention used the factor.")
@click.option("--note", help="How it was used, e.g. 'behovsanalys med ledningsgruppen'.")
@pass_app
def factor_set(app: App, code: str, factor: str, present: bool, note: str | None) -> None:
    """Record whether intervention CODE used transfer FACTOR.

    FACTOR is one of: needs_analysis, spaced_sessions, peer_support, psychological_safety,
    supervisor_support, practice_feedback, on_the_job_application.

    Example: kirkpatrick factor set NRB-LG-2024 needs_analysis --present --note "Intervjuer"
    """
    from kirkpatrick.services import records

    with app.transaction() as s:
        records.set_factor(s, code, factor, present, note)
        click.echo(f"{code}: {factor} {'present' if present else 'absent'}.")


@factor_group.command("list")
@click.argument("code")
@json_option
@pass_app
def factor_list(app: App, code: str, as_json: bool) -> None:
    """List the seven transfer factors for intervention CODE (present, absent or not recorded)."""
    from kirkpatrick.services import records

    with app.reading() as s:
        rows = records.list_factors(s, code)
    echo_json(rows) if as_json else echo_table(rows, ["factor", "present", "note"])


# ------------------------------------------------------------------ measure


@main.group("measure", cls=FriendlyGroup)
def measure_group() -> None:
    """The measures catalogue, shared across interventions."""


@measure_group.command("add")
@click.argument("code")
@click.option("--name", required=True, help="Name shown in reports.")
@click.option("--level", type=_choices(Level), required=True, help="Kirkpatrick level.")
@click.option("--scale-min", required=True, help="Lowest possible value.")
@click.option("--scale-max", required=True, help="Highest possible value.")
@click.option("--lower-is-better", is_flag=True, help="For measures such as sick leave, where less is better.")
@click.option("--reliability", default="", help="Reliability (e.g. Cronbach's alpha) for reliable change.")
@click.option("--items", default="", help="Item codes, space-separated; '-' before a code marks it reverse-scored.")
@pass_app
def measure_add(
    app: App,
    code: str,
    name: str,
    level: str,
    scale_min: str,
    scale_max: str,
    lower_is_better: bool,
    reliability: str,
    items: str,
) -> None:
    """Add measure CODE to the catalogue.

    Example: kirkpatrick measure add lf --name Ledarbeteende --level behaviour
    --scale-min 1 --scale-max 5 --reliability 0.85 --items "lf_1 lf_2 -lf_3"
    """
    from kirkpatrick.services import records
    from kirkpatrick.services.records import MeasureFields

    fields = MeasureFields(
        code, name, level, scale_min, scale_max, "false" if lower_is_better else "true", reliability, items
    )
    with app.transaction() as s:
        measure = records.add_measure(s, fields)
        click.echo(f"Added measure {measure.code} ({measure.level.value}).")


@measure_group.command("list")
@json_option
@pass_app
def measure_list(app: App, as_json: bool) -> None:
    """List the measures catalogue."""
    from kirkpatrick.services import records

    with app.reading() as s:
        rows = records.list_measures(s)
    if as_json:
        echo_json(rows)
    else:
        echo_table(rows, ["code", "level", "scale_min", "scale_max", "higher_is_better", "reliability", "name"])


@measure_group.command("import")
@click.argument("file", type=EXISTING_FILE)
@pass_app
def measure_import(app: App, file: Path) -> None:
    """Add the measures of a catalogue CSV, all or none.

    Columns: code, name, level, scale_min, scale_max, higher_is_better, reliability, items.
    """
    from kirkpatrick.services import records

    with app.transaction() as s:
        added = records.import_measures(s, file)
        click.echo(f"Imported {len(added)} measures from {file}.")


# ------------------------------------------------------------------ feedback


@main.group("feedback", cls=FriendlyGroup)
def feedback_group() -> None:
    """Quotes and comments from participants; only cleared ones reach client reports."""


@feedback_group.command("add")
@click.argument("code")
@click.argument("text")
@click.option("--level", type=_choices(Level), help="Kirkpatrick level the quote speaks to.")
@click.option("--theme", help="Short theme, e.g. 'verktyg' or 'bemötande'.")
@click.option("--cleared", is_flag=True, help="Cleared by the participant for client reports.")
@pass_app
def feedback_add(app: App, code: str, text: str, level: str | None, theme: str | None, cleared: bool) -> None:
    """Add a feedback quote TEXT to intervention CODE.

    Example: kirkpatrick feedback add NRB-LG-2024 "Jag har fått konkreta verktyg." --level behaviour --cleared
    """
    from kirkpatrick.services import records

    with app.transaction() as s:
        item = records.add_feedback(s, code, text, level=level, theme=theme, cleared=cleared)
        click.echo(f"Added feedback #{item.id} to {code}{' (cleared)' if cleared else ''}.")


@feedback_group.command("list")
@click.argument("code")
@json_option
@pass_app
def feedback_list(app: App, code: str, as_json: bool) -> None:
    """List the feedback of intervention CODE."""
    from kirkpatrick.services import records

    with app.reading() as s:
        rows = records.list_feedback(s, code)
    echo_json(rows) if as_json else echo_table(rows, ["id", "level", "theme", "cleared", "text"])
