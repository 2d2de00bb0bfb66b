"""Validation of canonical rows: the catalogue (known measures, scales), cell values (numbers,
dates, vocabularies), and the collected errors with file, line and column.

Cell checks keep dicts of values already accepted, so a file that repeats the same few codes,
numbers and dates on millions of rows checks each distinct cell once.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, select, text

from kirkpatrick.domain import parsing
from kirkpatrick.domain.errors import KirkpatrickError
from kirkpatrick.domain.vocab import Rater, Wave
from kirkpatrick.io.problems import Problem
from kirkpatrick.io.sniff import Cell
from kirkpatrick.storage.models import Measure

WAVES = [w.value for w in Wave]
RATERS = [r.value for r in Rater]
WAVE_INDEX = {w: i for i, w in enumerate(WAVES)}
RATER_INDEX = {r: i for i, r in enumerate(RATERS)}
MAX_SHOWN = 50


class ImportFailed(KirkpatrickError):
    """A file with errors; nothing of it was written.

    ``problems`` holds the first ``MAX_SHOWN`` problems (typed records) in line order, ``errors``
    the same as ``file:line:column: message`` lines, ``count`` how many there are.
    """

    def __init__(self, path: Any, errors: list[str], count: int, problems: list[Problem] | None = None) -> None:
        self.path = path
        self.problems = problems if problems is not None else [Problem(e) for e in errors]
        self.errors = errors
        self.count = count
        super().__init__("\n".join([*self.lines(), self.summary]))

    @classmethod
    def of(cls, path: Any, problems: list[Problem], count: int | None = None) -> ImportFailed:
        return cls(path, [p.located() for p in problems], len(problems) if count is None else count, problems)

    @property
    def summary(self) -> str:
        return f"{self.count} error{'s' if self.count != 1 else ''} in {self.path}; nothing imported"

    def lines(self) -> list[str]:
        more = self.count - len(self.errors)
        return self.errors + ([f"... and {more} more"] if more > 0 else [])


class Errors:
    """Collects problems (code, values, file, line, column); keeps the first few (by line) and
    counts the rest, so memory stays bounded."""

    def __init__(self, path: Any) -> None:
        self.path = path
        self.kept: list[tuple[int, Problem]] = []
        self.count = 0

    def add(self, line: int, column: str | None, code: str, **values: str) -> None:
        """A problem at ``line``/``column``: ``code`` is the English sentence, ``%(name)s``
        placeholders filled from ``values``."""
        self.count += 1
        self.kept.append((line, Problem(code, values, str(self.path), line, column or None)))
        if len(self.kept) > 4 * MAX_SHOWN:
            self._trim()

    def add_problem(self, problem: Problem) -> None:
        self.count += 1
        self.kept.append((problem.line or 0, problem))

    def add_message(self, line: int, message: str) -> None:
        """A message already located (``file:line: ...``), as the reader raises them."""
        self.count += 1
        self.kept.append((line, Problem(message, {}, None, None, None)))

    def _trim(self) -> None:
        self.kept.sort(key=lambda e: e[0])
        del self.kept[MAX_SHOWN:]

    def fail(self, code: str, **values: str) -> ImportFailed:
        return ImportFailed.of(self.path, [Problem(code, values, str(self.path))])

    def raise_if_any(self) -> None:
        if self.count:
            self._trim()
            raise ImportFailed.of(self.path, [p for _, p in self.kept], self.count)


@dataclass
class MeasureInfo:
    index: int
    id: int
    code: str
    low: float
    high: float
    items: list[tuple[int, str, bool]]  # (item id, code, reverse)


class Catalogue:
    """The measures (few: all in memory), looked up by code or by a normalised column name.

    Read-only once built: ``load_catalogue`` shares one per database and catalogue version.
    """

    def __init__(self, connection: Connection) -> None:
        self.measures: dict[str, MeasureInfo] = {}
        self.list: list[MeasureInfo] = []
        for mid, code, low, high in connection.execute(
            select(Measure.id, Measure.code, Measure.scale_min, Measure.scale_max).order_by(Measure.id)
        ):
            info = MeasureInfo(len(self.list), mid, code, low, high, [])
            self.list.append(info)
            self.measures[code] = info
        by_id = {info.id: info for info in self.list}
        for item_id, measure_id, item_code, reverse in connection.execute(
            text("SELECT id, measure_id, code, reverse FROM measure_item ORDER BY measure_id, position")
        ):
            if measure_id in by_id:
                by_id[measure_id].items.append((item_id, item_code, bool(reverse)))
        self.lookup = {**{parsing.column_name(c): i for c, i in self.measures.items()}, **self.measures}
        self.index = {code: info.index for code, info in self.lookup.items()}
        self.low = np.array([info.low for info in self.list] or [0.0], dtype=np.float64)
        self.high = np.array([info.high for info in self.list] or [0.0], dtype=np.float64)
        self.item_positions = {
            (info.index, parsing.column_name(item_code)): position
            for info in self.list
            for position, (_, item_code, _) in enumerate(info.items)
        }

    def items(self) -> dict[str, tuple[MeasureInfo, int]]:
        """Item codes (normalised) -> (measure, position)."""
        found: dict[str, tuple[MeasureInfo, int]] = {}
        for info in self.list:
            for position, (_, item_code, _) in enumerate(info.items):
                found.setdefault(parsing.column_name(item_code), (info, position))
        return found


class Cells:
    """Numbers, dates and vocabulary members of cells, each distinct cell checked once."""

    def __init__(self, errors: Errors, decimal: str) -> None:
        self.errors = errors
        self.decimal_comma = decimal == ","
        self.numbers: dict[Cell, float | None] = {}
        self.dates: dict[Cell, int | None] = {"": 0}

    def vocab(self, line: int, column: str, cell: Cell, allowed: list[str], default: int | None) -> int | None:
        key = text_of(cell).lower()
        if not key:
            if default is not None:
                return default
            self.errors.add(line, column, "empty %(what)s", what=column)
            return None
        if key in allowed:
            return allowed.index(key)
        self.errors.add(
            line,
            column,
            "unknown %(what)s %(value)s (expected one of: %(allowed)s)",
            what=column,
            value=repr(text_of(cell)),
            allowed=", ".join(allowed),
        )
        return None

    def number(self, line: int, column: str, cell: Cell, *, required: bool) -> float | None:
        """The cell as a finite number, or ``None`` (empty, or an error recorded)."""
        if type(cell) is not str:
            if cell is None:
                if required:
                    self.errors.add(line, column, "empty value")
                return None
            if isinstance(cell, (int, float)) and not isinstance(cell, bool) and math.isfinite(cell):
                return float(cell)
            self.errors.add(line, column, "%(value)s is not a number", value=shown(cell))
            return None
        cached = self.numbers.get(cell)
        if cached is not None:
            return cached
        stripped = cell.strip()
        if not stripped:
            if required:
                self.errors.add(line, column, "empty value")
            return None
        value = parsing.number(stripped, "," if self.decimal_comma else ".")
        if value is None:
            code = "%(value)s is not a number (decimal comma expected)"
            if not self.decimal_comma:
                code = "%(value)s is not a number (decimal point expected)"
            self.errors.add(line, column, code, value=repr(stripped))
            return None
        if not math.isfinite(value):
            self.errors.add(line, column, "%(value)s is not a finite number", value=repr(stripped))
            return None
        if len(self.numbers) < 200_000:
            self.numbers[cell] = value
        return value

    def date(self, line: int, cell: Cell) -> int | None:
        """A proleptic ordinal, 0 for an empty cell, ``None`` for an error (recorded)."""
        cached = self.dates.get(cell)
        if cached is not None:
            return cached
        text_ = text_of(cell)
        if not text_:
            return 0
        ordinal = parsing.date_ordinal(text_)
        if ordinal is None:
            self.errors.add(line, "date", "bad date %(value)s (expected YYYY-MM-DD)", value=repr(text_))
            return None
        if len(self.dates) < 100_000:
            self.dates[cell] = ordinal
        return ordinal


def scale_error(cell: Cell, info: MeasureInfo) -> str:
    return f"{number_text(cell)} is outside the scale of {info.code} ({info.low:g} to {info.high:g})"


# ---------------------------------------------------------------- small helpers


def text_of(cell: Cell) -> str:
    if cell is None:
        return ""
    if type(cell) is str:
        return cell.strip()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # Excel stores participant number 1001 as 1001.0
    return str(cell).strip()


def blank(cell: Cell) -> bool:
    return cell is None or (type(cell) is str and not cell.strip())


def is_blank_row(cells: list[Cell]) -> bool:
    return all(blank(c) for c in cells)


def shown(cell: Cell) -> str:
    return repr(cell.strip()) if isinstance(cell, str) else repr(cell)


def number_text(cell: Cell) -> str:
    if isinstance(cell, str):
        return cell.strip()
    return f"{cell:g}" if isinstance(cell, float) else str(cell)


# ---------------------------------------------------------------- the catalogue, once per process

# Measures and items are added, never changed in place (records.add_measure, import_measures and
# the question bank only insert; erasure and restore delete or insert whole rows), so counts, the
# largest ids and sums over bounds, positions and reverse flags change whenever the catalogue does.
# One row of aggregates costs a fraction of a millisecond; rebuilding the catalogue costs a query
# per table and the Python objects for every measure and item.
_VERSION = text(
    "SELECT (SELECT count(*) FROM measure), (SELECT coalesce(max(id), 0) FROM measure),"
    " (SELECT coalesce(sum(scale_min * 7 + scale_max * 13 + length(code)), 0) FROM measure),"
    " (SELECT count(*) FROM measure_item), (SELECT coalesce(max(id), 0) FROM measure_item),"
    " (SELECT coalesce(sum(measure_id * 31 + position * 17 + CASE WHEN reverse THEN 1 ELSE 0 END"
    " + length(code)), 0) FROM measure_item)"
)
_CACHE: dict[str, tuple[tuple[Any, ...], Catalogue]] = {}
_CACHE_LOCK = threading.Lock()


def catalogue_version(connection: Connection) -> tuple[Any, ...]:
    """A fingerprint of the catalogue as this transaction sees it (see ``_VERSION``)."""
    return tuple(connection.execute(_VERSION).one())


def load_catalogue(connection: Connection) -> Catalogue:
    """The catalogue, built once per database and catalogue version and shared (read-only) by every
    import and form submission of this process."""
    where = connection.engine.url.render_as_string(hide_password=True)
    version = catalogue_version(connection)
    with _CACHE_LOCK:
        cached = _CACHE.get(where)
    if cached is not None and cached[0] == version:
        return cached[1]
    catalogue = Catalogue(connection)
    with _CACHE_LOCK:
        _CACHE[where] = (version, catalogue)
    return catalogue
