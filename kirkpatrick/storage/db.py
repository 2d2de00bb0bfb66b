"""Where the data lives: URL resolution, engines, sessions and the Alembic-owned schema."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from kirkpatrick.domain.errors import DatabaseNotReady, InvalidInput
from kirkpatrick.storage.location import DEFAULT_URL as DEFAULT_URL
from kirkpatrick.storage.location import ENV_VAR as ENV_VAR
from kirkpatrick.storage.location import resolve_url as resolve_url

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
# How long an SQLite writer waits for another writer's lock before giving up (milliseconds).
# Imports hold the write lock for their whole write, so writers queue: ten minutes lets a
# dozen large imports started at once all finish instead of failing with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 600_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # WAL: readers never block the writer, and a killed writer leaves the file consistent.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


WRITE_OPTION = "kirkpatrick_writes"


def _sqlite_begin(conn: Any) -> None:
    # A write transaction takes the write lock at its start (BEGIN IMMEDIATE): a read that is
    # later upgraded to a write can deadlock with another writer and fail at once with
    # "database is locked", whereas waiting for the lock up front honours busy_timeout.
    # Read-only work keeps a plain deferred BEGIN so that reports never wait for an import.
    if conn.get_execution_options().get(WRITE_OPTION):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and a generous busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInput(f"not a database URL: {url!r} (e.g. sqlite:///kirkpatrick.db)") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            parent = Path(database).expanduser().resolve().parent
            if not parent.is_dir():
                raise InvalidInput(f"folder for database does not exist: {parent}")
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "connect")
        def _no_pysqlite_transactions(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event issue BEGIN IMMEDIATE instead of pysqlite's own BEGIN.
            dbapi_connection.isolation_level = None

        event.listen(engine, "begin", _sqlite_begin)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise InvalidInput(f"no driver for {parsed.drivername!r}: {exc}") from None


def alembic_config(connection: Any | None = None) -> Config:
    # Alembic loads only for the commands that migrate (init, restore): ~0.2 s of start-up.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


_REVISION = re.compile(r"^(down_)?revision\s*(?::[^=]*)?=\s*(?:['\"]([^'\"]+)['\"]|None)", re.MULTILINE)


@cache
def head_revision() -> str:
    """The newest migration: the one no other revises (read from the files, without Alembic;
    a test checks it against Alembic's own answer)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for down, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            if value:
                (revised if down else revisions).add(value)
    heads = revisions - revised
    assert len(heads) == 1, heads  # the package ships one chain of migrations
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision (``None``: not initialised)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def init_db(engine: Engine) -> tuple[str | None, str]:
    """Create the schema, or upgrade an older one to the newest revision; rows are kept.

    Returns the revision before and after.
    """
    before = current_revision(engine)
    if before is None and inspect(engine).get_table_names():
        tables = ", ".join(sorted(inspect(engine).get_table_names()))
        raise DatabaseNotReady(f"database has tables ({tables}) but no kirkpatrick schema version; not touching it")
    from alembic import command

    with migrating(engine) as connection:
        command.upgrade(alembic_config(connection), "head")
        problems = foreign_key_problems(connection)
        if problems:  # a migration broke a reference: roll the whole upgrade back
            raise DatabaseNotReady(f"upgrade rolled back, a foreign key does not hold: {problems[0]}")
    return before, head_revision()


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """One write transaction for schema changes; on SQLite with foreign keys off.

    SQLite alters most things by copying a table and renaming the copy; dropping the original
    with foreign keys on would first delete, by ``ON DELETE CASCADE``, every row that refers to
    it (``item_response`` rows when ``measurement`` is rebuilt). ``PRAGMA foreign_keys`` cannot
    change inside a transaction, so it is turned off before this one begins and on again after.
    The caller checks :func:`foreign_key_problems` before the transaction commits.
    """
    with unchecked_writes(engine) as connection:
        yield connection


@contextmanager
def unchecked_writes(engine: Engine) -> Iterator[Connection]:
    """One write transaction that SQLite does not check row by row for foreign keys (elsewhere,
    a plain write transaction): for work that checks its references itself before it commits,
    and never relies on ``ON DELETE CASCADE`` (schema changes, a restore, the bulk importer).

    ``PRAGMA foreign_keys`` cannot change inside a transaction, so it is turned off before this
    one begins and on again after, whatever happens; other connections keep it on throughout.
    """
    with writer(engine).connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _set_foreign_keys(connection, on=False)
        try:
            with connection.begin():
                yield connection
        finally:
            if sqlite and not connection.invalidated:
                _set_foreign_keys(connection, on=True)


def _set_foreign_keys(connection: Connection, *, on: bool) -> None:
    # Straight to the driver: through SQLAlchemy, this statement would begin a transaction.
    raw: Any = connection.connection.driver_connection
    statement = f"PRAGMA foreign_keys={'ON' if on else 'OFF'}"
    raw.execute(statement)
    if raw.execute("PRAGMA foreign_keys").fetchone()[0] != on:
        # A no-op inside a transaction: one the pooled connection still had open (an earlier
        # reader's unfinished statement) is ended, and the pragma set again.
        raw.rollback()
        raw.execute(statement)
        if raw.execute("PRAGMA foreign_keys").fetchone()[0] != on:
            if on:  # never hand this connection out again (quietly: an error may be on its way out)
                connection.invalidate()
                return
            raise DatabaseNotReady("could not turn SQLite's foreign keys off")


def foreign_key_problems(connection: Connection, limit: int = 5) -> list[str]:
    """References that do not hold (SQLite's ``PRAGMA foreign_key_check``; PostgreSQL enforces
    them on every statement, so nothing to find there)."""
    if connection.dialect.name != "sqlite":
        return []
    rows = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchmany(limit)
    return [f"{table} row {rowid} refers to a missing {parent} row" for table, rowid, parent, _fk in rows]


def require_current(engine: Engine) -> None:
    """Fail with a clear message unless the database is at the newest schema revision."""
    try:
        revision = current_revision(engine)
    except OperationalError as exc:
        raise DatabaseNotReady(f"cannot open database {engine.url.render_as_string()}: {exc.orig}") from None
    if revision is None:
        raise DatabaseNotReady(
            f"database {engine.url.render_as_string()} is not initialised; run `kirkpatrick init` first"
        )
    if revision != head_revision():
        raise DatabaseNotReady(
            f"database schema is at revision {revision}, this kirkpatrick needs {head_revision()}; "
            "run `kirkpatrick init` to upgrade it (rows are kept)"
        )


def writer(engine: Engine) -> Engine:
    """The same engine, marked so that its transactions take SQLite's write lock up front."""
    return engine.execution_options(**{WRITE_OPTION: True})


def session_factory(engine: Engine) -> sessionmaker[Session]:
    # The ORM loads only for the commands that use it (a cached report reads with Core).
    from sqlalchemy.orm import sessionmaker

    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One ORM session in one write transaction: committed on success, rolled back on any error."""
    with session_factory(writer(engine)).begin() as session:
        yield session


@contextmanager
def connecting(engine: Engine) -> Iterator[Connection]:
    """One Core connection for reading, without the ORM; nothing it does is committed."""
    with engine.connect() as connection:
        yield connection


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """One ORM session for reading; nothing it does is committed."""
    with session_factory(engine)() as session:
        yield session
