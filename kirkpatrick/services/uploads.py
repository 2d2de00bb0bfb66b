"""Measurement files uploaded through the web: guarded, previewed, then imported.

``run_import`` is the one place the web calls the importer (with ``dry_run`` for the preview),
so that moving to a stream-reading importer is a change here alone.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from sqlalchemy import Engine

from kirkpatrick.domain.errors import InvalidInput
from kirkpatrick.io.importing import ImportFailed, ImportOptions, ImportSummary, import_measurements
from kirkpatrick.io.pipeline import open_input

# An xlsx is a zip: refuse archives that would unpack to far more than they weigh.
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
MAX_XLSX_RATIO = 100
MAX_XLSX_MEMBERS = 2_000
PREVIEW_ROWS = 5
_WHERE = re.compile(r"^.*?:(\d+):(?:([^:]+):)?\s(.*)$", re.S)


@dataclass(frozen=True)
class ErrorRow:
    line: int | None
    column: str | None
    message: str


@dataclass
class Preview:
    """What the import page shows before anything is written."""

    dialect: str
    layout: str | None
    header: list[str]
    first_rows: list[list[str]]
    summary: ImportSummary | None
    errors: list[ErrorRow] = field(default_factory=list)
    error_count: int = 0


def guard_xlsx(path: Path) -> None:
    """Refuse an .xlsx that is not a zip, or one whose members unpack out of all proportion."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise InvalidInput("the file is not a readable .xlsx workbook") from None
    unpacked = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    if len(members) > MAX_XLSX_MEMBERS or unpacked > MAX_XLSX_UNPACKED or unpacked / packed > MAX_XLSX_RATIO:
        raise InvalidInput("the workbook unpacks to far more than its size; refused")


def error_rows(failure: ImportFailed) -> list[ErrorRow]:
    """The importer's ``file:line:column: message`` lines as table rows."""
    out = []
    for text in failure.errors:
        match = _WHERE.match(text)
        if match:
            out.append(ErrorRow(int(match.group(1)), match.group(2), match.group(3)))
        else:
            out.append(ErrorRow(None, None, text.split(": ", 1)[-1]))
    return out


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def run_import(engine: Engine, path: Path, options: ImportOptions, *, dry_run: bool) -> ImportSummary:
    """The importer, called once per upload (dry run for the preview, then for real)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        guard_xlsx(path)
    return import_measurements(engine, path, options, dry_run=dry_run)


def preview(engine: Engine, path: Path, options: ImportOptions) -> Preview:
    """Detected format, the first rows and every error (as a table); writes nothing."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        guard_xlsx(path)
    try:
        table = open_input(path, options)
        head = [[_cell(c) for c in cells] for _line, cells in islice(table.rows(), PREVIEW_ROWS + 1)]
    except ImportFailed as exc:
        return Preview("", options.layout, [], [], None, error_rows(exc), exc.count)
    result = Preview(table.dialect.describe(), options.layout, head[0] if head else [], head[1:], None)
    try:
        result.summary = run_import(engine, path, options, dry_run=True)
        result.layout = result.summary.layout
    except ImportFailed as exc:
        result.errors = error_rows(exc)
        result.error_count = exc.count
    return result
