"""Qualtrics CSV/TSV: three header rows (export tags such as ``Q1_1``; the question text as
``Stem - Statement``; ``{"ImportId":"QID1_1"}``), metadata columns StartDate ... UserLanguage,
Status (0/"IP Address", 1/"Survey Preview"), Progress, Finished (1/0, True/False).
"numeric values" and "choice text" exports both work: labels go through the catalogue's labels.
The tool's own columns are recognised and left out with the reason: the NPS group beside a 0-10
answer (``Q3_NPS_GROUP``, "... - Group"), ``_TEXT`` of an "other" choice, ``SC0`` scores,
Topics/Sentiment, ``Q_RecaptchaScore``, ``Q_RelevantID*``, and embedded data (an ImportId that is
not a question's ``QID``).
"""

from __future__ import annotations

import json

from kirkpatrick.io.formats.survey import Survey, SurveyColumn, derived_kind, meta_kind, split_forms
from kirkpatrick.io.sniff import Cell
from kirkpatrick.io.validate import text_of


def matches(rows: list[tuple[int, list[Cell]]]) -> bool:
    if len(rows) < 3:
        return False
    first = {text_of(c) for c in rows[0][1]}
    third = [text_of(c) for c in rows[2][1]]
    return "ResponseId" in first or any(t.startswith('{"ImportId"') for t in third)


def _import_id(cell: Cell) -> str | None:
    text = text_of(cell)
    if not text.startswith("{"):
        return None
    try:
        found = json.loads(text)
    except ValueError:
        return None
    return str(found.get("ImportId", "")) if isinstance(found, dict) else None


def read(rows: list[tuple[int, list[Cell]]]) -> Survey:
    tags, questions = rows[0][1], rows[1][1]
    ids = rows[2][1] if len(rows) > 2 else []
    has_ids = any(_import_id(c) is not None for c in ids)
    columns = []
    for i, cell in enumerate(tags):
        tag = text_of(cell)
        if not tag:
            continue
        question = text_of(questions[i]) if i < len(questions) else ""
        meta = meta_kind(tag)
        derived = None if meta else derived_kind(question or tag, tag)
        import_id = _import_id(ids[i]) if i < len(ids) else None
        if meta is None and derived is None and has_ids and import_id is not None and not import_id.startswith("QID"):
            derived = "embedded data"  # a field set by the survey flow or a contact list, not a question
        forms = [*split_forms(question), tag] if question else [tag]
        columns.append(SurveyColumn(i, question or tag, forms, tag, meta, derived))
    return Survey("qualtrics", columns, rows[3:] if has_ids else rows[2:], header_line=rows[0][0])
