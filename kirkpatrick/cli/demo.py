"""``kirkpatrick demo``."""

from __future__ import annotations

from pathlib import Path

import click

from kirkpatrick.cli.root import main


@main.command("demo")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to create (must be new or empty). Default: ./kirkpatrick-demo.",
)
def demo_command(out: Path | None) -> None:
    """Run the whole tool on the fictional sample data: build a database, compute, write reports.

    Uses its own SQLite database inside the folder; --db is ignored.

    Example: kirkpatrick demo --out demo
    """
    from kirkpatrick.demo import steps as demo

    out = out or demo.default_out_dir(Path.cwd())
    click.echo(f"Demo in {out}")
    run = demo.run_demo(out, click.echo)
    if run.written:
        click.echo("\nWritten:")
        for path in run.written:
            click.echo(f"  {path}")
