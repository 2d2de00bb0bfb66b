"""One import behind every door: the command line, the web import page and any caller with a
file go through here. It opens the file (under the name the user knows it by), decides whether it
is a survey tool's export or a measurement table, and runs the one importer for it: a dry run
for the preview, then the same for real.

The result is a typed record: the file's dialect, the tool, the column mapping, the rows left
out with their reasons, the figures per measure and wave, and the problems as
:class:`~kirkpatrick.io.problems.Problem` records (code, values, file, line, column). The faces
word them: the CLI as ``file:line:column: message``, the web through the catalogue.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from sqlalchemy import Engine

from kirkpatrick.domain.errors import InvalidInput, KirkpatrickError
from kirkpatrick.io import surveys
from kirkpatrick.io.context import DEFAULT_MIN_ITEM_SHARE
from kirkpatrick.io.pipeline import ImportOptions, ImportSummary, import_measurements
from kirkpatrick.io.problems import Problem
from kirkpatrick.io.sniff import Cell, Dialect, Table, open_path
from kirkpatrick.io.validate import ImportFailed, text_of
from kirkpatrick.services.uploads import guard_xlsx

SAMPLE_ROWS = 5  # rows of the file shown under its header
# Cached previews (a web upload is parsed once, however often its preview is shown).
_CACHE_SIZE = 32


@dataclass(frozen=True)
class ImportRequest:
    """What the user said about a file; ``None`` means "detect" or "take from the file"."""

    intervention: str | None = None
    wave: str | None = None
    rater: str | None = None
    layout: str | None = None  # "long"/"wide" for a measurement table; None: detected
    source: str | None = None  # a survey tool (``SurveyTool``); None: detected
    participant: str | None = None  # the export's participant column; None: detected
    keep_partial: bool = False
    strict_people: bool = False  # rows that cannot be a participant are errors, not left out
    key_file: dict[str, str] = field(default_factory=dict)  # e-mail -> code
    mapping: dict[str, str] = field(default_factory=dict)  # column -> code (read_mapping)
    min_item_share: float = DEFAULT_MIN_ITEM_SHARE
    secret: str | None = None  # keyed-hash secret for e-mail addresses; None: the environment
    delimiter: str | None = None
    decimal: str | None = None
    encoding: str | None = None
    sheet: str | None = None

    def table_options(self) -> ImportOptions:
        return ImportOptions(
            self.intervention,
            self.layout,
            self.wave,
            self.rater,
            self.delimiter,
            self.decimal,
            self.encoding,
            self.sheet,
            self.min_item_share,
        )

    def survey_options(self) -> surveys.SurveyOptions:
        if self.intervention is None or self.wave is None:
            raise InvalidInput("a survey export needs --intervention and --wave")
        return surveys.SurveyOptions(
            self.intervention,
            self.wave,
            self.rater,
            self.source,
            self.participant,
            self.keep_partial,
            self.secret,
            self.key_file,
            self.mapping,
            self.min_item_share,
            self.strict_people,
        )


@dataclass
class ImportResult:
    """What an import did, or (dry run) would do, or why it cannot."""

    name: str  # the file as the user knows it
    dialect: Dialect | None
    tool: str | None = None  # the survey tool; None: a measurement table
    layout: str | None = None
    survey: surveys.SurveyPreview | None = None
    summary: ImportSummary | None = None
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    header: list[str] = field(default_factory=list)
    sample: list[list[str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problem_count


def open_file(path: Path, request: ImportRequest, name: str | None = None) -> Table:
    """The file to import, shown to the user as ``name`` (an upload's original name; default: the path)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        guard_xlsx(path)  # the web's tighter zip limits, before openpyxl sees the file
    try:
        return open_path(
            path,
            delimiter=request.delimiter,
            decimal=request.decimal,
            encoding=request.encoding,
            sheet=request.sheet,
            name=name,
        )
    except InvalidInput as exc:
        shown = name or str(path)
        if exc.path is not None:
            raise ImportFailed.of(shown, [Problem(exc.message, {}, exc.path, exc.line, exc.column)]) from None
        if str(exc).startswith(f"{shown}"):
            raise ImportFailed(shown, [str(exc)], 1) from None
        raise


def detect_tool(table: Table, request: ImportRequest) -> str | None:
    """The survey tool that wrote the table, or ``None`` for a measurement table (long or wide)."""
    if request.layout is not None:
        return None
    if request.source is not None:
        return request.source
    return surveys.tool_of(table)


def run(engine: Engine, table: Table, request: ImportRequest, *, dry_run: bool) -> ImportResult:
    """Import the table (``dry_run``: check everything and write nothing); raises ``ImportFailed``
    (problems as records) or ``KirkpatrickError``."""
    tool = detect_tool(table, request)
    result = ImportResult(table.name, table.dialect, tool)
    if tool is not None:
        preview = surveys.import_survey(engine, table, request.survey_options(), dry_run=dry_run)
        result.survey, result.summary, result.layout = preview, preview.summary, "survey"
    else:
        result.summary = import_measurements(engine, table, request.table_options(), dry_run=dry_run)
        result.layout = result.summary.layout
    return result


def preview(engine: Engine, table: Table, request: ImportRequest) -> ImportResult:
    """The dry run as the import page shows it: never raises for a user's mistake; the problems,
    the tool and the file's first rows are in the result."""
    result = ImportResult(table.name, table.dialect)
    try:
        result.header, *result.sample = [
            [_text(c) for c in cells] for _, cells in islice(table.rows(), SAMPLE_ROWS + 1)
        ]
        result.tool = detect_tool(table, request)
        done = run(engine, table, request, dry_run=True)
    except ImportFailed as exc:
        result.problems, result.problem_count = list(exc.problems), exc.count
        if result.tool is not None:
            result.layout = "survey"
        return result
    except KirkpatrickError as exc:
        result.problems, result.problem_count = [_problem(exc, table.name)], 1
        return result
    done.header, done.sample = result.header, result.sample
    return done


def read_key_file(path: Path, name: str | None = None) -> dict[str, str]:
    return surveys.read_key_file(open_file(path, ImportRequest(), name))


def read_mapping(path: Path, name: str | None = None) -> dict[str, str]:
    return surveys.read_mapping(open_file(path, ImportRequest(), name))


def mapping_rows(preview_: surveys.SurveyPreview) -> list[tuple[str, str]]:
    """The mapping to save and give back next time (``column,code``; ``ignore`` leaves a column out)."""
    return [
        (c.header, c.target.code if c.target else "ignore")
        for c in preview_.columns
        if c.kind not in ("metadata", "derived", "participant")
    ]


class PreviewCache:
    """Dry runs by upload, kept in memory so that each upload is parsed once however often its
    preview page is shown; bounded (the oldest go first) and dropped after ``max_age`` seconds."""

    def __init__(self, size: int = _CACHE_SIZE, max_age: float = 3600.0) -> None:
        self.size = size
        self.max_age = max_age
        self._kept: dict[str, tuple[float, ImportResult]] = {}

    def get(self, key: str) -> ImportResult | None:
        found = self._kept.get(key)
        if found is None or time.monotonic() - found[0] > self.max_age:
            self._kept.pop(key, None)
            return None
        return found[1]

    def put(self, key: str, result: ImportResult) -> None:
        self._kept[key] = (time.monotonic(), result)
        while len(self._kept) > self.size:
            self._kept.pop(next(iter(self._kept)))

    def drop(self, key: str) -> None:
        self._kept.pop(key, None)


def _text(cell: Cell) -> str:
    return text_of(cell)


def _problem(exc: KirkpatrickError, name: str) -> Problem:
    if isinstance(exc, InvalidInput):
        return Problem(exc.message, {}, exc.path or name, exc.line, exc.column)
    return Problem(str(exc), {}, name)
