"""``kirkpatrick serve`` and ``kirkpatrick user add``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kirkpatrick.cli._common import App, pass_app
from kirkpatrick.cli.root import main

if TYPE_CHECKING:
    from kirkpatrick.collect.schedule import SendScheduler


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--production", is_flag=True, help="Refuse to start without a secret key; Secure cookies (behind TLS).")
@click.option("--demo", is_flag=True, help="Build the demo in ./kirkpatrick-demo (database, reports), serve it.")
@click.option(
    "--send-every",
    type=click.IntRange(1, 24 * 60),
    metavar="MINUTES",
    help="Also send due survey invitations and reminders every MINUTES (as 'survey send'; off by default).",
)
@pass_app
def serve(app: App, host: str, port: int, production: bool, demo: bool, send_every: int | None) -> None:
    """Serve the web application (development server; use gunicorn in production, see docs/web.md).

    With --send-every the server also sends what is due (needs $KIRKPATRICK_SMTP_URL). Under
    gunicorn, run one 'kirkpatrick survey send --every SECONDS' or a systemd timer instead.

    Example: kirkpatrick serve --port 8000 --send-every 15
    """
    from kirkpatrick.services import accounts
    from kirkpatrick.storage import db
    from kirkpatrick.web import create_app

    url = app.url
    if demo:
        from kirkpatrick.demo.steps import default_out_dir, run_demo

        folder = default_out_dir(Path.cwd())
        run = run_demo(folder, click.echo)
        url = run.url
        click.echo(f"Demo database and reports in {folder}; sign in as one of (password {accounts.DEMO_PASSWORD}):")
        for email, role, org in accounts.DEMO_USERS:
            click.echo(f"  {email:24} {role.value:10} {org or ''}")
    engine = db.make_engine(url)
    if db.current_revision(engine) is None:
        db.init_db(engine)
    db.require_current(engine)
    with db.reading(engine) as s:
        if accounts.count_users(s) == 0:
            click.echo(
                "No users yet. Create the first administrator:\n  kirkpatrick user add you@example.org --role admin"
            )
    engine.dispose()
    web = create_app(url, production=production)
    scheduler = _scheduler(url, send_every) if send_every else None
    click.echo(f"Serving on http://{host}:{port}/ (Ctrl-C to stop)")
    try:
        web.run(host=host, port=port, debug=False, use_reloader=False)
    finally:
        if scheduler is not None:
            scheduler.stop()


def _scheduler(url: str, minutes: int) -> SendScheduler:
    """Send what is due every ``minutes`` in a thread of this process (its own engine)."""
    import os

    from kirkpatrick.collect import mail
    from kirkpatrick.collect.schedule import SendScheduler
    from kirkpatrick.storage import db

    if not os.environ.get(mail.SMTP_ENV):
        raise click.UsageError(f"--send-every needs ${mail.SMTP_ENV} (smtp://user:password@host:587)")
    engine = db.make_engine(url)
    click.echo(f"Sending due survey invitations and reminders every {minutes} min")
    return SendScheduler(lambda: mail.send_due_now(engine), minutes * 60.0, close=engine.dispose).start()


@main.group("user")
def user() -> None:
    """Users of the web application."""


@user.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["admin", "consultant", "hr", "client"]))
@click.option("--org", "organisation", metavar="NAME", help="Organisation (created if new); required except for admin.")
@pass_app
def user_add(app: App, email: str, role: str, organisation: str | None) -> None:
    """Add a user. The password is prompted for, or read from standard input when that is not a terminal.

    Example: kirkpatrick user add hr@norrby.se --role hr --org "Norrby kommun"
    """
    from kirkpatrick.services import accounts

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    with app.transaction() as s:
        added = accounts.create_user(s, email, password, role, organisation)
        accounts.audit(s, "command line", "user_add", added.email, role, organisation_id=added.organisation_id)
    click.echo(f"Added {added.email} ({role}{', ' + added.organisation if added.organisation else ''})")
