"""Backup and restore: the whole database in one portable file, loadable on either backend.

A backup is gzip-compressed JSON lines (readable with ``zcat`` and any JSON reader)::

    {"format": "kirkpatrick-backup", "version": 1, "schema": "0002", "created": "...Z"}
    {"table": "client", "columns": ["id", "name", "unit"], "types": ["int", "text", "text"]}
    [1, "Norrby kommun", "Socialkontoret"]
    ...                                   (every table, parents before children)
    {"end": true, "rows": {"client": 1, ...}}

Values are typed by the ``types`` line: dates and timestamps are ISO strings, floats are written
with Python's shortest round-trip ``repr`` so they come back bit for bit, identifiers are kept.
The closing line carries the row counts, so a truncated file is refused rather than half-loaded.

Restore takes an empty database of either backend, creates the schema at the backup's revision,
loads the rows, upgrades to this kirkpatrick's newest revision, and (on PostgreSQL) moves the id
sequences past the loaded ids, all in one transaction: it loads everything or nothing.
"""

from __future__ import annotations

import datetime as dt
import enum
import gzip
import itertools
import json
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from alembic import command
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Date, DateTime, Engine, MetaData, Table, func, inspect, select, text
from sqlalchemy.exc import StatementError

from kirkpatrick.domain.errors import InvalidInput
from kirkpatrick.storage import analysis_cache, db
from kirkpatrick.storage.schema import metadata

FORMAT = "kirkpatrick-backup"
VERSION = 1
_BATCH = 5_000


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds (or what a restore loaded): schema revision and rows per table."""

    path: Path
    schema: str
    created: str
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


# ---------------------------------------------------------------- writing


def _type_tag(column: Any) -> str:
    if isinstance(column.type, DateTime):
        return "datetime"
    if isinstance(column.type, Date):
        return "date"
    return "json"


def _encode(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _dump(obj: Any) -> str:
    # allow_nan=False: a NaN would not be JSON any other reader accepts (the schema forbids it anyway).
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def backup(engine: Engine, out: Path) -> BackupSummary:
    """Write every table of the (up-to-date) database at ``engine`` to ``out``.

    The rows are read in one transaction (a snapshot: an import running meanwhile is either
    wholly in the backup or not at all), written to a temporary file next to ``out`` and moved
    into place only when complete, so ``out`` is never a partial backup.
    """
    db.require_current(engine)
    out = Path(out)
    if not out.parent.is_dir():
        raise InvalidInput(f"folder for backup does not exist: {out.parent}")
    created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    schema = db.head_revision()
    rows: dict[str, int] = {}
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        with _snapshot(engine) as connection, gzip.open(partial, "wt", encoding="utf-8", newline="\n") as f:
            _line(f, {"format": FORMAT, "version": VERSION, "schema": schema, "created": created})
            for table in metadata.sorted_tables:
                columns = list(table.columns)
                _line(
                    f,
                    {
                        "table": table.name,
                        "columns": [c.name for c in columns],
                        "types": [_type_tag(c) for c in columns],
                    },
                )
                if table.name in analysis_cache.DERIVED_TABLES:
                    rows[table.name] = 0  # computed results: recomputed from the data when asked for
                    continue
                order = list(table.primary_key.columns) or columns
                result = connection.execution_options(yield_per=_BATCH).execute(select(*columns).order_by(*order))
                count = 0
                for row in result:
                    f.write(_dump([_encode(v) for v in row]))
                    f.write("\n")
                    count += 1
                rows[table.name] = count
            _line(f, {"end": True, "rows": rows})
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return BackupSummary(out, schema, created, rows)


def _line(f: IO[str], obj: Any) -> None:
    f.write(_dump(obj))
    f.write("\n")


class _snapshot:
    """A read-only connection that sees one consistent state of the whole database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __enter__(self) -> Connection:
        self.connection = self.engine.connect()
        if self.engine.dialect.name == "postgresql":
            # READ COMMITTED would give each SELECT its own snapshot; a backup needs one for all tables.
            self.connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        # SQLite (WAL): the deferred transaction's first read fixes the snapshot for all the rest.
        self.connection.begin()
        return self.connection

    def __exit__(self, *exc: object) -> None:
        self.connection.rollback()
        self.connection.close()


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class TableBlock:
    """One table's part of a backup: its columns, their type tags and its rows (streamed)."""

    name: str
    columns: list[str]
    types: list[str]
    rows: Iterator[list[Any]]


class _Reader:
    """Streams a backup file, checking its structure; every defect is an ``InvalidInput``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.line = 0
        self.header: dict[str, Any] = {}
        self.counts: dict[str, int] = {}
        self.declared: dict[str, int] | None = None

    def _lines(self) -> Iterator[Any]:
        try:
            with gzip.open(self.path, "rt", encoding="utf-8", newline="\n") as f:
                for raw in f:
                    self.line += 1
                    try:
                        yield json.loads(raw)
                    except json.JSONDecodeError as exc:
                        raise self.error(f"not JSON ({exc.msg})") from None
        except (gzip.BadGzipFile, EOFError, zlib.error, UnicodeDecodeError) as exc:
            raise InvalidInput(f"{self.path}: not a complete kirkpatrick backup ({exc})") from None
        except OSError as exc:
            raise InvalidInput(f"{self.path}: cannot read ({exc.strerror or exc})") from None

    def error(self, message: str) -> InvalidInput:
        return InvalidInput(f"{self.path}:{self.line}: {message}")

    def blocks(self) -> Iterator[TableBlock]:
        """The header is read first (``self.header``); then one block per table, each streamed."""
        lines = self._lines()
        header = next(lines, None)
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise InvalidInput(f"{self.path}: not a kirkpatrick backup (no {FORMAT!r} header)")
        if header.get("version") != VERSION:
            raise InvalidInput(
                f"{self.path}: backup format version {header.get('version')!r}; "
                f"this kirkpatrick reads version {VERSION}"
            )
        if not isinstance(header.get("schema"), str):
            raise self.error("header has no schema revision")
        self.header = header
        pending: Any = next(lines, None)
        while True:
            if isinstance(pending, dict) and pending.get("end") is True:
                self.declared = pending.get("rows")
                if next(lines, None) is not None:
                    raise self.error("data after the end of the backup")
                break
            if not (
                isinstance(pending, dict)
                and isinstance(pending.get("table"), str)
                and isinstance(pending.get("columns"), list)
                and isinstance(pending.get("types"), list)
                and len(pending["columns"]) == len(pending["types"])
                and all(isinstance(c, str) for c in pending["columns"])
                and set(pending["types"]) <= {"json", "date", "datetime"}
            ):
                if pending is None:
                    raise InvalidInput(f"{self.path}: backup ends early (no end line); it is incomplete")
                raise self.error("expected a table line")
            name, width = pending["table"], len(pending["columns"])
            if name in self.counts:
                raise self.error(f"table {name!r} appears twice")
            self.counts[name] = 0
            follow: list[Any] = []

            def rows(name: str = name, width: int = width, follow: list[Any] = follow) -> Iterator[list[Any]]:
                for item in lines:
                    if not isinstance(item, list):
                        follow.append(item)
                        return
                    if len(item) != width:
                        raise self.error(f"row has {len(item)} values, table {name} has {width} columns")
                    self.counts[name] += 1
                    yield item
                follow.append(None)

            block = TableBlock(name, pending["columns"], pending["types"], rows())
            yield block
            for _ in block.rows:  # the caller may stop early; the next line still has to be found
                pass
            pending = follow[0] if follow else None
        if self.declared != self.counts:
            raise InvalidInput(f"{self.path}: row counts do not match the end line; the backup is damaged")


def _decode(value: Any, tag: str, where: _Reader) -> Any:
    if value is None or tag == "json":
        if isinstance(value, (dict, list)):
            raise where.error(f"unexpected value {_dump(value)[:40]}")
        return value
    if not isinstance(value, str):
        raise where.error(f"expected an ISO {tag}, got {_dump(value)[:40]}")
    try:
        return dt.datetime.fromisoformat(value) if tag == "datetime" else dt.date.fromisoformat(value)
    except ValueError:
        raise where.error(f"bad {tag} {value[:40]!r}") from None


def read_backup(path: Path) -> tuple[dict[str, Any], dict[str, list[list[Any]]]]:
    """The header and every table's rows, as stored (for comparing two backups; small databases)."""
    reader = _Reader(Path(path))
    tables = {block.name: list(block.rows) for block in reader.blocks()}
    return reader.header, tables


# ---------------------------------------------------------------- restoring


def _known_revisions() -> list[str]:
    script = ScriptDirectory.from_config(db.alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _empty_or_fail(engine: Engine) -> None:
    tables = inspect(engine).get_table_names()
    if not tables:
        return
    if db.current_revision(engine) is None:
        raise InvalidInput(
            f"database {engine.url.render_as_string()} has tables ({', '.join(sorted(tables))}) "
            "that are not kirkpatrick's; restore into an empty database"
        )
    with engine.connect() as c:
        filled = [
            t
            for t in sorted(tables)
            if t != "alembic_version" and c.execute(select(func.count()).select_from(Table(t, MetaData()))).scalar_one()
        ]
    if filled:
        raise InvalidInput(
            f"database {engine.url.render_as_string()} is not empty (rows in {', '.join(filled)}); "
            "restore only into an empty database, so that nothing is overwritten"
        )


def restore(engine: Engine, path: Path) -> BackupSummary:
    """Load the backup at ``path`` into the empty database at ``engine``; all or nothing.

    The target may be brand new or freshly initialised (``kirkpatrick init``) but must hold no
    rows. Returns what was loaded. Raises ``InvalidInput`` for a damaged or foreign file, a
    backup from a newer kirkpatrick, or a target that is not empty.
    """
    path = Path(path)
    reader = _Reader(path)
    blocks = reader.blocks()
    first = next(blocks, None)  # reads and checks the header
    schema = reader.header["schema"]
    known = _known_revisions()
    if schema not in known:
        raise InvalidInput(
            f"{path}: backup has schema revision {schema!r}, unknown to this kirkpatrick "
            f"(knows {', '.join(known)}); restore it with the kirkpatrick that wrote it, or a newer one"
        )
    _empty_or_fail(engine)
    initialised = db.current_revision(engine) is not None
    # Foreign keys off (SQLite) while migrating; every reference is checked before the commit.
    with db.migrating(engine) as connection:
        if initialised:
            # An initialised but empty database: start from nothing, at the backup's revision.
            command.downgrade(db.alembic_config(connection), "base")
        try:
            command.upgrade(db.alembic_config(connection), schema)
        except CommandError as exc:
            raise InvalidInput(f"cannot create the schema of revision {schema}: {exc}") from None
        # The tables as they are at the backup's revision (not as this code's models define them).
        metadata = MetaData()
        metadata.reflect(connection)
        for block in itertools.chain([first] if first else [], blocks):
            table = metadata.tables.get(block.name)
            if table is None or block.name == "alembic_version":
                raise reader.error(f"table {block.name!r} is not part of schema {schema}")
            unknown = [c for c in block.columns if c not in table.columns]
            if unknown:
                raise reader.error(f"table {block.name} at schema {schema} has no column {unknown[0]!r}")
            batch: list[dict[str, Any]] = []
            for row in block.rows:
                batch.append({c: _decode(v, t, reader) for c, v, t in zip(block.columns, row, block.types)})
                if len(batch) >= _BATCH:
                    _insert(connection, table, batch, reader)
                    batch = []
            if batch:
                _insert(connection, table, batch, reader)
        missing = sorted(set(metadata.tables) - set(reader.counts) - {"alembic_version"})
        if missing:
            raise InvalidInput(f"{path}: backup has no table {missing[0]!r}; it is incomplete")
        command.upgrade(db.alembic_config(connection), "head")
        problems = db.foreign_key_problems(connection)
        if problems:
            raise InvalidInput(f"{path}: backup's rows do not fit together ({problems[0]}); nothing restored")
        analysis_cache.clear(connection)  # results computed elsewhere are not trusted here
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection)
    return BackupSummary(path, schema, str(reader.header.get("created", "")), dict(reader.counts))


def _insert(connection: Connection, table: Table, batch: list[dict[str, Any]], reader: _Reader) -> None:
    try:
        connection.execute(table.insert(), batch)
    except StatementError as exc:
        # A value the schema refuses: the file was edited or damaged. The transaction rolls back.
        cause = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise InvalidInput(
            f"{reader.path}: rows of table {table.name} before line {reader.line + 1} do not fit the schema ({cause})"
        ) from None


def _reset_sequences(connection: Connection) -> None:
    """Move every serial/identity sequence past the largest loaded id, so the next insert fits."""
    quote = connection.dialect.identifier_preparer.quote
    for name in inspect(connection).get_table_names():
        columns = {c["name"] for c in inspect(connection).get_columns(name)}
        if "id" not in columns:
            continue
        sequence = connection.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": quote(name)}).scalar()
        if sequence is None:
            continue
        connection.execute(
            text(
                f"SELECT setval(:s, COALESCE((SELECT MAX(id) FROM {quote(name)}), 1), "
                f"(SELECT MAX(id) FROM {quote(name)}) IS NOT NULL)"
            ),
            {"s": sequence},
        )
