"""Checks over all rows of an import: measurements given twice in the file, and measurements
already in the database (same value: skipped, so a re-import changes nothing; another value: an
error). Both work on the rows' integer keys with NumPy, so millions of rows take seconds.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
from sqlalchemy import Connection

from kirkpatrick.io.context import ReadContext
from kirkpatrick.io.validate import MAX_SHOWN, RATERS, WAVES

FEW = 500  # participants few enough to name in the query


def describe(ctx: ReadContext, record: np.ndarray) -> str:
    p = int(record["p"])
    m = ctx.catalogue.list[int(record["m"])].code
    return f"{ctx.participants.code[p]} {m} {WAVES[int(record['w'])]} {RATERS[int(record['r'])]}"


def column_of(ctx: ReadContext, record: np.ndarray) -> str:
    return "value" if ctx.layout == "long" else ctx.catalogue.list[int(record["m"])].code


def find_duplicates(ctx: ReadContext, keys: np.ndarray) -> None:
    """Record an error for every measurement the file gives twice."""
    if len(keys) < 2:
        return
    # A sorted copy answers "any repeats?"; the order (8 bytes a key) only when there are.
    sorted_keys = np.sort(keys)
    repeated = bool((sorted_keys[1:] == sorted_keys[:-1]).any())
    del sorted_keys
    if not repeated:
        return
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    repeats = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])
    del sorted_keys
    # Only the first few need their lines read back from the spill file; the rest are counted.
    ctx.errors.count += len(repeats) - min(len(repeats), 4 * MAX_SHOWN)
    # Measurement numbers follow the file's order, so the smallest are the earliest lines.
    earliest = repeats[np.argsort(order[repeats + 1], kind="stable")[: 4 * MAX_SHOWN]]
    for i in earliest:
        first, again = ctx.store.record(int(order[i])), ctx.store.record(int(order[i + 1]))
        ctx.errors.add(
            int(again["line"]),
            column_of(ctx, again),
            f"same measurement as line {int(first['line'])} ({describe(ctx, again)})",
        )


PER_QUERY = 1_000  # participants whose stored rows are read in one query
KEYS_AT_ONCE = 1 << 20  # keys a whole-file count or lookup takes at a time (the memory it needs is per block)


def compare_with_database(ctx: ReadContext, connection: Connection, keys: np.ndarray) -> np.ndarray:
    """Mark measurements already stored with the same value; record an error for a different value."""
    skip = np.zeros(len(keys), dtype=bool)
    per_participant = max(len(ctx.catalogue.list), 1) * len(WAVES) * len(RATERS)
    # The file's participants (the participants known may be many more), a block of keys at a time.
    blocks = [np.unique(keys[i : i + KEYS_AT_ONCE] // per_participant) for i in range(0, len(keys), KEYS_AT_ONCE)]
    in_file = np.unique(np.concatenate(blocks)).tolist() if blocks else []
    existing = [p for p in in_file if ctx.participants.id[p] is not None]
    if not existing:
        return skip
    # Stored measurements of the file's participants as (key, value) arrays: 16 bytes each,
    # fetched in blocks, so a re-import of millions of rows stays within the memory budget.
    pids = np.array([ctx.participants.id[p] for p in existing], dtype=np.int64)
    pid_order = np.argsort(pids)
    pids, p_of_pid = pids[pid_order], np.array(existing, dtype=np.int64)[pid_order]
    measure_of_id = np.full(max(info.id for info in ctx.catalogue.list) + 1, -1, dtype=np.int64)
    for info in ctx.catalogue.list:
        measure_of_id[info.id] = info.index
    n_measures = max(len(ctx.catalogue.list), 1)
    # Keys of up to 2**31 combinations (e.g. 50,000 participants x 3,000 measures) fit 32 bits.
    key_type = np.int32 if len(ctx.participants.code) * n_measures * len(WAVES) * len(RATERS) < 2**31 else np.int64
    wave_case = " ".join(f"WHEN '{w}' THEN {i}" for i, w in enumerate(WAVES))
    rater_case = " ".join(f"WHEN '{r}' THEN {i}" for i, r in enumerate(RATERS))
    combo = f"(measure_id * {len(WAVES)} + CASE wave {wave_case} END) * {len(RATERS)} + CASE rater {rater_case} END"
    # Room for as many as the file has; grown if the participants have more stored.
    stored = np.empty(len(keys), dtype=key_type)
    values = np.empty(len(keys), dtype=np.float64)
    filled = 0
    for block in _stored_blocks(connection, pids, combo):
        pid, combo_, value = block[:, 0].astype(np.int64), block[:, 1].astype(np.int64), block[:, 2]
        at = np.minimum(np.searchsorted(pids, pid), len(pids) - 1)
        rater, combo_ = combo_ % len(RATERS), combo_ // len(RATERS)
        wave, mid = combo_ % len(WAVES), combo_ // len(WAVES)
        known = mid < len(measure_of_id)
        m = measure_of_id[np.where(known, mid, 0)]
        # Measurements of a measure created since the catalogue was read are left out.
        mine = (pids[at] == pid) & known & (m >= 0)
        key = ((p_of_pid[at] * n_measures + m) * len(WAVES) + wave) * len(RATERS) + rater
        n = int(mine.sum())
        if filled + n > len(stored):
            grow = max(filled + n - len(stored), len(stored) // 2)
            stored = np.concatenate([stored, np.empty(grow, dtype=key_type)])
            values = np.concatenate([values, np.empty(grow)])
        stored[filled : filled + n] = key[mine]
        values[filled : filled + n] = value[mine]
        filled += n
    if not filled:
        return skip
    # The keys sorted; the values stay where they are, found through ``order`` (a sorted copy of
    # them would be 8 more bytes a row at the peak).
    order = np.argsort(stored[:filled])
    stored = stored[order]
    for start, records in ctx.store.records():
        chunk_keys = keys[start : start + len(records)]
        pos = np.minimum(np.searchsorted(stored, chunk_keys), len(stored) - 1)
        found = stored[pos] == chunk_keys
        there = values[order[pos]]
        same = found & np.isclose(there, records["v"], rtol=1e-12, atol=1e-12)
        skip[start : start + len(records)] = same
        for j in np.flatnonzero(found & ~same):
            record = records[j]
            line = int(record["line"])
            ctx.errors.add(
                line,
                column_of(ctx, record),
                f"{describe(ctx, record)} is already {there[j]:g} in the database, not {float(record['v']):g}",
            )
    return skip


def _stored_blocks(connection: Connection, pids: np.ndarray, combo: str) -> Iterator[np.ndarray]:
    """(participant id, ``combo``, value) of the stored measurements of participants ``pids``, as
    float64 blocks of ``PER_QUERY`` participants' rows, found by the unique key, taken from the
    DBAPI cursor (SQLAlchemy's rows cost more than the database's own work). Blocks keep a
    re-import of millions of rows within the memory budget. (Packing the rows into one string
    in SQL, as the analysis does, is slower here: SQLite formats every value as text.)"""
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        for start in range(0, len(pids), PER_QUERY):
            ids = ", ".join(map(str, pids[start : start + PER_QUERY].tolist()))
            cursor.execute(f"SELECT participant_id, {combo}, value FROM measurement WHERE participant_id IN ({ids})")
            rows = cursor.fetchall()
            if rows:
                yield np.fromiter(itertools.chain.from_iterable(rows), dtype=np.float64, count=3 * len(rows)).reshape(
                    -1, 3
                )
    finally:
        cursor.close()


def per_measure_wave(ctx: ReadContext, keys: np.ndarray, skip: np.ndarray) -> dict[tuple[str, str], dict[str, int]]:
    n_combos = len(ctx.catalogue.list) * len(WAVES)
    counts = {"imported": np.zeros(n_combos, dtype=np.int64), "skipped": np.zeros(n_combos, dtype=np.int64)}
    for start in range(0, len(keys), KEYS_AT_ONCE):  # bincount takes 8 bytes a key: a block at a time
        combos = keys[start : start + KEYS_AT_ONCE] // len(RATERS) % n_combos
        skipped = skip[start : start + KEYS_AT_ONCE]
        counts["imported"] += np.bincount(combos[~skipped], minlength=n_combos)
        counts["skipped"] += np.bincount(combos[skipped], minlength=n_combos)
    out: dict[tuple[str, str], dict[str, int]] = {}
    for name, found in counts.items():
        for combo in np.flatnonzero(found).tolist():
            m, w = divmod(combo, len(WAVES))
            entry = out.setdefault((ctx.catalogue.list[m].code, WAVES[w]), {"imported": 0, "skipped": 0})
            entry[name] = int(found[combo])
    return out
