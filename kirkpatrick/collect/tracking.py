"""Response tracking: invited, opened, answered per wave and rater group (for the staff pages,
the CLI and the report's data-quality section)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.domain.settings import DEFAULT_MIN_GROUP
from kirkpatrick.storage.collect import CollectSettings, Invitation, Outbox, SurveyWave
from kirkpatrick.storage.models import Intervention
from kirkpatrick.storage.queries import get_intervention


@dataclass(frozen=True)
class ResponseCounts:
    """One wave and rater group. ``invited``: an invitation was sent; ``respondents``: links exist.

    Counts of people, never answers; a group's measurements are stored only once it reaches
    the anonymity threshold (reports and peers). ``min_group`` is that threshold: the one the
    intervention's client organisation set (``survey privacy --min-raters``), else the default.
    """

    wave: str
    rater: str
    respondents: int
    invited: int
    opened: int
    answered: int
    reminders: int
    opens_on: str | None
    closes_on: str | None
    min_group: int = DEFAULT_MIN_GROUP

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.respondents if self.respondents else None

    def as_dict(self) -> dict[str, object]:
        return {**self.__dict__, "response_rate": self.response_rate}


def response_tracking(session: OrmSession, code: str) -> list[ResponseCounts]:
    intervention = get_intervention(session, code)
    threshold = min_group(session, intervention)
    sent_invite = (
        select(Outbox.invitation_id)
        .where(Outbox.kind == "invite", Outbox.state.in_(["sent", "sending"]))
        .scalar_subquery()
    )
    reminders = (
        select(func.count())
        .select_from(Outbox)
        .where(Outbox.invitation_id == Invitation.id, Outbox.kind == "reminder", Outbox.state == "sent")
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Invitation.wave,
            Invitation.rater,
            func.count(),
            func.count(Invitation.id).filter(Invitation.id.in_(sent_invite)),
            func.count(Invitation.opened_at),
            func.count(Invitation.answered_at),
            func.coalesce(func.sum(reminders), 0),
        )
        .where(Invitation.intervention_id == intervention.id)
        .group_by(Invitation.wave, Invitation.rater)
    ).all()
    waves = {
        w.wave: w for w in session.scalars(select(SurveyWave).where(SurveyWave.intervention_id == intervention.id))
    }
    out = [
        ResponseCounts(
            wave.value,
            rater.value,
            n,
            invited,
            opened,
            answered,
            int(sent_reminders),
            waves[wave].opens_on.isoformat() if wave in waves else None,
            waves[wave].closes_on.isoformat() if wave in waves else None,
            threshold,
        )
        for wave, rater, n, invited, opened, answered, sent_reminders in rows
    ]
    order = {"pre": 0, "post": 1, "follow_up": 2}
    return sorted(out, key=lambda r: (order.get(r.wave, 9), r.rater))


ANONYMOUS_RATERS = frozenset({"report", "peer"})


def min_group(session: OrmSession, intervention: Intervention) -> int:
    """The rater-group threshold of ``intervention``'s client organisation, else the default (5)."""
    settings = session.get(CollectSettings, intervention.client_id)
    return settings.min_raters if settings is not None and settings.min_raters else DEFAULT_MIN_GROUP


def group_threshold(session: OrmSession, code: str) -> int:
    """``min_group`` of the intervention with ``code``."""
    return min_group(session, get_intervention(session, code))


def withheld(row: ResponseCounts, at_least: int = 0) -> bool:
    """Whether ``row``'s opened and answered counts must not be shown: an anonymous rater group
    (direct reports, peers) with fewer respondents than its organisation's threshold (or than
    ``at_least``, a report's own threshold, if that is higher), where a count of who answered
    would point at people."""
    return row.rater in ANONYMOUS_RATERS and row.respondents < max(row.min_group, at_least)
