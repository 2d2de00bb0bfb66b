"""Every row of every table but the named ones, for 'nothing else changed' checks."""

from __future__ import annotations

from sqlalchemy import Engine

from kirkpatrick.storage.schema import metadata


def snapshot_without(engine: Engine, skip: set[str]) -> dict[str, list[str]]:
    with engine.connect() as c:
        return {
            t.name: sorted(repr(tuple(row)) for row in c.execute(t.select()))
            for t in metadata.sorted_tables
            if t.name not in skip
        }
