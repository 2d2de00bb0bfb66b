"""What an analysis reads besides the measurements: the intervention, its facts and the catalogue.

Plain SQL on a Core connection, without the ORM or NumPy: a result served from the analysis
cache needs only these few rows, and a command that is served from the cache should not pay for
loading the ORM's mappers or NumPy (most of its time otherwise). Both the cached and the
computing path read through here, so the cache key (which hashes the catalogue) is the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Connection, Date, Float, text

from kirkpatrick.domain.errors import NotFound
from kirkpatrick.domain.vocab import Level, TransferFactor
from kirkpatrick.services.analysis.records import FactorUse, InterventionFacts, MeasureInfo, Quote


@dataclass(frozen=True)
class InterventionRow:
    """The intervention's own columns and its client's name and unit."""

    id: int
    code: str
    title: str
    client: str
    client_unit: str | None
    consultant: str | None
    target_group: str
    format: str
    start: dt.date
    end: dt.date


_INTERVENTION = text(
    "SELECT i.id, i.code, i.title, c.name, c.unit, i.consultant, i.target_group, i.format, i.start_date, i.end_date "
    "FROM intervention i JOIN client c ON c.id = i.client_id WHERE i.code = :code"
).columns(start_date=Date, end_date=Date)
_CATALOGUE = text(
    "SELECT id, code, name, level, scale_min, scale_max, higher_is_better, reliability FROM measure"
).columns(scale_min=Float, scale_max=Float, higher_is_better=Boolean, reliability=Float)
_SESSIONS = text("SELECT date FROM session WHERE intervention_id = :iv ORDER BY date").columns(date=Date)
_FACTORS = text("SELECT factor, present, note FROM transfer_factor_use WHERE intervention_id = :iv").columns(
    present=Boolean
)
# Cleared quotes only: the rest never leaves the database.
_QUOTES = text("SELECT text, level FROM feedback WHERE intervention_id = :iv AND cleared = :cleared ORDER BY id")
# Participant x measure x wave x rater with item answers too few for a scale score (kept in
# unscored_item_response; the analysis has no value for them), counted for the data quality.
_UNSCORED = text(
    "SELECT count(*) FROM (SELECT u.participant_id, mi.measure_id, u.wave, u.rater "
    "FROM unscored_item_response u JOIN measure_item mi ON mi.id = u.item_id "
    "JOIN participant p ON p.id = u.participant_id WHERE p.intervention_id = :iv "
    "GROUP BY u.participant_id, mi.measure_id, u.wave, u.rater) AS kept"
)


def intervention(connection: Connection, code: str) -> InterventionRow:
    """The intervention with ``code``; :class:`NotFound` if there is none."""
    row = connection.execute(_INTERVENTION, {"code": code}).one_or_none()
    if row is None:
        raise NotFound(f"no intervention with code {code!r}")
    return InterventionRow(*row)


def catalogue(connection: Connection) -> dict[int, MeasureInfo]:
    """Every measure of the catalogue by id."""
    return {r[0]: MeasureInfo(r[1], r[2], Level(r[3]), r[4], r[5], r[6], r[7]) for r in connection.execute(_CATALOGUE)}


def facts(connection: Connection, i: InterventionRow) -> InterventionFacts:
    """What was logged about intervention ``i``: sessions, transfer factors, cleared quotes, and how
    many item-answer sets were kept without a scale score."""
    order = {f: k for k, f in enumerate(TransferFactor)}
    params: dict[str, Any] = {"iv": i.id}
    factors = sorted(
        (FactorUse(TransferFactor(f), present, note) for f, present, note in connection.execute(_FACTORS, params)),
        key=lambda f: order[f.factor],
    )
    return InterventionFacts(
        code=i.code,
        title=i.title,
        client=i.client,
        client_unit=i.client_unit,
        consultant=i.consultant,
        target_group=i.target_group,
        format=i.format,
        start=i.start,
        end=i.end,
        sessions=[d for (d,) in connection.execute(_SESSIONS, params)],
        factors=factors,
        quotes=[
            Quote(t, Level(lv) if lv is not None else None)
            for t, lv in connection.execute(_QUOTES, {**params, "cleared": True})
        ],
        unscored=int(connection.execute(_UNSCORED, params).scalar() or 0),
    )
