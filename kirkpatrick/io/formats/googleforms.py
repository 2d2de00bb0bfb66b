"""Google Forms (responses sheet as CSV): a timestamp column named in the sheet's UI language
(``Timestamp``, ``Tidstämpel``), then one column per question; grids as ``Question [Row]``
holding the chosen column label; linear scales as numbers. Forms stores only submitted responses."""

from __future__ import annotations

from kirkpatrick.io.formats.survey import Survey, simple
from kirkpatrick.io.sniff import Cell
from kirkpatrick.io.validate import text_of

TIMESTAMPS = ("timestamp", "tidstämpel", "tidsstämpel", "marca temporal", "zeitstempel")


def matches(rows: list[tuple[int, list[Cell]]]) -> bool:
    return bool(rows) and bool(rows[0][1]) and text_of(rows[0][1][0]).lower() in TIMESTAMPS


def read(rows: list[tuple[int, list[Cell]]]) -> Survey:
    # The sheet's timestamp is M/D/YYYY in an English (US) sheet, D/M/YYYY or ISO in a Swedish one.
    month_first = text_of(rows[0][1][0]).lower() == "timestamp"
    return simple("googleforms", rows[0][1], rows[1:], month_first=month_first)
