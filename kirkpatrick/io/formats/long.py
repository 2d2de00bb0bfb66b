"""The long layout (canonical): one measurement per row.

``participant,measure,wave,value,rater,date`` (plus ``intervention``, ``group``, ``role``).
Rows are checked a batch at a time, column by column, against dicts of values already accepted;
a batch with anything new or wrong goes row by row, which writes every message.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from kirkpatrick.domain.parsing import column_name
from kirkpatrick.io.context import ReadContext
from kirkpatrick.io.rows import RECORD, Row
from kirkpatrick.io.sniff import Cell, ColumnRows, Rows
from kirkpatrick.io.validate import RATER_INDEX, RATERS, WAVE_INDEX, WAVES, blank, is_blank_row, scale_error, shown

COLUMNS = ("participant", "measure", "wave", "value", "rater", "date", "intervention", "group", "role")


def matches(header: list[str]) -> bool:
    """A header with measure and value columns is a long file."""
    return "measure" in header and "value" in header


class LongReader:
    def __init__(self, ctx: ReadContext) -> None:
        self.ctx = ctx
        self.columns: dict[str, int] = {}
        self.width = 0

    def read(self, header: list[str], header_line: int, batches: Iterator[tuple[list[int], Rows]]) -> None:
        ctx = self.ctx
        columns = ctx.header_columns(header, header_line, COLUMNS)
        for name in ("measure", "value"):
            if name not in columns:
                ctx.errors.add(header_line, None, f"missing column {name!r}")
        if "wave" not in columns and ctx.default_wave is None:
            ctx.errors.add(header_line, None, "missing column 'wave' (or give --wave)")
        ctx.errors.raise_if_any()
        self.columns = columns
        self.width = len(header)
        for lines, cells in batches:
            if not cells:
                continue
            if not self._batch(lines, cells):
                for line, row in zip(lines, cells):
                    self._row(line, row)
            ctx.store.flush()
            if ctx.progress:
                ctx.progress(lines[-1])
            del lines, cells  # before the next batch is read

    def _row(self, line: int, cells: list[Cell]) -> None:
        """One row, checked cell by cell: the reference for every message."""
        width = self.width
        if len(cells) != width:
            if is_blank_row(cells):
                return
            if len(cells) > width and all(blank(c) for c in cells[width:]):
                cells = cells[:width]
            else:
                self.ctx.errors.add(line, None, f"expected {width} fields, found {len(cells)}")
                return
        if not cells[self.columns["participant"]] and is_blank_row(cells):  # a row of empty fields, as Excel leaves
            return
        self.ctx.rows_read += 1
        p = self.ctx.participants.get(line, cells, self.columns)
        row = self._values(line, cells, p)
        if row is not None:
            self.ctx.store.chunk.append(row)

    def _values(self, line: int, cells: list[Cell], p: int | None) -> Row | None:
        """The measurement of a row whose participant is checked (``p``), or ``None`` (errors recorded)."""
        ctx = self.ctx
        columns = self.columns
        im, iv = columns["measure"], columns["value"]
        iw, ir, idate = columns.get("wave"), columns.get("rater"), columns.get("date")
        code = cells[im]
        lookup = ctx.catalogue.lookup
        info = lookup.get(code)
        if info is None:
            info = lookup.get(column_name(str(code)) if code is not None else "")
            if info is None:
                if blank(code):
                    ctx.errors.add(line, "measure", "empty measure")
                else:
                    ctx.errors.add(line, "measure", "unknown measure %(value)s", value=shown(code))
        if iw is None:
            w: int | None = ctx.default_wave
        else:
            w = WAVE_INDEX.get(cells[iw])
            if w is None:
                w = ctx.cells.vocab(line, "wave", cells[iw], WAVES, ctx.default_wave)
        if ir is None:
            r: int | None = ctx.rater_or_self
        else:
            r = RATER_INDEX.get(cells[ir])
            if r is None:
                r = ctx.cells.vocab(line, "rater", cells[ir], RATERS, ctx.rater_or_self)
        cell = cells[iv]
        value = ctx.cells.numbers.get(cell)
        if value is None:
            value = ctx.cells.number(line, "value", cell, required=True)
        if value is not None and info is not None and not info.low <= value <= info.high:
            ctx.errors.add(line, "value", scale_error(cell, info))
            value = None
        d = 0 if idate is None else ctx.cells.date(line, cells[idate])
        if p is None or info is None or w is None or r is None or value is None or d is None:
            return None
        return (p, info.index, w, r, value, d, line)

    def _batch(self, lines: list[int], cells: Rows) -> bool:
        """Check a batch of rows column by column; ``False`` if it needs ``_row`` instead.

        Every cell is looked up in a dict of values already accepted (codes, numbers, dates),
        which is a C-level ``map`` over the column. A row with anything not found (a new
        participant aside), or a value off its scale, goes through ``_values``, so the
        messages are exactly those of the row-by-row check and come in the same order.
        """
        ctx = self.ctx
        width = self.width
        if isinstance(cells, ColumnRows):  # a plain block, already cut into columns
            if len(cells.columns) != width:
                return False
            by_column: list[Any] = cells.columns
        elif set(map(len, cells)) != {width}:
            return False  # short, long or blank rows: row by row
        else:
            by_column = list(zip(*cells))
        n = len(cells)
        columns = self.columns
        if not all(by_column[columns["participant"]]):
            return False  # an empty participant: maybe a row of empty fields
        ctx.rows_read += n
        # Participants: accepted ones by one lookup; the others checked in line order, as row by row.
        participant_columns = ctx.participants.cells(columns)
        if len(participant_columns) == 1:
            seen: list[Any] = by_column[participant_columns[0]]
        else:
            seen = list(zip(*(by_column[i] for i in participant_columns)))
        accepted = ctx.participants.accepted.get
        ps = list(map(accepted, seen))
        if None in ps:
            for i in [i for i, p in enumerate(ps) if p is None]:
                p = accepted(seen[i])  # accepted on an earlier line of this batch
                ps[i] = p if p is not None else ctx.participants.get(lines[i], cells[i], columns)
        ms = list(map(ctx.catalogue.index.get, by_column[columns["measure"]]))
        iw, ir, idate = columns.get("wave"), columns.get("rater"), columns.get("date")
        ws: list[Any] | int | None = ctx.default_wave if iw is None else list(map(WAVE_INDEX.get, by_column[iw]))
        rs: list[Any] | int = ctx.rater_or_self if ir is None else list(map(RATER_INDEX.get, by_column[ir]))
        vs = list(map(ctx.cells.numbers.get, by_column[columns["value"]]))
        ds: list[Any] | int = 0 if idate is None else list(map(ctx.cells.dates.get, by_column[idate]))
        clean = self._clean(lines, ps, ms, ws, rs, vs, ds)
        if clean is not None:
            ctx.store.flush()
            ctx.store.emit(clean)
            return True
        suspect: set[int] = set()
        for part in (ps, ms, ws, rs, vs, ds):
            if isinstance(part, list) and None in part:
                suspect.update(i for i, x in enumerate(part) if x is None)
        # Every row's value against its own measure's scale, in C (a number accepted for one
        # measure may be off another's scale); the rows with something unknown stand in as 0 / NaN.
        m = np.array(ms if not suspect else [0 if x is None else x for x in ms], dtype=np.int32)
        v = np.array(vs if not suspect else [np.nan if x is None else x for x in vs], dtype=np.float64)
        inside = (ctx.catalogue.low[m] <= v) & (v <= ctx.catalogue.high[m])
        if not inside.all():
            suspect.update(np.flatnonzero(~inside).tolist())
        keep: np.ndarray | None = None
        if suspect:
            # Those rows are checked one by one, in line order, as row by row (every message; new
            # codes, numbers and dates learnt); the others stay in the batch.
            keep = np.ones(n, dtype=bool)
            for i in sorted(suspect):
                row = self._values(lines[i], cells[i], ps[i])
                if row is None:
                    keep[i] = False
                    ps[i] = 0
                    for part in (ws, rs, ds):
                        if isinstance(part, list):
                            part[i] = 0
                    continue
                ps[i], m[i], w, r, v[i], d, _ = row
                for part, x in ((ws, w), (rs, r), (ds, d)):
                    if isinstance(part, list):
                        part[i] = x
        records = np.empty(n, dtype=RECORD)
        records["p"] = ps
        records["m"] = m
        records["w"] = ws
        records["r"] = rs
        records["v"] = v
        records["d"] = ds
        records["line"] = lines
        if keep is not None:
            records = records[keep]
        ctx.store.flush()
        ctx.store.emit(records)
        return True

    def _clean(self, lines: list[int], *parts: list[Any] | int | None) -> np.ndarray | None:
        """The batch's records if every cell was found (no ``None``) and every value is on its
        measure's scale, else ``None``: one conversion per column, in C, which fails on a ``None``
        (a value's ``None`` becomes NaN, which no scale holds)."""
        ps, ms, ws, rs, vs, ds = parts
        records = np.empty(len(lines), dtype=RECORD)
        try:
            records["p"], records["m"], records["w"], records["r"], records["d"] = ps, ms, ws, rs, ds
        except TypeError:
            return None
        records["v"] = vs
        m, v = records["m"], records["v"]
        if not ((self.ctx.catalogue.low[m] <= v) & (v <= self.ctx.catalogue.high[m])).all():
            return None
        records["line"] = lines
        return records
