"""Bulk writers: new participants, then measurements and item answers, inside the caller's
transaction, by the fastest path each backend offers (SQLite: multi-row ``INSERT ... VALUES``;
PostgreSQL: ``COPY``; others: executemany).
"""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from typing import Any, cast

import numpy as np
from sqlalchemy import Connection, Table, insert, select

from kirkpatrick.domain.vocab import Group
from kirkpatrick.io.checks import FEW
from kirkpatrick.io.context import ReadContext
from kirkpatrick.io.rows import CHUNK
from kirkpatrick.io.validate import RATERS, WAVES
from kirkpatrick.storage.models import ItemResponse, Measurement, Participant

REBUILD_INDEXES = True


def write_participants(ctx: ReadContext, connection: Connection) -> None:
    new = [p for p, pid in enumerate(ctx.participants.id) if pid is None]
    if not new:
        return
    table = _table(Participant)
    for start in range(0, len(new), CHUNK):
        connection.execute(
            insert(table),
            [
                {
                    "intervention_id": ctx.participants.intervention[p],
                    "code": ctx.participants.code[p],
                    "group": ctx.participants.group[p] or Group.TREATMENT.value,
                    "role": ctx.participants.role[p],
                }
                for p in new[start : start + CHUNK]
            ],
        )
    for iid in sorted({ctx.participants.intervention[p] for p in new}):
        ids = dict(
            connection.execute(select(Participant.code, Participant.id).where(Participant.intervention_id == iid)).all()
        )
        for p in new:
            if ctx.participants.intervention[p] == iid:
                ctx.participants.id[p] = ids[ctx.participants.code[p]]


def write_measurements(ctx: ReadContext, connection: Connection, skip: np.ndarray) -> int:
    """Insert the rows not skipped; returns the number of item answers written."""
    participant_ids = np.array(ctx.participants.id, dtype=np.int64)
    intervention_ids = np.array(ctx.participants.intervention, dtype=np.int64)
    measure_ids = np.array([info.id for info in ctx.catalogue.list], dtype=np.int64)
    waves = np.array(WAVES, dtype=object)
    raters = np.array(RATERS, dtype=object)
    backend = connection.dialect.name
    dates: dict[int, Any] = {0: None}
    new_rows = int((~skip).sum())
    rebuild = []
    if REBUILD_INDEXES and backend == "sqlite" and new_rows >= 100_000:
        stored = connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM measurement").scalar_one()
        if new_rows > stored:
            # Building an index once over all rows (a sort) is cheaper than updating it row
            # by row when most of the table is new. DDL is transactional in SQLite: a failed
            # or killed import leaves the indexes as they were.
            rebuild = [ix for ix in _table(Measurement).indexes if not ix.unique]
            for ix in rebuild:
                ix.drop(connection)
    with MeasurementWriter(connection) as writer:
        for start, records in ctx.store.records():
            keep = ~skip[start : start + len(records)]
            records = records[keep]
            if not len(records):
                continue
            p = records["p"]
            ordinals, which = np.unique(records["d"], return_inverse=True)
            for ordinal in ordinals.tolist():
                if ordinal not in dates:
                    day = dt.date.fromordinal(ordinal)
                    dates[ordinal] = day.isoformat() if backend == "sqlite" else day
            writer.write(
                intervention_ids[p].tolist(),
                participant_ids[p].tolist(),
                measure_ids[records["m"]].tolist(),
                waves[records["w"]].tolist(),
                raters[records["r"]].tolist(),
                records["v"].tolist(),
                np.array([dates[o] for o in ordinals.tolist()], dtype=object)[which].tolist(),
            )
    for ix in rebuild:
        ix.create(connection)
    return _write_items(ctx, connection, skip)


def _write_items(ctx: ReadContext, connection: Connection, skip: np.ndarray) -> int:
    wanted = {n: answers for n, answers in ctx.store.items.items() if not skip[n]}
    if not wanted:
        return 0
    ids: dict[tuple[int, int, str, str], int] = {}
    interventions = sorted({ctx.participants.intervention[int(ctx.store.record(n)["p"])] for n in wanted})
    item_measures = [info.id for info in ctx.catalogue.list if info.items]
    pids = sorted({pid for n in wanted if (pid := ctx.participants.id[int(ctx.store.record(n)["p"])]) is not None})
    for iid in interventions:
        query = select(
            Measurement.id, Measurement.participant_id, Measurement.measure_id, Measurement.wave, Measurement.rater
        ).where(Measurement.intervention_id == iid, Measurement.measure_id.in_(item_measures))
        if len(pids) <= FEW:
            query = query.where(Measurement.participant_id.in_(pids))
        for mid_, pid, measure_id, wave, rater in connection.execute(query):
            ids[(pid, measure_id, _value(wave), _value(rater))] = mid_
    rows_: list[dict[str, Any]] = []
    for n, answers in sorted(wanted.items()):
        record = ctx.store.record(n)
        key = (
            ctx.participants.id[int(record["p"])],
            ctx.catalogue.list[int(record["m"])].id,
            WAVES[int(record["w"])],
            RATERS[int(record["r"])],
        )
        measurement_id = ids[key]  # type: ignore[index]
        rows_.extend({"measurement_id": measurement_id, "item_id": item, "value": v} for item, v in answers)
    for start in range(0, len(rows_), CHUNK):
        connection.execute(insert(_table(ItemResponse)), rows_[start : start + CHUNK])
    return len(rows_)


_MEASUREMENT_COLUMNS = ("intervention_id", "participant_id", "measure_id", "wave", "rater", "value", "date")


class MeasurementWriter:
    """Bulk insert of measurements, column lists at a time, by the fastest path each backend offers.

    SQLite: multi-row ``INSERT ... VALUES`` with as many rows as its parameter limit allows.
    PostgreSQL: one ``COPY`` for the whole import,
    fed blocks of tab-separated text. Others: Core's executemany. All inside the caller's
    transaction.
    """

    def __init__(self, connection: Connection) -> None:
        self.c = connection
        self.backend = connection.dialect.name
        self.names = ", ".join(_MEASUREMENT_COLUMNS)
        self._cursor: Any = None
        self._copy_cm: Any = None
        self._copy: Any = None
        self._per_statement = 1

    def __enter__(self) -> MeasurementWriter:
        return self

    def write(self, *columns: list[Any]) -> None:
        if self.backend == "sqlite":
            if self._cursor is None:
                dbapi = self.c.connection.dbapi_connection
                assert dbapi is not None
                self._cursor = dbapi.cursor()
                limit = dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
                self._per_statement = max(1, min(limit, 32_766) // len(_MEASUREMENT_COLUMNS))
            width = len(_MEASUREMENT_COLUMNS)
            flat = list(itertools.chain.from_iterable(zip(*columns)))
            per = self._per_statement
            for start in range(0, len(columns[0]), per):
                part = flat[start * width : (start + per) * width]
                self._cursor.execute(self._values_statement(len(part) // width), part)
        elif self.backend == "postgresql":
            if self._copy is None:
                dbapi = self.c.connection.dbapi_connection
                assert dbapi is not None
                self._cursor = dbapi.cursor()
                self._copy_cm = self._cursor.copy(f"COPY measurement ({self.names}) FROM STDIN")
                self._copy = self._copy_cm.__enter__()
            # Codes, numbers (repr: exact) and ISO dates need no escaping in COPY's text format.
            iids, pids, mids, waves, raters, values, dates = columns
            text_ = "".join(
                f"{i}\t{p}\t{m}\t{w}\t{r}\t{v!r}\t{d if d is not None else NULL_TEXT}\n"
                for i, p, m, w, r, v, d in zip(iids, pids, mids, waves, raters, values, dates)
            )
            self._copy.write(text_.encode())
        else:
            self.c.execute(insert(_table(Measurement)), [dict(zip(_MEASUREMENT_COLUMNS, row)) for row in zip(*columns)])

    def _values_statement(self, rows: int) -> str:
        # Thousands of rows per statement, bound in one C call: per-row binding in executemany,
        # or unpacking JSON in SQL, cost more (bench/import_bench.py). SQLite caches the statement.
        placeholders = "(" + ", ".join("?" * len(_MEASUREMENT_COLUMNS)) + ")"
        return f"INSERT INTO measurement ({self.names}) VALUES " + ", ".join([placeholders] * rows)

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        if self._copy_cm is not None:
            try:
                self._copy_cm.__exit__(kind, error, trace)
            finally:
                self._cursor.close()
        elif self._cursor is not None:
            self._cursor.close()


NULL_TEXT = "\\N"


def _value(member: Any) -> str:
    return member.value if hasattr(member, "value") else str(member)


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)
