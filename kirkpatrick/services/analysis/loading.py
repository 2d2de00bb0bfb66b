"""Reading an intervention's measurements into a dense array ``values[cell, participant, wave]``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, Text, case, cast, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

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
_ROW = np.dtype([("iv", "i8"), ("p", "i8"), ("m", "i8"), ("w", "i8"), ("r", "i8"), ("v", "f8")])


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
    several. So the database packs each (intervention, measure, rater, wave) cell into two
    comma-separated strings (participant ids, values), read straight from the covering index
    ``ix_measurement_analysis``, and NumPy parses them in C. SQLite prints a REAL with 15
    significant digits (``%!.15g``), far beyond any survey scale's precision; PostgreSQL prints
    float8 exactly. Other backends get one plain row per value.
    """
    dialect = connection.dialect.name
    if dialect == "sqlite":
        ids_text = func.group_concat(Measurement.participant_id)
        values_text = func.group_concat(Measurement.value)
    elif dialect == "postgresql":
        ids_text = func.string_agg(
            cast(Measurement.participant_id, Text), aggregate_order_by(literal(","), Measurement.participant_id)
        )
        values_text = func.string_agg(
            cast(Measurement.value, Text), aggregate_order_by(literal(","), Measurement.participant_id)
        )
    else:
        stmt = select(
            Measurement.intervention_id,
            Measurement.participant_id,
            Measurement.measure_id,
            _WAVE_CODE,
            _RATER_CODE,
            Measurement.value,
        )
        if intervention_ids is not None:
            stmt = stmt.where(Measurement.intervention_id.in_(list(intervention_ids)))
        rows = _fetch_array(connection, stmt, _ROW)
        rows = rows[np.lexsort((rows["w"], rows["r"], rows["m"], rows["iv"]))]
        key = np.stack([rows["iv"], rows["m"], rows["r"], rows["w"]])
        starts: list[int] = (
            np.flatnonzero(np.r_[True, (key[:, 1:] != key[:, :-1]).any(axis=0)]).tolist() if rows.size else []
        )
        bounds = starts + [rows.size]
        return [
            Cell(
                int(rows["iv"][a]),
                int(rows["m"][a]),
                int(rows["r"][a]),
                int(rows["w"][a]),
                rows["p"][a:b].copy(),
                rows["v"][a:b].copy(),
            )
            for a, b in zip(bounds, bounds[1:])
        ]
    keys = (Measurement.intervention_id, Measurement.measure_id, Measurement.rater, Measurement.wave)
    stmt = select(*keys, ids_text, values_text).group_by(*keys)
    if intervention_ids is not None:
        stmt = stmt.where(Measurement.intervention_id.in_(list(intervention_ids)))
    result = connection.execute(stmt)
    try:
        cells = result.cursor.fetchall()
    finally:
        result.close()
    wave_code = {w.value: k for k, w in enumerate(WAVES)}
    rater_code = {r.value: k for k, r in enumerate(RATERS)}
    # Most cells list the same participants: parse each distinct id list once.
    id_arrays: dict[str, NDArray[np.int64]] = {}
    out = []
    for iv, measure_id, rater, wave, ids, values in cells:
        p = id_arrays.get(ids)
        if p is None:
            p = id_arrays[ids] = np.fromstring(ids, dtype=np.int64, sep=",")
        out.append(
            Cell(
                iv,
                measure_id,
                rater_code.get(rater, -1),
                wave_code.get(wave, -1),
                p,
                np.fromstring(values, dtype=np.float64, sep=","),
            )
        )
    return out


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
