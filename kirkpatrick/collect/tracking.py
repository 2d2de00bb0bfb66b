"""Response tracking: invited, opened, answered per wave and rater group (for the staff pages,
the CLI and the report's data-quality section)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Date, text

from kirkpatrick.domain.errors import NotFound
from kirkpatrick.domain.policy import DEFAULT_MIN_GROUP

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as OrmSession

    from kirkpatrick.storage.models import Intervention


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


# Plain SQL on the tables of storage/collect.py: the report reads this, and a report served from
# the analysis cache should not pay for loading the ORM's models.
_INTERVENTION = text(
    "SELECT i.id, s.min_raters FROM intervention i "
    "LEFT JOIN collect_settings s ON s.client_id = i.client_id WHERE i.code = :code"
)
_COUNTS = text(
    "SELECT i.wave, i.rater, count(*), "
    "count(i.id) FILTER (WHERE i.id IN (SELECT o.invitation_id FROM collect_outbox o "
    "WHERE o.kind = 'invite' AND o.state IN ('sent', 'sending'))), "
    "count(i.opened_at), count(i.answered_at), "
    "coalesce(sum((SELECT count(*) FROM collect_outbox o "
    "WHERE o.invitation_id = i.id AND o.kind = 'reminder' AND o.state = 'sent')), 0) "
    "FROM collect_invitation i WHERE i.intervention_id = :iv GROUP BY i.wave, i.rater"
)
_WAVES = text("SELECT wave, opens_on, closes_on FROM collect_wave WHERE intervention_id = :iv").columns(
    opens_on=Date, closes_on=Date
)


def response_tracking(reader: OrmSession | Connection, code: str) -> list[ResponseCounts]:
    if isinstance(reader, Connection):
        connection = reader
    else:
        reader.flush()  # as an ORM query would: the session's pending changes are part of the data
        connection = reader.connection()
    found = connection.execute(_INTERVENTION, {"code": code}).first()
    if found is None:
        raise NotFound(f"no intervention with code {code!r}")
    iv, threshold = found[0], found[1] or DEFAULT_MIN_GROUP
    rows = connection.execute(_COUNTS, {"iv": iv}).all()
    waves = {w: (opens, closes) for w, opens, closes in connection.execute(_WAVES, {"iv": iv})}
    out = [
        ResponseCounts(
            wave,
            rater,
            n,
            invited,
            opened,
            answered,
            int(sent_reminders),
            waves[wave][0].isoformat() if wave in waves else None,
            waves[wave][1].isoformat() if wave in waves else None,
            threshold,
        )
        for wave, rater, n, invited, opened, answered, sent_reminders in rows
    ]
    order = {"pre": 0, "post": 1, "follow_up": 2}
    return sorted(out, key=lambda r: (order.get(r.wave, 9), r.rater))


ANONYMOUS_RATERS = frozenset({"report", "peer"})


def min_group(session: OrmSession, intervention: Intervention) -> int:
    """The rater-group threshold of ``intervention``'s client organisation, else the default (5)."""
    from kirkpatrick.storage.collect import CollectSettings

    settings = session.get(CollectSettings, intervention.client_id)
    return settings.min_raters if settings is not None and settings.min_raters else DEFAULT_MIN_GROUP


def group_threshold(session: OrmSession, code: str) -> int:
    """``min_group`` of the intervention with ``code``."""
    from kirkpatrick.storage.queries import get_intervention

    return min_group(session, get_intervention(session, code))


def withheld(row: ResponseCounts, at_least: int = 0) -> bool:
    """Whether ``row``'s opened and answered counts must not be shown: an anonymous rater group
    (direct reports, peers) with fewer respondents than its organisation's threshold (or than
    ``at_least``, a report's own threshold, if that is higher), where a count of who answered
    would point at people."""
    return row.rater in ANONYMOUS_RATERS and row.respondents < max(row.min_group, at_least)
