"""The ``kirkpatrick`` command line: parse, call the library, print. No SQL, no statistics here.

Each command family lives in its own module and registers itself on ``main``.
"""

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
from kirkpatrick.cli import contract as _contract  # noqa: E402,F401
from kirkpatrick.cli import demo as _demo  # noqa: E402,F401
from kirkpatrick.cli import editing as _editing  # noqa: E402,F401
from kirkpatrick.cli import importing as _importing  # noqa: E402,F401
from kirkpatrick.cli import portfolio as _portfolio  # noqa: E402,F401
from kirkpatrick.cli import records as _records  # noqa: E402,F401
from kirkpatrick.cli import reporting as _reporting  # noqa: E402,F401
from kirkpatrick.cli import survey as _survey  # noqa: E402,F401
from kirkpatrick.cli import trust as _trust  # noqa: E402,F401
from kirkpatrick.cli import web as _web  # noqa: E402,F401

__all__ = ["main"]
