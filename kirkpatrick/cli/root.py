"""The root command group ``kirkpatrick`` and its ``--db`` option; each command family's module
registers its commands on :data:`main` (``kirkpatrick/cli/__init__.py`` imports them all)."""

from __future__ import annotations

import click

from kirkpatrick.cli._common import App, FriendlyGroup
from kirkpatrick.storage import location


@click.group(cls=FriendlyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help=f"Database URL (SQLAlchemy form). Default: ${location.ENV_VAR}, else {location.DEFAULT_URL}.",
)
@click.version_option(package_name="kirkpatrick")
@click.pass_context
def main(ctx: click.Context, db_url: str | None) -> None:
    """Track whether leadership development works, on Kirkpatrick's four levels.

    Consultants log interventions, sessions, transfer factors and feedback; HR imports
    pre/post measurements; everyone gets effect sizes with confidence intervals and
    self-contained reports in Swedish or English.

    \b
    Start with:
      kirkpatrick init
      kirkpatrick demo --out demo      # sample data in, reports out
    """
    ctx.obj = App(url=location.resolve_url(db_url))
    ctx.call_on_close(ctx.obj.close)


# Registering the command families (imported for their side effect on ``main``).
