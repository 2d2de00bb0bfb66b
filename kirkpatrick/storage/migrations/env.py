"""Alembic environment: kirkpatrick always passes an open connection (see ``db.alembic_config``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from kirkpatrick.storage import db
from kirkpatrick.storage.schema import metadata

config = context.config
target_metadata = metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # plain `alembic` command line: use sqlalchemy.url from the config
        # A plain engine: SQLite's foreign keys stay off (its default), as a table rebuilt by
        # copy-and-rename needs; every reference is checked before the commit instead.
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///kirkpatrick.db")
        with engine.begin() as connection:
            _run(connection)
            problems = db.foreign_key_problems(connection)
            if problems:
                raise RuntimeError(f"migration rolled back, a foreign key does not hold: {problems[0]}")
    else:
        _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
