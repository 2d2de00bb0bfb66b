"""Commands: ``import`` (measurements), ``export`` (measurements as long CSV), ``feedback import``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kirkpatrick.cli._common import App, LazyDefaultOption, echo_json, pass_app
from kirkpatrick.cli.records import feedback_group
from kirkpatrick.cli.root import main
from kirkpatrick.domain.vocab import Rater, SurveyTool, Wave

if TYPE_CHECKING:
    from kirkpatrick.io import surveys
    from kirkpatrick.io.importing import ImportSummary, Progress

EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
# Below this many lines an import is over before a progress bar would be worth drawing.
PROGRESS_FROM_LINES = 5_000


@main.command("import")
@click.argument("file", type=EXISTING_FILE)
@click.option("--intervention", metavar="CODE", help="Intervention the rows belong to (or an 'intervention' column).")
@click.option(
    "--layout",
    type=click.Choice(["long", "wide"]),
    help="long: one measurement per row; wide: one "
    "respondent per row, a column per measure or item. Default: long if there are measure and value columns.",
)
@click.option(
    "--wave",
    type=click.Choice([w.value for w in Wave], case_sensitive=False),
    help="Wave of every row (wide layout; in long layout, for rows without one).",
)
@click.option(
    "--rater",
    type=click.Choice([r.value for r in Rater], case_sensitive=False),
    help="Rater of every row without one. Default: self.",
)
@click.option("--delimiter", metavar="C", help="Field delimiter: ',' ';' or tab. Default: detected.")
@click.option("--decimal", type=click.Choice([",", "."]), help="Decimal mark. Default: detected.")
@click.option("--encoding", metavar="E", help="Text encoding, e.g. utf-8, cp1252. Default: detected.")
@click.option("--sheet", metavar="NAME", help="Sheet of an .xlsx file. Default: the first.")
@click.option(
    "--min-items",
    "min_items",
    type=click.FloatRange(0, 1),
    cls=LazyDefaultOption,
    default_from=("kirkpatrick.io.importing", "DEFAULT_MIN_ITEM_SHARE"),
    show_default=True,
    help="Share of a measure's items that must be answered for a scale score.",
)
@click.option(
    "--source",
    type=click.Choice([tool.value for tool in SurveyTool]),
    help="Survey tool that wrote the export. Default: detected (a file without a participant column is an export).",
)
@click.option("--participant", "participant_column", metavar="COLUMN", help="Export column naming the participant.")
@click.option("--keep-partial", is_flag=True, help="Keep unfinished responses of a survey export.")
@click.option(
    "--strict-people",
    is_flag=True,
    help="Refuse the export when a row names no one or an e-mail is not in the key file "
    "(default: leave such rows out).",
)
@click.option("--mapping", type=EXISTING_FILE, help="Mapping file (column,code) saved by --save-mapping.")
@click.option("--save-mapping", type=click.Path(dir_okay=False, path_type=Path), help="Write the column mapping here.")
@click.option("--key-file", type=EXISTING_FILE, help="CSV of e-mail,code for exports that identify people by e-mail.")
@click.option("--dry-run", is_flag=True, help="Validate and show what would be imported; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_app
def import_command(
    app: App,
    file: Path,
    intervention: str | None,
    layout: str | None,
    wave: str | None,
    rater: str | None,
    delimiter: str | None,
    decimal: str | None,
    encoding: str | None,
    sheet: str | None,
    min_items: float,
    source: str | None,
    participant_column: str | None,
    keep_partial: bool,
    strict_people: bool,
    mapping: Path | None,
    save_mapping: Path | None,
    key_file: Path | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Import measurements from FILE (.csv, .tsv or .xlsx): every row is checked first, then all
    are written in one transaction, or none. Importing the same file again changes nothing.

    \b
    Examples:
      kirkpatrick import measurements.csv
      kirkpatrick import norrby_fore.csv --intervention NRB-LG-2024 --wave pre --rater self
      kirkpatrick import kurs.xlsx --intervention VBY-KURS-2025 --wave post --dry-run
    """
    from kirkpatrick.io.importing import ImportFailed, import_measurements
    from kirkpatrick.services import importing

    engine = app.engine
    try:
        request = importing.ImportRequest(
            intervention,
            wave,
            rater,
            layout,
            source,
            participant_column,
            keep_partial,
            strict_people,
            key_file=importing.read_key_file(key_file) if key_file else {},
            mapping=importing.read_mapping(mapping) if mapping else {},
            min_item_share=min_items,
            delimiter=delimiter,
            decimal=decimal,
            encoding=encoding,
            sheet=sheet,
        )
        table = importing.open_file(file, request)
        if importing.detect_tool(table, request) is not None:
            if intervention is None or wave is None:
                raise click.UsageError("a survey export needs --intervention and --wave")
            result = importing.run(engine, table, request, dry_run=dry_run)
            assert result.survey is not None
            if save_mapping is not None:
                _save_mapping(importing.mapping_rows(result.survey), save_mapping)
            _echo_preview(result.survey, dry_run)
            return
        dialect = table.dialect
        if not as_json:
            click.echo(f"Reading {file}: {dialect.describe()}", err=True)
        with _progress(dialect.lines) as progress:
            summary = import_measurements(engine, table, request.table_options(), dry_run=dry_run, progress=progress)
    except ImportFailed as exc:
        for line in exc.lines():
            click.echo(line, err=True)
        raise click.ClickException(exc.summary) from None
    if as_json:
        echo_json(summary.as_dict())
    else:
        _echo_summary(summary)


def _save_mapping(rows: list[tuple[str, str]], path: Path) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["column", "code"])
        out.writerows(rows)


@contextmanager
def _progress(lines: int) -> Iterator[Progress | None]:
    # click's bar on a terminal only: piped output and logs stay clean.
    if lines < PROGRESS_FROM_LINES or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=lines, label="Checking rows", file=sys.stderr) as bar:
        reached = 0

        def update(line: int) -> None:
            nonlocal reached
            bar.update(line - reached)
            reached = line

        yield update


def _echo_preview(p: surveys.SurveyPreview, dry_run: bool) -> None:
    click.echo(f"Survey export from {p.tool}; participant column: {p.participant_column!r}")
    click.echo("Columns:")
    for c in p.columns:
        target = f"-> {c.target.code} ({c.how})" if c.target else f"ignored: {c.how}"
        click.echo(f"  {c.header[:70]!r} {target}")
    for reason, n in sorted(p.excluded_counts().items()):
        click.echo(f"Excluded {n}: {reason}")
    for e in p.excluded:
        click.echo(f"  line {e.line}: {e.text}")
    for written, stored in p.merged_codes:
        click.echo(f"Participant {written!r} taken as {stored!r}")
    click.echo(f"{p.kept} responses kept.")
    for f in p.figures:
        if f.n and f.mean is not None:
            click.echo(
                f"  {f.code:<10} {f.wave:<9} n={f.n:<4} mean {f.mean:.2f}  min {f.minimum:g}  max {f.maximum:g} "
                f"(scale {f.low:g}-{f.high:g}; {f.label_share:.0%} labels)"
            )
        if f.recode_suspected:
            click.echo(
                f"  Warning: {f.code} uses only {f.minimum:g}-{f.maximum:g} of its {f.low:g}-{f.high:g} scale: "
                "is the column recoded (a group or a shorter scale)?"
            )
    if p.free_text:
        counts: dict[str, int] = {}
        for question, _ in p.free_text:
            counts[question] = counts.get(question, 0) + 1
        verb = "Would store" if dry_run else "Stored"
        click.echo(f"{verb} {len(p.free_text)} free-text answers as feedback (not cleared, no participant):")
        for question, n in counts.items():
            click.echo(f"  {question[:70]!r}: {n}")
    if p.summary is not None:
        _echo_summary(p.summary)


def _echo_summary(s: ImportSummary) -> None:
    verb = "Would import" if s.dry_run else "Imported"
    click.echo(
        f"{verb} {s.imported} measurements from {s.path.name} ({s.rows_read} rows read, {s.skipped} already present, "
        f"{s.participants_created} new participants)."
    )
    if s.item_responses:
        click.echo(
            f"  {s.item_responses} item responses {'would be ' if s.dry_run else ''}stored with their scale scores."
        )
    if s.too_few_items:
        line = f"  {_plural(s.too_few_items, 'scale score')} left out: too few items answered"
        if s.unscored_item_responses:
            n = s.unscored_item_responses
            kept = "would be kept" if s.dry_run else "is kept" if n == 1 else "are kept"
            line += f"; the {_plural(n, 'item answer')} given {kept} without a score (not analysed)"
        if s.unscored_present:
            line += f"; {s.unscored_present} of these already present"
        click.echo(line + ".")
    if s.unscored_replaced:
        verb = "would replace" if s.dry_run else "replaced"
        click.echo(f"  New scale scores {verb} {_plural(s.unscored_replaced, 'item answer')} kept without a score.")
    if s.per_measure_wave:
        width = max(len(m) for m, _ in s.per_measure_wave)
        for (measure, wave), counts in sorted(s.per_measure_wave.items()):
            click.echo(
                f"  {measure.ljust(width)}  {wave:<9}  {counts['imported']:>8} new  {counts['skipped']:>8} present"
            )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@main.command("export")
@click.option("--intervention", metavar="CODE", help="Only this intervention's measurements.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="File to write. Default: standard output.",
)
@pass_app
def export_command(app: App, intervention: str | None, output: Path | None) -> None:
    """Export measurements as long CSV (UTF-8), the format `kirkpatrick import` reads back.

    Example: kirkpatrick export --intervention NRB-LG-2024 -o nrb.csv
    """
    from kirkpatrick.io.export import export_measurements

    engine = app.engine
    if output is None:
        export_measurements(engine, sys.stdout, intervention=intervention)
        return
    partial = output.with_name(output.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as f:
            count = export_measurements(engine, f, intervention=intervention)
        partial.replace(output)  # a failed export leaves no half-written file behind
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"Exported {count} measurements to {output}.", err=True)


@feedback_group.command("import")
@click.argument("file", type=EXISTING_FILE)
@click.option("--intervention", metavar="CODE", help="Intervention of rows without an 'intervention' column.")
@pass_app
def feedback_import(app: App, file: Path, intervention: str | None) -> None:
    """Import feedback quotes from a CSV with columns intervention, text, level, theme, cleared.

    All quotes are added, or none.

    Example: kirkpatrick feedback import feedback.csv
    """
    from kirkpatrick.services import records

    with app.transaction() as s:
        added = records.import_feedback(s, file, intervention=intervention)
        cleared = sum(f.cleared for f in added)
    click.echo(f"Imported {len(added)} feedback quotes ({cleared} cleared for reports).")
