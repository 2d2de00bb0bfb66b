"""SurveyMonkey CSV and xlsx: two header rows. Row 1: the id columns (Respondent ID, Collector
ID, Start Date, End Date, IP Address, Email Address, First Name, Last Name, Custom Data 1) and
each question's text above its first column only; row 2: ``Response``, ``Open-Ended Response``
or a matrix's row labels. Dates ``MM/DD/YYYY hh:mm:ss AM``; no completion-status column."""

from __future__ import annotations

from kirkpatrick.io.formats.survey import Survey, SurveyColumn, derived_kind, meta_kind, split_forms
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
            columns.append(SurveyColumn(i, stem, split_forms(stem), None, None, derived_kind(stem)))
        else:
            header = f"{stem} - {sub}"
            other = "text of an 'other' choice" if sub.lower().startswith(("other", "annat", "övrigt")) else None
            forms = [*split_forms(header), f"{stem} [{sub}]"]
            columns.append(SurveyColumn(i, header, forms, None, None, other or derived_kind(header)))
    return Survey("surveymonkey", columns, rows[2:], month_first=True, header_line=rows[0][0])
