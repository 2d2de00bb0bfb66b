"""Response tracking: invited, opened, answered per wave and rater group (for the staff pages,
the CLI and the report's data-quality section)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.storage.collect import Invitation, Outbox, SurveyWave
from kirkpatrick.storage.queries import get_intervention


@dataclass(frozen=True)
class ResponseCounts:
    """One wave and rater group. ``invited``: an invitation was sent; ``respondents``: links exist.

    Counts of people, never answers; a group's measurements are stored only once it reaches
    the anonymity threshold (reports and peers), which ``below_threshold`` tells.
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

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.respondents if self.respondents else None

    def as_dict(self) -> dict[str, object]:
        return {**self.__dict__, "response_rate": self.response_rate}


def response_tracking(session: OrmSession, code: str) -> list[ResponseCounts]:
    intervention = get_intervention(session, code)
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
        )
        for wave, rater, n, invited, opened, answered, sent_reminders in rows
    ]
    order = {"pre": 0, "post": 1, "follow_up": 2}
    return sorted(out, key=lambda r: (order.get(r.wave, 9), r.rater))


ANONYMOUS_RATERS = frozenset({"report", "peer"})


def withheld(row: ResponseCounts, min_group: int) -> bool:
    """Whether ``row``'s opened and answered counts must not be shown: an anonymous rater group
    (direct reports, peers) with fewer respondents than the anonymity threshold, where a count
    of who answered would point at people."""
    return row.rater in ANONYMOUS_RATERS and row.respondents < min_group
