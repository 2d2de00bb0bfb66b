"""Item answers without a scale score: a respondent who answered too few of a multi-item
measure's items (at one wave, from one rater) gets no score, and their answers are kept as they
are in ``unscored_item_response``, never read by the analysis.

They follow the rules of measurements, with the set of answers of one participant, measure, wave
and rater as the value: given twice in a file, an error; already stored the same, skipped (a
re-import changes nothing); stored otherwise, an error. A score arriving later (enough items, or a
score column) replaces the stored answers without one, unless an item it shares with them has
another value (an error, as for a measurement); answers without a score for a participant who
already has that score are skipped if the score's item answers hold them, else an error.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Connection, TextClause, bindparam, delete, insert, select, text

from kirkpatrick.domain.vocab import Rater, Wave
from kirkpatrick.io.checks import FEW
from kirkpatrick.io.context import ReadContext
from kirkpatrick.io.rows import RECORD, Unscored
from kirkpatrick.io.validate import RATERS, WAVES
from kirkpatrick.storage.models import ItemResponse, MeasureItem, Measurement, UnscoredItemResponse

_CHUNK = 500  # ids per IN (...) list

# (participant id, measure id, wave, rater) -> {item id: (row id, value)}
Stored = dict[tuple[int, int, str, str], dict[int, tuple[int, float]]]


@dataclass
class Plan:
    """What writing the import does to item answers without a score."""

    new: list[Unscored] = field(default_factory=list)  # to insert
    present: int = 0  # sets already stored as they are (or held by the stored score's item answers)
    stale: list[int] = field(default_factory=list)  # stored rows a score of this import replaces

    @property
    def answers(self) -> int:
        return sum(len(u.items) for u in self.new)


def check(ctx: ReadContext, connection: Connection, keys: np.ndarray) -> Plan:
    """Check the import's answers without a score against the file and the database (errors go to
    ``ctx.errors``), and plan their writing; ``keys`` are the measurements' (``RowStore.all_keys``)."""
    plan = Plan()
    unscored = ctx.store.unscored
    _in_file(ctx, keys)
    stored = _stored(ctx, connection)
    scored = _stored_scores(ctx, connection)
    for u in unscored:
        pid = ctx.participants.id[u.p]
        at = (pid, ctx.catalogue.list[u.m].id, WAVES[u.w], RATERS[u.r]) if pid is not None else None
        if at is not None and at in scored:
            behind = scored[at]
            wrong = [(item, v) for item, v in u.items if item not in behind or not _same(behind[item], v)]
            if wrong:
                item, v = wrong[0]
                was = f"{behind[item]:g}" if item in behind else "not answered"
                ctx.errors.add(
                    u.line,
                    _item_code(ctx, u.m, item),
                    f"{_describe(ctx, u)} already has a scale score in the database, with this item {was}, not {v:g}",
                )
            else:
                plan.present += 1
        elif at is not None and at in stored:
            there = {item: v for item, (_, v) in stored[at].items()}
            given = dict(u.items)
            if there.keys() == given.keys() and all(_same(there[i], v) for i, v in given.items()):
                plan.present += 1
                continue
            item = next(i for i in sorted(given.keys() | there.keys()) if not _same(there.get(i), given.get(i)))
            ctx.errors.add(
                u.line,
                _item_code(ctx, u.m, item),
                f"{_describe(ctx, u)} already has other item answers without a score in the database "
                f"(this item {_shown(there.get(item))}, not {_shown(given.get(item))})",
            )
        else:
            plan.new.append(u)
    plan.stale = _replaced_by_scores(ctx, stored, keys)
    return plan


def write(ctx: ReadContext, connection: Connection, plan: Plan) -> None:
    """Delete the stored answers the import's scores replace, insert the new ones (participants
    written first), in the caller's transaction."""
    table: Any = UnscoredItemResponse.__table__
    for chunk in _chunks(plan.stale):
        connection.execute(delete(table).where(table.c.id.in_(chunk)))
    rows = [
        {
            "participant_id": ctx.participants.id[u.p],
            "item_id": item,
            "wave": Wave(WAVES[u.w]),
            "rater": Rater(RATERS[u.r]),
            "value": value,
            "date": dt.date.fromordinal(u.d) if u.d else None,
        }
        for u in plan.new
        for item, value in u.items
    ]
    if ctx.references is not None:
        ctx.references.add("participant", {pid for u in plan.new if (pid := ctx.participants.id[u.p]) is not None})
        ctx.references.add("measure_item", {item for u in plan.new for item, _ in u.items})
    for start in range(0, len(rows), _CHUNK):
        connection.execute(insert(table), rows[start : start + _CHUNK])


def delete_for(connection: Connection, participant_id: int, wave: Wave, rater: Rater, measure_ids: list[int]) -> None:
    """Delete a participant's stored answers without a score to these measures at a wave from a
    rater (``io.pipeline.write_rows``'s ``replace``: a respondent who changes their answers)."""
    connection.execute(
        delete(UnscoredItemResponse).where(
            UnscoredItemResponse.participant_id == participant_id,
            UnscoredItemResponse.wave == wave,
            UnscoredItemResponse.rater == rater,
            UnscoredItemResponse.item_id.in_(select(MeasureItem.id).where(MeasureItem.measure_id.in_(measure_ids))),
        )
    )


def _in_file(ctx: ReadContext, keys: np.ndarray) -> None:
    """The same participant, measure, wave and rater given twice in the file: an error, as for measurements."""
    unscored = ctx.store.unscored
    if not unscored:
        return
    own = _keys(ctx, [(u.p, u.m, u.w, u.r) for u in unscored])
    first: dict[int, int] = {}
    scored = _first_positions(keys, own)
    for u, key in zip(unscored, own.tolist()):
        n = scored.get(key)
        line = first.get(key) if n is None else int(ctx.store.record(n)["line"])
        if line is not None:
            ctx.errors.add(
                u.line, ctx.catalogue.list[u.m].code, f"same measurement as line {line} ({_describe(ctx, u)})"
            )
        first.setdefault(key, u.line)


def _keys(ctx: ReadContext, combos: list[tuple[int, int, int, int]]) -> np.ndarray:
    """The measurement keys (``RowStore.key``) of (participant, measure, wave, rater) indexes."""
    records = np.array([(p, m, w, r, 0.0, 0, 0) for p, m, w, r in combos], dtype=RECORD)
    return ctx.store.key(records).astype(np.int64)


def _first_positions(keys: np.ndarray, wanted: np.ndarray) -> dict[int, int]:
    """For each of ``wanted`` that ``keys`` holds, the position of its first occurrence there."""
    if not len(keys) or not len(wanted):
        return {}
    order = np.argsort(keys, kind="stable")
    ordered = keys[order].astype(np.int64)
    at = np.minimum(np.searchsorted(ordered, wanted), len(ordered) - 1)
    found = ordered[at] == wanted
    return {int(k): int(order[i]) for k, i, f in zip(wanted.tolist(), at.tolist(), found.tolist()) if f}


_STORED = (
    "SELECT u.id, u.participant_id, i.measure_id, u.wave, u.rater, u.item_id, u.value"
    " FROM unscored_item_response u JOIN measure_item i ON i.id = u.item_id"
)


def _stored(ctx: ReadContext, connection: Connection) -> Stored:
    """The stored answers without a score of the import's participants who are already stored:
    by their ids when they are few (a form's respondent), else by intervention (one query each)."""
    found: Stored = defaultdict(dict)
    pids = sorted({pid for pid in ctx.participants.id if pid is not None})
    if not pids:
        return found
    # Plain SQL: wave and rater come back as the stored strings, with no per-row conversion.
    if len(pids) <= FEW:
        by_id = text(f"{_STORED} WHERE u.participant_id IN :ids").bindparams(bindparam("ids", expanding=True))
        queries: list[tuple[TextClause, dict[str, Any]]] = [(by_id, {"ids": pids})]
    else:
        interventions = {
            ctx.participants.intervention[p] for p, pid in enumerate(ctx.participants.id) if pid is not None
        }
        by_intervention = text(f"{_STORED} JOIN participant p ON p.id = u.participant_id WHERE p.intervention_id = :i")
        queries = [(by_intervention, {"i": iid}) for iid in sorted(interventions)]
    mine = set(pids)
    for query, params in queries:
        for row_id, pid, mid, wave, rater, item, value in connection.execute(query, params).all():
            if pid in mine:
                found[(pid, mid, wave, rater)][item] = (row_id, value)
    return found


def _stored_scores(ctx: ReadContext, connection: Connection) -> dict[tuple[int, int, str, str], dict[int, float]]:
    """The item answers behind the stored scores that the import's answers without a score concern."""
    wanted = {
        (pid, ctx.catalogue.list[u.m].id, WAVES[u.w], RATERS[u.r])
        for u in ctx.store.unscored
        if (pid := ctx.participants.id[u.p]) is not None
    }
    found: dict[tuple[int, int, str, str], dict[int, float]] = {}
    if not wanted:
        return found
    measures = sorted({m for _, m, _, _ in wanted})
    for chunk in _chunks(sorted({p for p, _, _, _ in wanted})):
        query = (
            select(Measurement.participant_id, Measurement.measure_id, Measurement.wave, Measurement.rater)
            .add_columns(ItemResponse.item_id, ItemResponse.value)
            .outerjoin(ItemResponse, ItemResponse.measurement_id == Measurement.id)
            .where(Measurement.participant_id.in_(chunk), Measurement.measure_id.in_(measures))
        )
        for pid, mid, wave, rater, item, value in connection.execute(query):
            key = (pid, mid, _text(wave), _text(rater))
            if key in wanted:
                answers = found.setdefault(key, {})
                if item is not None:
                    answers[item] = value
    return found


def _replaced_by_scores(ctx: ReadContext, stored: Stored, keys: np.ndarray) -> list[int]:
    """Stored answers without a score for which the import brings a score: their row ids (to delete),
    or an error where an item the score's answers share with them has another value."""
    p_of = {pid: p for p, pid in enumerate(ctx.participants.id) if pid is not None}
    m_of = {info.id: info.index for info in ctx.catalogue.list}
    groups = [(at, rows) for at, rows in stored.items() if at[0] in p_of and at[1] in m_of]
    if not groups or not len(keys):
        return []
    wanted = _keys(
        ctx, [(p_of[pid], m_of[mid], WAVES.index(wave), RATERS.index(rater)) for (pid, mid, wave, rater), _ in groups]
    )
    positions = _first_positions(keys, wanted)
    stale: list[int] = []
    for (_, rows), key in zip(groups, wanted.tolist()):
        n = positions.get(key)
        if n is None:
            continue
        given = dict(ctx.store.items.get(n, []))
        conflicts = [(item, v) for item, (_, v) in rows.items() if item in given and not _same(given[item], v)]
        if not conflicts:
            stale.extend(row_id for row_id, _ in rows.values())
            continue
        item, v = conflicts[0]
        record = ctx.store.record(n)
        ctx.errors.add(
            int(record["line"]),
            _item_code(ctx, int(record["m"]), item),
            f"{_describe_record(ctx, record)}: this item is already {v:g} in the database "
            f"(kept without a score), not {given[item]:g}",
        )
    return stale


def _same(a: float | None, b: float | None) -> bool:
    # As checks.compare_with_database (np.isclose with these tolerances), for one pair in Python.
    return a is not None and b is not None and abs(a - b) <= 1e-12 + 1e-12 * abs(b)


def _shown(value: float | None) -> str:
    return "not answered" if value is None else f"{value:g}"


def _item_code(ctx: ReadContext, m: int, item: int) -> str:
    return next((code for item_id, code, _ in ctx.catalogue.list[m].items if item_id == item), str(item))


def _describe(ctx: ReadContext, u: Unscored) -> str:
    return f"{ctx.participants.code[u.p]} {ctx.catalogue.list[u.m].code} {WAVES[u.w]} {RATERS[u.r]}"


def _describe_record(ctx: ReadContext, record: np.ndarray) -> str:
    p, m = int(record["p"]), int(record["m"])
    return (
        f"{ctx.participants.code[p]} {ctx.catalogue.list[m].code} {WAVES[int(record['w'])]} {RATERS[int(record['r'])]}"
    )


def _text(member: Any) -> str:
    return member.value if hasattr(member, "value") else str(member)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    it = iter(ids)
    while chunk := list(itertools.islice(it, _CHUNK)):
        yield chunk
