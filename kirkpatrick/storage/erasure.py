"""Erasure: a participant's right to have their data removed, and deleting a whole intervention.

Each erasure removes the rows and everything that hangs off them (found from the schema's
foreign keys, so a table added later is covered without changing this module), and leaves one
``AuditEntry`` that says what kind of erasure, in which intervention, when, and how many rows
per table: never the participant's code or values. The caller's transaction (``db.transaction``)
makes it all or nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, distinct, func, select
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.domain.errors import NotFound
from kirkpatrick.storage import analysis_cache
from kirkpatrick.storage.models import AuditEntry, Intervention, Measure, Measurement, Participant
from kirkpatrick.storage.queries import get_intervention, of_interventions
from kirkpatrick.storage.schema import metadata

FORGET_PARTICIPANT = "forget_participant"
DELETE_INTERVENTION = "delete_intervention"


@dataclass(frozen=True)
class MeasureChange:
    """How many participants a measure's statistics rest on, before and after an erasure."""

    measure: str
    participants_before: int
    participants_after: int


@dataclass(frozen=True)
class Erasure:
    """What an erasure removed (rows per table) and the audit entry it left."""

    action: str
    intervention: str
    removed: dict[str, int]
    audit_id: int | None
    changed: list[MeasureChange] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.removed.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "intervention": self.intervention,
            "removed": self.removed,
            "audit_id": self.audit_id,
            "statistics_changed": [c.__dict__ for c in self.changed],
        }


def _children(table: Table) -> list[tuple[Table, Any, Any]]:
    """Tables with a foreign key to ``table``: (child, child column, referenced column)."""
    found = []
    for child in metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column.table is table:
                found.append((child, fk.parent, fk.column))
    return found


def _remove(session: OrmSession, table: Table, where: ColumnElement[bool], counts: Counter[str]) -> None:
    """Delete the rows of ``table`` matching ``where`` and every row that depends on them,
    children first so that no foreign key is ever left dangling. A row reachable by two paths
    (a measurement hangs off both its participant and its intervention) is counted once,
    because the second path finds it already gone."""
    for child, column, referenced in _children(table):
        _remove(session, child, column.in_(select(referenced).where(where)), counts)
    result = session.execute(delete(table).where(where))
    counts[table.name] += getattr(result, "rowcount", 0) or 0  # a DELETE gives a CursorResult


def _audit(session: OrmSession, action: str, intervention: str, removed: dict[str, int]) -> int:
    # Seconds only, in UTC: the entry records that an erasure happened, not a fingerprint of it.
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    entry = AuditEntry(
        at=at, action=action, intervention_code=intervention, removed=json.dumps(removed, sort_keys=True)
    )
    session.add(entry)
    session.flush()
    return entry.id


def _participants_per_measure(session: OrmSession, intervention_id: int, measure_ids: list[int]) -> dict[str, int]:
    rows = session.execute(
        select(Measure.code, func.count(distinct(Measurement.participant_id)))
        .join(Measurement, Measurement.measure_id == Measure.id)
        .where(of_interventions(intervention_id), Measure.id.in_(measure_ids))
        .group_by(Measure.code)
    ).all()
    return {code: n for code, n in rows}


def forget_participant(session: OrmSession, intervention: str, participant: str) -> Erasure:
    """Remove participant ``participant`` of ``intervention``: their measurements, item responses
    (also those kept without a score) and record, leaving an audit entry without personal data.

    Returns the rows removed and, per measure the participant had values for, how many
    participants its statistics rest on before and after. Raises ``NotFound`` for an unknown
    intervention or participant.
    """
    found = get_intervention(session, intervention)
    person = session.scalars(
        select(Participant).where(Participant.intervention_id == found.id, Participant.code == participant.strip())
    ).one_or_none()
    if person is None:
        raise NotFound(f"intervention {found.code} has no participant {participant!r}")
    measure_ids = list(
        session.scalars(select(Measurement.measure_id).distinct().where(Measurement.participant_id == person.id))
    )
    before = _participants_per_measure(session, found.id, measure_ids)
    table = Participant.__table__
    counts: Counter[str] = Counter()
    session.expunge(person)  # the ORM must not try to flush an object whose row is gone
    _remove(session, table, table.c.id == person.id, counts)  # type: ignore[arg-type]
    analysis_cache.bump(session.connection(), [found.id])
    removed = {name: n for name, n in sorted(counts.items()) if n}
    after = _participants_per_measure(session, found.id, measure_ids)
    changed = [MeasureChange(code, n, after.get(code, 0)) for code, n in sorted(before.items())]
    audit_id = _audit(session, FORGET_PARTICIPANT, found.code, removed)
    return Erasure(FORGET_PARTICIPANT, found.code, removed, audit_id, changed)


def intervention_contents(session: OrmSession, code: str) -> dict[str, int]:
    """Rows per table that deleting intervention ``code`` would remove (nothing is changed:
    the deletion runs inside a savepoint that is rolled back, so the counts are exact)."""
    found = get_intervention(session, code)
    table = Intervention.__table__
    counts: Counter[str] = Counter()
    savepoint = session.begin_nested()
    try:
        _remove(session, table, table.c.id == found.id, counts)  # type: ignore[arg-type]
    finally:
        savepoint.rollback()
    return {name: n for name, n in sorted(counts.items()) if n}


def delete_intervention(session: OrmSession, code: str) -> Erasure:
    """Remove intervention ``code`` with its sessions, transfer factors, participants,
    measurements, item responses and feedback; its client stays. Leaves an audit entry."""
    found = get_intervention(session, code)
    code = found.code
    table = Intervention.__table__
    counts: Counter[str] = Counter()
    session.expunge_all()  # the rows go with Core deletes; no stale ORM object may be flushed
    _remove(session, table, table.c.id == found.id, counts)  # type: ignore[arg-type]
    analysis_cache.bump(session.connection(), [found.id])
    removed = {name: n for name, n in sorted(counts.items()) if n}
    audit_id = _audit(session, DELETE_INTERVENTION, code, removed)
    return Erasure(DELETE_INTERVENTION, code, removed, audit_id)


def list_audit(session: OrmSession) -> list[dict[str, Any]]:
    """Every audit entry, oldest first."""
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    return [
        {
            "id": e.id,
            "at": e.at.isoformat() + "Z",
            "action": e.action,
            "intervention": e.intervention_code,
            "removed": json.loads(e.removed),
        }
        for e in entries
    ]
