"""The start page: one page of the interventions a user may see, found by text and status.

A consultancy with a thousand interventions needs to find one, not scroll past all of them: the
list is filtered (code, title or client containing a text; planned, running or ended) and cut
into pages in the database. Only the shown page's interventions get their counts:

- responses per wave come from a summary cached per intervention and data version
  (:mod:`kirkpatrick.storage.analysis_cache`): every writer of measurements bumps the version in
  its own transaction, so a count computed before an import is never shown after it;
- participants (a survey can add one without a measurement, which bumps no version) and the
  last change (from the audit log) are counted live, for at most one page of interventions.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Engine, Select, func, or_, select
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.services.accounts import Account, visible_condition
from kirkpatrick.storage import analysis_cache
from kirkpatrick.storage.accounts import AuditEvent
from kirkpatrick.storage.models import Client, Intervention, Measurement, Participant

PER_PAGE = 50
MAX_QUERY = 100
# The cache key of the responses-per-wave summary (bump the suffix when its payload changes).
COUNTS_KEY = "start_page.responses.v1"
S = TypeVar("S", bound=Select[*tuple[Any, ...]])


class Status(StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    ENDED = "ended"


@dataclass(frozen=True)
class StartFilters:
    """What the user typed: text in code, title or client; a status; the page (from 1)."""

    text: str = ""
    status: Status | None = None
    page: int = 1

    @classmethod
    def parse(cls, text: str | None, status: str | None, page: str | None) -> StartFilters:
        """From query-string values; anything unusable counts as not given (a search box never fails)."""
        chosen = Status(status) if status in {s.value for s in Status} else None
        number = int(page) if page and page.isdigit() and len(page) < 7 else 1
        return cls((text or "").strip()[:MAX_QUERY], chosen, max(1, number))


@dataclass(frozen=True)
class StartRow:
    code: str
    title: str
    client: str
    start: dt.date
    end: dt.date
    status: Status
    participants: int
    responses: dict[str, int]
    changed: dt.datetime | None


@dataclass(frozen=True)
class StartPage:
    rows: list[StartRow]
    total: int  # interventions matching the filters
    page: int
    pages: int
    filters: StartFilters = field(default_factory=StartFilters)
    per_page: int = PER_PAGE


def status_of(start: dt.date, end: dt.date, today: dt.date) -> Status:
    return Status.PLANNED if start > today else Status.RUNNING if end >= today else Status.ENDED


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(stmt: S, account: Account, filters: StartFilters, today: dt.date) -> S:
    stmt = stmt.join(Client, Client.id == Intervention.client_id).where(visible_condition(account))
    if filters.text:
        pattern = _like(filters.text)
        stmt = stmt.where(
            or_(
                func.lower(Intervention.code).like(pattern, escape="\\"),
                func.lower(Intervention.title).like(pattern, escape="\\"),
                func.lower(Client.name).like(pattern, escape="\\"),
            )
        )
    if filters.status == Status.PLANNED:
        stmt = stmt.where(Intervention.start_date > today)
    elif filters.status == Status.RUNNING:
        stmt = stmt.where(Intervention.start_date <= today, Intervention.end_date >= today)
    elif filters.status == Status.ENDED:
        stmt = stmt.where(Intervention.end_date < today)
    return stmt


def start_page(
    session: OrmSession, account: Account, today: dt.date, filters: StartFilters = StartFilters()
) -> StartPage:
    """One page of the interventions ``account`` may see that match ``filters``, with their counts."""
    total = int(session.scalar(_filtered(select(func.count(Intervention.id)), account, filters, today)) or 0)
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(filters.page, pages)
    found = session.execute(
        _filtered(
            select(Intervention.id, Intervention.code, Intervention.title, Client.name, Intervention.start_date,
                   Intervention.end_date),
            account, filters, today,
        )
        .order_by(Intervention.start_date.desc(), Intervention.code)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()  # fmt: skip
    ids = [row[0] for row in found]
    responses = response_counts(session, ids)
    participants: dict[int, int] = {}
    changed: dict[str, dt.datetime] = {}
    if ids:
        participants = dict(
            session.execute(
                select(Participant.intervention_id, func.count())
                .where(Participant.intervention_id.in_(ids))
                .group_by(Participant.intervention_id)
            ).all()
        )
        changed = dict(
            session.execute(  # type: ignore[arg-type]
                select(AuditEvent.target, func.max(AuditEvent.at))
                .where(AuditEvent.target.in_([row[1] for row in found]))
                .group_by(AuditEvent.target)
            ).all()
        )
    rows = [
        StartRow(code, title, client, start, end, status_of(start, end, today), participants.get(iid, 0),
                 responses.get(iid, {}), changed.get(code))
        for iid, code, title, client, start, end in found
    ]  # fmt: skip
    return StartPage(rows, total, page, pages, StartFilters(filters.text, filters.status, page))


def response_counts(session: OrmSession, ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Measurements per wave of each intervention in ``ids``: from the summary cached for its
    current data version, computed (and stored for the next reader) where there is none."""
    if not ids:
        return {}
    connection = session.connection()
    current = analysis_cache.versions(connection, list(ids))  # before the data
    out: dict[int, dict[str, int]] = {}
    for iv, payload in analysis_cache.load(connection, COUNTS_KEY, current).items():
        try:
            loaded = json.loads(payload)
            out[iv] = {str(k): int(v) for k, v in loaded.items()}
        except (TypeError, ValueError, AttributeError):
            continue  # unreadable: computed again below
    todo = [i for i in ids if i not in out]
    if not todo:
        return out
    computed: dict[int, dict[str, int]] = {i: {} for i in todo}
    for iv, wave, n in session.execute(
        select(Participant.intervention_id, Measurement.wave, func.count())
        .select_from(Measurement)
        .join(Participant, Participant.id == Measurement.participant_id)
        .where(Participant.intervention_id.in_(todo))
        .group_by(Participant.intervention_id, Measurement.wave)
    ):
        computed[iv][wave.value] = int(n)
    out.update(computed)
    bind = session.get_bind()
    if isinstance(bind, Engine):
        entries = [(iv, current[iv], json.dumps(counts, sort_keys=True)) for iv, counts in computed.items()]
        analysis_cache.store(bind, COUNTS_KEY, entries)
    return out


__all__ = ["PER_PAGE", "StartFilters", "StartPage", "StartRow", "Status", "response_counts", "start_page"]
