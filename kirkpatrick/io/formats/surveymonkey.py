"""SurveyMonkey CSV and xlsx: two header rows. Row 1: the id columns (Respondent ID, Collector
ID, Start Date, End Date, IP Address, Email Address, First Name, Last Name, Custom Data 1) and
each question's text above its first column only; row 2: ``Response``, ``Open-Ended Response``
or a matrix's row labels. Dates ``MM/DD/YYYY hh:mm:ss AM``; no completion-status column."""

from __future__ import annotations

from kirkpatrick.io.formats.survey import Survey, SurveyColumn, meta_kind
from kirkpatrick.io.sniff import Cell
from kirkpatrick.io.validate import text_of

PLAIN = ("response", "open-ended response", "svar", "öppet svar")


def matches(rows: list[tuple[int, list[Cell]]]) -> bool:
    first = {text_of(c).lower() for c in rows[0][1]} if rows else set()
    return "respondent id" in first and len(rows) > 1


def read(rows: list[tuple[int, list[Cell]]]) -> Survey:
    top, below = rows[0][1], rows[1][1]
    columns = []
    stem = ""
    for i in range(max(len(top), len(below))):
        head = text_of(top[i]) if i < len(top) else ""
        sub = text_of(below[i]) if i < len(below) else ""
        meta = meta_kind(head) if head else None
        if meta is not None:
            columns.append(SurveyColumn(i, head, [head], None, meta))
            stem = ""
            continue
        if head:
            stem = head  # a blank cell in row 1 continues the question to its left
        if not stem:
            continue
        if not sub or sub.lower() in PLAIN:
            columns.append(SurveyColumn(i, stem, [stem], None, None))
        else:
            columns.append(SurveyColumn(i, f"{stem} - {sub}", [f"{stem} - {sub}", sub, f"{stem} [{sub}]"], None, None))
    return Survey("surveymonkey", columns, rows[2:], month_first=True)
