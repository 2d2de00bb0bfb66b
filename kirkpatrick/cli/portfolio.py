"""Commands: portfolio (a meta-analysis of one's own interventions), portfolio export, cases."""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kirkpatrick.cli._common import App, FriendlyGroup, echo_json, echo_table, json_option, pass_app
from kirkpatrick.cli.root import main
from kirkpatrick.domain import policy
from kirkpatrick.domain.vocab import Format, Level

if TYPE_CHECKING:
    from kirkpatrick.services import portfolio as portfolio_lib

F = TypeVar("F", bound=Callable[..., Any])
_FILTER_KEYS = ("client", "consultant", "format_", "since", "until", "min_group")


def filter_options(f: F) -> F:
    """The options that choose the interventions (shared by ``portfolio`` and ``portfolio export``)."""
    for option in reversed(
        [
            click.option("--client", metavar="NAME", help="Only this client's interventions (exact name)."),
            click.option("--consultant", metavar="NAME", help="Only this consultant's interventions."),
            click.option(
                "--format",
                "format_",
                type=click.Choice([m.value for m in Format], case_sensitive=False),
                help="Only interventions of this format.",
            ),
            click.option("--since", metavar="DATE", help="Only interventions that started on or after DATE."),
            click.option("--until", metavar="DATE", help="Only interventions that ended on or before DATE."),
            click.option(
                "--min-group",
                type=int,
                default=None,
                help=f"Anonymity threshold: leave out an intervention's level with fewer participants "
                f"(default {policy.DEFAULT_MIN_GROUP}).",
            ),
        ]
    ):
        f = option(f)
    return f


def _filters(values: dict[str, Any]) -> tuple[portfolio_lib.PortfolioFilters, int]:
    from kirkpatrick.services import portfolio as portfolio_lib
    from kirkpatrick.services.records import parse_date

    def date(name: str) -> dt.date | None:
        text = values.get(name)
        return parse_date(text, what=f"--{name} date") if text else None

    fmt = values.get("format_")
    filters = portfolio_lib.PortfolioFilters(
        client=values.get("client"),
        consultant=values.get("consultant"),
        format=Format(fmt.lower()) if fmt else None,
        since=date("since"),
        until=date("until"),
    )
    min_group = values.get("min_group")
    return filters, policy.DEFAULT_MIN_GROUP if min_group is None else min_group


def _build(app: App, values: dict[str, Any]) -> portfolio_lib.Portfolio:
    from kirkpatrick.services import portfolio as portfolio_lib

    filters, min_group = _filters(values)
    with app.reading() as s:
        return portfolio_lib.build(s, filters, min_group=min_group)


@main.group("portfolio", cls=FriendlyGroup, invoke_without_command=True)
@filter_options
@json_option
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the HTML report to this file.",
)
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True, help="Report language.")
@click.option("--pdf", type=click.Path(dir_okay=False, path_type=Path), help="Also write a PDF (needs Chromium).")
@click.pass_context
def portfolio_group(
    ctx: click.Context, /, as_json: bool, output: Path | None, lang: str, pdf: Path | None, **values: Any
) -> None:
    """Your interventions as a meta-analysis: effect per level, heterogeneity, transfer factors.

    Per intervention and level the effect is the standardized mean change (pre to post); per
    level a random-effects model (REML, Knapp-Hartung) pools them, compared with Lacerenza et
    al. (2017); each transfer factor is tested as a moderator.

    \b
    Examples:
      kirkpatrick portfolio                          # summary table
      kirkpatrick portfolio --client "Norrby kommun, Socialkontoret" --json
      kirkpatrick portfolio -o portfolio.html --lang en
      kirkpatrick portfolio export -o effects.csv    # for metafor in R
    """
    ctx.meta["portfolio.filters"] = values
    if ctx.invoked_subcommand is not None:
        if as_json or output or pdf:
            raise click.UsageError("--json, -o and --pdf belong to `portfolio` itself, not with a subcommand")
        return
    app = ctx.find_object(App)
    assert app is not None
    result = _build(app, values)
    if output or pdf:
        from kirkpatrick.reports import portfolio as portfolio_report

        written = portfolio_report.write(result, html=output, pdf=pdf, lang=lang)
        for path in written:
            click.echo(f"Wrote {path}", err=as_json)
    if as_json:
        echo_json(result.to_dict())
    elif not (output or pdf):
        _echo_summary(result)


def _fmt(x: float, digits: int = 2) -> str:
    return "-" if x != x else f"{x:.{digits}f}"


def _echo_summary(p: portfolio_lib.Portfolio) -> None:
    click.echo(f"{len(p.interventions)} interventions; random effects (REML, Knapp-Hartung CI)")
    rows = []
    for lv in p.levels:
        r = lv.pooled
        rows.append(
            {
                "level": f"{lv.level.number} {lv.level.value}",
                "k": lv.k,
                "estimate": _fmt(r.estimate),
                "95% CI": f"{_fmt(r.ci_low)} to {_fmt(r.ci_high)}" if r.k >= 2 else "-",
                "PI": f"{_fmt(r.pi_low)} to {_fmt(r.pi_high)}" if math.isfinite(r.pi_low) else "-",
                "tau2": _fmt(r.tau2, 3),
                "I2 %": _fmt(r.I2, 0),
                "benchmark": f"{lv.benchmark.estimate:.2f}",
                "vs benchmark": lv.comparison,
            }
        )
    echo_table(rows, ["level", "k", "estimate", "95% CI", "PI", "tau2", "I2 %", "benchmark", "vs benchmark"])
    click.echo("")
    click.echo("Transfer factors, behaviour level (used minus not used):")
    frows = [
        {
            "factor": f.factor.value,
            "k used": f.k_used,
            "k not": f.k_not_used,
            "difference": _fmt(f.difference),
            "95% CI": f"{_fmt(f.ci_low)} to {_fmt(f.ci_high)}" if f.reason is None else "-",
            "p": _fmt(f.p, 3),
            "note": f.reason or "",
        }
        for f in p.factors_at(Level.BEHAVIOUR)
    ]
    echo_table(frows, ["factor", "k used", "k not", "difference", "95% CI", "p", "note"])
    click.echo("Observational comparison of your own interventions: differences are not causal effects.")


@portfolio_group.command("export")
@filter_options
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="CSV file to write ('-' for standard output).",
)
@click.pass_context
def portfolio_export(ctx: click.Context, /, output: Path, **values: Any) -> None:
    """Write one row per intervention and level (code, level, yi, vi, n, a 0/1 column per factor).

    The same numbers the report pools; check them in R with
    metafor::rma(yi, vi, data = subset(d, level == "behaviour"), method = "REML", test = "knha").

    Example: kirkpatrick portfolio export -o effects.csv
    """
    from kirkpatrick.services import portfolio as portfolio_lib

    merged = {k: v for k, v in (ctx.meta.get("portfolio.filters") or {}).items() if v is not None}
    merged.update({k: v for k, v in values.items() if v is not None})
    app = ctx.find_object(App)
    assert app is not None
    result = _build(app, merged)
    if str(output) == "-":
        n = portfolio_lib.write_export(result, sys.stdout)
        return
    tmp = output.with_name(output.name + ".part")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        n = portfolio_lib.write_export(result, f)
    tmp.replace(output)
    click.echo(f"Wrote {n} rows ({len(result.interventions)} interventions) to {output}")


@main.command("cases")
@click.argument("code")
@click.option(
    "--top", type=click.IntRange(min=1), default=3, show_default=True, help="How many participants at each end."
)
@json_option
@pass_app
def cases_command(app: App, code: str, top: int, as_json: bool) -> None:
    """Success cases (Brinkerhoff): whom to interview. For the consultant only.

    Lists the pseudonymous participants with the largest and the smallest reliable change
    (Jacobson-Truax) at level 3 (behaviour). Never put this list in a client report.

    Example: kirkpatrick cases NRB-LG-2024 --top 3
    """
    from kirkpatrick.services import success_cases as cases_lib

    with app.reading() as s:
        result = cases_lib.success_cases(s, code, top=top)
    click.echo(cases_lib.WARNING, err=True)
    if as_json:
        echo_json(result.to_dict())
        return
    click.echo(f"{result.code}: {result.n} participants with a level-3 reliable change index")
    for title, rows in (
        ("Largest change (success cases)", result.largest),
        ("Smallest change (non-success cases)", result.smallest),
    ):
        click.echo("")
        click.echo(title)
        echo_table([r.to_dict() for r in rows], ["participant", "rci", "outcomes", "reliable"])
