"""Reading an intervention's measurements into a dense array ``values[cell, participant, wave]``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import ColumnElement, Connection, Text, case, cast, func, literal, select

from kirkpatrick.domain.vocab import Group, Rater
from kirkpatrick.services.analysis.records import RATERS, WAVES, MeasureInfo
from kirkpatrick.storage.models import Measurement, Participant

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
_ROW = np.dtype([("p", "i8"), ("m", "i8"), ("rw", "i8"), ("v", "f8")])
_SLOTS = 4  # rater * _SLOTS + wave: one number for both (3 waves)


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
    several. So the database packs one intervention's rows into one comma-separated string
    (participant, measure, rater and wave as one code, value; four numbers a row), read through
    its participants and the unique key, and NumPy parses it in C and sorts it into cells.
    SQLite prints a REAL with 15 significant digits (``%!.15g``), far beyond any survey scale's
    precision; PostgreSQL prints float8 exactly. Other backends get one plain row per value.
    """
    if intervention_ids is None:
        intervention_ids = list(connection.execute(select(Participant.intervention_id).distinct()).scalars())
    out: list[Cell] = []
    for iv in sorted(set(intervention_ids)):
        out.extend(_cells(iv, _rows(connection, iv)))
    return out


def _rows(connection: Connection, iv: int) -> NDArray[np.void]:
    mine = select(Participant.id).where(Participant.intervention_id == iv)
    code = _RATER_CODE * _SLOTS + _WAVE_CODE
    dialect = connection.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        stmt = select(Measurement.participant_id, Measurement.measure_id, code, Measurement.value)
        return _fetch_array(connection, stmt.where(Measurement.participant_id.in_(mine)), _ROW)
    fields = (Measurement.participant_id, Measurement.measure_id, code, Measurement.value)
    if dialect == "sqlite":
        row: ColumnElement[str] = cast(fields[0], Text)
        for field_ in fields[1:]:
            row = row.concat(",").concat(cast(field_, Text) if field_ is not Measurement.value else field_)
        packed = func.group_concat(row)
    else:
        packed = func.string_agg(func.concat_ws(",", *fields), literal(","))
    text_ = connection.execute(select(packed).where(Measurement.participant_id.in_(mine))).scalar()
    if not text_:
        return np.empty(0, dtype=_ROW)
    numbers = np.fromstring(text_, dtype=np.float64, sep=",").reshape(-1, 4)
    rows = np.empty(len(numbers), dtype=_ROW)
    for k, name in enumerate(("p", "m", "rw")):
        rows[name] = numbers[:, k]
    rows["v"] = numbers[:, 3]
    return rows


def _cells(iv: int, rows: NDArray[np.void]) -> list[Cell]:
    """One intervention's rows as cells in (measure, rater, wave) order, participants ascending."""
    if not rows.size:
        return []
    rows = rows[np.lexsort((rows["p"], rows["rw"], rows["m"]))]
    m, rw = rows["m"], rows["rw"]
    starts = np.flatnonzero(np.r_[True, (m[1:] != m[:-1]) | (rw[1:] != rw[:-1])]).tolist()
    bounds = starts + [rows.size]
    return [
        Cell(
            iv,
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
