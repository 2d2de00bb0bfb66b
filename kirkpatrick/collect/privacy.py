"""Personal data: deleting contacts after the retention period, a participant's copy of their data,
and the privacy notice's text per client."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.domain.errors import InvalidInput, NotFound
from kirkpatrick.storage.collect import Answer, CollectSettings, Contact, Invitation, Question, SurveyWave
from kirkpatrick.storage.models import (
    Client,
    Intervention,
    ItemResponse,
    Measure,
    MeasureItem,
    Measurement,
    Participant,
    UnscoredItemResponse,
)
from kirkpatrick.storage.queries import get_intervention

DEFAULT_RETENTION_DAYS = 30


@dataclass(frozen=True)
class RetentionResult:
    interventions: list[str]
    contacts_deleted: int


def settings_for(session: OrmSession, client_id: int) -> CollectSettings:
    found = session.get(CollectSettings, client_id)
    if found is None:
        found = CollectSettings(client_id=client_id, retention_days=DEFAULT_RETENTION_DAYS)
        session.add(found)
        session.flush()
    return found


def set_client_settings(
    session: OrmSession,
    client: str,
    *,
    privacy_sv: str | None = None,
    privacy_en: str | None = None,
    retention_days: int | None = None,
    min_raters: int | None = None,
) -> CollectSettings:
    """Edit a client's privacy notice (``$client`` and ``$title`` are filled in), retention
    period (days after an intervention's last wave closes) or rater-group threshold."""
    found = session.scalars(select(Client).where(Client.name == client)).one_or_none()
    if found is None:
        raise NotFound(f"no client named {client!r}")
    settings = settings_for(session, found.id)
    if privacy_sv is not None:
        settings.privacy_sv = privacy_sv.strip() or None
    if privacy_en is not None:
        settings.privacy_en = privacy_en.strip() or None
    if retention_days is not None:
        if not 0 <= retention_days <= 3650:
            raise InvalidInput("retention must be 0 to 3650 days")
        settings.retention_days = retention_days
    if min_raters is not None:
        if min_raters < 2:
            raise InvalidInput("a rater group threshold below 2 would show single raters' answers")
        settings.min_raters = min_raters
    session.flush()
    return settings


def apply_retention(session: OrmSession, today: dt.date) -> RetentionResult:
    """Delete the contacts (e-mail addresses) of every intervention whose last wave closed more
    than its client's retention period ago. Nothing else is touched: invitations, answers and
    measurements stay (the invitations lose their address)."""
    last_close = (
        select(SurveyWave.intervention_id, func.max(SurveyWave.closes_on).label("closed"))
        .group_by(SurveyWave.intervention_id)
        .subquery()
    )
    due: list[str] = []
    deleted = 0
    for intervention, closed in session.execute(
        select(Intervention, last_close.c.closed).join(last_close, last_close.c.intervention_id == Intervention.id)
    ):
        settings = session.get(CollectSettings, intervention.client_id)
        days = settings.retention_days if settings else DEFAULT_RETENTION_DAYS
        if today <= closed + dt.timedelta(days=days):
            continue
        participants = select(Participant.id).where(Participant.intervention_id == intervention.id)
        contacts = select(Contact.id).where(Contact.participant_id.in_(participants))
        session.execute(update(Invitation).where(Invitation.contact_id.in_(contacts)).values(contact_id=None))
        n = session.execute(delete(Contact).where(Contact.participant_id.in_(participants))).rowcount  # type: ignore[attr-defined]
        if n:
            due.append(intervention.code)
            deleted += int(n)
    return RetentionResult(due, deleted)


def export_participant(session: OrmSession, code: str, participant: str) -> dict[str, Any]:
    """Everything stored about one participant: record, measurements, the item answers behind their
    scale scores, item answers kept without a
    scale score (too few of a measure's items answered), survey answers (their own and the answers
    given about them, per rater group), invitations and contact addresses."""
    intervention = get_intervention(session, code)
    person = session.scalars(
        select(Participant).where(Participant.intervention_id == intervention.id, Participant.code == participant)
    ).one_or_none()
    if person is None:
        raise NotFound(f"intervention {intervention.code} has no participant {participant!r}")
    measurements = [
        {"measure": m, "wave": w.value, "rater": r.value, "value": v, "date": d.isoformat() if d else None}
        for m, w, r, v, d in session.execute(
            select(Measure.code, Measurement.wave, Measurement.rater, Measurement.value, Measurement.date)
            .join(Measure, Measure.id == Measurement.measure_id)
            .where(Measurement.participant_id == person.id)
            .order_by(Measure.code, Measurement.wave, Measurement.rater)
        )
    ]
    scored_items = [
        {"measure": m, "item": i, "wave": w.value, "rater": r.value, "value": v}
        for m, i, w, r, v in session.execute(
            select(Measure.code, MeasureItem.code, Measurement.wave, Measurement.rater, ItemResponse.value)
            .join(Measurement, Measurement.id == ItemResponse.measurement_id)
            .join(MeasureItem, MeasureItem.id == ItemResponse.item_id)
            .join(Measure, Measure.id == MeasureItem.measure_id)
            .where(Measurement.participant_id == person.id)
            .order_by(Measure.code, Measurement.wave, Measurement.rater, MeasureItem.position)
        )
    ]
    u = UnscoredItemResponse
    unscored = [
        {"measure": m, "item": i, "wave": w.value, "rater": r.value, "value": v, "date": d.isoformat() if d else None}
        for m, i, w, r, v, d in session.execute(
            select(Measure.code, MeasureItem.code, u.wave, u.rater, u.value, u.date)
            .join(MeasureItem, MeasureItem.id == u.item_id)
            .join(Measure, Measure.id == MeasureItem.measure_id)
            .where(u.participant_id == person.id)
            .order_by(Measure.code, u.wave, u.rater, MeasureItem.position)
        )
    ]
    invitations = list(session.scalars(select(Invitation).where(Invitation.participant_id == person.id)))
    answers = [
        {
            "wave": i.wave.value,
            "rater": i.rater.value,
            "question": q,
            "value": a.value,
            "text": a.text,
        }
        for i in invitations
        if i.rater.value == "self"  # raters' individual answers are theirs, not the participant's
        for a, q in session.execute(
            select(Answer, Question.code)
            .join(Question, Question.id == Answer.question_id)
            .where(Answer.invitation_id == i.id)
        )
    ]
    contacts = [
        {"rater": c.rater.value, "email": c.email, "lang": c.lang}
        for c in session.scalars(select(Contact).where(Contact.participant_id == person.id))
        if c.rater.value == "self"
    ]
    return {
        "intervention": intervention.code,
        "participant": person.code,
        "group": person.group.value,
        "role": person.role,
        "measurements": measurements,
        "item_answers": scored_items,
        "unscored_item_answers": unscored,
        "survey_answers": answers,
        "invitations": [
            {
                "wave": i.wave.value,
                "rater": i.rater.value,
                "opened_at": i.opened_at.isoformat() if i.opened_at else None,
                "answered_at": i.answered_at.isoformat() if i.answered_at else None,
            }
            for i in invitations
        ],
        "contacts": contacts,
        "raters_named": sum(
            1
            for c in session.scalars(select(Contact).where(Contact.participant_id == person.id))
            if c.rater.value != "self"
        ),
    }
