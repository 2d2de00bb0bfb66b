"""Commands that change what was added: a measure of the catalogue, a client, a participant's group
and role, a user. The web's forms call the same services (``services.catalogue``,
``services.participants``, ``services.accounts``)."""

from __future__ import annotations

import sys

import click

from kirkpatrick.cli._common import App, pass_app
from kirkpatrick.cli.records import _choices, client_group, measure_group
from kirkpatrick.cli.trust import participant_group
from kirkpatrick.cli.web import user
from kirkpatrick.domain.vocab import Group, Level


@measure_group.command("edit")
@click.argument("code")
@click.option("--name", help="Name shown in reports.")
@click.option("--level", type=_choices(Level), help="Kirkpatrick level.")
@click.option("--scale-min", help="Lowest possible value.")
@click.option("--scale-max", help="Highest possible value.")
@click.option("--lower-is-better/--higher-is-better", default=None, help="Which direction is improvement.")
@click.option("--reliability", help="Reliability between 0 and 1; an empty value removes it.")
@click.option("--items", help="Item codes, space-separated; '-' before a code marks it reverse-scored.")
@click.option("--wording", help="Wordings of the question, separated by '|'.")
@click.option("--labels", help="Answer labels from the lowest value, separated by '|'.")
@click.option("--no-answer", help="Labels that mean no answer, separated by '|'.")
@click.option("--item-wording", multiple=True, metavar="ITEM|WORDING[|WORDING]", help="An item's wording (repeat).")
@pass_app
def measure_edit(
    app: App, /, code: str, lower_is_better: bool | None, item_wording: tuple[str, ...], **given: str | None
) -> None:
    """Change the given fields of measure CODE; the others stay as they are. Level, scale and
    items cannot change while values or questionnaire questions use the measure.

    Example: kirkpatrick measure edit lf --reliability 0.86 --item-wording "lf_3|Min chef lyssnar sällan"
    """
    from dataclasses import replace

    from kirkpatrick.services import catalogue, records

    changes = {k: v for k, v in given.items() if v is not None}
    if lower_is_better is not None:
        changes["higher_is_better"] = "false" if lower_is_better else "true"
    if not changes and not item_wording:
        raise click.UsageError("nothing to change: give at least one option")
    with app.transaction() as s:
        fields = replace(catalogue.measure_fields(records.get_measure(s, code)), **changes)
        catalogue.edit_measure(s, code, fields, item_wording)
        click.echo(f"Updated measure {code}.")


@client_group.command("edit")
@click.argument("name")
@click.option("--name", "new_name", help="New name.")
@click.option("--unit", help="Department or unit; an empty value removes it.")
@pass_app
def client_edit(app: App, name: str, new_name: str | None, unit: str | None) -> None:
    """Rename client NAME or change its unit.

    Example: kirkpatrick client edit "Norrby kommun" --unit Socialtjänsten
    """
    from kirkpatrick.services import catalogue, records

    if new_name is None and unit is None:
        raise click.UsageError("nothing to change: give --name or --unit")
    with app.transaction() as s:
        client = records.get_client(s, name)
        done = catalogue.edit_client(s, client.id, new_name or client.name, client.unit if unit is None else unit)
        click.echo(f"Updated client {done.name}.")


@participant_group.command("set")
@click.argument("intervention")
@click.argument("code")
@click.option("--group", type=_choices(Group), help="treatment (took part) or control (comparison group).")
@click.option("--role", help="The participant's role, e.g. enhetschef; an empty value removes it.")
@pass_app
def participant_set(app: App, intervention: str, code: str, group: str | None, role: str | None) -> None:
    """Set the group or role of participant CODE of INTERVENTION (an import sets them first).

    Example: kirkpatrick participant set NRB-LG-2024 p007 --group control
    """
    from kirkpatrick.services import participants

    if group is None and role is None:
        raise click.UsageError("nothing to change: give --group or --role")
    with app.transaction() as s:
        pid = participants.participant_id(s, intervention, code)
        current = participants.get_participant(s, intervention, pid)
        done = participants.set_participant(
            s, intervention, pid, group or current.group.value, current.role if role is None else role
        )
        click.echo(f"{intervention} {code}: {done.group.value}, role {done.role or '-'}.")


@user.command("edit")
@click.argument("email")
@click.option("--email", "new_email", help="New e-mail address.")
@click.option("--role", type=click.Choice(["admin", "consultant", "hr", "client"]), help="New role.")
@click.option("--org", "organisation", metavar="NAME", help="Organisation (created if new).")
@click.option("--password", "reset", is_flag=True, help="Set a new password (prompted for, or read from stdin).")
@pass_app
def user_edit(
    app: App, email: str, new_email: str | None, role: str | None, organisation: str | None, reset: bool
) -> None:
    """Change a user's e-mail address, role or organisation, or set a new password. A change of
    role, organisation or password signs the user out everywhere.

    Example: kirkpatrick user edit hr@norrby.se --role client
    """
    from kirkpatrick.services import accounts

    if not (new_email or role or organisation or reset):
        raise click.UsageError("nothing to change: give at least one option")
    password = None
    if reset:
        if sys.stdin.isatty():
            password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\r\n")
    with app.transaction() as s:
        current = accounts.find_user(s, email)
        done, changed = accounts.edit_user(
            s, current.id, new_email or current.email, role or current.role.value,
            current.organisation if organisation is None else organisation, password,
        )  # fmt: skip
        accounts.audit(s, "command line", "user_edit", done.email, ", ".join(changed) or "nothing")
    click.echo(f"Updated {done.email} ({', '.join(changed) or 'nothing changed'}).")
