"""Qualtrics CSV/TSV: three header rows (export tags such as ``Q1_1``; the question text as
``Stem - Statement``; ``{"ImportId":"QID1_1"}``), metadata columns StartDate ... UserLanguage,
Status (0/"IP Address", 1/"Survey Preview"), Progress, Finished (1/0, True/False).
"numeric values" and "choice text" exports both work: labels go through the catalogue's labels.
"""

from __future__ import annotations

from kirkpatrick.io.formats.survey import Survey, SurveyColumn, meta_kind, split_forms
from kirkpatrick.io.sniff import Cell
from kirkpatrick.io.validate import text_of


def matches(rows: list[tuple[int, list[Cell]]]) -> bool:
    if len(rows) < 3:
        return False
    first = {text_of(c) for c in rows[0][1]}
    third = [text_of(c) for c in rows[2][1]]
    return "ResponseId" in first or any(t.startswith('{"ImportId"') for t in third)


def read(rows: list[tuple[int, list[Cell]]]) -> Survey:
    tags, questions = rows[0][1], rows[1][1]
    columns = []
    for i, cell in enumerate(tags):
        tag = text_of(cell)
        if not tag:
            continue
        question = text_of(questions[i]) if i < len(questions) else ""
        meta = meta_kind(tag)
        columns.append(
            SurveyColumn(i, question or tag, [*split_forms(question), tag] if question else [tag], tag, meta)
        )
    return Survey("qualtrics", columns, rows[3:])
