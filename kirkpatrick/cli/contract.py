"""Commands for contract follow-up: ``contract`` (add, list, show, call-off, delivery import, report)
and ``interview`` (add, import, list, quote add, quote import)."""

from __future__ import annotations

from pathlib import Path

import click

from kirkpatrick.cli._common import App, FriendlyGroup, echo_json, echo_table, json_option, pass_app
from kirkpatrick.cli.root import main
from kirkpatrick.domain import policy
from kirkpatrick.domain.vocab import Format, QuoteTheme

EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@main.group("contract", cls=FriendlyGroup)
def contract_group() -> None:
    """Framework agreements: their call-offs, delivery summaries, follow-up and report."""


@contract_group.command("add")
@click.argument("code")
@click.option("--reg", "registration_number", required=True, help="Registration number (diarienummer).")
@click.option("--title", required=True, help="Title of the contract.")
@click.option("--buyer", required=True, help="Buying organisation (a client; created if new).")
@click.option("--supplier", required=True, help="Supplier.")
@click.option("--start", required=True, metavar="YYYY-MM-DD", help="Start of the contract period.")
@click.option("--end", required=True, metavar="YYYY-MM-DD", help="End of the contract period.")
@click.option("--scale", default="1-5", show_default=True, help="Grading scale of the award criteria.")
@click.option(
    "--criterion",
    "criteria",
    multiple=True,
    metavar="CODE[=NAME]",
    help="An award criterion (repeat; default: target_group_fit, feasibility, credibility, efficiency).",
)
@click.option(
    "--service",
    "services",
    multiple=True,
    metavar="FORMAT[=SESSIONS]",
    help=f"A contracted service with its volume in sessions, if any (repeat). Formats: {', '.join(Format)}.",
)
@click.option("--notes", help="Free-text notes (not shown in reports).")
@pass_app
def contract_add(
    app: App,
    code: str,
    registration_number: str,
    title: str,
    buyer: str,
    supplier: str,
    start: str,
    end: str,
    scale: str,
    criteria: tuple[str, ...],
    services: tuple[str, ...],
    notes: str | None,
) -> None:
    """Register a framework agreement under a unique CODE.

    Example: kirkpatrick contract add GRN-COACH-2024 --reg 125-1210/2024
    --title "Coachning av chefer, grupper och individer" --buyer "Granlida stad"
    --supplier "Coachhuset AB" --start 2024-01-01 --end 2025-12-31
    --service individual_coaching=300 --service group_coaching=60 --service leadership_group_development
    """
    from kirkpatrick.services import contracts

    fields = contracts.ContractFields(
        registration_number, title, buyer, supplier, start, end, scale, criteria, services, notes
    )
    with app.transaction() as s:
        contract = contracts.add_contract(s, code, fields)
        click.echo(f"Added contract {contract.code} ({contract.registration_number}): {contract.title}.")


@contract_group.command("list")
@json_option
@pass_app
def contract_list(app: App, as_json: bool) -> None:
    """List contracts with buyer, supplier, period, call-offs and interviews."""
    from kirkpatrick.services import contracts

    with app.reading() as s:
        rows = contracts.list_contracts(s)
    if as_json:
        echo_json(rows)
    else:
        columns = ["code", "registration_number", "buyer", "supplier", "start", "end", "call_offs", "interviews"]
        echo_table(rows, columns)


@contract_group.command("show")
@click.argument("code")
@json_option
@pass_app
def contract_show(app: App, code: str, as_json: bool) -> None:
    """Show contract CODE: criteria, services, call-offs, deliveries and follow-up counts."""
    from kirkpatrick.services import contracts

    with app.reading() as s:
        info = contracts.describe_contract(s, code)
    if as_json:
        echo_json(info)
        return
    click.echo(f"{info['code']}: {info['title']}")
    for label, value in [
        ("reg. no.", info["registration_number"]),
        ("buyer", info["buyer"]),
        ("supplier", info["supplier"]),
        ("period", f"{info['start']} to {info['end']}"),
        ("scale", "-".join(map(str, info["scale"]))),
        ("criteria", ", ".join(c["code"] + (f" ({c['name']})" if c["name"] else "") for c in info["criteria"])),
        ("call-offs", ", ".join(info["call_offs"]) or "-"),
        ("interviews", f"{info['interviews']} ({info['quotes']} quotes, {info['quotes_cleared']} cleared)"),
    ]:
        click.echo(f"  {label:<11} {value}")
    click.echo("\nServices")
    echo_table(info["services"], ["format", "volume"], empty="  (none)")
    click.echo("\nDelivered (supplier's summary)")
    echo_table(info["deliveries"], ["service", "period_start", "period_end", "sessions", "participants"])


@contract_group.command("call-off")
@click.argument("code")
@click.argument("interventions", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Unlink the interventions instead.")
@pass_app
def contract_call_off(app: App, code: str, interventions: tuple[str, ...], remove: bool) -> None:
    """Link INTERVENTIONS to contract CODE as its call-offs (or --remove them).

    Example: kirkpatrick contract call-off GRN-COACH-2024 GRN-IND-2024 GRN-LG-2024
    """
    from kirkpatrick.services import contracts

    with app.transaction() as s:
        done = contracts.set_call_offs(s, code, interventions, remove=remove)
    click.echo(f"{'Unlinked' if remove else 'Linked'} {', '.join(done)} {'from' if remove else 'to'} {code}.")


@contract_group.group("delivery", cls=FriendlyGroup)
def delivery_group() -> None:
    """The supplier's delivery summaries."""


@delivery_group.command("import")
@click.argument("code")
@click.argument("file", type=EXISTING_FILE)
@pass_app
def delivery_import(app: App, code: str, file: Path) -> None:
    """Import a supplier's delivery summary (CSV or XLSX) for contract CODE: all rows or none.

    Columns: service, period_start, period_end, sessions, participants (optional), note (optional).

    Example: kirkpatrick contract delivery import GRN-COACH-2024 leverans.csv
    """
    from kirkpatrick.services import contracts

    with app.transaction() as s:
        added = contracts.import_delivery(s, code, file)
    click.echo(f"Imported {len(added)} delivery rows into {code}.")


@contract_group.command("report")
@click.argument("code")
@click.option(
    "-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="HTML file to write."
)
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True, help="Report language.")
@click.option("--pdf", type=click.Path(dir_okay=False, path_type=Path), help="Also write the report as PDF.")
@click.option(
    "--min-group",
    type=click.IntRange(min=1),
    default=policy.DEFAULT_MIN_GROUP,
    show_default=True,
    help="Anonymity threshold: no grade figures for a criterion with fewer graders.",
)
@pass_app
def contract_report(app: App, code: str, out: Path, lang: str, pdf: Path | None, min_group: int) -> None:
    """Write the follow-up report of contract CODE as one self-contained HTML file.

    Example: kirkpatrick contract report GRN-COACH-2024 -o uppfoljning.html --lang sv --pdf uppfoljning.pdf
    """
    from kirkpatrick.reports import contract as report
    from kirkpatrick.services import contracts

    with app.reading() as s:
        follow_up = contracts.follow_up(s, code, min_group=min_group)
    for path in report.write_report(follow_up, out, lang=lang, pdf=pdf):
        click.echo(f"Wrote {path}")


# ------------------------------------------------------------------ interviews


@main.group("interview", cls=FriendlyGroup)
def interview_group() -> None:
    """Follow-up interviews of a contract: pseudonymous interviewees, grades and quotes."""


@interview_group.command("add")
@click.argument("contract")
@click.argument("code")
@click.option("--role", required=True, help="The interviewee's role (never a name), e.g. rektor.")
@click.option("--unit", required=True, help="The interviewee's unit, e.g. Utbildningsförvaltningen.")
@click.option("--date", "date", required=True, metavar="YYYY-MM-DD", help="Date of the interview.")
@click.option("--interviewer", help="Who held the interview.")
@click.option("--grade", "grades", multiple=True, metavar="CRITERION=GRADE", help="A grade (repeat).")
@pass_app
def interview_add(
    app: App,
    contract: str,
    code: str,
    role: str,
    unit: str,
    date: str,
    interviewer: str | None,
    grades: tuple[str, ...],
) -> None:
    """Record follow-up interview CODE of CONTRACT with the interviewee's grades.

    Example: kirkpatrick interview add GRN-COACH-2024 I01 --role rektor --unit Utbildningsförvaltningen
    --date 2025-11-12 --interviewer "Upphandlingsenheten" --grade feasibility=5 --grade credibility=4
    """
    from kirkpatrick.services import contracts

    parsed: dict[str, str] = {}
    for g in grades:
        criterion, sep, value = g.partition("=")
        if not sep:
            raise click.BadParameter(f"{g!r} is not CRITERION=GRADE", param_hint="--grade")
        parsed[criterion.strip()] = value
    fields = contracts.InterviewFields(role, unit, date, interviewer, parsed)
    with app.transaction() as s:
        interview = contracts.add_interview(s, contract, code, fields)
        click.echo(f"Added interview {interview.code} to {contract} ({len(interview.grades)} grades).")


@interview_group.command("import")
@click.argument("contract")
@click.argument("file", type=EXISTING_FILE)
@pass_app
def interview_import(app: App, contract: str, file: Path) -> None:
    """Import interviews of CONTRACT from a CSV or XLSX file: all rows or none.

    One row per interview; columns interview, role, unit, date, interviewer, and one column per
    award-criterion code holding the grade (empty: not graded).

    Example: kirkpatrick interview import GRN-COACH-2024 intervjuer.csv
    """
    from kirkpatrick.services import contracts

    with app.transaction() as s:
        added = contracts.import_interviews(s, contract, file)
    click.echo(f"Imported {len(added)} interviews into {contract}.")


@interview_group.command("list")
@click.argument("contract")
@json_option
@pass_app
def interview_list(app: App, contract: str, as_json: bool) -> None:
    """List the interviews of CONTRACT with their grades and numbers of quotes."""
    from kirkpatrick.services import contracts

    with app.reading() as s:
        rows = contracts.list_interviews(s, contract)
    if as_json:
        echo_json(rows)
        return
    table = [
        {
            **{k: r[k] for k in ("interview", "date", "role", "unit")},
            "grades": " ".join(f"{c}={v}" for c, v in r["grades"].items()),
            "quotes": f"{len(r['quotes'])} ({sum(q['cleared'] for q in r['quotes'])} cleared)",
        }
        for r in rows
    ]
    echo_table(table, ["interview", "date", "role", "unit", "grades", "quotes"])


@interview_group.group("quote", cls=FriendlyGroup)
def quote_group() -> None:
    """What interviewees said, by theme; only cleared quotes reach the report."""


@quote_group.command("add")
@click.argument("contract")
@click.argument("interview")
@click.argument("text")
@click.option("--theme", required=True, type=click.Choice([t.value for t in QuoteTheme]), help="What it is about.")
@click.option("--cleared", is_flag=True, help="The interviewee cleared it for the report.")
@pass_app
def quote_add(app: App, contract: str, interview: str, text: str, theme: str, cleared: bool) -> None:
    """Add a quote TEXT from INTERVIEW of CONTRACT.

    Example: kirkpatrick interview quote add GRN-COACH-2024 I01 "Jag har fått konkreta verktyg."
    --theme quality_outcome --cleared
    """
    from kirkpatrick.services import contracts

    with app.transaction() as s:
        contracts.add_quote(s, contract, interview, text, theme=theme, cleared=cleared)
    click.echo(f"Added a quote to interview {interview} ({'cleared' if cleared else 'not cleared'}).")


@quote_group.command("import")
@click.argument("contract")
@click.argument("file", type=EXISTING_FILE)
@pass_app
def quote_import(app: App, contract: str, file: Path) -> None:
    """Import quotes for the interviews of CONTRACT (columns interview, theme, text, cleared).

    Example: kirkpatrick interview quote import GRN-COACH-2024 citat.csv
    """
    from kirkpatrick.services import contracts

    with app.transaction() as s:
        added = contracts.import_quotes(s, contract, file)
    click.echo(f"Imported {len(added)} quotes ({sum(q.cleared for q in added)} cleared) into {contract}.")
