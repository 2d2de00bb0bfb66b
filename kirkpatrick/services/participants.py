"""A participant's group (treatment or comparison) and role, as an import sets them, changed by hand.

The group decides which comparison a participant's values enter, so a change bumps the
intervention's analysis version in the same transaction (results cached for it are dropped).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.domain.errors import InvalidInput, NotFound
from kirkpatrick.domain.parsing import parse_vocab
from kirkpatrick.domain.vocab import Group
from kirkpatrick.services import records
from kirkpatrick.storage import analysis_cache
from kirkpatrick.storage.models import Measurement, Participant
from kirkpatrick.storage.queries import of_interventions


def list_participants(session: OrmSession, code: str) -> list[dict[str, Any]]:
    """The intervention's participants with group, role and number of values."""
    intervention = records.get_intervention(session, code)
    counts = dict(
        session.execute(
            select(Measurement.participant_id, func.count())
            .where(of_interventions(intervention.id))
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


def participant_id(session: OrmSession, code: str, participant: str) -> int:
    """The id of participant ``participant`` (their code) of intervention ``code``."""
    intervention = records.get_intervention(session, code)
    found = session.scalar(
        select(Participant.id).where(Participant.intervention_id == intervention.id, Participant.code == participant)
    )
    if found is None:
        raise NotFound(f"intervention {code} has no participant {participant!r}")
    return found
