"""The question bank: the shipped questions (``bank/questions.csv``) and consultants' own.

Whose questions are whose: a question added by an organisation (a consultancy) is that
organisation's (``Question.owner_id``); the shipped ones (no owner) are everyone's. Every listing
and every use of a question takes the ``owner`` whose bank it is and sees only the shipped
questions and that owner's: another organisation's question answers exactly like a missing one,
and its code is free for each organisation to use.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.domain.errors import Duplicate, InvalidInput, NotFound
from kirkpatrick.domain.vocab import Level
from kirkpatrick.storage.accounts import InterventionRunner
from kirkpatrick.storage.collect import Question
from kirkpatrick.storage.models import Measure, MeasureItem

BANK = Path(__file__).resolve().parent / "bank"
LANGS = ("sv", "en")


def bank_dir() -> Path:
    """The folder of the shipped bank: measures.csv (catalogue format), questions.csv, mail texts."""
    return BANK


def measures_csv() -> Path:
    return BANK / "measures.csv"


@dataclass(frozen=True)
class QuestionFields:
    code: str
    kind: str
    text_sv: str
    text_en: str
    measure: str | None = None
    item: str | None = None
    other_sv: str | None = None
    other_en: str | None = None
    labels: str = "{}"
    level: str | None = None


@dataclass(frozen=True)
class QuestionRecord:
    """A bank question as the web pages and the CLI show it."""

    code: str
    kind: str
    measure: str | None
    item: str | None
    text_sv: str
    text_en: str
    shipped: bool
    own: bool  # added by the organisation whose bank is listed


def visible(owner: int | None) -> ColumnElement[bool]:
    """The questions of ``owner``'s bank: the shipped ones and ``owner``'s own (None: shipped only)."""
    if owner is None:
        return Question.owner_id.is_(None)
    return or_(Question.owner_id.is_(None), Question.owner_id == owner)


def owner_of(session: OrmSession, intervention_id: int) -> int | None:
    """Whose bank an intervention's questionnaires draw on: the consultancy that runs it (None: one
    run by no organisation, which gets the shipped questions only)."""
    return session.scalar(
        select(InterventionRunner.organisation_id).where(InterventionRunner.intervention_id == intervention_id)
    )


def missing_measures(session: OrmSession) -> list[str]:
    """Measure codes of the shipped bank that the catalogue lacks."""
    with open(measures_csv(), encoding="utf-8", newline="") as f:
        wanted = [row["code"] for row in csv.DictReader(f)]
    have = set(session.scalars(select(Measure.code).where(Measure.code.in_(wanted))))
    return [c for c in wanted if c not in have]


def _check_labels(code: str, labels: str) -> str:
    try:
        parsed = json.loads(labels or "{}")
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"question {code}: labels are not JSON: {exc}") from None
    if not isinstance(parsed, dict) or not all(
        k in LANGS and isinstance(v, dict) and all(isinstance(t, str) for t in v.values()) for k, v in parsed.items()
    ):
        raise InvalidInput(f'question {code}: labels must look like {{"sv": {{"1": "..."}}, "en": {{...}}}}')
    return json.dumps(parsed, ensure_ascii=False, sort_keys=True)


def add_question(
    session: OrmSession,
    fields: QuestionFields,
    *,
    owner: int | None,
    shipped: bool = False,
    replace: bool = False,
) -> Question:
    """Add a question to ``owner``'s bank (None: the shipped bank; ``replace``: update the one with
    the same code there). A code is taken only by a shipped question or one of ``owner``'s own, so
    the error says nothing of other organisations' questions."""
    code = fields.code.strip()
    if not code or len(code) > 64:
        raise InvalidInput(f"question code must be 1 to 64 characters, not {code!r}")
    if fields.kind not in ("scale", "open"):
        raise InvalidInput(f"question kind must be scale or open, not {fields.kind!r}")
    if not fields.text_sv.strip() or not fields.text_en.strip():
        raise InvalidInput(f"question {code}: wording in both Swedish and English is needed")
    measure: Measure | None = None
    item: MeasureItem | None = None
    if fields.kind == "scale":
        if not fields.measure:
            raise InvalidInput(f"question {code}: a scale question names the measure it feeds")
        measure = session.scalars(select(Measure).where(Measure.code == fields.measure)).one_or_none()
        if measure is None:
            raise NotFound(f"question {code}: no measure with code {fields.measure!r}")
        if measure.items and not fields.item:
            raise InvalidInput(f"question {code}: measure {measure.code} has items; name the item")
        if fields.item:
            item = next((i for i in measure.items if i.code == fields.item), None)
            if item is None:
                raise NotFound(f"question {code}: measure {measure.code} has no item {fields.item!r}")
    level = fields.level or None
    if level is not None and level not in {lv.value for lv in Level}:
        raise InvalidInput(f"question {code}: unknown level {level!r}")
    taken = session.scalars(
        select(Question).where(Question.code == code, visible(owner)).order_by(Question.owner_id.is_(None))
    ).first()
    if taken is not None and (not replace or taken.owner_id != owner):
        raise Duplicate(f"the bank already has a question {code!r}")
    existing = taken
    question = existing or Question(code=code, owner_id=owner)
    question.kind = fields.kind
    question.measure = measure
    question.item = item
    question.text_sv = fields.text_sv.strip()
    question.text_en = fields.text_en.strip()
    question.other_sv = (fields.other_sv or "").strip() or None
    question.other_en = (fields.other_en or "").strip() or None
    question.labels = _check_labels(code, fields.labels)
    question.level = level
    question.shipped = shipped
    if existing is None:
        session.add(question)
    session.flush()
    return question


def load_bank(session: OrmSession) -> int:
    """Add (or refresh) the shipped questions; the bank's measures must be in the catalogue.

    Returns the number of questions loaded. Running it again changes nothing.
    """
    missing = missing_measures(session)
    if missing:
        raise NotFound(
            f"the catalogue lacks the bank's measures ({', '.join(missing)}); "
            f"import them with `kirkpatrick measure import {measures_csv()}`"
        )
    count = 0
    with open(BANK / "questions.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            add_question(
                session,
                QuestionFields(**_optional(row)),
                owner=None,
                shipped=True,
                replace=True,
            )
            count += 1
    return count


def _optional(row: dict[str, str]) -> dict[str, Any]:
    return {k: (v or None) if k in ("measure", "item", "other_sv", "other_en", "level") else v for k, v in row.items()}


def list_questions(session: OrmSession, owner: int | None) -> list[QuestionRecord]:
    """``owner``'s bank: the shipped questions and ``owner``'s own (None: the shipped ones only)."""
    rows = session.scalars(select(Question).where(visible(owner)).order_by(Question.code, Question.id))
    return [
        QuestionRecord(
            q.code,
            q.kind,
            q.measure.code if q.measure else None,
            q.item.code if q.item else None,
            q.text_sv,
            q.text_en,
            q.shipped,
            owner is not None and q.owner_id == owner,
        )
        for q in rows
    ]


def get_question(session: OrmSession, code: str, owner: int | None) -> Question:
    """The question ``code`` of ``owner``'s bank (its own before a shipped one of the same code)."""
    found = session.scalars(
        select(Question).where(Question.code == code.strip(), visible(owner)).order_by(Question.owner_id.is_(None))
    ).first()
    if found is None:
        raise NotFound(f"the bank has no question {code!r}")
    return found
