"""Commands: ``stats`` (an intervention's results as a table or JSON) and ``report`` (HTML/PDF)."""

from __future__ import annotations

from pathlib import Path

import click

from kirkpatrick.cli._common import App, echo_json, json_option, pass_app
from kirkpatrick.cli.root import main
from kirkpatrick.domain import policy

min_group_option = click.option(
    "--min-group",
    type=click.IntRange(min=1),
    default=policy.DEFAULT_MIN_GROUP,
    show_default=True,
    help="Anonymity threshold: no figure for a group with fewer respondents.",
)


@main.command("stats")
@click.argument("code")
@min_group_option
@json_option
@pass_app
def stats_command(app: App, code: str, min_group: int, as_json: bool) -> None:
    """Effect sizes of intervention CODE per level, measure and rater.

    Example: kirkpatrick stats NRB-LG-2024 --json
    """
    from kirkpatrick.reports import text as report_text
    from kirkpatrick.services import analysis

    with app.connecting() as c:
        result = analysis.analyse(c, code, min_group=min_group)
    if as_json:
        echo_json(result.to_dict())
    else:
        click.echo(report_text.stats_table(result))


@main.command("report")
@click.argument("code")
@click.option(
    "-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="HTML file to write."
)
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True, help="Report language.")
@click.option("--pdf", type=click.Path(dir_okay=False, path_type=Path), help="Also write the report as PDF.")
@min_group_option
@pass_app
def report_command(app: App, code: str, out: Path, lang: str, pdf: Path | None, min_group: int) -> None:
    """Write the evaluation report of intervention CODE as one self-contained HTML file.

    Example: kirkpatrick report NRB-LG-2024 -o norrby.html --lang sv --pdf norrby.pdf
    """
    from kirkpatrick.collect.tracking import response_tracking
    from kirkpatrick.reports import intervention as reports
    from kirkpatrick.services import analysis

    with app.connecting() as c:
        result = analysis.analyse(c, code, min_group=min_group)
        tracking = response_tracking(c, code)
    for path in reports.write_report(result, out, lang=lang, pdf=pdf, tracking=tracking):
        click.echo(f"Wrote {path}")
