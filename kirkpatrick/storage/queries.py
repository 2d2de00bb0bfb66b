"""Lookups by natural key that every layer above storage shares."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.domain.errors import NotFound
from kirkpatrick.storage.models import Client, Intervention, Measure, Measurement, Participant

__all__ = ["get_client", "get_intervention", "get_measure", "of_interventions", "one_by"]

M = TypeVar("M")


def one_by(session: OrmSession, model: type[M], column: InstrumentedAttribute[Any], value: str, missing: str) -> M:
    """The ``model`` row whose unique ``column`` equals ``value``, or ``NotFound(missing)``."""
    found = session.scalars(select(model).where(column == value)).one_or_none()
    if found is None:
        raise NotFound(missing)
    return found


def get_intervention(session: OrmSession, code: str) -> Intervention:
    return one_by(session, Intervention, Intervention.code, code, f"no intervention with code {code!r}")


def get_client(session: OrmSession, name: str) -> Client:
    return one_by(
        session, Client, Client.name, name, f"no client named {name!r} (add it with `kirkpatrick client add`)"
    )


def get_measure(session: OrmSession, code: str) -> Measure:
    return one_by(session, Measure, Measure.code, code, f"no measure with code {code!r}")


def of_interventions(intervention_ids: int | Iterable[int]) -> ColumnElement[bool]:
    """The measurements of these interventions, found through their participants: the unique key
    (participant, measure, wave, rater) leads with the participant, and ``measurement`` has no
    index by intervention (migration 0012), so a filter on ``Measurement.intervention_id`` would
    read the whole table."""
    ids = [intervention_ids] if isinstance(intervention_ids, int) else list(intervention_ids)
    return Measurement.participant_id.in_(select(Participant.id).where(Participant.intervention_id.in_(ids)))
