"""Canonical rows given directly (a form's answers, or any caller that already has them): the same
checks as a file's rows, with the row's position standing in for its line.

A row names a measure and either gives its score (``item`` None) or one of its items; the items of
one participant, measure, wave and rater become the scale score as in the wide layout.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from kirkpatrick.domain.parsing import column_name
from kirkpatrick.io.context import ReadContext
from kirkpatrick.io.formats.wide import add_scale_score
from kirkpatrick.io.rows import CanonicalRow
from kirkpatrick.io.validate import RATER_INDEX, RATERS, WAVE_INDEX, WAVES, MeasureInfo

# (participant, measure, wave, rater) -> (date, first line, {item position: value})
Pending = dict[tuple[int, int, int, int], tuple[int, int, dict[int, float]]]


class CanonicalReader:
    def __init__(self, ctx: ReadContext) -> None:
        self.ctx = ctx

    def read(self, rows: Iterable[CanonicalRow]) -> None:
        ctx = self.ctx
        columns = {"participant": 0}
        pending: Pending = {}
        for line, row in enumerate(rows, start=1):
            ctx.rows_read += 1
            p = ctx.participants.get(line, [row.participant], columns)
            info = self._measure(line, row.measure)
            w = self._vocab(line, "wave", row.wave, WAVE_INDEX, WAVES)
            r = self._vocab(line, "rater", row.rater, RATER_INDEX, RATERS)
            value = self._value(line, row, info)
            d = row.date.toordinal() if row.date is not None else 0
            if p is None or info is None or w is None or r is None or value is None:
                continue
            if row.item is None:
                ctx.store.add((p, info.index, w, r, value, d, line))
                continue
            position = ctx.catalogue.item_positions.get((info.index, column_name(row.item)))
            if position is None:
                ctx.errors.add(line, "item", f"measure {info.code} has no item {row.item!r}")
                continue
            _, first, answers = pending.setdefault((p, info.index, w, r), (d, line, {}))
            if position in answers:
                ctx.errors.add(line, "item", f"item {row.item} given twice (first on line {first})")
                continue
            answers[position] = value
        for (p, m, w, r), (d, line, answers) in pending.items():
            info = ctx.catalogue.list[m]
            add_scale_score(ctx, info, sorted(answers.items()), (p, m, w, r, 0.0, d, line))
        ctx.store.flush()

    def _measure(self, line: int, code: str) -> MeasureInfo | None:
        lookup = self.ctx.catalogue.lookup
        info = lookup.get(code) or lookup.get(column_name(code))
        if info is None:
            if code.strip():
                self.ctx.errors.add(line, "measure", "unknown measure %(value)s", value=repr(code))
            else:
                self.ctx.errors.add(line, "measure", "empty measure")
        return info

    def _vocab(self, line: int, column: str, given: str, index: dict[str, int], allowed: list[str]) -> int | None:
        found = index.get(given)
        if found is None:
            found = index.get(str(given).strip().lower())
        if found is None:
            self.ctx.errors.add(line, column, f"unknown {column} {given!r} (expected one of: {', '.join(allowed)})")
        return found

    def _value(self, line: int, row: CanonicalRow, info: MeasureInfo | None) -> float | None:
        value = row.value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.ctx.errors.add(line, "value", f"{value!r} is not a finite number")
            return None
        if info is not None and not info.low <= value <= info.high:
            where = f"{info.code}.{row.item}" if row.item else info.code
            self.ctx.errors.add(
                line, "value", f"{value:g} is outside the scale of {where} ({info.low:g} to {info.high:g})"
            )
            return None
        return float(value)
