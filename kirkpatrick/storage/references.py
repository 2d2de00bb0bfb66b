"""The references of rows written without SQLite's row-by-row foreign-key checks, checked once.

SQLite checks a foreign key by looking up the parent row for every row written: three lookups
per measurement, which is half of what storing a measurement costs (``docs/speed-import.md``).
A bulk writer in ``db.unchecked_writes`` instead notes the distinct ids its rows refer to, and
``check`` looks each one up once before the commit: a few thousand lookups for a million rows.
The write lock is held from the transaction's start to its commit, so a parent found by
``check`` is still there when the rows commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from kirkpatrick.storage.schema import metadata as schema

PER_QUERY = 10_000  # ids looked up by one statement (SQLite allows 32,766 parameters)


class BrokenReference(RuntimeError):
    """A row written refers to a row that does not exist: a defect, never the user's input."""


class References:
    """Ids referred to by the rows of one transaction, by parent table."""

    def __init__(self) -> None:
        self.ids: dict[str, set[int]] = {}

    def add(self, parent: str, ids: Iterable[int]) -> None:
        if parent not in schema.tables:
            raise ValueError(f"no table {parent!r}")
        self.ids.setdefault(parent, set()).update(int(i) for i in ids)

    def check(self, connection: Connection) -> None:
        """Raise ``BrokenReference`` (the caller's transaction then rolls back) unless every id noted exists."""
        for parent, wanted in sorted(self.ids.items()):
            table = schema.tables[parent]
            ids = sorted(wanted)
            for start in range(0, len(ids), PER_QUERY):
                chunk = ids[start : start + PER_QUERY]
                found = set(connection.execute(select(table.c.id).where(table.c.id.in_(chunk))).scalars())
                if len(found) != len(chunk):
                    missing = sorted(set(chunk) - found)
                    raise BrokenReference(
                        f"internal error, nothing was written: rows would refer to {parent} "
                        f"{', '.join(map(str, missing[:5]))}{' ...' if len(missing) > 5 else ''}, which does not exist"
                    )
