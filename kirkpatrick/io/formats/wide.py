"""The wide layout, as survey tools export: one row per respondent, a participant column, one
column per measure (its score) or per item (the scale score is the mean of the items answered,
reverse-scored ones flipped; the item answers are kept, also when too few are answered for a score).
"""

from __future__ import annotations

from collections.abc import Iterator

from kirkpatrick.io.context import ReadContext
from kirkpatrick.io.rows import Row, Unscored
from kirkpatrick.io.sniff import Cell
from kirkpatrick.io.validate import RATERS, WAVES, MeasureInfo, blank, is_blank_row, scale_error

# Columns of a wide file that describe the respondent rather than name a measure or an item.
FIXED = ("participant", "intervention", "group", "role", "wave", "rater", "date")


class WideReader:
    def __init__(self, ctx: ReadContext) -> None:
        self.ctx = ctx

    def read(self, header: list[str], header_line: int, stream: Iterator[tuple[int, list[Cell]]]) -> None:
        ctx = self.ctx
        columns = ctx.header_columns(header, header_line, None)
        items = ctx.catalogue.items()
        scores: list[tuple[int, MeasureInfo]] = []
        item_columns: dict[int, list[tuple[int, int]]] = {}  # measure index -> [(position, column)]
        for name, i in columns.items():
            if name in FIXED:
                continue
            if name in ctx.catalogue.lookup:
                scores.append((i, ctx.catalogue.lookup[name]))
            elif name in items:
                info, position = items[name]
                item_columns.setdefault(info.index, []).append((position, i))
            else:
                ctx.errors.add(
                    header_line, name, "unknown column %(value)s (not a measure or item code)", value=repr(name)
                )
        for i, info in scores:
            if info.index in item_columns:
                ctx.errors.add(header_line, header[i], f"both a score column and item columns for measure {info.code}")
        if not scores and not item_columns:
            ctx.errors.add(header_line, None, "no measure or item columns")
        if "wave" not in columns and ctx.default_wave is None:
            ctx.errors.add(header_line, None, "wide layout needs --wave (or a 'wave' column)")
        ctx.errors.raise_if_any()
        item_sets = [(ctx.catalogue.list[m], sorted(cols)) for m, cols in sorted(item_columns.items())]
        xlsx = ctx.table.dialect.format == "xlsx"
        width = len(header)
        for line, cells in stream:
            if len(cells) < width:
                if is_blank_row(cells):
                    continue
                if xlsx:  # read-only openpyxl may give short rows
                    cells = [*cells, *([None] * (width - len(cells)))]
                else:
                    ctx.errors.add(line, None, f"expected {width} fields, found {len(cells)}")
                    continue
            elif len(cells) > width:
                if not all(blank(c) for c in cells[width:]):
                    ctx.errors.add(line, None, f"expected {width} fields, found {len(cells)}")
                    continue
                cells = cells[:width]
            if is_blank_row(cells):
                continue
            ctx.rows_read += 1
            if not ctx.rows_read % 10_000 and ctx.progress:
                ctx.progress(line)
            self._row(line, cells, header, columns, scores, item_sets)

    def _row(
        self,
        line: int,
        cells: list[Cell],
        header: list[str],
        columns: dict[str, int],
        scores: list[tuple[int, MeasureInfo]],
        item_sets: list[tuple[MeasureInfo, list[tuple[int, int]]]],
    ) -> None:
        ctx = self.ctx
        iw, ir, idate = columns.get("wave"), columns.get("rater"), columns.get("date")
        p = ctx.participants.get(line, cells, columns)
        w = ctx.default_wave if iw is None else ctx.cells.vocab(line, "wave", cells[iw], WAVES, ctx.default_wave)
        r = ctx.rater_or_self if ir is None else ctx.cells.vocab(line, "rater", cells[ir], RATERS, ctx.rater_or_self)
        d = 0 if idate is None else ctx.cells.date(line, cells[idate])
        ok = p is not None and w is not None and r is not None and d is not None
        for i, info in scores:
            value = ctx.cells.number(line, header[i], cells[i], required=False)
            if value is None:
                continue
            if not info.low <= value <= info.high:
                ctx.errors.add(line, header[i], scale_error(cells[i], info))
                continue
            if ok:
                ctx.store.add((p, info.index, w, r, value, d, line))  # type: ignore[arg-type]
        for info, cols in item_sets:
            answers: list[tuple[int, float]] = []
            bad = False
            for position, i in cols:
                value = ctx.cells.number(line, header[i], cells[i], required=False)
                if value is None:
                    bad = bad or not blank(cells[i])
                    continue
                if not info.low <= value <= info.high:
                    ctx.errors.add(line, header[i], scale_error(cells[i], info))
                    bad = True
                    continue
                answers.append((position, value))
            if bad or not answers or not ok:
                continue
            add_scale_score(ctx, info, answers, (p, info.index, w, r, 0.0, d, line))  # type: ignore[arg-type]


def add_scale_score(ctx: ReadContext, info: MeasureInfo, answers: list[tuple[int, float]], row: Row) -> None:
    """Store the scale score of ``info`` from item ``answers`` ((position, value), each on the
    scale), with the item answers; ``row`` is the measurement with its value to be filled in.

    The score is the mean of the items answered, reverse-scored ones flipped; it needs enough of
    the measure's items answered (all of them count, including items the input has no column for).
    With too few, there is no score and the answers are kept as they are (``RowStore.unscored``).
    """
    p, m, w, r, _, d, line = row
    if len(answers) < ctx.min_item_share * len(info.items) - 1e-9:
        # No score, but the answers given are kept (``io.unscored``): they are the respondent's.
        ctx.too_few_items += 1
        ctx.store.unscored.append(Unscored(p, m, w, r, d, line, tuple((info.items[pos][0], v) for pos, v in answers)))
        return
    total = 0.0
    for position, value in answers:
        total += info.low + info.high - value if info.items[position][2] else value
    score = total / len(answers)
    items = [(info.items[pos][0], v) for pos, v in answers]
    ctx.store.add((p, m, w, r, score, d, line), items)
