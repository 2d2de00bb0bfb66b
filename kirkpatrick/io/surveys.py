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
from kirkpatrick.io.mapping import NO_ANSWER, CatalogueWording, ColumnMapping, answer, map_columns
from kirkpatrick.io.pipeline import ImportOptions, ImportSummary, context, finish, lock
from kirkpatrick.io.sniff import Cell, Table
from kirkpatrick.io.validate import RATERS, WAVES, text_of
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


@dataclass(frozen=True)
class Excluded:
    line: int
    reason: str


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

    def excluded_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for e in self.excluded:
            counts[e.reason.split(" (")[0]] = counts.get(e.reason.split(" (")[0], 0) + 1
        return counts


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
        raise InvalidInput(f"{table.name}: file is empty")
    if source is not None:
        if source not in TOOLS:
            raise InvalidInput(f"unknown source {source!r} (expected one of: {', '.join(TOOLS)})")
        return TOOLS[source][1](rows)
    for matches, read in TOOLS.values():
        if matches(rows):
            return read(rows)
    raise AssertionError("the generic reader matches any table")


def is_export(table: Table) -> bool:
    """Whether the table is recognisably a survey tool's export (Qualtrics, SurveyMonkey, Microsoft
    or Google Forms); other exports are read with ``source="swedish"`` (``--source``)."""
    head: list[tuple[int, list[Cell]]] = []
    for line, cells in table.rows(size=16):
        if head or any(text_of(c) for c in cells):
            head.append((line, cells))
        if len(head) >= 3:
            break
    return bool(head) and any(TOOLS[t][0](head) for t in ("qualtrics", "surveymonkey", "msforms", "googleforms"))


def _run(connection: Connection, table: Table, options: SurveyOptions, *, write: bool) -> SurveyPreview:
    survey = read_survey(table, options.source)
    columns = map_columns(survey, CatalogueWording.load(connection), options.mapping)
    who = _participant_column(survey, options.participant)
    columns = [c if c.index != who[0] else ColumnMapping(c.index, c.header, None, "participant") for c in columns]
    mapped = [c for c in columns if c.target is not None]
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
            excluded.append(Excluded(line, reason))
            continue
        raw = text_of(cells[who[0]]) if who[0] < len(cells) else ""
        code = _pseudonym(raw, options) if "@" in raw else raw
        if not code:
            ctx.errors.add(line, who[1], "no participant code")
            continue
        key = code_key(code)
        if key in kept:
            excluded.append(Excluded(kept[key][0], f"duplicate submission (line {line} of the same person is kept)"))
        kept[key] = (line, code, cells)
    assert ctx.participants.fixed is not None
    stored = {code_key(c): c for c in ctx.participants.stored_codes(ctx.participants.fixed)}
    merged: list[tuple[str, str]] = []
    targets = list(dict.fromkeys(c.target.code for c in mapped if c.target is not None))
    header = ["participant", *targets]
    rows: list[tuple[int, list[Cell]]] = []
    decimal = table.dialect.decimal
    for key, (line, code, cells) in sorted(kept.items(), key=lambda kv: kv[1][0]):
        final = stored.get(key) or (code if is_code(code) else "-".join(code.split()))
        if final != code:
            merged.append((code, final))
        out: list[Cell] = [final, *([None] * len(targets))]
        for c in mapped:
            assert c.target is not None
            try:
                value = answer(c.target, cells[c.index] if c.index < len(cells) else None, decimal)
            except ValueError as exc:
                ctx.errors.add(line, c.header, str(exc))
                continue
            if value is not None and value is not NO_ANSWER:
                out[1 + targets.index(c.target.code)] = value
        rows.append((line, out))
    preview = SurveyPreview(survey.tool, columns, who[1], excluded, merged, len(rows))
    preview.free_text = _free_text(columns, [cells for _, _, cells in sorted(kept.values(), key=lambda k: k[0])])
    ctx.errors.raise_if_any()
    if not rows:
        raise ctx.errors.fail("no responses left to import")
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
        if c.target is not None or c.how != "no match in the catalogue":
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
) -> str | None:
    def cell(index: int) -> str:
        return text_of(cells[index]) if index < len(cells) else ""

    answered = [bool(cell(c.index)) for c in mapped]
    if not any(answered):
        return "empty response"
    for kind in ("status", "channel"):
        column = survey.meta(kind)
        if column is not None and cell(column.index).lower() in PREVIEW_STATUS:
            return f"test or preview response ({column.header} {cell(column.index)})"
    for kind in ("email", "name", "external"):
        column = survey.meta(kind)
        if column is not None and "test" in wording_key(cell(column.index)).split():
            return f"test response ({column.header} {cell(column.index)!r})"
    if "test" in wording_key(cell(participant)).split():
        return f"test response (participant {cell(participant)!r})"
    if keep_partial:
        return None
    finished = survey.meta("finished")
    if finished is not None and cell(finished.index).lower() in FALSE_WORDS - {""}:
        return f"unfinished response ({finished.header} {cell(finished.index)})"
    progress = survey.meta("progress")
    if progress is not None:
        value = number(cell(progress.index).rstrip("%").strip())
        if value is not None and value < 100:
            return f"unfinished response ({progress.header} {cell(progress.index)})"
    if finished is None and progress is None and not answered[-1]:
        # The tool records no status: a response whose answers stop part-way is unfinished.
        tail = len(answered) - max(i for i, a in enumerate(answered) if a) - 1
        if tail * 4 >= len(answered):
            return f"unfinished response (stops after question {len(answered) - tail} of {len(answered)})"
    return None


def _pseudonym(email: str, options: SurveyOptions) -> str:
    """An e-mail address as a pseudonymous code: the analyst's key file, else HMAC-SHA256 with a secret
    held outside the database (the default: stable across waves and tools, nothing to keep in step)."""
    address = email.strip().lower()
    if options.key_file:
        code = options.key_file.get(address)
        if code is None:
            raise InvalidInput(f"{email!r} is not in the key file (e-mail -> code)")
        return code
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
            if c.how.startswith("metadata") or c.how == "participant":
                continue
            out.writerow([c.header, c.target.code if c.target else "ignore"])
