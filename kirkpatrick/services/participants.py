"""A participant's group (treatment or comparison) and role, as an import sets them, changed by hand;
and the feedback file of an intervention checked before it is imported.

The group decides which comparison a participant's values enter, so a change bumps the
intervention's analysis version in the same transaction (results cached for it are dropped).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.domain.errors import InvalidInput, KirkpatrickError, NotFound
from kirkpatrick.domain.parsing import parse_vocab
from kirkpatrick.domain.vocab import Group
from kirkpatrick.io.sniff import open_path
from kirkpatrick.io.validate import text_of
from kirkpatrick.services import records
from kirkpatrick.services.uploads import ErrorRow, guard_xlsx
from kirkpatrick.storage import analysis_cache, db
from kirkpatrick.storage.models import Measurement, Participant

PREVIEW_ROWS = 5


def list_participants(session: OrmSession, code: str) -> list[dict[str, Any]]:
    """The intervention's participants with group, role and number of values."""
    intervention = records.get_intervention(session, code)
    counts = dict(
        session.execute(
            select(Measurement.participant_id, func.count())
            .where(Measurement.intervention_id == intervention.id)
            .group_by(Measurement.participant_id)
        ).all()
    )
    rows = session.scalars(
        select(Participant).where(Participant.intervention_id == intervention.id).order_by(Participant.code)
    )
    return [
        {"id": p.id, "code": p.code, "group": p.group.value, "role": p.role, "values": counts.get(p.id, 0)}
        for p in rows
    ]


def get_participant(session: OrmSession, code: str, participant_id: int) -> Participant:
    """Participant ``participant_id`` of intervention ``code`` (one of another intervention is missing)."""
    intervention = records.get_intervention(session, code)
    found = session.get(Participant, participant_id)
    if found is None or found.intervention_id != intervention.id:
        raise NotFound("no such participant in this intervention")
    return found


def set_participant(session: OrmSession, code: str, participant_id: int, group: str, role: str | None) -> Participant:
    """Set the group and role of a participant of intervention ``code``."""
    participant = get_participant(session, code, participant_id)
    new_group = parse_vocab(Group, group, what="group")
    clean = (role or "").strip() or None
    if clean is not None and len(clean) > 100:
        raise InvalidInput(f"role is too long ({len(clean)} characters, at most 100)")
    if new_group != participant.group:
        analysis_cache.bump(session.connection(), [participant.intervention_id])
    participant.group, participant.role = new_group, clean
    session.flush()
    return participant


# ---------------------------------------------------------------- feedback files


@dataclass
class FeedbackPreview:
    """What the feedback import page shows before anything is written."""

    header: list[str] = field(default_factory=list)
    first_rows: list[list[str]] = field(default_factory=list)
    quotes: int = 0
    cleared: int = 0
    errors: list[ErrorRow] = field(default_factory=list)


def _error(exc: KirkpatrickError) -> ErrorRow:
    """``file:line: message`` as a table row."""
    text = str(exc)
    parts = text.split(":", 2)
    if len(parts) == 3 and parts[1].strip().isdigit():
        return ErrorRow(int(parts[1]), None, parts[2].strip())
    return ErrorRow(None, None, text.split(": ", 1)[-1])


def import_feedback_file(session: OrmSession, path: Path, code: str) -> tuple[int, int]:
    """The CLI's ``feedback import --intervention code``: every quote of the file, or none.
    Returns (quotes, cleared)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        guard_xlsx(path)
    added = records.import_feedback(session, path, intervention=code)
    return len(added), sum(f.cleared for f in added)


def preview_feedback(engine: Engine, path: Path, code: str) -> FeedbackPreview:
    """The first rows of a feedback file and what importing it would do (or its first error);
    the import runs in a transaction that is rolled back, so nothing is written."""
    result = FeedbackPreview()
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            guard_xlsx(path)
        head = [[text_of(c) for c in cells] for _line, cells in islice(open_path(path).rows(), PREVIEW_ROWS + 1)]
        result.header, result.first_rows = (head[0], head[1:]) if head else ([], [])
        with db.session_factory(engine)() as session:
            try:
                result.quotes, result.cleared = import_feedback_file(session, path, code)
            finally:
                session.rollback()
    except KirkpatrickError as exc:
        result.errors = [_error(exc)]
    return result
