"""Commands for keeping data safe: backup, restore, erasure (participant forget, intervention
delete) and the audit log of erasures."""

from __future__ import annotations

from pathlib import Path

import click

from kirkpatrick.cli._common import App, FriendlyGroup, echo_json, echo_table, json_option, pass_app
from kirkpatrick.cli.records import intervention_group
from kirkpatrick.cli.root import main


def _rows(removed: dict[str, int]) -> str:
    return ", ".join(f"{n} {table}" for table, n in removed.items()) or "nothing"


# ------------------------------------------------------------------ backup / restore


@main.command("backup")
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (gzip-compressed JSON lines), e.g. kirkpatrick-2025-01-31.kpbackup.",
)
@pass_app
def backup_command(app: App, out: Path) -> None:
    """Write the whole database (every table, with its schema version) to one portable file.

    The file loads into an empty database of either backend with `kirkpatrick restore`.
    It is written from one consistent snapshot, so it is safe to run while others import.

    Example: kirkpatrick backup -o kirkpatrick-2025-01-31.kpbackup
    """
    from kirkpatrick.storage import backup as backups

    summary = backups.backup(app.engine, out)
    click.echo(f"Wrote {summary.total} rows from {len(summary.rows)} tables (schema {summary.schema}) to {out}.")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--db", "db_url", metavar="URL", help="Database to load into (overrides the global --db); it must be empty."
)
@pass_app
def restore_command(app: App, file: Path, db_url: str | None) -> None:
    """Load a backup into an empty database (SQLite or PostgreSQL); all rows or none.

    This is how to move to a PostgreSQL server: back up the SQLite file, create an empty
    database on the server, restore into it, then point KIRKPATRICK_DB at the server.

    Example: kirkpatrick restore kirkpatrick-2025-01-31.kpbackup --db postgresql+psycopg://hr@dbserver/kirkpatrick
    """
    from kirkpatrick.storage import backup as backups
    from kirkpatrick.storage import db

    target = App(url=db_url) if db_url else app
    try:
        summary = backups.restore(target.raw_engine, file)
        where = target.raw_engine.url.render_as_string(hide_password=True)
    finally:
        if target is not app:
            target.close()
    click.echo(
        f"Restored {summary.total} rows into {len(summary.rows)} tables of {where} "
        f"(backup schema {summary.schema}, now {db.head_revision()})."
    )


# ------------------------------------------------------------------ erasure


@intervention_group.command("delete")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Really delete; without it, only show what would be removed.")
@json_option
@pass_app
def intervention_delete(app: App, code: str, yes: bool, as_json: bool) -> None:
    """Delete an intervention with its sessions, transfer factors, participants, measurements
    and feedback (its client stays). Needs --yes; an audit entry records the deletion.

    Example: kirkpatrick intervention delete NRB-LG-2024 --yes
    """
    from kirkpatrick.storage import erasure

    if not yes:
        with app.reading() as s:
            contents = erasure.intervention_contents(s, code)
        raise click.ClickException(
            f"deleting intervention {code} would remove {_rows(contents)}; nothing removed: add --yes to delete it"
        )
    with app.transaction() as s:
        done = erasure.delete_intervention(s, code)
    if as_json:
        echo_json(done.as_dict())
        return
    click.echo(
        f"Deleted intervention {done.intervention}: removed {_rows(done.removed)} (audit entry {done.audit_id})."
    )


@main.group("participant", cls=FriendlyGroup)
def participant_group() -> None:
    """Participants of an intervention (pseudonymous codes), including erasure of one."""


@participant_group.command("forget")
@click.argument("intervention")
@click.argument("code")
@json_option
@pass_app
def participant_forget(app: App, intervention: str, code: str, as_json: bool) -> None:
    """Erase a participant: their measurements, item responses (with or without a score) and record.

    Leaves an audit entry without personal data (not the code, not the values) and says which
    statistics changed. Backups made before keep the data: renew or delete them.

    Example: kirkpatrick participant forget NRB-LG-2024 p007
    """
    from kirkpatrick.storage import erasure

    with app.transaction() as s:
        done = erasure.forget_participant(s, intervention, code)
    if as_json:
        echo_json(done.as_dict())
        return
    click.echo(
        f"Erased participant {code} of {done.intervention}: removed {_rows(done.removed)} "
        f"(audit entry {done.audit_id}, which does not name the participant)."
    )
    if done.changed:
        click.echo(f"The statistics of {done.intervention} changed; reports made before now are out of date:")
        for c in done.changed:
            click.echo(f"  {c.measure}: {c.participants_after} participants with values (was {c.participants_before})")
    else:
        click.echo("The participant had no measurements, so no statistics changed.")


@participant_group.command("export")
@click.argument("intervention")
@click.argument("code")
@pass_app
def participant_export(app: App, intervention: str, code: str) -> None:
    """Everything stored about one participant, as JSON (their copy under the GDPR): record,
    measurements, item answers kept without a score, their own survey answers, invitations and
    e-mail addresses.

    Example: kirkpatrick participant export NRB-LG-2024 p007 > p007.json
    """
    import json

    from kirkpatrick.collect import privacy

    with app.reading() as s:
        click.echo(json.dumps(privacy.export_participant(s, intervention, code), ensure_ascii=False, indent=2))


@main.command("audit")
@json_option
@pass_app
def audit_command(app: App, as_json: bool) -> None:
    """List the erasures done so far (participant forget, intervention delete), oldest first.

    Example: kirkpatrick audit --json
    """
    from kirkpatrick.storage import erasure

    with app.reading() as s:
        entries = erasure.list_audit(s)
    if as_json:
        echo_json(entries)
        return
    echo_table(
        [{**e, "removed": _rows(e["removed"])} for e in entries], ["id", "at", "action", "intervention", "removed"]
    )
