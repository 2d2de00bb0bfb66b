"""Importing measurements: read, validate every row, then write all rows in one transaction or none.

The pipeline, and why:

1. ``sniff`` opens the input (a file, or an uploaded stream with a name): encoding, delimiter
   and decimal mark, proving that it decodes.
2. A format (``io.formats``: long, wide; detected from the header, or given) turns the table
   into canonical rows, checked as they are read (``validate``, ``participants``) and spilled
   to disk (``rows``), so 5 million rows fit in under 300 MB.
3. ``checks`` finds measurements given twice in the file and compares them with the database:
   same value, skipped (re-importing changes nothing); another value, an error. ``unscored`` does
   the same for item answers too few for a scale score, which are kept without one.
4. If anything is wrong, every error is reported (``FILE:LINE:COLUMN: message``) and nothing is
   written. Otherwise ``write`` bulk-inserts new participants and the measurements in the same
   transaction that read the database, which took the write lock first: two imports of one file
   at the same time end with its rows exactly once.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, Engine, delete, text

from kirkpatrick.domain.errors import InvalidInput
from kirkpatrick.domain.parsing import column_name
from kirkpatrick.domain.vocab import Rater, Wave
from kirkpatrick.io import checks, unscored
from kirkpatrick.io import write as write_module
from kirkpatrick.io.context import DEFAULT_MIN_ITEM_SHARE, Progress, ReadContext
from kirkpatrick.io.formats import LAYOUTS, detect_layout
from kirkpatrick.io.formats.canonical import CanonicalReader
from kirkpatrick.io.formats.long import LongReader
from kirkpatrick.io.formats.wide import WideReader
from kirkpatrick.io.participants import Participants
from kirkpatrick.io.problems import Problem
from kirkpatrick.io.rows import CanonicalRow, RowStore
from kirkpatrick.io.sniff import Cell, Dialect, Rows, Table, open_path, open_table
from kirkpatrick.io.validate import RATERS, WAVES, Catalogue, Cells, Errors, ImportFailed, blank, load_catalogue
from kirkpatrick.storage import analysis_cache, db
from kirkpatrick.storage.models import Measurement
from kirkpatrick.storage.references import References

MAX_PARTICIPANT_LOCKS = 64  # write_rows of more participants than this takes the importer's table lock
BATCH = 16_384  # rows checked together: big enough for C-level loops, small enough to stay in cache


@dataclass(frozen=True)
class ImportOptions:
    """What the user said about a file; ``None`` means "detect" or "take from the file"."""

    intervention: str | None = None
    layout: str | None = None  # "long" or "wide"; None: long if the file has measure and value columns
    wave: str | None = None
    rater: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    min_item_share: float = DEFAULT_MIN_ITEM_SHARE


@dataclass
class ImportSummary:
    """What an import did (or, with ``dry_run``, would do)."""

    path: Path
    dialect: Dialect
    layout: str
    dry_run: bool
    rows_read: int = 0
    imported: int = 0
    skipped: int = 0  # already in the database with the same value
    participants_created: int = 0
    item_responses: int = 0
    too_few_items: int = 0  # item-level scores left out: too few items answered
    # Their item answers, kept without a score (``io.unscored``), and those already stored so.
    unscored_item_responses: int = 0
    unscored_present: int = 0
    unscored_replaced: int = 0  # stored answers without a score that this import's scores replace
    per_measure_wave: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "dialect": self.dialect.describe(),
            "layout": self.layout,
            "dry_run": self.dry_run,
            "rows_read": self.rows_read,
            "imported": self.imported,
            "skipped": self.skipped,
            "participants_created": self.participants_created,
            "item_responses": self.item_responses,
            "too_few_items": self.too_few_items,
            "unscored_item_responses": self.unscored_item_responses,
            "unscored_present": self.unscored_present,
            "unscored_replaced": self.unscored_replaced,
            "per_measure_wave": [
                {"measure": m, "wave": w, **counts} for (m, w), counts in sorted(self.per_measure_wave.items())
            ],
        }


def open_input(source: Path | Table, options: ImportOptions = ImportOptions()) -> Table:
    """The table to import: ``source`` opened with the options' overrides; decode errors as ``ImportFailed``."""
    if isinstance(source, Table):
        return source
    try:
        return open_path(
            Path(source),
            delimiter=options.delimiter,
            decimal=options.decimal,
            encoding=options.encoding,
            sheet=options.sheet,
        )
    except InvalidInput as exc:
        if exc.path is not None:
            raise ImportFailed.of(Path(source), [Problem(exc.message, {}, exc.path, exc.line, exc.column)]) from None
        if str(exc).startswith(f"{source}:"):
            raise ImportFailed(Path(source), [str(exc)], 1) from None
        raise


def open_upload(stream: BinaryIO, name: str, options: ImportOptions = ImportOptions()) -> Table:
    """An uploaded stream as a table (the web application's entry)."""
    try:
        return open_table(
            stream,
            name,
            delimiter=options.delimiter,
            decimal=options.decimal,
            encoding=options.encoding,
            sheet=options.sheet,
        )
    except InvalidInput as exc:
        if exc.path is not None:
            raise ImportFailed.of(name, [Problem(exc.message, {}, exc.path, exc.line, exc.column)]) from None
        if str(exc).startswith(f"{name}:"):
            raise ImportFailed(name, [str(exc)], 1) from None
        raise


def detect_dialect(path: Path, options: ImportOptions = ImportOptions()) -> Dialect:
    """The file's dialect, detected, with the options' overrides."""
    return open_input(path, options).dialect


def import_measurements(
    engine: Engine,
    source: Path | Table,
    options: ImportOptions = ImportOptions(),
    *,
    dialect: Dialect | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Validate every row of ``source`` (a path, or a table from ``open_upload``) and write them all
    in one transaction, or raise ``ImportFailed``.

    ``progress`` is called with the line number reached, every few thousand lines. With
    ``dry_run`` nothing is written and no write lock is taken; the summary says what would be imported.
    """
    table = open_input(source, options)
    if dialect is not None:
        table = Table(table.name, dialect, table.opener, table.path)
    if options.layout is not None and options.layout not in LAYOUTS:
        raise InvalidInput(f"unknown layout {options.layout!r} (expected long or wide)")
    if not 0 <= options.min_item_share <= 1:
        raise InvalidInput(f"minimum share of answered items must be between 0 and 1, not {options.min_item_share!r}")
    defaults = (_vocab_option(options.wave, WAVES, "wave"), _vocab_option(options.rater, RATERS, "rater"))
    if dry_run:
        with engine.connect() as connection:
            try:
                return _run(connection, table, options, defaults, progress, write_=False)
            finally:
                connection.rollback()
    # SQLite: without its row-by-row foreign-key checks, half of what storing a row costs; the
    # writers note every id their rows refer to, and ``finish`` checks each once before the commit.
    with db.unchecked_writes(engine) as connection:
        lock(connection)
        return _run(connection, table, options, defaults, progress, write_=True)


def lock(connection: Connection) -> None:
    """Serialise importers (SQLite's BEGIN IMMEDIATE does the same): the second one waits,
    then sees the first one's rows as already present."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("LOCK TABLE measurement, participant IN SHARE ROW EXCLUSIVE MODE"))


def lock_participants(connection: Connection, intervention_id: int, codes: Iterable[str]) -> None:
    """PostgreSQL: let writers of a few known participants (form submissions, ``write_rows``) run
    side by side, while each participant has one writer at a time. SQLite has one writer anyway.

    ``ROW EXCLUSIVE`` on both tables is what any INSERT or DELETE takes; it does not block other
    such writers, but it waits for a running file import (``lock``: ``SHARE ROW EXCLUSIVE``) and an
    import waits for it, so an import still sees every row as present or not. A transaction-scoped
    advisory lock per participant (intervention id and code, taken in sorted order, so two writers
    never wait for each other in a cycle) serialises two writers of the same participant: the
    second reads after the first has committed, and finds its rows (and a participant it created).
    """
    if connection.dialect.name != "postgresql":
        return
    keys = sorted({participant_key(intervention_id, code) for code in codes})
    if len(keys) > MAX_PARTICIPANT_LOCKS:  # rows of many participants: written as a file import is
        lock(connection)
        return
    connection.execute(text("LOCK TABLE measurement, participant IN ROW EXCLUSIVE MODE"))
    for key in keys:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def participant_key(intervention_id: int, code: str) -> int:
    """A signed 64-bit advisory-lock key for one participant (collisions only serialise more)."""
    digest = hashlib.blake2b(f"kirkpatrick.participant:{intervention_id}:{code}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _vocab_option(value: str | None, allowed: list[str], what: str) -> int | None:
    if value is None:
        return None
    key = value.strip().lower()
    if key not in allowed:
        raise InvalidInput(f"unknown {what} {value!r} (expected one of: {', '.join(allowed)})")
    return allowed.index(key)


def context(
    connection: Connection,
    table: Table,
    options: ImportOptions,
    defaults: tuple[int | None, int | None],
    progress: Progress | None,
) -> ReadContext:
    errors = Errors(table.name)
    catalogue = load_catalogue(connection)
    participants = Participants(connection, errors, options.intervention)
    return ReadContext(
        table=table,
        catalogue=catalogue,
        participants=participants,
        errors=errors,
        cells=Cells(errors, table.dialect.decimal),
        store=RowStore(len(catalogue.list)),
        default_wave=defaults[0],
        default_rater=defaults[1],
        min_item_share=options.min_item_share,
        progress=progress,
    )


def _run(
    connection: Connection,
    table: Table,
    options: ImportOptions,
    defaults: tuple[int | None, int | None],
    progress: Progress | None,
    *,
    write_: bool,
) -> ImportSummary:
    ctx = context(connection, table, options, defaults, progress)
    sqlite = connection.dialect.name == "sqlite"
    if write_ and sqlite:
        ctx.references = References()
    early = write_module.EarlyWriter(ctx, connection) if write_ and sqlite else None
    if early is not None:
        ctx.store.listener = early.offer
    # Millions of short-lived rows (lists of cells) would set off the cyclic garbage
    # collector again and again; they hold no cycles, so it rests until the import is done.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _read(ctx, options.layout)
        return finish(ctx, connection, write=write_, early=early)
    finally:
        if early is not None:
            early.stop()  # before the transaction ends; a no-op once finish has adopted its rows
        ctx.store.close()
        if collecting:
            gc.enable()


def _read(ctx: ReadContext, layout: str | None) -> None:
    batches = _guarded(ctx, ctx.table.row_batches(BATCH))
    header: list[str] | None = None
    header_line = 0
    rest: tuple[list[int], Rows] = ([], [])
    for lines, cells in batches:
        for k, row in enumerate(cells):
            if any(blank(c) is False for c in row):
                header = [_header_name(c) for c in row]
                header_line = lines[k]
                rest = (lines[k + 1 :], cells[k + 1 :])
                break
        if header is not None:
            break
    if header is None:
        raise ctx.errors.fail("file is empty")
    while header and header[-1] == "":  # Excel pads rows with empty cells
        header.pop()
    ctx.layout = layout or detect_layout(header)
    remaining = itertools.chain([rest], batches)
    if ctx.layout == "long":
        LongReader(ctx).read(header, header_line, remaining)
    else:
        WideReader(ctx).read(header, header_line, (pair for lines, cells in remaining for pair in zip(lines, cells)))
    if ctx.rows_read == 0 and not ctx.errors.count:
        raise ctx.errors.fail("no rows after the header")
    ctx.store.flush()


def _header_name(cell: Cell) -> str:
    return column_name(str(cell)) if cell is not None else ""


def _guarded(ctx: ReadContext, stream: Any) -> Any:
    # A file that cannot be read on (a malformed line, a formula without its result) ends the
    # reading; its message joins the others, so every error found so far is still reported.
    try:
        yield from stream
    except InvalidInput as exc:
        if exc.path is None or str(exc.path) != str(ctx.table.name):
            raise
        ctx.errors.add_problem(Problem(exc.message, {}, str(exc.path), exc.line, exc.column))


def finish(
    ctx: ReadContext,
    connection: Connection,
    *,
    write: bool,
    bump: bool = True,
    early: write_module.EarlyWriter | None = None,
) -> ImportSummary:
    """The checks over all rows, then (``write``) the rows, and the summary; ``bump`` (with ``write``)
    marks the interventions' cached analyses stale. ``early`` wrote some rows while the file was
    read; they count as new here, as they were before this import."""
    ctx.errors.raise_if_any()
    keys = ctx.store.all_keys()
    if not len(keys) and not ctx.too_few_items:
        raise ctx.errors.fail("no measurements in the file")
    checks.find_duplicates(ctx, keys)
    ctx.errors.raise_if_any()
    skip = checks.compare_with_database(ctx, connection, keys)
    ctx.errors.raise_if_any()
    kept = unscored.check(ctx, connection, keys)
    ctx.errors.raise_if_any()
    summary = ImportSummary(Path(ctx.table.name), ctx.table.dialect, ctx.layout, not write, rows_read=ctx.rows_read)
    summary.too_few_items = ctx.too_few_items
    summary.skipped = int(skip.sum())
    summary.imported = len(keys) - summary.skipped
    summary.participants_created = sum(1 for i in ctx.participants.id if i is None)
    summary.per_measure_wave = checks.per_measure_wave(ctx, keys, skip)
    summary.unscored_item_responses = kept.answers
    summary.unscored_present = kept.present
    summary.unscored_replaced = len(kept.stale)
    if write:
        written = early.adopt(connection) if early is not None else None
        write_module.write_participants(ctx, connection)
        summary.item_responses = write_module.write_measurements(ctx, connection, skip, written)
        unscored.write(ctx, connection, kept)
        if bump and (summary.imported or summary.participants_created or kept.new or kept.stale):
            # Cached analyses of these interventions are stale from this transaction on.
            analysis_cache.bump(connection, ctx.participants.intervention)
            if ctx.references is not None:
                ctx.references.add("intervention", {i for i in ctx.participants.intervention if i is not None})
        if ctx.references is not None:
            ctx.references.check(connection)
    else:
        summary.item_responses = sum(len(a) for n, a in ctx.store.items.items() if not skip[n])
    return summary


@dataclass(frozen=True)
class Replace:
    """Stored measurements to delete before writing: a participant's (by code) at one wave from one
    rater, of the given measures (a respondent who changes their answers)."""

    participant: str
    wave: Wave | str
    rater: Rater | str
    measures: frozenset[str]


def write_rows(
    connection: Connection,
    intervention: str,
    rows: Iterable[CanonicalRow],
    *,
    replace: Iterable[Replace] = (),
    source: str = "answers",
    min_item_share: float = DEFAULT_MIN_ITEM_SHARE,
) -> ImportSummary:
    """Validate canonical ``rows`` of ``intervention`` and write them in the caller's transaction,
    with the same checks and writers as a file import (known measure and item, value on the scale,
    wave and rater, items to the scale score, duplicates, comparison with what is stored).

    ``replace`` deletes those stored measurements (and item answers kept without a score) first, in the
    same transaction. Raises
    ``ImportFailed`` (messages ``SOURCE:ROW:COLUMN: ...``, rows counted from 1) and writes nothing
    of its own then; the caller rolls back. The catalogue is shared across calls (``load_catalogue``);
    only the rows' participants are read; nothing touches the disk. On PostgreSQL only these
    participants are locked (``lock_participants``), so writers of different participants do not
    wait for each other; the analysis version is bumped last.
    """
    table = Table(source, Dialect("rows"), _no_file)
    errors = Errors(source)
    catalogue = load_catalogue(connection)
    participants = Participants(connection, errors, intervention)
    assert participants.fixed is not None
    rows = list(rows)
    replace = list(replace)
    codes = [r.participant.strip() for r in rows] + [r.participant.strip() for r in replace]
    lock_participants(connection, participants.fixed, codes)
    participants.preload(participants.fixed, codes)
    _delete(connection, catalogue, participants, replace)
    ctx = ReadContext(
        table=table,
        catalogue=catalogue,
        participants=participants,
        errors=errors,
        cells=Cells(errors, "."),
        store=RowStore(len(catalogue.list), in_memory=True),
        min_item_share=min_item_share,
        layout="wide",
    )
    try:
        CanonicalReader(ctx).read(rows)
        ctx.errors.raise_if_any()
        stored = ctx.store.count or ctx.store.unscored
        summary = finish(ctx, connection, write=True, bump=False) if stored else _empty(ctx)
    finally:
        ctx.store.close()
    if replace or summary.imported or summary.participants_created or summary.unscored_item_responses:
        # Last: the version row's lock is held until commit, and every writer of this
        # intervention queues for it, so it is taken as late as possible.
        analysis_cache.bump(connection, [participants.fixed])
    return summary


def _no_file() -> BinaryIO:
    raise InvalidInput("canonical rows have no file to read")


def _delete(
    connection: Connection, catalogue: Catalogue, participants: Participants, replace: Iterable[Replace]
) -> None:
    for r in replace:
        assert participants.fixed is not None
        p = participants.index.get((participants.fixed, r.participant.strip()))
        pid = participants.id[p] if p is not None else None
        ids = [catalogue.measures[m].id for m in r.measures if m in catalogue.measures]
        if pid is None or not ids:
            continue
        connection.execute(
            delete(Measurement).where(
                Measurement.participant_id == pid,
                Measurement.wave == Wave(r.wave),
                Measurement.rater == Rater(r.rater),
                Measurement.measure_id.in_(ids),
            )
        )
        unscored.delete_for(connection, pid, Wave(r.wave), Rater(r.rater), ids)


def _empty(ctx: ReadContext) -> ImportSummary:
    summary = ImportSummary(Path(ctx.table.name), ctx.table.dialect, ctx.layout, False, rows_read=ctx.rows_read)
    summary.too_few_items = ctx.too_few_items
    return summary
