"""Computed analyses kept until the data under them changes.

Every writer of measurements calls :func:`bump` for the interventions it touched, in its own
transaction: the import, both erasures, a restore (:func:`clear`). That makes the version and
the data change together or not at all. A cached result is stored under the version read
*before* its data were read, and only if that version is still current when it is stored; it is
served only while the version is unchanged. So a result can never outlive the rows it was
computed from, whatever order concurrent readers and writers run in.

Storing is best effort: a reader that cannot get the write lock at once (an import is running),
or has no right to write, simply does not store, and the next reader computes again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, text
from sqlalchemy.exc import DBAPIError

from kirkpatrick.storage import db

# Tables of computed results: a backup carries none of their rows (a restore recomputes).
DERIVED_TABLES = frozenset({"analysis_cache"})
# How long a reader storing a result waits for a write lock before giving up (milliseconds).
STORE_LOCK_WAIT_MS = 100
_CHUNK = 500  # ids per IN (...) list


def _in(sql: str) -> Any:
    """``sql`` with ``:ids`` bound as an expanding ``IN`` list."""
    return text(sql).bindparams(bindparam("ids", expanding=True))


# Plain SQL (the tables are in models.py and migration 0008): a command served from the cache
# reads through here, and should not pay for loading the ORM's models.
_DROP = _in("DELETE FROM analysis_cache WHERE intervention_id IN :ids")
_VERSIONS = _in("SELECT intervention_id, version FROM analysis_version WHERE intervention_id IN :ids")
# One statement per intervention (SQLite >= 3.24 and PostgreSQL), so two writers bumping an
# intervention for the first time at once (form submissions run side by side) cannot both insert
# its row: the second one adds 1.
_BUMP = text(
    "INSERT INTO analysis_version (intervention_id, version) VALUES (:intervention_id, 1) "
    "ON CONFLICT (intervention_id) DO UPDATE SET version = analysis_version.version + 1"
)
_ALL_VERSIONS = text("SELECT intervention_id, version FROM analysis_version")
_LOAD = text("SELECT intervention_id, version, payload FROM analysis_cache WHERE key = :key")
_LOAD_SOME = _in(
    "SELECT intervention_id, version, payload FROM analysis_cache WHERE key = :key AND intervention_id IN :ids"
)


def bump(connection: Connection, intervention_ids: Iterable[int | None]) -> None:
    """Mark the measurements of ``intervention_ids`` as changed (call inside the writing transaction).

    Also drops every result cached for them: those can never be served again, and after an
    erasure they must not keep figures computed from the erased rows.
    """
    ids = sorted({int(i) for i in intervention_ids if i is not None})
    if not ids:
        return
    for chunk in _chunks(ids):
        connection.execute(_DROP, {"ids": chunk})
        connection.execute(_BUMP, [{"intervention_id": i} for i in chunk])


def clear(connection: Connection) -> None:
    """Forget every cached result (in a restore's transaction: the data all came from elsewhere)."""
    connection.execute(text("DELETE FROM analysis_cache"))


def versions(connection: Connection, intervention_ids: Sequence[int] | None = None) -> dict[int, int]:
    """The current version of each intervention (0 where its measurements never changed).

    Read it before the data a result is computed from."""
    found: dict[int, int] = {}
    if intervention_ids is None:
        found.update((iv, v) for iv, v in connection.execute(_ALL_VERSIONS))
        return found
    for chunk in _chunks(sorted(set(intervention_ids))):
        found.update((iv, v) for iv, v in connection.execute(_VERSIONS, {"ids": chunk}))
    return {i: found.get(i, 0) for i in intervention_ids}


def load(connection: Connection, key: str, current: Mapping[int, int]) -> dict[int, str]:
    """The payloads stored under ``key`` for the interventions and versions in ``current``."""
    ids = sorted(current)
    out: dict[int, str] = {}
    for chunk in _chunks(ids) if len(ids) <= _CHUNK else [None]:
        found = (
            connection.execute(_LOAD, {"key": key})
            if chunk is None
            else connection.execute(_LOAD_SOME, {"key": key, "ids": chunk})
        )
        for iv, version, payload in found:
            if current.get(iv) == version:
                out[iv] = payload
    return out


_STORE = text(
    "INSERT INTO analysis_cache (intervention_id, version, key, payload) "
    "SELECT CAST(:iv AS INTEGER), CAST(:version AS INTEGER), CAST(:key AS VARCHAR(200)), CAST(:payload AS TEXT) "
    "WHERE coalesce((SELECT version FROM analysis_version WHERE intervention_id = :iv), 0) = :version "
    "AND NOT EXISTS (SELECT 1 FROM analysis_cache WHERE intervention_id = :iv AND version = :version AND key = :key)"
)
_PRUNE = text("DELETE FROM analysis_cache WHERE intervention_id = :iv AND version < :version")


def store(engine: Engine, key: str, entries: Sequence[tuple[int, int, str]]) -> bool:
    """Store ``(intervention_id, version, payload)`` entries under ``key``, in a transaction of
    its own; an entry whose version is no longer current is left out. Returns whether it was
    written (``False`` when the database was locked, read-only or not writable for us)."""
    if not entries:
        return True
    database = engine.url.database or ""
    if engine.dialect.name == "sqlite" and (database in ("", ":memory:") or "mode=memory" in database):
        return False  # one connection per thread: a second transaction would end the reader's
    rows: list[dict[str, Any]] = [{"iv": iv, "version": v, "key": key, "payload": p} for iv, v, p in entries]
    try:
        with db.writer(engine).connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # Before the transaction begins (BEGIN IMMEDIATE waits for the write lock).
                _busy_timeout(connection, STORE_LOCK_WAIT_MS)
            try:
                with connection.begin():
                    if connection.dialect.name == "postgresql":
                        connection.execute(text(f"SET LOCAL lock_timeout = '{STORE_LOCK_WAIT_MS}ms'"))
                    connection.execute(_PRUNE, [{"iv": r["iv"], "version": r["version"]} for r in rows])
                    connection.execute(_STORE, rows)
            finally:
                if sqlite:
                    _busy_timeout(connection, db.SQLITE_BUSY_TIMEOUT_MS)
    except DBAPIError:
        return False
    return True


def _busy_timeout(connection: Connection, ms: int) -> None:
    raw = connection.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={int(ms)}")
    finally:
        cursor.close()


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


__all__ = ["DERIVED_TABLES", "STORE_LOCK_WAIT_MS", "bump", "clear", "load", "store", "versions"]
