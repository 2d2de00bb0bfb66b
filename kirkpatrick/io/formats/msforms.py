"""Microsoft Forms (xlsx): ``ID, Start time, Completion time, Email, Name, Last modified time``,
then one column per question; each Likert statement is its own column headed by the statement
alone; answers are label text. Forms records only completed responses (no status column)."""

from __future__ import annotations

from kirkpatrick.io.formats.survey import Survey, simple
from kirkpatrick.io.sniff import Cell
from kirkpatrick.io.validate import text_of


def matches(rows: list[tuple[int, list[Cell]]]) -> bool:
    first = {text_of(c).lower() for c in rows[0][1]} if rows else set()
    # English UI; Swedish UI (not confirmed by a primary source: as Swedish users' workbooks show it).
    return {"id", "start time", "completion time"} <= first or {"id", "starttid", "tid för slutförande"} <= first


def read(rows: list[tuple[int, list[Cell]]]) -> Survey:
    return simple("msforms", rows[0][1], rows[1:])
