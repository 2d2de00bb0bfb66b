"""Importing a survey tool's export as it comes: detect the tool, match columns to the catalogue,
leave out test, unfinished, duplicate and empty responses (each counted with its reason), turn
e-mail addresses into pseudonymous codes, and import the answers through the same validation and
writers as a wide file: one transaction, all rows or none; re-importing changes nothing.

``preview`` (the dry run) and ``import_survey`` return a typed record; nothing here prints.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, insert

from kirkpatrick.domain.errors import InvalidInput
from kirkpatrick.domain.parsing import FALSE_WORDS, code_key, is_code, number, wording_key
from kirkpatrick.io.context import ReadContext
from kirkpatrick.io.formats import googleforms, msforms, qualtrics, surveymonkey, swedish
from kirkpatrick.io.formats.survey import Survey
from kirkpatrick.io.formats.wide import WideReader
from kirkpatrick.io.mapping import (
    NO_ANSWER,
    PARTICIPANT,
    UNMATCHED,
    CatalogueWording,
    ColumnMapping,
    Target,
    map_columns,
    read_answer,
    twice_matched,
)
from kirkpatrick.io.pipeline import ImportOptions, ImportSummary, context, finish, lock
from kirkpatrick.io.problems import Problem
from kirkpatrick.io.sniff import Cell, Table
from kirkpatrick.io.validate import RATERS, WAVES, ImportFailed, text_of
from kirkpatrick.storage import db
from kirkpatrick.storage.models import Feedback

SECRET_VARIABLE = "KIRKPATRICK_PSEUDONYM_SECRET"
TOOLS: dict[
    str, tuple[Callable[[list[tuple[int, list[Cell]]]], bool], Callable[[list[tuple[int, list[Cell]]]], Survey]]
] = {
    "qualtrics": (qualtrics.matches, qualtrics.read),
    "surveymonkey": (surveymonkey.matches, surveymonkey.read),
    "msforms": (msforms.matches, msforms.read),
    "googleforms": (googleforms.matches, googleforms.read),
    "swedish": (swedish.matches, swedish.read),
}
PREVIEW_STATUS = {"1", "2", "8", "17", "survey preview", "survey test", "spam", "preview", "test", "förhandsgranskning"}
PARTICIPANT_WORDS = ("deltagarkod", "participant code", "deltagare", "kod", "code")


@dataclass(frozen=True)
class SurveyOptions:
    intervention: str
    wave: str
    rater: str | None = None
    source: str | None = None  # a key of TOOLS; None: detected
    participant: str | None = None  # the header of the participant column; None: detected
    keep_partial: bool = False
    secret: str | None = None  # HMAC key for e-mail addresses (else the environment variable)
    key_file: dict[str, str] = field(default_factory=dict)  # e-mail -> code, as the analyst keeps it
    mapping: dict[str, str] = field(default_factory=dict)  # normalised header -> measure/item code
    min_item_share: float = 0.8
    strict_people: bool = False  # a row that cannot be a participant is an error, not left out


# Why a row is left out (``Excluded.reason``, an English msgid); ``detail`` says more, with values.
EMPTY = "empty response"
TEST = "test or preview response"
UNFINISHED = "unfinished response"
DUPLICATE = "duplicate submission"
NO_IDENTITY = "no participant identity"
NOT_LISTED = "not on the participant list"


@dataclass(frozen=True)
class Excluded:
    line: int
    reason: str  # one of the reasons above
    detail: str = ""  # an English msgid with placeholders, e.g. "line %(line)s of the same person is kept"
    values: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The reason and its detail, in English (the CLI's line)."""
        detail = self.detail % self.values if self.values else self.detail
        return f"{self.reason} ({detail})" if detail else self.reason


@dataclass(frozen=True)
class MeasureFigures:
    """One measure or item column at the imported wave, as the preview shows it on its scale."""

    code: str
    measure: str
    wave: str
    low: float
    high: float
    n: int
    mean: float | None
    minimum: float | None
    maximum: float | None
    label_share: float  # share of the answers given as labels (text) rather than bare numbers
    recode_suspected: bool  # the values use only the bottom part of a wide scale (e.g. 1-3 on 0-10)


@dataclass
class SurveyPreview:
    """What an import of the export does (or, as a dry run, would do)."""

    tool: str
    columns: list[ColumnMapping]
    participant_column: str
    excluded: list[Excluded]
    merged_codes: list[tuple[str, str]]  # (as written, stored as)
    kept: int
    summary: ImportSummary | None = None
    # Answers to open questions (unmatched columns holding text): (question, answer), stored as
    # feedback that is not cleared, themed by the question, never linked to a participant.
    free_text: list[tuple[str, str]] = field(default_factory=list)
    figures: list[MeasureFigures] = field(default_factory=list)

    def excluded_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for e in self.excluded:
            counts[e.reason] = counts.get(e.reason, 0) + 1
        return counts

    def unmatched(self) -> list[ColumnMapping]:
        return [c for c in self.columns if c.kind == UNMATCHED]


def import_survey(engine: Engine, table: Table, options: SurveyOptions, *, dry_run: bool = False) -> SurveyPreview:
    if dry_run:
        with engine.connect() as connection:
            try:
                return _run(connection, table, options, write=False)
            finally:
                connection.rollback()
    with db.writer(engine).begin() as connection:
        lock(connection)
        return _run(connection, table, options, write=True)


def read_survey(table: Table, source: str | None = None) -> Survey:
    rows = [(line, cells) for line, cells in table.rows()]
    while rows and not any(text_of(c) for c in rows[0][1]):
        rows.pop(0)
    if not rows:
        raise ImportFailed.of(table.name, [Problem("file is empty", {}, table.name)])
    if source is not None:
        if source not in TOOLS:
            raise InvalidInput(f"unknown source {source!r} (expected one of: {', '.join(TOOLS)})")
        return TOOLS[source][1](rows)
    for matches, read in TOOLS.values():
        if matches(rows):
            return read(rows)
    raise AssertionError("the generic reader matches any table")


def tool_of(table: Table) -> str | None:
    """The tool whose export the table recognisably is (Qualtrics, SurveyMonkey, Microsoft or
    Google Forms), judged by its first rows; ``None``: other exports are read with
    ``source="swedish"`` (``--source``), other tables are measurement files."""
    head: list[tuple[int, list[Cell]]] = []
    for line, cells in table.rows(size=16):
        if head or any(text_of(c) for c in cells):
            head.append((line, cells))
        if len(head) >= 3:
            break
    if not head:
        return None
    return next((t for t in ("qualtrics", "surveymonkey", "msforms", "googleforms") if TOOLS[t][0](head)), None)


def is_export(table: Table) -> bool:
    """Whether the table is recognisably a survey tool's export (see :func:`tool_of`)."""
    return tool_of(table) is not None


def _run(connection: Connection, table: Table, options: SurveyOptions, *, write: bool) -> SurveyPreview:
    survey = read_survey(table, options.source)
    columns = map_columns(survey, CatalogueWording.load(connection), options.mapping)
    who = _participant_column(survey, options.participant)
    columns = [
        c if c.index != who[0] else ColumnMapping(c.index, c.header, None, "participant", PARTICIPANT) for c in columns
    ]
    header_line = survey.header_line
    twice = [
        Problem(
            "columns %(first)s and %(second)s both match %(code)s: a value comes from one column only "
            "(leave one out in the mapping file)",
            {"first": repr(a.header), "second": repr(b.header), "code": b.target.code if b.target else ""},
            table.name,
            header_line,
            b.header,
        )
        for a, b in twice_matched(columns)
    ]
    if twice:
        raise ImportFailed.of(table.name, twice)
    mapped = [c for c in columns if c.target is not None]
    if not mapped:
        raise ImportFailed.of(table.name, _nothing_matched(table.name, header_line, columns))
    defaults = (WAVES.index(options.wave), RATERS.index(options.rater) if options.rater else None)
    ctx = context(connection, table, ImportOptions(intervention=options.intervention), defaults, None)
    ctx.min_item_share = options.min_item_share
    ctx.layout = "wide"
    try:
        return _import(connection, ctx, survey, columns, mapped, who, options, write=write)
    finally:
        ctx.store.close()


def _import(
    connection: Connection,
    ctx: ReadContext,
    survey: Survey,
    columns: list[ColumnMapping],
    mapped: list[ColumnMapping],
    who: tuple[int, str],
    options: SurveyOptions,
    *,
    write: bool,
) -> SurveyPreview:
    table = ctx.table
    excluded: list[Excluded] = []
    kept: dict[str, tuple[int, str, list[Cell]]] = {}  # code key -> (line, code, cells)
    for line, cells in survey.rows:
        reason = _exclusion(survey, mapped, cells, options.keep_partial, who[0])
        if reason is not None:
            excluded.append(Excluded(line, *reason))
            continue
        raw = text_of(cells[who[0]]) if who[0] < len(cells) else ""
        code = _pseudonym(raw, options) if "@" in raw else raw
        if code is _NOT_LISTED:
            if options.strict_people:
                ctx.errors.add(line, who[1], "%(value)s is not on the participant list (key file)", value=repr(raw))
            else:
                excluded.append(Excluded(line, NOT_LISTED, "%(value)s", {"value": raw}))
            continue
        if not code:
            # A row that names no one (a web-link test, an anonymous answer) cannot be a participant.
            missing = Excluded(line, NO_IDENTITY, "%(column)s is empty", {"column": who[1]})
            if options.strict_people:
                ctx.errors.add(line, who[1], "no participant code")
            else:
                excluded.append(missing)
            continue
        key = code_key(code)
        if key in kept:
            excluded.append(
                Excluded(kept[key][0], DUPLICATE, "line %(line)s of the same person is kept", {"line": str(line)})
            )
        kept[key] = (line, code, cells)
    assert ctx.participants.fixed is not None
    stored = {code_key(c): c for c in ctx.participants.stored_codes(ctx.participants.fixed)}
    merged: list[tuple[str, str]] = []
    targets = list(dict.fromkeys(c.target.code for c in mapped if c.target is not None))
    header = ["participant", *targets]
    rows: list[tuple[int, list[Cell]]] = []
    seen: dict[str, list[tuple[float, bool]]] = {code: [] for code in targets}
    decimal = table.dialect.decimal
    for key, (line, code, cells) in sorted(kept.items(), key=lambda kv: kv[1][0]):
        final = stored.get(key) or (code if is_code(code) else "-".join(code.split()))
        if final != code:
            merged.append((code, final))
        out: list[Cell] = [final, *([None] * len(targets))]
        for c in mapped:
            assert c.target is not None
            cell = cells[c.index] if c.index < len(cells) else None
            try:
                value, label = read_answer(c.target, cell, decimal)
            except ValueError:
                ctx.errors.add(
                    line,
                    c.header,
                    "%(value)s is neither a number nor an answer label of %(measure)s",
                    value=repr(text_of(cell)),
                    measure=c.target.measure,
                )
                continue
            if value is not None and value is not NO_ANSWER:
                assert isinstance(value, float)
                out[1 + targets.index(c.target.code)] = value
                seen[c.target.code].append((value, label))
        rows.append((line, out))
    preview = SurveyPreview(survey.tool, columns, who[1], excluded, merged, len(rows))
    by_code = {c.target.code: c.target for c in mapped if c.target is not None}
    preview.figures = [_figures(by_code[code], options.wave, seen[code]) for code in targets]
    preview.free_text = _free_text(columns, [cells for _, _, cells in sorted(kept.values(), key=lambda k: k[0])])
    ctx.errors.raise_if_any()
    if not rows:
        counts = ", ".join(f"{n} {reason}" for reason, n in sorted(preview.excluded_counts().items()))
        raise ctx.errors.fail("no responses left to import (left out: %(counts)s)", counts=counts or "none")
    WideReader(ctx).read(header, 1, iter(rows))
    ctx.store.flush()
    preview.summary = finish(ctx, connection, write=write)
    if write and preview.free_text:
        assert ctx.participants.fixed is not None
        connection.execute(
            insert(Feedback),
            [
                {"intervention_id": ctx.participants.fixed, "text": answer_, "theme": question[:100], "cleared": False}
                for question, answer_ in preview.free_text
            ],
        )
    return preview


def _free_text(columns: list[ColumnMapping], rows: list[list[Cell]]) -> list[tuple[str, str]]:
    """The answers in columns matched to nothing whose cells hold text (not numbers): an open question."""
    found: list[tuple[str, str]] = []
    for c in columns:
        if c.kind != UNMATCHED:
            continue
        answers = [text_of(cells[c.index]) if c.index < len(cells) else "" for cells in rows]
        given = [a for a in answers if a]
        if given and any(number(a) is None and number(a, ",") is None for a in given):
            found.extend((c.header, a) for a in given)
    return found


def _participant_column(survey: Survey, given: str | None) -> tuple[int, str]:
    if given is not None:
        for c in survey.columns:
            if wording_key(c.header) == wording_key(given) or (c.tag and wording_key(c.tag) == wording_key(given)):
                return c.index, c.header
        raise InvalidInput(
            f"no column {given!r} for --participant (columns: {', '.join(c.header for c in survey.columns)})"
        )
    for kind in ("external", "email"):
        column = survey.meta(kind)
        if column is not None and any(
            text_of(cells[column.index]) for _, cells in survey.rows if column.index < len(cells)
        ):
            return column.index, column.header
    for c in survey.columns:
        if c.meta is None and any(word in wording_key(c.header) for word in PARTICIPANT_WORDS):
            return c.index, c.header
    raise InvalidInput("no participant column found: name it with --participant COLUMN")


def _exclusion(
    survey: Survey, mapped: list[ColumnMapping], cells: list[Cell], keep_partial: bool, participant: int
) -> tuple[str, str, dict[str, str]] | None:
    def cell(index: int) -> str:
        return text_of(cells[index]) if index < len(cells) else ""

    answered = [bool(cell(c.index)) for c in mapped]
    if not any(answered):
        return EMPTY, "", {}
    for kind in ("status", "channel"):
        column = survey.meta(kind)
        if column is not None and cell(column.index).lower() in PREVIEW_STATUS:
            return TEST, "%(column)s %(value)s", {"column": column.header, "value": cell(column.index)}
    for kind in ("email", "name", "external"):
        column = survey.meta(kind)
        if column is not None and "test" in wording_key(cell(column.index)).split():
            return TEST, "%(column)s %(value)s", {"column": column.header, "value": repr(cell(column.index))}
    if "test" in wording_key(cell(participant)).split():
        return TEST, "%(column)s %(value)s", {"column": "participant", "value": repr(cell(participant))}
    if keep_partial:
        return None
    finished = survey.meta("finished")
    if finished is not None and cell(finished.index).lower() in FALSE_WORDS - {""}:
        return UNFINISHED, "%(column)s %(value)s", {"column": finished.header, "value": cell(finished.index)}
    progress = survey.meta("progress")
    if progress is not None:
        value = number(cell(progress.index).rstrip("%").strip())
        if value is not None and value < 100:
            return UNFINISHED, "%(column)s %(value)s", {"column": progress.header, "value": cell(progress.index)}
    if finished is None and progress is None and not answered[-1]:
        # The tool records no status: a response whose answers stop part-way is unfinished.
        tail = len(answered) - max(i for i, a in enumerate(answered) if a) - 1
        if tail * 4 >= len(answered):
            return (
                UNFINISHED,
                "stops after question %(n)s of %(total)s",
                {"n": str(len(answered) - tail), "total": str(len(answered))},
            )
    return None


def _figures(target: Target, wave: str, seen: list[tuple[float, bool]]) -> MeasureFigures:
    values = [v for v, _ in seen]
    n = len(values)
    low, high = target.low, target.high
    mean = sum(values) / n if n else None
    minimum, maximum = (min(values), max(values)) if n else (None, None)
    # A recode is suspected when a wide scale (at least 5 steps) is used only in its bottom third:
    # an NPS group (1-3) or a 1-5 recode read as answers on 0-10.
    suspected = n >= 3 and high - low >= 4 and maximum is not None and maximum <= low + (high - low) / 3
    share = sum(1 for _, label in seen if label) / n if n else 0.0
    return MeasureFigures(target.code, target.measure, wave, low, high, n, mean, minimum, maximum, share, suspected)


def _nothing_matched(name: str, line: int, columns: list[ColumnMapping]) -> list[Problem]:
    """Why nothing can be imported: the columns read and, for each question-like column, the closest
    catalogue wordings, so that the user sees what to map."""
    problems = [
        Problem(
            "no column matches a measure or item of the catalogue; columns read: %(columns)s",
            {"columns": ", ".join(repr(c.header) for c in columns)},
            name,
            line,
        )
    ]
    for c in columns:
        if c.kind != UNMATCHED:
            continue
        if c.suggestions:
            problems.append(
                Problem(
                    "closest catalogue wordings: %(closest)s",
                    {"closest": "; ".join(c.suggestions)},
                    name,
                    line,
                    c.header,
                )
            )
        else:
            problems.append(Problem("no catalogue wording is close to this question", {}, name, line, c.header))
    return problems


class _NotListed(str):
    """The pseudonym of an address that is not in the key file (compared by identity)."""


_NOT_LISTED = _NotListed("")


def _pseudonym(email: str, options: SurveyOptions) -> str:
    """An e-mail address as a pseudonymous code: the analyst's key file, else HMAC-SHA256 with a secret
    held outside the database (the default: stable across waves and tools, nothing to keep in step)."""
    address = email.strip().lower()
    if options.key_file:
        code = options.key_file.get(address)
        return _NOT_LISTED if code is None else code
    secret = options.secret or os.environ.get(SECRET_VARIABLE)
    if not secret:
        raise InvalidInput(
            f"the export identifies people by e-mail: set {SECRET_VARIABLE} (a secret kept outside the database) "
            "or give a key file of e-mail -> code"
        )
    return "p-" + hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()[:12]


def read_key_file(table: Table) -> dict[str, str]:
    """A key file: two columns, e-mail and code (header row first)."""
    rows = list(table.rows())
    return {text_of(r[0]).lower(): text_of(r[1]) for _, r in rows[1:] if len(r) >= 2 and text_of(r[0])}


def read_mapping(table: Table) -> dict[str, str]:
    """A mapping file: ``column,code`` (header row first); code empty or ``ignore`` leaves a column out."""
    rows = list(table.rows())
    return {wording_key(text_of(r[0])): text_of(r[1]) if len(r) > 1 else "" for _, r in rows[1:] if r and text_of(r[0])}


def write_mapping(preview: SurveyPreview, path: Path) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["column", "code"])
        for c in preview.columns:
            if c.kind in ("metadata", "derived", "participant"):
                continue
            out.writerow([c.header, c.target.code if c.target else "ignore"])
