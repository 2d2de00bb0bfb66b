"""Reading an intervention's measurements into a dense array ``values[cell, participant, wave]``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import ColumnElement, Connection, case, func, literal, select

from kirkpatrick.domain.vocab import Group, Rater
from kirkpatrick.services.analysis.records import RATERS, WAVES, MeasureInfo
from kirkpatrick.storage.models import Measurement, Participant
from kirkpatrick.storage.queries import of_interventions

FloatArray = NDArray[np.float64]


@dataclass
class Data:
    """One intervention's measurements: ``values[cell, participant, wave]`` (NaN = none)."""

    participant_ids: NDArray[np.int64]
    control: NDArray[np.bool_]
    cells: list[tuple[MeasureInfo, Rater]]
    values: FloatArray = field(repr=False)


_WAVE_CODE = case({w.value: i for i, w in enumerate(WAVES)}, value=Measurement.wave, else_=-1)
_RATER_CODE = case({r.value: i for i, r in enumerate(RATERS)}, value=Measurement.rater, else_=-1)
_ROW = np.dtype([("iv", "i8"), ("p", "i8"), ("m", "i8"), ("rw", "i8"), ("v", "f8")])
FEW_INTERVENTIONS = 20  # read one by one; more in one pass over the table
_SLOTS = 4  # rater * _SLOTS + wave: one number for both (3 waves)
# SQLite's packed key tells raters by their first letter and waves by their length (a test
# checks that these tell every one apart).
_RATER_BY_LETTER = np.full(256, -1, dtype=np.int64)
_RATER_BY_LETTER[[ord(r.value[0]) for r in RATERS]] = range(len(RATERS))
_WAVE_BY_LENGTH = np.full(16, -1, dtype=np.int64)
_WAVE_BY_LENGTH[[len(w.value) for w in WAVES]] = range(len(WAVES))


@dataclass(frozen=True)
class Cell:
    """The values of one intervention, measure, rater and wave, by participant id."""

    iv: int
    m: int
    r: int
    w: int
    p: NDArray[np.int64]
    v: FloatArray


def measurement_rows(connection: Connection, intervention_ids: Sequence[int] | None) -> list[Cell]:
    """Every measurement of the given interventions (all when ``None``), one array pair per cell.

    At a million values the cost is Python objects, not the database: a row per value makes
    several. So the database packs the rows into a few comma-separated strings (SQLite: one of
    packed integer keys and one of values; PostgreSQL: one of four numbers a row), and NumPy
    parses them in C and sorts them into cells. SQLite prints a REAL with 15 significant digits
    (``%!.15g``), far beyond any survey scale's precision; PostgreSQL prints float8 exactly.
    Other backends get one plain row per value. A few interventions are read one by one
    (``_of``); many, or all, in one pass over the table.
    """
    if intervention_ids is not None and len(set(intervention_ids)) <= FEW_INTERVENTIONS:
        parts = [_rows(connection, _of(connection, iv), iv) for iv in sorted(set(intervention_ids))]
        rows = np.concatenate(parts) if parts else np.empty(0, dtype=_ROW)
    else:
        where = None if intervention_ids is None else Measurement.intervention_id.in_(sorted(set(intervention_ids)))
        rows = _rows(connection, where, None)
    return _cells(rows)


def _rows(connection: Connection, where: ColumnElement[bool] | None, iv: int | None) -> NDArray[np.void]:
    """The rows ``where`` selects (all: ``None``); ``iv``: all of that one intervention."""
    code = _RATER_CODE * _SLOTS + _WAVE_CODE
    dialect = connection.dialect.name
    if dialect == "sqlite":
        # Strings filled in the same pass (so in the same order): one integer per row,
        # participant << 32 | measure << 12 | first letter of the rater << 4 | length of the wave,
        # the values, and (for many interventions) the interventions. Integers print fast; a
        # CASE over the rater's and wave's text, or text built row by row (participant || ','
        # || ...), costs twice as much or more.
        key = func.unicode(Measurement.rater).op("<<")(4).op("|")(func.length(Measurement.wave))
        key = Measurement.participant_id.op("<<")(32).op("|")(Measurement.measure_id.op("<<")(12)).op("|")(key)
        query = select(
            func.max(Measurement.measure_id),
            func.max(Measurement.participant_id),
            func.group_concat(key),
            func.group_concat(Measurement.value),
            func.group_concat(Measurement.intervention_id) if iv is None else literal(None),
        )
        top_measure, top_participant, *texts = connection.execute(_where(query, where)).one()
        if not texts[0]:
            return np.empty(0, dtype=_ROW)
        if top_measure < 1 << 20 and top_participant < 1 << 31:
            keys = np.fromstring(texts[0], dtype=np.int64, sep=",")
            rows = np.empty(len(keys), dtype=_ROW)
            rows["p"], rows["m"] = keys >> 32, (keys >> 12) & ((1 << 20) - 1)
            rows["rw"] = _RATER_BY_LETTER[(keys >> 4) & 255] * _SLOTS + _WAVE_BY_LENGTH[keys & 15]
            rows["v"] = np.fromstring(texts[1], dtype=np.float64, sep=",")
            rows["iv"] = iv if iv is not None else np.fromstring(texts[2], dtype=np.int64, sep=",")
            return rows
    elif dialect == "postgresql":
        fields = (Measurement.intervention_id, Measurement.participant_id, Measurement.measure_id, code)
        packed = func.string_agg(func.concat_ws(",", *fields, Measurement.value), literal(","))
        text_ = connection.execute(_where(select(packed), where)).scalar()
        if not text_:
            return np.empty(0, dtype=_ROW)
        numbers = np.fromstring(text_, dtype=np.float64, sep=",").reshape(-1, 5)
        rows = np.empty(len(numbers), dtype=_ROW)
        for k, name in enumerate(("iv", "p", "m", "rw", "v")):
            rows[name] = numbers[:, k]
        return rows
    stmt = select(
        Measurement.intervention_id, Measurement.participant_id, Measurement.measure_id, code, Measurement.value
    )
    return _fetch_array(connection, _where(stmt, where), _ROW)


def _where(query: Any, where: ColumnElement[bool] | None) -> Any:
    return query if where is None else query.where(where)


def _of(connection: Connection, iv: int) -> ColumnElement[bool]:
    """Which rows are intervention ``iv``'s. Through its participants and the unique key
    (``storage.queries.of_interventions``), unless it has a third or more of all participants:
    then reading the whole table in order costs less than finding each row by the key (SQLite:
    0.1 s against 0.5 s for a million rows)."""
    counts = select(
        func.count().filter(Participant.intervention_id == iv).label("mine"), func.count().label("all")
    ).select_from(Participant)
    mine, everyone = connection.execute(counts).one()
    if mine * 3 >= everyone:
        return Measurement.intervention_id == iv
    return of_interventions(iv)


def _cells(rows: NDArray[np.void]) -> list[Cell]:
    """Rows as cells in (intervention, measure, rater, wave) order; within a cell, in the order read."""
    if not rows.size:
        return []
    iv, m, rw = rows["iv"], rows["m"], rows["rw"]
    if int(iv.max()) < 1 << 31 and int(m.max()) < 1 << 26:  # one key sorts faster than three
        order = np.argsort((iv << 32) | (m << 6) | rw, kind="stable")
    else:
        order = np.lexsort((rw, m, iv))  # stable too
    rows = rows[order]
    iv, m, rw = rows["iv"], rows["m"], rows["rw"]
    starts = np.flatnonzero(np.r_[True, (iv[1:] != iv[:-1]) | (m[1:] != m[:-1]) | (rw[1:] != rw[:-1])]).tolist()
    bounds = starts + [rows.size]
    return [
        Cell(
            int(iv[a]),
            int(m[a]),
            int(rw[a]) // _SLOTS,
            int(rw[a]) % _SLOTS,
            rows["p"][a:b].copy(),
            rows["v"][a:b].copy(),
        )
        for a, b in zip(bounds, bounds[1:])
    ]


def _fetch_array(connection: Connection, stmt: Any, dtype: np.dtype[Any]) -> NDArray[np.void]:
    # The rows are plain numbers: take them from the DBAPI cursor in one fetchall, skipping
    # SQLAlchemy's per-row Result machinery (the dominant cost at a million rows).
    result = connection.execute(stmt)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    return np.array(rows, dtype=dtype) if rows else np.empty(0, dtype=dtype)


def participants(connection: Connection, intervention_ids: Sequence[int] | None) -> NDArray[np.void]:
    stmt = select(Participant.intervention_id, Participant.id, Participant.group == Group.CONTROL)
    if intervention_ids is not None:
        stmt = stmt.where(Participant.intervention_id.in_(list(intervention_ids)))
    dtype = np.dtype([("iv", "i8"), ("p", "i8"), ("c", "?")])
    return np.sort(_fetch_array(connection, stmt, dtype), order=["iv", "p"])


def pivot(cells: Sequence[Cell], people: NDArray[np.void], catalogue: dict[int, MeasureInfo]) -> Data:
    pids = np.ascontiguousarray(people["p"])
    control = np.ascontiguousarray(people["c"])
    keys = sorted({(c.m, c.r) for c in cells})
    if not keys:
        return Data(pids, control, [], np.empty((0, pids.size, len(WAVES))))
    slot = {k: i for i, k in enumerate(keys)}
    values = np.full((len(keys), pids.size, len(WAVES)), np.nan)
    for c in cells:
        values[slot[(c.m, c.r)], np.searchsorted(pids, c.p), c.w] = c.v
    return Data(pids, control, [(catalogue[m], RATERS[r]) for m, r in keys], values)
