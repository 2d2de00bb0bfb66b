"""Bulk writers: new participants, then measurements and item answers, inside the caller's
transaction, by the fastest path each backend offers (SQLite: multi-row ``INSERT ... VALUES``;
PostgreSQL: ``COPY``; others: executemany).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import queue
import sqlite3
import sys
import threading
from typing import Any, cast

import numpy as np
from sqlalchemy import Connection, Table, func, insert, select, update

from kirkpatrick.domain.vocab import Group
from kirkpatrick.io.checks import FEW
from kirkpatrick.io.context import ReadContext
from kirkpatrick.io.rows import CHUNK
from kirkpatrick.io.validate import RATERS, WAVES
from kirkpatrick.storage.models import ItemResponse, Measurement, Participant
from kirkpatrick.storage.queries import of_interventions


def write_participants(ctx: ReadContext, connection: Connection) -> None:
    new = [p for p, pid in enumerate(ctx.participants.id) if pid is None]
    if not new:
        return
    table = _table(Participant)
    if ctx.references is not None:
        ctx.references.add("intervention", {ctx.participants.intervention[p] for p in new})
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


def write_measurements(
    ctx: ReadContext, connection: Connection, skip: np.ndarray, written: np.ndarray | None = None
) -> int:
    """Insert the rows neither skipped nor ``written`` already (``EarlyWriter``), then the item
    answers of every row not skipped; returns the number of item answers written."""
    columns = Columns(ctx, connection.dialect.name)
    done = skip if written is None else skip | written
    with MeasurementWriter(connection) as writer:
        for start, records in ctx.store.records():
            keep = ~done[start : start + len(records)]
            records = records[keep]
            if len(records):
                writer.write_records(columns, records)
    columns.refer(ctx)
    return _write_items(ctx, connection, skip)


class Columns:
    """Validated records as the columns of ``measurement`` (ids, codes, ISO dates), for a writer."""

    def __init__(self, ctx: ReadContext, backend: str) -> None:
        self.participant_ids = np.array([-1 if i is None else i for i in ctx.participants.id], dtype=np.int64)
        self.intervention_ids = np.array(ctx.participants.intervention, dtype=np.int64)
        self.measure_ids = np.array([info.id for info in ctx.catalogue.list], dtype=np.int64)
        self.waves = np.array(WAVES, dtype=object)
        self.raters = np.array(RATERS, dtype=object)
        self.iso = backend == "sqlite"
        self.dates: dict[int, Any] = {0: None}
        # Which participants and measures the rows made so far refer to (``refer``).
        self.used_participants = np.zeros(len(self.participant_ids), dtype=bool)
        self.used_measures = np.zeros(len(self.measure_ids), dtype=bool)

    def refer(self, ctx: ReadContext) -> None:
        """Note in ``ctx.references`` the ids that the rows made so far refer to."""
        if ctx.references is None:
            return
        used = self.used_participants
        ctx.references.add("participant", self.participant_ids[used].tolist())
        ctx.references.add("intervention", np.unique(self.intervention_ids[used]).tolist())
        ctx.references.add("measure", self.measure_ids[self.used_measures].tolist())

    def grow(self, n: int, interventions: list[int]) -> None:
        """Room for ``n`` participants (more arrive while a file is read); new ones without an id."""
        have = len(self.participant_ids)
        if n > have:
            self.participant_ids = np.concatenate([self.participant_ids, np.full(n - have, -1, dtype=np.int64)])
            self.intervention_ids = np.array(interventions[:n], dtype=np.int64)
            self.used_participants = np.concatenate([self.used_participants, np.zeros(n - have, dtype=bool)])

    def __call__(self, records: np.ndarray) -> tuple[list[Any], ...]:
        p = records["p"]
        self._use(records)
        return (
            self.intervention_ids[p].tolist(),
            self.participant_ids[p].tolist(),
            self.measure_ids[records["m"]].tolist(),
            self.waves[records["w"]].tolist(),
            self.raters[records["r"]].tolist(),
            records["v"].tolist(),
            self._dates(records).tolist(),
        )

    def _use(self, records: np.ndarray) -> None:
        self.used_participants[records["p"]] = True
        self.used_measures[records["m"]] = True

    def _dates(self, records: np.ndarray) -> np.ndarray:
        ordinals, which = np.unique(records["d"], return_inverse=True)
        out: np.ndarray = np.array([self.date(o) for o in ordinals.tolist()], dtype=object)[which]
        return out

    def sqlite(self, records: np.ndarray, variables: int) -> list[tuple[str, list[Any]]]:
        """SQLite: statements that insert ``records``, two parameters a row, at most ``variables``
        parameters a statement.

        Participant, measure, wave, rater and date travel as one 64-bit integer that the
        statement takes apart, the date as one of ``DATE_SLOTS`` dates bound once per statement,
        and the intervention as one parameter of the statement. Python binds each parameter
        holding the GIL (a date, as text, costs the most), which the ``EarlyWriter``'s thread then
        waits for: two a row instead of seven (``docs/speed-import.md``).
        """
        if not len(records):
            return []
        p = records["p"]
        self._use(records)
        pids, mids = self.participant_ids[p], self.measure_ids[records["m"]]
        if int(pids.max()) >= 1 << (63 - PACKED_SHIFT) or int(mids.max()) >= 1 << MEASURE_BITS:
            return _plain_statements(self(records), variables // len(_MEASUREMENT_COLUMNS))
        keys = (((pids << MEASURE_BITS) | mids) << 9) | (records["w"].astype(np.int64) << 6) | (records["r"] << 3)
        values = records["v"]
        ordinals, slots = np.unique(records["d"], return_inverse=True)
        interventions = self.intervention_ids[p]
        per = (variables - 1 - DATE_SLOTS) // 2 * 2
        out = []
        one = interventions.min() == interventions.max()
        for iid in [int(interventions[0])] if one else np.unique(interventions).tolist():
            for first in range(0, len(ordinals), DATE_SLOTS):
                mine = (interventions == iid) & (slots >= first) & (slots < first + DATE_SLOTS)
                packed = keys[mine] | (slots[mine] - first)
                if not len(packed):
                    continue
                dates = [self.date(o) for o in ordinals[first : first + DATE_SLOTS].tolist()]
                head = [iid, *dates, *([None] * (DATE_SLOTS - len(dates)))]
                flat: list[Any] = [None] * (2 * len(packed))
                flat[0::2], flat[1::2] = packed.tolist(), values[mine].tolist()
                for start in range(0, len(flat), per):
                    part = flat[start : start + per]
                    out.append((_packed_statement(len(part) // 2), head + part))
        return out

    def date(self, ordinal: int) -> Any:
        """A date's ordinal (0: none) as the backend takes it."""
        if ordinal not in self.dates:
            day = dt.date.fromordinal(ordinal)
            self.dates[ordinal] = day.isoformat() if self.iso else day
        return self.dates[ordinal]


SWITCH_INTERVAL = 0.0005  # seconds, while an EarlyWriter runs


class EarlyWriter:
    """SQLite: the measurements of participants new to the database, written while the file is
    still being read, by a second thread on the same connection and transaction.

    SQLite does its work (the B-trees, the keys' and CHECKs' checks) with Python's GIL released,
    so those inserts run on a second core beside the parsing, which holds it. Only rows that
    cannot be in the database already are written early: those of a participant the database
    does not know. Everything else waits for the checks over the whole file, as before, and a
    file with any error rolls the early rows back with the rest of the transaction. The
    participants' ids stay ``None`` in ``ctx`` until ``adopt``, so every check sees them as new;
    a group or role that a later row gives is set by ``adopt``. The main thread uses the
    connection only for reads while this runs (SQLite serialises a connection's calls).
    """

    def __init__(self, ctx: ReadContext, connection: Connection) -> None:
        self.ctx = ctx
        self.writer = MeasurementWriter(connection)
        self.ids: dict[int, int] = {}  # participant index -> id of the row inserted early
        self.inserted: dict[int, tuple[str, str | None]] = {}  # participant index -> group, role as inserted
        self.written: list[np.ndarray] = []  # per emitted block: which records were written early
        self.columns = Columns(ctx, "sqlite")
        self.new = np.zeros(0, dtype=bool)
        self.failure: BaseException | None = None
        # The write lock is held (BEGIN IMMEDIATE): ids from here on are this import's to give.
        self.next_id = int(connection.execute(select(func.coalesce(func.max(Participant.id), 0))).scalar_one()) + 1
        self.queue: queue.Queue[list[tuple[str, list[Any]]] | None] = queue.Queue(maxsize=4)
        self.thread = threading.Thread(target=self._run, name="kirkpatrick-early-writer", daemon=True)
        # After each statement the thread takes the GIL back, waiting up to the switch interval
        # (5 ms) while the reading holds it: a hundred statements a million rows. A shorter
        # interval while it runs lets it in sooner (restored by close()).
        self.interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self.interval, SWITCH_INTERVAL))
        self.thread.start()

    def offer(self, records: np.ndarray) -> None:
        """A block of validated records, just spilled; the rows of new participants go early."""
        ctx = self.ctx
        people = ctx.participants
        if self.failure is not None or ctx.errors.count or not len(records):
            self.written.append(np.zeros(len(records), dtype=bool))
            return
        # Whether each participant is new to the database: known ones have their id from the
        # start, and participants only ever join at the end of the list while the file is read.
        if len(people.id) > len(self.new):
            self.new = np.concatenate([self.new, np.array([i is None for i in people.id[len(self.new) :]], dtype=bool)])
        early = self.new[records["p"]]
        self.written.append(early)
        if not early.any():
            return
        chosen = records[early]
        self.columns.grow(len(people.id), people.intervention)
        arrivals: list[Any] = []
        for p in np.unique(chosen["p"]).tolist():
            if p not in self.inserted:
                group, role = people.group[p] or Group.TREATMENT.value, people.role[p]
                self.inserted[p] = (group, role)
                pid = self.columns.participant_ids[p] = self.ids[p] = self.next_id
                self.next_id += 1
                arrivals.extend((pid, people.intervention[p], people.code[p], group, role))
        # The statements are made here: the thread only binds and runs them (each time it takes
        # the GIL back it may wait for this thread's C-level work to end).
        if ctx.references is not None and arrivals:
            ctx.references.add("intervention", set(arrivals[1::5]))
        statements = self._participants(arrivals) + self.writer.statements(self.columns, chosen)
        self.queue.put(statements)

    def _run(self) -> None:
        while (statements := self.queue.get()) is not None:
            if self.failure is not None:
                continue
            try:
                self.writer.execute(statements)
            except BaseException as exc:  # re-raised by close() in the main thread
                self.failure = exc

    @staticmethod
    def _participants(flat: list[Any]) -> list[tuple[str, list[Any]]]:
        # Ids given here, not read back: every row read back is a step that wants the GIL.
        width = 5
        per = 32_766 // width
        out = []
        for start in range(0, len(flat), per * width):
            part = flat[start : start + per * width]
            values = ", ".join(["(?, ?, ?, ?, ?)"] * (len(part) // width))
            out.append((f'INSERT INTO participant (id, intervention_id, code, "group", role) VALUES {values}', part))
        return out

    def close(self) -> None:
        """Wait for the writes queued; raise what failed in the thread."""
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
            self.writer.__exit__(None, None, None)
            sys.setswitchinterval(self.interval)
        if self.failure is not None:
            raise self.failure

    def stop(self) -> None:
        """Wait for the thread and drop what failed (the transaction is being rolled back)."""
        with contextlib.suppress(BaseException):  # the caller is already failing
            self.close()

    def adopt(self, connection: Connection) -> np.ndarray:
        """The early participants' ids into ``ctx`` (and a group or role given after they were
        inserted); returns which records were written early."""
        self.close()
        self.columns.refer(self.ctx)
        people = self.ctx.participants
        for p, pid in self.ids.items():
            people.id[p] = pid
            group, role = people.group[p] or Group.TREATMENT.value, people.role[p]
            if (group, role) != self.inserted[p]:
                connection.execute(
                    update(_table(Participant)).where(_table(Participant).c.id == pid).values(group=group, role=role)
                )
        return np.concatenate(self.written) if self.written else np.zeros(0, dtype=bool)


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
        ).where(of_interventions(iid), Measurement.measure_id.in_(item_measures))
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
    if ctx.references is not None:
        ctx.references.add("measurement", {r["measurement_id"] for r in rows_})
        ctx.references.add("measure_item", {r["item_id"] for r in rows_})
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
        self._variables = 999

    def __enter__(self) -> MeasurementWriter:
        return self

    def write(self, *columns: list[Any]) -> None:
        if self.backend == "postgresql":
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

    def write_records(self, columns: Columns, records: np.ndarray) -> None:
        if self.backend == "sqlite":
            self.execute(self.statements(columns, records))
        else:
            self.write(*columns(records))

    def statements(self, columns: Columns, records: np.ndarray) -> list[tuple[str, list[Any]]]:
        """SQLite: the statements (and their parameters) that insert these records."""
        if self._cursor is None:
            dbapi = self.c.connection.dbapi_connection
            assert dbapi is not None
            self._cursor = dbapi.cursor()
            self._variables = min(dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), 32_766)
        return columns.sqlite(records, self._variables)

    def execute(self, statements: list[tuple[str, list[Any]]]) -> None:
        for sql, params in statements:
            self._cursor.execute(sql, params)

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        if self._copy_cm is not None:
            try:
                self._copy_cm.__exit__(kind, error, trace)
            finally:
                self._cursor.close()
        elif self._cursor is not None:
            self._cursor.close()


NULL_TEXT = "\\N"
MEASURE_BITS = 20  # measure ids below 2**20 and participant ids below 2**34 travel packed
PACKED_SHIFT = MEASURE_BITS + 9
DATE_SLOTS = 8  # distinct dates a packed statement binds (more: one statement per eight)


@functools.lru_cache(maxsize=4)
def _packed_statement(rows: int) -> str:
    # ``column1``: participant << 29 | measure << 9 | wave << 6 | rater << 3 | date slot (codes as
    # in RECORD); ``column2`` the value; ?1 the intervention, ?2 ... the dates of the slots.
    wave = " ".join(f"WHEN {i} THEN '{w}'" for i, w in enumerate(WAVES))
    rater = " ".join(f"WHEN {i} THEN '{r}'" for i, r in enumerate(RATERS))
    date = " ".join(f"WHEN {i} THEN ?{i + 2}" for i in range(DATE_SLOTS))
    return (
        f"INSERT INTO measurement ({', '.join(_MEASUREMENT_COLUMNS)}) "
        f"SELECT ?1, column1 >> {PACKED_SHIFT}, (column1 >> 9) & {(1 << MEASURE_BITS) - 1}, "
        f"CASE (column1 >> 6) & 7 {wave} END, CASE (column1 >> 3) & 7 {rater} END, column2, "
        f"CASE column1 & 7 {date} END "
        f"FROM (VALUES {', '.join(['(?, ?)'] * rows)})"
    )


def _plain_statements(columns: tuple[list[Any], ...], per: int) -> list[tuple[str, list[Any]]]:
    width = len(_MEASUREMENT_COLUMNS)
    flat = list(itertools.chain.from_iterable(zip(*columns)))
    placeholders = "(" + ", ".join("?" * width) + ")"
    out = []
    for start in range(0, len(columns[0]), per):
        part = flat[start * width : (start + per) * width]
        sql = f"INSERT INTO measurement ({', '.join(_MEASUREMENT_COLUMNS)}) VALUES " + ", ".join(
            [placeholders] * (len(part) // width)
        )
        out.append((sql, part))
    return out


def _value(member: Any) -> str:
    return member.value if hasattr(member, "value") else str(member)


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)
