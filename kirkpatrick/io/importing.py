"""Importing measurements: read, validate every row, then write all rows in one transaction or none.

The pipeline, and why:

1. ``dialect.detect`` works out encoding, delimiter and decimal mark, and proves the file decodes.
2. One streamed pass validates the rows in batches: each column of a batch is looked up in dicts
   of values already accepted (codes, parsed numbers, dates) by C-level ``map``; a row with
   anything new or wrong is checked cell by cell, which writes every message. Valid
   measurements are spilled as packed records to a temporary file; only one 32-bit (or 64-bit)
   key per measurement stays in memory, so 5 million rows fit in well under 300 MB.
3. Duplicates within the file are found by sorting the keys (NumPy); measurements already in the
   database are compared with one query per intervention. Same value: skipped (re-import changes
   nothing); different value: an error.
4. If anything is wrong, every error is reported (``FILE:LINE:COLUMN: message``) and nothing is
   written. Otherwise new participants and then the measurements are bulk-inserted from the spill
   file, in the same transaction that read the database, which took the write lock first: two
   imports of one file at the same time end with its rows exactly once.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import math
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import numpy as np
from sqlalchemy import Connection, Engine, insert, select, text

from kirkpatrick.domain.errors import InvalidInput, KirkpatrickError, NotFound
from kirkpatrick.domain.vocab import Group, Rater, Wave
from kirkpatrick.io.sniff import Cell, Dialect, detect, row_batches
from kirkpatrick.storage import analysis_cache, db
from kirkpatrick.storage.models import Intervention, ItemResponse, Measure, Measurement, Participant

WAVES = [w.value for w in Wave]
RATERS = [r.value for r in Rater]
_WAVE_INDEX = {w: i for i, w in enumerate(WAVES)}
_RATER_INDEX = {r: i for i, r in enumerate(RATERS)}
_T = TypeVar("_T")
GROUPS = [g.value for g in Group]
LAYOUTS = ("long", "wide")
MAX_SHOWN = 50
CHUNK = 50_000
BATCH = 16_384  # rows checked together: big enough for C-level loops, small enough to stay in cache
REBUILD_INDEXES = True
DEFAULT_MIN_ITEM_SHARE = 0.8

LONG_COLUMNS = ("participant", "measure", "wave", "value", "rater", "date", "intervention", "group", "role")
# Columns of a wide file that describe the respondent rather than name a measure or an item.
WIDE_FIXED = ("participant", "intervention", "group", "role", "wave", "rater", "date")

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
# One validated measurement as spilled to disk: participant index, measure index, wave, rater,
# value, date (proleptic ordinal, 0 = none), line.
_RECORD = np.dtype([("p", "<i4"), ("m", "<i4"), ("w", "u1"), ("r", "u1"), ("v", "<f8"), ("d", "<i4"), ("line", "<i4")])


# ---------------------------------------------------------------- public types


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
            "per_measure_wave": [
                {"measure": m, "wave": w, **counts} for (m, w), counts in sorted(self.per_measure_wave.items())
            ],
        }


class ImportFailed(KirkpatrickError):
    """A file with errors; nothing of it was written.

    ``errors`` holds the first ``MAX_SHOWN`` messages in line order, ``count`` how many there are.
    """

    def __init__(self, path: Path, errors: list[str], count: int) -> None:
        self.path = path
        self.errors = errors
        self.count = count
        super().__init__("\n".join([*self.lines(), self.summary]))

    @property
    def summary(self) -> str:
        return f"{self.count} error{'s' if self.count != 1 else ''} in {self.path}; nothing imported"

    def lines(self) -> list[str]:
        more = self.count - len(self.errors)
        return self.errors + ([f"... and {more} more"] if more > 0 else [])


Progress = Callable[[int], None]


def import_measurements(
    engine: Engine,
    path: Path,
    options: ImportOptions = ImportOptions(),
    *,
    dialect: Dialect | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Validate every row of ``path`` and write them all in one transaction, or raise ``ImportFailed``.

    ``dialect`` comes from ``dialect.detect`` (called here if not given). ``progress`` is called
    with the line number reached, every few thousand lines. With ``dry_run`` nothing is written
    and no write lock is taken; the summary says what would be imported.
    """
    path = Path(path)
    if dialect is None:
        dialect = detect_dialect(path, options)
    if options.layout is not None and options.layout not in LAYOUTS:
        raise InvalidInput(f"unknown layout {options.layout!r} (expected long or wide)")
    if not 0 <= options.min_item_share <= 1:
        raise InvalidInput(f"minimum share of answered items must be between 0 and 1, not {options.min_item_share!r}")
    defaults = (_vocab_option(options.wave, WAVES, "wave"), _vocab_option(options.rater, RATERS, "rater"))
    if dry_run:
        with engine.connect() as connection:
            try:
                return _Import(connection, path, dialect, options, defaults, progress).run(write=False)
            finally:
                connection.rollback()
    with db.writer(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            # Serialise importers (SQLite's BEGIN IMMEDIATE does the same): the second one waits,
            # then sees the first one's rows as already present.
            connection.execute(text("LOCK TABLE measurement, participant IN SHARE ROW EXCLUSIVE MODE"))
        return _Import(connection, path, dialect, options, defaults, progress).run(write=True)


def detect_dialect(path: Path, options: ImportOptions = ImportOptions()) -> Dialect:
    """The file's dialect, detected, with the options' overrides; decode errors as ``ImportFailed``."""
    try:
        return detect(
            Path(path),
            delimiter=options.delimiter,
            decimal=options.decimal,
            encoding=options.encoding,
            sheet=options.sheet,
        )
    except InvalidInput as exc:
        if str(exc).startswith(f"{path}:"):
            raise ImportFailed(Path(path), [str(exc)], 1) from None
        raise


def _vocab_option(value: str | None, allowed: list[str], what: str) -> int | None:
    if value is None:
        return None
    key = value.strip().lower()
    if key not in allowed:
        raise InvalidInput(f"unknown {what} {value!r} (expected one of: {', '.join(allowed)})")
    return allowed.index(key)


def normalise(name: str) -> str:
    """A column name as matched: case and spaces ignored (``"Lf 1"`` matches ``lf_1``)."""
    return "_".join(name.strip().lower().split())


# ---------------------------------------------------------------- the import


@dataclass
class _MeasureInfo:
    index: int
    id: int
    code: str
    low: float
    high: float
    items: list[tuple[int, str, bool]]  # (item id, code, reverse)


class _Errors:
    """Collects errors; keeps the first few (by line) and counts the rest, so memory stays bounded."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kept: list[tuple[int, str]] = []
        self.count = 0

    def add(self, line: int, column: str | None, message: str) -> None:
        self.count += 1
        where = f"{self.path}:{line}:{column}:" if column else f"{self.path}:{line}:"
        self.kept.append((line, f"{where} {message}"))
        if len(self.kept) > 4 * MAX_SHOWN:
            self._trim()

    def _trim(self) -> None:
        self.kept.sort(key=lambda e: e[0])
        del self.kept[MAX_SHOWN:]

    def raise_if_any(self) -> None:
        if self.count:
            self._trim()
            raise ImportFailed(self.path, [m for _, m in self.kept], self.count)


class _Import:
    def __init__(
        self,
        connection: Connection,
        path: Path,
        dialect: Dialect,
        options: ImportOptions,
        defaults: tuple[int | None, int | None],
        progress: Progress | None,
    ) -> None:
        self.c = connection
        self.path = path
        self.dialect = dialect
        self.options = options
        self.default_wave, self.default_rater = defaults
        self.progress = progress
        self.errors = _Errors(path)
        self.decimal_comma = dialect.decimal == ","
        self.numbers: dict[Cell, float | None] = {}
        self.dates: dict[Cell, int | None] = {"": 0}
        # Interventions and measures are few: all of them in memory.
        self.interventions = {code: iid for iid, code in connection.execute(select(Intervention.id, Intervention.code))}
        self.measures: dict[str, _MeasureInfo] = {}
        self.measure_list: list[_MeasureInfo] = []
        for mid, code, low, high in connection.execute(
            select(Measure.id, Measure.code, Measure.scale_min, Measure.scale_max).order_by(Measure.id)
        ):
            info = _MeasureInfo(len(self.measure_list), mid, code, low, high, [])
            self.measure_list.append(info)
            self.measures[code] = info
        for info in self.measure_list:
            info.items = [
                (row.id, row.code, row.reverse)
                for row in connection.execute(
                    text("SELECT id, code, reverse FROM measure_item WHERE measure_id = :m ORDER BY position"),
                    {"m": info.id},
                )
            ]
        self.measure_lookup = {**{normalise(c): i for c, i in self.measures.items()}, **self.measures}
        self.measure_index = {code: info.index for code, info in self.measure_lookup.items()}
        self.low = np.array([info.low for info in self.measure_list] or [0.0], dtype=np.float64)
        self.high = np.array([info.high for info in self.measure_list] or [0.0], dtype=np.float64)
        self.fixed_intervention: int | None = None
        if options.intervention is not None:
            code = options.intervention.strip()
            if code not in self.interventions:
                raise NotFound(f"no intervention with code {code!r}")
            self.fixed_intervention = self.interventions[code]
        # Participants: index -> intervention id, code, group, role, database id (None if new), first line.
        self.participant_index: dict[tuple[int, str], int] = {}
        self.p_intervention: list[int] = []
        self.p_code: list[str] = []
        self.p_group: list[str | None] = []
        self.p_role: list[str | None] = []
        self.p_id: list[int | None] = []
        self.loaded_interventions: set[int] = set()
        # Participant cells (one cell, or a tuple of cells) seen and accepted -> participant index.
        self.accepted: dict[Any, int] = {}
        self.columns: dict[str, int] = {}
        self.width = 0
        self.participant_columns: list[int] | None = None
        # Validated measurements: keys in memory, records spilled to disk.
        self.keys: list[np.ndarray] = []
        self.chunk: list[tuple[int, int, int, int, float, int, int]] = []
        self.spill: IO[bytes] = tempfile.TemporaryFile(prefix="kirkpatrick-import-")
        self.items: dict[int, list[tuple[int, float]]] = {}  # measurement number -> item answers
        self.count = 0
        self.layout = "long"
        self.rows_read = 0
        self.too_few_items = 0

    # ------------------------------------------------------------ run

    def run(self, *, write: bool) -> ImportSummary:
        # Millions of short-lived rows (lists of cells) would set off the cyclic garbage
        # collector again and again; they hold no cycles, so it rests until the import is done.
        collecting = gc.isenabled()
        gc.disable()
        try:
            layout = self._read()
            self.errors.raise_if_any()
            keys = np.concatenate(self.keys) if self.keys else np.zeros(0, dtype=np.int64)
            self.keys = []
            if not len(keys) and not self.too_few_items:
                raise ImportFailed(self.path, [f"{self.path}: no measurements in the file"], 1)
            self._find_duplicates(keys)
            self.errors.raise_if_any()
            skip = self._compare_with_database(keys)
            self.errors.raise_if_any()
            summary = ImportSummary(self.path, self.dialect, layout, not write, rows_read=self.rows_read)
            summary.too_few_items = self.too_few_items
            summary.skipped = int(skip.sum())
            summary.imported = len(keys) - summary.skipped
            summary.participants_created = sum(1 for i in self.p_id if i is None)
            summary.per_measure_wave = self._per_measure_wave(keys, skip)
            if write:
                self._write_participants()
                summary.item_responses = self._write_measurements(skip)
                if summary.imported or summary.participants_created:  # cached analyses are now stale
                    analysis_cache.bump(self.c, self.p_intervention)
            else:
                summary.item_responses = sum(len(answers) for n, answers in self.items.items() if not skip[n])
            return summary
        finally:
            self.spill.close()
            if collecting:
                gc.enable()

    # ------------------------------------------------------------ reading and validation

    def _read(self) -> str:
        batches = self._guarded(row_batches(self.path, self.dialect, BATCH))
        header: list[str] | None = None
        header_line = 0
        rest: tuple[list[int], list[list[Cell]]] = ([], [])
        for lines, cells in batches:
            for k, row in enumerate(cells):
                if any(_blank(c) is False for c in row):
                    header = [normalise(str(c)) if c is not None else "" for c in row]
                    header_line = lines[k]
                    rest = (lines[k + 1 :], cells[k + 1 :])
                    break
            if header is not None:
                break
        if header is None:
            raise ImportFailed(self.path, [f"{self.path}: file is empty"], 1)
        while header and header[-1] == "":  # Excel pads rows with empty cells
            header.pop()
        layout = self.options.layout or ("long" if "measure" in header and "value" in header else "wide")
        self.layout = layout
        remaining = itertools.chain([rest], batches)
        if layout == "long":
            self._read_long(header, header_line, remaining)
        else:
            self._read_wide(header, header_line, (pair for lines, cells in remaining for pair in zip(lines, cells)))
        if self.rows_read == 0 and not self.errors.count:
            raise ImportFailed(self.path, [f"{self.path}: no rows after the header"], 1)
        self._flush()
        return layout

    def _guarded(self, stream: Iterator[_T]) -> Iterator[_T]:
        # A file that cannot be read on (a malformed line, a formula without its result) ends the
        # reading; its message joins the others, so every error found so far is still reported.
        try:
            yield from stream
        except InvalidInput as exc:
            message = str(exc)
            prefix = f"{self.path}:"
            if not message.startswith(prefix):
                raise
            line = message[len(prefix) :].split(":", 1)[0]
            self.errors.count += 1
            self.errors.kept.append((int(line) if line.isdigit() else 0, message))

    def _header_errors(self, header: list[str], line: int, allowed: tuple[str, ...] | None) -> dict[str, int]:
        columns: dict[str, int] = {}
        for i, name in enumerate(header):
            if name == "":
                self.errors.add(line, f"column {i + 1}", "column without a name")
            elif name in columns:
                self.errors.add(line, name, f"column {name!r} appears twice")
            elif allowed is not None and name not in allowed:
                self.errors.add(line, name, f"unknown column {name!r} (expected: {', '.join(allowed)})")
            else:
                columns[name] = i
        if "participant" not in columns:
            self.errors.add(line, None, "missing column 'participant'")
        if "intervention" not in columns and self.fixed_intervention is None:
            self.errors.add(line, None, "no intervention: give --intervention CODE or an 'intervention' column")
        return columns

    def _read_long(
        self, header: list[str], header_line: int, batches: Iterator[tuple[list[int], list[list[Cell]]]]
    ) -> None:
        columns = self._header_errors(header, header_line, LONG_COLUMNS)
        for name in ("measure", "value"):
            if name not in columns:
                self.errors.add(header_line, None, f"missing column {name!r}")
        if "wave" not in columns and self.default_wave is None:
            self.errors.add(header_line, None, "missing column 'wave' (or give --wave)")
        if self.errors.count:
            self.errors.raise_if_any()
        self.columns = columns
        self.width = len(header)
        for lines, cells in batches:
            if not cells:
                continue
            if not self._long_batch(lines, cells):
                for line, row in zip(lines, cells):
                    self._long_row(line, row)
            self._flush()
            if self.progress:
                self.progress(lines[-1])
            del lines, cells  # before the next batch is read

    def _long_row(self, line: int, cells: list[Cell]) -> None:
        """One row, checked cell by cell: the reference for every message."""
        width = self.width
        if len(cells) != width:
            if _is_blank_row(cells):
                return
            if len(cells) > width and all(_blank(c) for c in cells[width:]):
                cells = cells[:width]
            else:
                self.errors.add(line, None, f"expected {width} fields, found {len(cells)}")
                return
        if not cells[self.columns["participant"]] and _is_blank_row(
            cells
        ):  # a row of empty fields, as Excel leaves them
            return
        self.rows_read += 1
        p = self._participant(line, cells, self.columns)
        record = self._long_values(line, cells, p)
        if record is not None:
            self.chunk.append(record)

    def _long_values(
        self, line: int, cells: list[Cell], p: int | None
    ) -> tuple[int, int, int, int, float, int, int] | None:
        """The measurement of a long row whose participant is checked (``p``), or ``None`` (errors recorded)."""
        columns = self.columns
        im, iv = columns["measure"], columns["value"]
        iw, ir, idate = columns.get("wave"), columns.get("rater"), columns.get("date")
        add_error = self.errors.add
        # Measure
        code = cells[im]
        measures = self.measure_lookup
        info = measures.get(code)
        if info is None:
            info = measures.get(normalise(str(code)) if code is not None else "")
            if info is None:
                add_error(line, "measure", f"unknown measure {_shown(code)}" if not _blank(code) else "empty measure")
        # Wave and rater
        if iw is None:
            w: int | None = self.default_wave
        else:
            w = _WAVE_INDEX.get(cells[iw])
            if w is None:
                w = self._vocab(line, "wave", cells[iw], WAVES, self.default_wave)
        if ir is None:
            r: int | None = self.default_rater if self.default_rater is not None else 0
        else:
            r = _RATER_INDEX.get(cells[ir])
            if r is None:
                fallback = self.default_rater if self.default_rater is not None else 0
                r = self._vocab(line, "rater", cells[ir], RATERS, fallback)
        # Value
        cell = cells[iv]
        value = self.numbers.get(cell)
        if value is None:
            value = self._number(line, "value", cell, required=True)
        if value is not None and info is not None and not info.low <= value <= info.high:
            add_error(
                line,
                "value",
                f"{_number_text(cell)} is outside the scale of {info.code} ({info.low:g} to {info.high:g})",
            )
            value = None
        d = 0 if idate is None else self._date(line, cells[idate])
        if p is None or info is None or w is None or r is None or value is None or d is None:
            return None
        return (p, info.index, w, r, value, d, line)

    def _long_batch(self, lines: list[int], cells: list[list[Cell]]) -> bool:
        """Check a batch of rows column by column; ``False`` if it needs ``_long_row`` instead.

        Every cell is looked up in a dict of values already accepted (codes, numbers, dates),
        which is a C-level ``map`` over the column. A row with anything not found (a new
        participant aside), or a value off its scale, goes through ``_long_values``, so the
        messages are exactly those of the row-by-row check and come in the same order.
        """
        width = self.width
        if set(map(len, cells)) != {width}:
            return False  # short, long or blank rows: row by row
        n = len(cells)
        columns = self.columns
        by_column = list(zip(*cells))
        if not all(by_column[columns["participant"]]):
            return False  # an empty participant: maybe a row of empty fields
        self.rows_read += n
        # Participants: accepted ones by one lookup; the others checked in line order, as row by row.
        participant_columns = self._participant_cells(columns)
        if len(participant_columns) == 1:
            seen: list[Any] = by_column[participant_columns[0]]  # type: ignore[assignment]
        else:
            seen = list(zip(*(by_column[i] for i in participant_columns)))
        accepted = self.accepted.get
        ps = list(map(accepted, seen))
        if None in ps:
            for i in [i for i, p in enumerate(ps) if p is None]:
                p = accepted(seen[i])  # accepted on an earlier line of this batch
                ps[i] = p if p is not None else self._participant(lines[i], cells[i], columns)
        ms = list(map(self.measure_index.get, by_column[columns["measure"]]))
        iw, ir, idate = columns.get("wave"), columns.get("rater"), columns.get("date")
        ws: list[Any] | int | None = self.default_wave if iw is None else list(map(_WAVE_INDEX.get, by_column[iw]))
        rater_default = self.default_rater if self.default_rater is not None else 0
        rs: list[Any] | int = rater_default if ir is None else list(map(_RATER_INDEX.get, by_column[ir]))
        vs = list(map(self.numbers.get, by_column[columns["value"]]))
        ds: list[Any] | int = 0 if idate is None else list(map(self.dates.get, by_column[idate]))
        suspect: set[int] = set()
        for part in (ps, ms, ws, rs, vs, ds):
            if isinstance(part, list) and None in part:
                suspect.update(i for i, x in enumerate(part) if x is None)
        if not suspect:
            m = np.array(ms, dtype=np.int32)
            v = np.array(vs, dtype=np.float64)
            inside = (self.low[m] <= v) & (v <= self.high[m])
            if not inside.all():
                suspect.update(np.flatnonzero(~inside).tolist())
        if suspect:
            chunk = self.chunk
            for i in range(n):
                if i in suspect:
                    record = self._long_values(lines[i], cells[i], ps[i])
                    if record is not None:
                        chunk.append(record)
                else:
                    chunk.append(
                        (
                            ps[i],
                            ms[i],  # type: ignore[arg-type]
                            ws if isinstance(ws, int) else ws[i],  # type: ignore[index]
                            rs if isinstance(rs, int) else rs[i],
                            vs[i],
                            ds if isinstance(ds, int) else ds[i],
                            lines[i],  # type: ignore[arg-type]
                        )
                    )
            return True
        records = np.empty(n, dtype=_RECORD)
        records["p"] = ps
        records["m"] = m
        records["w"] = ws
        records["r"] = rs
        records["v"] = v
        records["d"] = ds
        records["line"] = lines
        self._flush()
        self._emit(records)
        return True

    def _read_wide(self, header: list[str], header_line: int, stream: Iterator[tuple[int, list[Cell]]]) -> None:
        columns = self._header_errors(header, header_line, None)
        items: dict[str, tuple[_MeasureInfo, int]] = {}
        for info in self.measure_list:
            for position, (_, item_code, _) in enumerate(info.items):
                items.setdefault(normalise(item_code), (info, position))
        scores: list[tuple[int, _MeasureInfo]] = []
        item_columns: dict[int, list[tuple[int, int]]] = {}  # measure index -> [(position, column)]
        for name, i in columns.items():
            if name in WIDE_FIXED:
                continue
            if name in self.measure_lookup:
                scores.append((i, self.measure_lookup[name]))
            elif name in items:
                info, position = items[name]
                item_columns.setdefault(info.index, []).append((position, i))
            else:
                self.errors.add(header_line, name, f"unknown column {name!r} (not a measure or item code)")
        for i, info in scores:
            if info.index in item_columns:
                self.errors.add(header_line, header[i], f"both a score column and item columns for measure {info.code}")
        if not scores and not item_columns:
            self.errors.add(header_line, None, "no measure or item columns")
        if "wave" not in columns and self.default_wave is None:
            self.errors.add(header_line, None, "wide layout needs --wave (or a 'wave' column)")
        if self.errors.count:
            self.errors.raise_if_any()
        width = len(header)
        iw, ir, idate = columns.get("wave"), columns.get("rater"), columns.get("date")
        share = self.options.min_item_share
        item_sets = [(self.measure_list[m], sorted(cols)) for m, cols in sorted(item_columns.items())]
        for line, cells in stream:
            if len(cells) < width:
                if _is_blank_row(cells):
                    continue
                if self.dialect.format == "xlsx":  # read-only openpyxl may give short rows
                    cells = [*cells, *([None] * (width - len(cells)))]
                else:
                    self.errors.add(line, None, f"expected {width} fields, found {len(cells)}")
                    continue
            elif len(cells) > width:
                if not all(_blank(c) for c in cells[width:]):
                    self.errors.add(line, None, f"expected {width} fields, found {len(cells)}")
                    continue
                cells = cells[:width]
            if _is_blank_row(cells):
                continue
            self.rows_read += 1
            if not self.rows_read % 10_000 and self.progress:
                self.progress(line)
            p = self._participant(line, cells, columns)
            w = self.default_wave if iw is None else self._vocab(line, "wave", cells[iw], WAVES, self.default_wave)
            fallback_rater = self.default_rater if self.default_rater is not None else 0
            r = fallback_rater if ir is None else self._vocab(line, "rater", cells[ir], RATERS, fallback_rater)
            d = 0 if idate is None else self._date(line, cells[idate])
            ok = p is not None and w is not None and r is not None and d is not None
            for i, info in scores:
                value = self._number(line, header[i], cells[i], required=False)
                if value is None:
                    continue
                if not info.low <= value <= info.high:
                    self.errors.add(
                        line,
                        header[i],
                        f"{_number_text(cells[i])} is outside the scale of {info.code} ({info.low:g} to {info.high:g})",
                    )
                    continue
                if ok:
                    self.chunk.append((p, info.index, w, r, value, d, line))  # type: ignore[arg-type]
            for info, cols in item_sets:
                answers: list[tuple[int, float]] = []
                bad = False
                for position, i in cols:
                    value = self._number(line, header[i], cells[i], required=False)
                    if value is None:
                        bad = bad or not _blank(cells[i])
                        continue
                    if not info.low <= value <= info.high:
                        self.errors.add(
                            line,
                            header[i],
                            f"{_number_text(cells[i])} is outside the scale of {info.code} ({info.low:g} to {info.high:g})",
                        )
                        bad = True
                        continue
                    answers.append((position, value))
                if bad or not answers or not ok:
                    continue
                # The scale score needs enough of the measure's items answered (all of them
                # count, including items the file has no column for).
                if len(answers) < share * len(info.items) - 1e-9:
                    self.too_few_items += 1
                    continue
                total = 0.0
                for position, value in answers:
                    total += info.low + info.high - value if info.items[position][2] else value
                score = total / len(answers)
                self.items[self.count + len(self.chunk)] = [(info.items[pos][0], v) for pos, v in answers]
                self.chunk.append((p, info.index, w, r, score, d, line))  # type: ignore[arg-type]
            if len(self.chunk) >= CHUNK:
                self._flush()

    def _participant(self, line: int, cells: list[Cell], columns: dict[str, int]) -> int | None:
        # Files repeat a participant on many rows: a combination of cells seen and accepted
        # once is accepted again by one dict lookup.
        indices = self._participant_cells(columns)
        seen = cells[indices[0]] if len(indices) == 1 else tuple([cells[i] for i in indices])
        p = self.accepted.get(seen)
        if p is not None:
            return p
        p = self._check_participant(line, cells, columns)
        if p is not None and len(self.accepted) < 1_000_000:
            self.accepted[seen] = p
        return p

    def _participant_cells(self, columns: dict[str, int]) -> list[int]:
        if self.participant_columns is None:
            self.participant_columns = [
                columns[c] for c in ("participant", "intervention", "group", "role") if c in columns
            ]
        return self.participant_columns

    def _check_participant(self, line: int, cells: list[Cell], columns: dict[str, int]) -> int | None:
        raw = cells[columns["participant"]]
        code = _text(raw)
        if not code:
            self.errors.add(line, "participant", "empty participant")
            return None
        iid = self.fixed_intervention
        ii = columns.get("intervention")
        if ii is not None:
            given = _text(cells[ii])
            if given:
                found = self.interventions.get(given)
                if found is None:
                    self.errors.add(line, "intervention", f"unknown intervention {given!r}")
                    return None
                if iid is not None and found != iid:
                    self.errors.add(
                        line,
                        "intervention",
                        f"row is for {given!r}, not {self.options.intervention!r} (--intervention)",
                    )
                    return None
                iid = found
            elif iid is None:
                self.errors.add(line, "intervention", "empty intervention")
                return None
        assert iid is not None
        key = (iid, code)
        p = self.participant_index.get(key)
        if p is None:
            if iid not in self.loaded_interventions:
                self._load_participants(iid)
                p = self.participant_index.get(key)
            if p is None:
                if len(code) > 64 or not _CODE.fullmatch(code):
                    self.errors.add(
                        line,
                        "participant",
                        f"bad participant code {code!r} (letters, digits, '_', '-', '.'; at most 64 characters)",
                    )
                    return None
                p = self._new_participant(iid, code, None, None, None)
        ig, irole = columns.get("group"), columns.get("role")
        if ig is not None:
            group = _text(cells[ig]).lower()
            if group:
                if group not in GROUPS:
                    self.errors.add(
                        line, "group", f"unknown group {_text(cells[ig])!r} (expected one of: {', '.join(GROUPS)})"
                    )
                    return None
                known = self.p_group[p]
                if known is None:
                    self.p_group[p] = group
                elif known != group:
                    where = "in the database" if self.p_id[p] is not None else "earlier in the file"
                    self.errors.add(line, "group", f"participant {code} is in group {known} {where}, not {group}")
                    return None
        if irole is not None:
            role = _text(cells[irole])
            if role:
                known = self.p_role[p]
                if known is None and self.p_id[p] is None:
                    if len(role) > 100:
                        self.errors.add(line, "role", f"role is too long ({len(role)} characters, at most 100)")
                        return None
                    self.p_role[p] = role
                elif known != role:
                    where = "in the database" if self.p_id[p] is not None else "earlier in the file"
                    self.errors.add(
                        line, "role", f"participant {code} has role {known or '(none)'} {where}, not {role}"
                    )
                    return None
        return p

    def _new_participant(self, iid: int, code: str, group: str | None, role: str | None, pid: int | None) -> int:
        p = len(self.p_code)
        self.participant_index[(iid, code)] = p
        self.p_intervention.append(iid)
        self.p_code.append(code)
        self.p_group.append(group)
        self.p_role.append(role)
        self.p_id.append(pid)
        return p

    def _load_participants(self, iid: int) -> None:
        self.loaded_interventions.add(iid)
        query = select(Participant.id, Participant.code, Participant.group, Participant.role).where(
            Participant.intervention_id == iid
        )
        for pid, code, group, role in self.c.execute(query):
            self._new_participant(iid, code, group.value if hasattr(group, "value") else group, role, pid)

    def _vocab(self, line: int, column: str, cell: Cell, allowed: list[str], default: int | None) -> int | None:
        key = _text(cell).lower()
        if not key:
            if default is not None:
                return default
            self.errors.add(line, column, f"empty {column}")
            return None
        if key in allowed:
            return allowed.index(key)
        self.errors.add(line, column, f"unknown {column} {_text(cell)!r} (expected one of: {', '.join(allowed)})")
        return None

    def _number(self, line: int, column: str, cell: Cell, *, required: bool) -> float | None:
        """The cell as a finite number, or ``None`` (empty, or an error recorded)."""
        if type(cell) is not str:
            if cell is None:
                if required:
                    self.errors.add(line, column, "empty value")
                return None
            if isinstance(cell, (int, float)) and not isinstance(cell, bool) and math.isfinite(cell):
                return float(cell)
            self.errors.add(line, column, f"{_shown(cell)} is not a number")
            return None
        cached = self.numbers.get(cell)
        if cached is not None:
            return cached
        stripped = cell.strip()
        if not stripped:
            if required:
                self.errors.add(line, column, "empty value")
            return None
        candidate = stripped
        if self.decimal_comma:
            candidate = "x" if "." in stripped else stripped.replace(",", ".", 1)
        if not _NUMBER.fullmatch(candidate):
            mark = "decimal comma" if self.decimal_comma else "decimal point"
            self.errors.add(line, column, f"{stripped!r} is not a number ({mark} expected)")
            return None
        value = float(candidate)
        if not math.isfinite(value):
            self.errors.add(line, column, f"{stripped!r} is not a finite number")
            return None
        if len(self.numbers) < 200_000:
            self.numbers[cell] = value
        return value

    def _date(self, line: int, cell: Cell) -> int | None:
        """A proleptic ordinal, 0 for an empty cell, ``None`` for an error (recorded)."""
        cached = self.dates.get(cell)
        if cached is not None:
            return cached
        text_ = _text(cell)
        if not text_:
            return 0
        try:
            if not _ISO_DATE.fullmatch(text_):
                raise ValueError
            ordinal = dt.date.fromisoformat(text_).toordinal()
        except ValueError:
            self.errors.add(line, "date", f"bad date {text_!r} (expected YYYY-MM-DD)")
            return None
        if len(self.dates) < 100_000:
            self.dates[cell] = ordinal
        return ordinal

    def _flush(self) -> None:
        if not self.chunk:
            return
        records = np.array(self.chunk, dtype=_RECORD)
        self.chunk.clear()
        self._emit(records)

    def _emit(self, records: np.ndarray) -> None:
        self.spill.write(records.tobytes())
        self.keys.append(self._key(records))
        self.count += len(records)

    def _key(self, records: np.ndarray) -> np.ndarray:
        # One integer per (participant, measure, wave, rater): the measurement's unique key.
        n_measures = max(len(self.measure_list), 1)
        key = records["p"].astype(np.int64) * n_measures + records["m"]
        key = (key * len(WAVES) + records["w"]) * len(RATERS) + records["r"]
        # Half the memory while they fit (a file with more than 2**31 combinations gets 64 bits).
        return key.astype(np.int32) if len(key) and key.max() < 2**31 else key

    def _records(self) -> Iterator[tuple[int, np.ndarray]]:
        """The spilled measurements, chunk by chunk, with the number of the first one."""
        self.spill.seek(0)
        start = 0
        while True:
            data = self.spill.read(CHUNK * _RECORD.itemsize)
            if not data:
                return
            records = np.frombuffer(data, dtype=_RECORD)
            yield start, records
            start += len(records)

    def _record(self, n: int) -> np.ndarray:
        self.spill.seek(n * _RECORD.itemsize)
        return np.frombuffer(self.spill.read(_RECORD.itemsize), dtype=_RECORD)[0]

    def _describe(self, record: np.ndarray) -> str:
        p = int(record["p"])
        return f"{self.p_code[p]} {self.measure_list[int(record['m'])].code} {WAVES[int(record['w'])]} {RATERS[int(record['r'])]}"

    def _column(self, record: np.ndarray) -> str:
        return "value" if self.layout == "long" else self.measure_list[int(record["m"])].code

    # ------------------------------------------------------------ checks over all rows

    def _find_duplicates(self, keys: np.ndarray) -> None:
        if len(keys) < 2:
            return
        # A sorted copy answers "any repeats?"; the order (8 bytes a key) only when there are.
        sorted_keys = np.sort(keys)
        repeated = bool((sorted_keys[1:] == sorted_keys[:-1]).any())
        del sorted_keys
        if not repeated:
            return
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        repeats = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])
        del sorted_keys
        # Only the first few need their lines read back from the spill file; the rest are counted.
        self.errors.count += len(repeats) - min(len(repeats), 4 * MAX_SHOWN)
        # Measurement numbers follow the file's order, so the smallest are the earliest lines.
        earliest = repeats[np.argsort(order[repeats + 1], kind="stable")[: 4 * MAX_SHOWN]]
        for i in earliest:
            first, again = self._record(int(order[i])), self._record(int(order[i + 1]))
            self.errors.add(
                int(again["line"]),
                self._column(again),
                f"same measurement as line {int(first['line'])} ({self._describe(again)})",
            )

    def _compare_with_database(self, keys: np.ndarray) -> np.ndarray:
        """Mark measurements already stored with the same value; record an error for a different value."""
        skip = np.zeros(len(keys), dtype=bool)
        existing = [p for p, pid in enumerate(self.p_id) if pid is not None]
        if not existing:
            return skip
        # Stored measurements of the file's participants as (key, value) arrays: 16 bytes each,
        # fetched in blocks, so a re-import of millions of rows stays within the memory budget.
        pids = np.array([self.p_id[p] for p in existing], dtype=np.int64)
        pid_order = np.argsort(pids)
        pids, p_of_pid = pids[pid_order], np.array(existing, dtype=np.int64)[pid_order]
        measure_of_id = np.full(max(info.id for info in self.measure_list) + 1, -1, dtype=np.int64)
        for info in self.measure_list:
            measure_of_id[info.id] = info.index
        n_measures = max(len(self.measure_list), 1)
        # Keys of up to 2**31 combinations (e.g. 50,000 participants x 3,000 measures) fit 32 bits.
        key_type = np.int32 if len(self.p_code) * n_measures * len(WAVES) * len(RATERS) < 2**31 else np.int64
        wave_case = " ".join(f"WHEN '{w}' THEN {i}" for i, w in enumerate(WAVES))
        rater_case = " ".join(f"WHEN '{r}' THEN {i}" for i, r in enumerate(RATERS))
        query = (
            f"SELECT participant_id, (measure_id * {len(WAVES)} + CASE wave {wave_case} END) * {len(RATERS)} "
            f"+ CASE rater {rater_case} END, value FROM measurement WHERE intervention_id = %s"
        )
        interventions = sorted({self.p_intervention[p] for p in existing})
        total = sum(
            self.c.execute(text("SELECT count(*) FROM measurement WHERE intervention_id = :i"), {"i": iid}).scalar_one()
            for iid in interventions
        )
        stored = np.empty(total, dtype=key_type)
        values = np.empty(total, dtype=np.float64)
        filled = 0
        for iid in interventions:
            for block in self._fetch_blocks(query, iid):
                pid, combo, value = block[:, 0].astype(np.int64), block[:, 1].astype(np.int64), block[:, 2]
                at = np.minimum(np.searchsorted(pids, pid), len(pids) - 1)
                rater, combo = combo % len(RATERS), combo // len(RATERS)
                wave, mid = combo % len(WAVES), combo // len(WAVES)
                known = mid < len(measure_of_id)
                m = measure_of_id[np.where(known, mid, 0)]
                # Measurements of participants not in the file (or of a measure created since) are left out.
                mine = (pids[at] == pid) & known & (m >= 0)
                key = ((p_of_pid[at] * n_measures + m) * len(WAVES) + wave) * len(RATERS) + rater
                n = int(mine.sum())
                if filled + n > len(stored):  # rows added since the count (a dry run takes no lock)
                    stored = np.concatenate([stored, np.empty(filled + n - len(stored), dtype=key_type)])
                    values = np.concatenate([values, np.empty(filled + n - len(values))])
                stored[filled : filled + n] = key[mine]
                values[filled : filled + n] = value[mine]
                filled += n
        if not filled:
            return skip
        order = np.argsort(stored[:filled])
        stored = stored[order]
        values = values[order]
        del order
        for start, records in self._records():
            chunk_keys = keys[start : start + len(records)]
            pos = np.searchsorted(stored, chunk_keys)
            pos_ok = np.minimum(pos, len(stored) - 1)
            found = stored[pos_ok] == chunk_keys
            same = found & np.isclose(values[pos_ok], records["v"], rtol=1e-12, atol=1e-12)
            skip[start : start + len(records)] = same
            for j in np.flatnonzero(found & ~same):
                record = records[j]
                line = int(record["line"])
                self.errors.add(
                    line,
                    self._column(record),
                    f"{self._describe(record)} is already {values[pos_ok[j]]:g} in the database, not {float(record['v']):g}",
                )
        return skip

    def _fetch_blocks(self, query: str, iid: int) -> Iterator[np.ndarray]:
        """The rows of ``query`` (three numeric columns, one ``%s`` for the intervention) as float64 blocks."""
        dbapi = self.c.connection.dbapi_connection
        assert dbapi is not None
        if self.c.dialect.name == "postgresql":
            # A server-side cursor: the client holds one block at a time, not the whole result.
            cursor = dbapi.cursor(name="kirkpatrick_import_stored")
        else:
            cursor = dbapi.cursor()
            query = query.replace("%s", "?")
        try:
            cursor.execute(query, (iid,))
            while True:
                rows_ = cursor.fetchmany(CHUNK)
                if not rows_:
                    return
                yield np.fromiter(itertools.chain.from_iterable(rows_), dtype=np.float64, count=3 * len(rows_)).reshape(
                    -1, 3
                )
        finally:
            cursor.close()

    def _per_measure_wave(self, keys: np.ndarray, skip: np.ndarray) -> dict[tuple[str, str], dict[str, int]]:
        n_combos = len(self.measure_list) * len(WAVES)
        combos = keys // len(RATERS) % n_combos
        out: dict[tuple[str, str], dict[str, int]] = {}
        for name, mask in (("imported", ~skip), ("skipped", skip)):
            counts = np.bincount(combos[mask], minlength=n_combos)
            for combo in np.flatnonzero(counts).tolist():
                n = int(counts[combo])
                m, w = divmod(combo, len(WAVES))
                entry = out.setdefault((self.measure_list[m].code, WAVES[w]), {"imported": 0, "skipped": 0})
                entry[name] = n
        return out

    # ------------------------------------------------------------ writing

    def _write_participants(self) -> None:
        new = [p for p, pid in enumerate(self.p_id) if pid is None]
        if not new:
            return
        table = Participant.__table__
        for start in range(0, len(new), CHUNK):
            self.c.execute(
                insert(table),
                [
                    {
                        "intervention_id": self.p_intervention[p],
                        "code": self.p_code[p],
                        "group": self.p_group[p] or Group.TREATMENT.value,
                        "role": self.p_role[p],
                    }
                    for p in new[start : start + CHUNK]
                ],
            )
        for iid in sorted({self.p_intervention[p] for p in new}):
            ids = dict(
                self.c.execute(select(Participant.code, Participant.id).where(Participant.intervention_id == iid)).all()
            )
            for p in new:
                if self.p_intervention[p] == iid:
                    self.p_id[p] = ids[self.p_code[p]]

    def _write_measurements(self, skip: np.ndarray) -> int:
        participant_ids = np.array(self.p_id, dtype=np.int64)
        intervention_ids = np.array(self.p_intervention, dtype=np.int64)
        measure_ids = np.array([info.id for info in self.measure_list], dtype=np.int64)
        waves = np.array(WAVES, dtype=object)
        raters = np.array(RATERS, dtype=object)
        backend = self.c.dialect.name
        dates: dict[int, Any] = {0: None}
        new_rows = int((~skip).sum())
        rebuild = []
        if REBUILD_INDEXES and backend == "sqlite" and new_rows >= 100_000:
            stored = self.c.exec_driver_sql("SELECT coalesce(max(id), 0) FROM measurement").scalar_one()
            if new_rows > stored:
                # Building an index once over all rows (a sort) is cheaper than updating it row
                # by row when most of the table is new. DDL is transactional in SQLite: a failed
                # or killed import leaves the indexes as they were.
                rebuild = [ix for ix in Measurement.__table__.indexes if not ix.unique]
                for ix in rebuild:
                    ix.drop(self.c)
        with _MeasurementWriter(self.c) as writer:
            for start, records in self._records():
                keep = ~skip[start : start + len(records)]
                records = records[keep]
                if not len(records):
                    continue
                p = records["p"]
                ordinals, which = np.unique(records["d"], return_inverse=True)
                for ordinal in ordinals.tolist():
                    if ordinal not in dates:
                        day = dt.date.fromordinal(ordinal)
                        dates[ordinal] = day.isoformat() if backend == "sqlite" else day
                writer.write(
                    intervention_ids[p].tolist(),
                    participant_ids[p].tolist(),
                    measure_ids[records["m"]].tolist(),
                    waves[records["w"]].tolist(),
                    raters[records["r"]].tolist(),
                    records["v"].tolist(),
                    np.array([dates[o] for o in ordinals.tolist()], dtype=object)[which].tolist(),
                )
        for ix in rebuild:
            ix.create(self.c)
        return self._write_items(skip)

    def _write_items(self, skip: np.ndarray) -> int:
        wanted = {n: answers for n, answers in self.items.items() if not skip[n]}
        if not wanted:
            return 0
        ids: dict[tuple[int, int, str, str], int] = {}
        interventions = sorted({self.p_intervention[int(self._record(n)["p"])] for n in wanted})
        item_measures = [info.id for info in self.measure_list if info.items]
        for iid in interventions:
            query = select(
                Measurement.id, Measurement.participant_id, Measurement.measure_id, Measurement.wave, Measurement.rater
            ).where(Measurement.intervention_id == iid, Measurement.measure_id.in_(item_measures))
            for mid_, pid, measure_id, wave, rater in self.c.execute(query):
                ids[(pid, measure_id, _value(wave), _value(rater))] = mid_
        rows_: list[dict[str, Any]] = []
        for n, answers in sorted(wanted.items()):
            record = self._record(n)
            key = (
                self.p_id[int(record["p"])],
                self.measure_list[int(record["m"])].id,
                WAVES[int(record["w"])],
                RATERS[int(record["r"])],
            )
            measurement_id = ids[key]  # type: ignore[index]
            rows_.extend({"measurement_id": measurement_id, "item_id": item, "value": v} for item, v in answers)
        for start in range(0, len(rows_), CHUNK):
            self.c.execute(insert(ItemResponse.__table__), rows_[start : start + CHUNK])
        return len(rows_)


_MEASUREMENT_COLUMNS = ("intervention_id", "participant_id", "measure_id", "wave", "rater", "value", "date")


class _MeasurementWriter:
    """Bulk insert of measurements, column lists at a time, by the fastest path each backend offers.

    SQLite: multi-row ``INSERT ... VALUES`` with as many rows as its parameter limit allows.
    PostgreSQL: one ``COPY`` for the whole import,
    fed blocks of tab-separated text. Others: Core's executemany. All inside the caller's
    transaction.
    """

    def __init__(self, connection: Connection) -> None:
        self.c = connection
        self.backend = connection.dialect.name
        self.names = ", ".join(_MEASUREMENT_COLUMNS)
        self._cursor: Any = None
        self._copy_cm: Any = None
        self._copy: Any = None
        self._per_statement = 1

    def __enter__(self) -> _MeasurementWriter:
        return self

    def write(self, *columns: list[Any]) -> None:
        if self.backend == "sqlite":
            if self._cursor is None:
                dbapi = self.c.connection.dbapi_connection
                assert dbapi is not None
                self._cursor = dbapi.cursor()
                limit = dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[attr-defined]
                self._per_statement = max(1, min(limit, 32_766) // len(_MEASUREMENT_COLUMNS))
            width = len(_MEASUREMENT_COLUMNS)
            flat = list(itertools.chain.from_iterable(zip(*columns)))
            per = self._per_statement
            for start in range(0, len(columns[0]), per):
                part = flat[start * width : (start + per) * width]
                self._cursor.execute(self._values_statement(len(part) // width), part)
        elif self.backend == "postgresql":
            if self._copy is None:
                dbapi = self.c.connection.dbapi_connection
                assert dbapi is not None
                self._cursor = dbapi.cursor()
                self._copy_cm = self._cursor.copy(f"COPY measurement ({self.names}) FROM STDIN")
                self._copy = self._copy_cm.__enter__()
            # Codes, numbers (repr: exact) and ISO dates need no escaping in COPY's text format.
            iids, pids, mids, waves, raters, values, dates = columns
            text_ = "".join(
                f"{i}\t{p}\t{m}\t{w}\t{r}\t{v!r}\t{d if d is not None else NULL_TEXT}\n"
                for i, p, m, w, r, v, d in zip(iids, pids, mids, waves, raters, values, dates)
            )
            self._copy.write(text_.encode())
        else:
            self.c.execute(
                insert(Measurement.__table__), [dict(zip(_MEASUREMENT_COLUMNS, row)) for row in zip(*columns)]
            )

    def _values_statement(self, rows: int) -> str:
        # Thousands of rows per statement, bound in one C call: per-row binding in executemany,
        # or unpacking JSON in SQL, cost more (bench/import_bench.py). SQLite caches the statement.
        placeholders = "(" + ", ".join("?" * len(_MEASUREMENT_COLUMNS)) + ")"
        return f"INSERT INTO measurement ({self.names}) VALUES " + ", ".join([placeholders] * rows)

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        if self._copy_cm is not None:
            try:
                self._copy_cm.__exit__(kind, error, trace)
            finally:
                self._cursor.close()
        elif self._cursor is not None:
            self._cursor.close()


NULL_TEXT = "\\N"


# ---------------------------------------------------------------- small helpers


def _value(member: Any) -> str:
    return member.value if hasattr(member, "value") else str(member)


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if type(cell) is str:
        return cell.strip()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # Excel stores participant number 1001 as 1001.0
    return str(cell).strip()


def _blank(cell: Cell) -> bool:
    return cell is None or (type(cell) is str and not cell.strip())


def _is_blank_row(cells: list[Cell]) -> bool:
    return all(_blank(c) for c in cells)


def _shown(cell: Cell) -> str:
    return repr(cell.strip()) if isinstance(cell, str) else repr(cell)


def _number_text(cell: Cell) -> str:
    if isinstance(cell, str):
        return cell.strip()
    return f"{cell:g}" if isinstance(cell, float) else str(cell)
