"""Canonical rows: every reader (long, wide, a survey tool) turns its table into these.

A canonical row is one measurement: participant, measure, wave, rater, value, date and the line
it came from (the column follows from the layout and measure). Validated rows are packed as NumPy
records and spilled to a temporary file; only one 32-bit (or 64-bit) key per row stays in
memory, so 5 million rows fit in under 300 MB (244 MB for a first import, 292 MB for a
re-import of rows all present: ``bench/import_bench.py --rows 5000000``).
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

import numpy as np

from kirkpatrick.domain.vocab import Rater, Wave
from kirkpatrick.io.validate import RATERS, WAVES

CHUNK = 50_000
# One validated measurement as spilled to disk: participant index, measure index, wave, rater,
# value, date (proleptic ordinal, 0 = none), line.
RECORD = np.dtype([("p", "<i4"), ("m", "<i4"), ("w", "u1"), ("r", "u1"), ("v", "<f8"), ("d", "<i4"), ("line", "<i4")])
Row = tuple[int, int, int, int, float, int, int]


@dataclass(frozen=True)
class CanonicalRow:
    """One answer as a measurement source, before validation: ``item`` is None for a measure's
    score, else the code of one of its items (the scale score is computed from the items)."""

    participant: str
    measure: str
    item: str | None
    wave: Wave | str
    rater: Rater | str
    value: float
    date: dt.date | None = None


@dataclass(frozen=True)
class Unscored:
    """The item answers of one participant, measure, wave and rater, too few for a scale score:
    kept without one (indexes as in ``Row``; ``items`` are (item id, value as given))."""

    p: int
    m: int
    w: int
    r: int
    d: int
    line: int
    items: tuple[tuple[int, float], ...]


class RowStore:
    """The validated rows of one import: keys in memory, records on disk, item answers by row number,
    and item answers without a score."""

    def __init__(self, n_measures: int, *, in_memory: bool = False) -> None:
        self.n_measures = max(n_measures, 1)
        self.keys: list[np.ndarray] = []
        self.chunk: list[Row] = []
        # A file spills to disk; a few canonical rows (a form's answers) stay in memory.
        self.spill: IO[bytes] = (
            io.BytesIO() if in_memory else tempfile.TemporaryFile(prefix="kirkpatrick-import-")  # noqa: SIM115
        )
        self.items: dict[int, list[tuple[int, float]]] = {}  # row number -> (item id, value)
        # Item answers too few for a score: few (a respondent who skipped most of a measure), kept in memory.
        self.unscored: list[Unscored] = []
        self.count = 0
        self.listener: Callable[[np.ndarray], None] | None = None  # sees every block as it is spilled

    def add(self, row: Row, items: list[tuple[int, float]] | None = None) -> None:
        if items is not None:
            self.items[self.count + len(self.chunk)] = items
        self.chunk.append(row)
        if len(self.chunk) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.chunk:
            return
        records = np.array(self.chunk, dtype=RECORD)
        self.chunk.clear()
        self.emit(records)

    def emit(self, records: np.ndarray) -> None:
        self.spill.write(records.tobytes())
        self.keys.append(self.key(records))
        self.count += len(records)
        if self.listener is not None:
            self.listener(records)

    def key(self, records: np.ndarray) -> np.ndarray:
        # One integer per (participant, measure, wave, rater): the measurement's unique key.
        key: np.ndarray = records["p"].astype(np.int64) * self.n_measures + records["m"]
        key = (key * len(WAVES) + records["w"]) * len(RATERS) + records["r"]
        # Half the memory while they fit (a file with more than 2**31 combinations gets 64 bits).
        small = bool(len(key)) and int(key.max()) < 2**31
        return key.astype(np.int32) if small else key

    def all_keys(self) -> np.ndarray:
        keys = np.concatenate(self.keys) if self.keys else np.zeros(0, dtype=np.int64)
        self.keys = []
        return keys

    def records(self) -> Iterator[tuple[int, np.ndarray]]:
        """The spilled measurements, chunk by chunk, with the number of the first one."""
        self.spill.seek(0)
        start = 0
        while True:
            data = self.spill.read(CHUNK * RECORD.itemsize)
            if not data:
                return
            records = np.frombuffer(data, dtype=RECORD)
            yield start, records
            start += len(records)

    def record(self, n: int) -> np.ndarray:
        self.spill.seek(n * RECORD.itemsize)
        record: np.ndarray = np.frombuffer(self.spill.read(RECORD.itemsize), dtype=RECORD)[0]
        return record

    def close(self) -> None:
        self.spill.close()
