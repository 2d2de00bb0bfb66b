"""What every command shares: the database option, turning user errors into one-line messages,
JSON and table output."""

from __future__ import annotations

import importlib
import json
import math
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kirkpatrick.domain.errors import KirkpatrickError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.orm import Session as OrmSession

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class App:
    """Per-invocation state: the database URL and, once asked for, its engine."""

    url: str
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        """The engine of an initialised, up-to-date database."""
        from kirkpatrick.storage import db

        engine = self.raw_engine
        db.require_current(engine)
        return engine

    def reading(self) -> AbstractContextManager[OrmSession]:
        """A read-only session on the database (``db.reading``)."""
        from kirkpatrick.storage import db

        return db.reading(self.engine)

    def connecting(self) -> AbstractContextManager[Connection]:
        """A read-only Core connection, without the ORM (``db.connecting``)."""
        from kirkpatrick.storage import db

        return db.connecting(self.engine)

    def transaction(self) -> AbstractContextManager[OrmSession]:
        """A session whose changes are committed together, or not at all (``db.transaction``)."""
        from kirkpatrick.storage import db

        return db.transaction(self.engine)

    def close(self) -> None:
        """Release the engine's connections (called when the command ends)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @property
    def raw_engine(self) -> Engine:
        """The engine, whatever state the database is in (for ``init`` and ``restore``)."""
        if self._engine is None:
            from kirkpatrick.storage import db

            self._engine = db.make_engine(self.url)
        return self._engine


pass_app = click.make_pass_decorator(App)


class FriendlyGroup(click.Group):
    """A group whose user errors end as ``Error: <one line>`` and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KirkpatrickError as exc:
            raise click.ClickException(str(exc)) from None
        except Exception as exc:
            # SQLAlchemy is loaded only by commands that use the database: if it is not loaded,
            # the error cannot be one of its own.
            sa = sys.modules.get("sqlalchemy.exc")
            if sa is not None and isinstance(exc, sa.IntegrityError):
                # A constraint the checks above did not foresee (e.g. a concurrent writer): still one line.
                raise click.ClickException(f"database refused the change: {_first_line(exc.orig)}") from None
            if sa is not None and isinstance(exc, sa.OperationalError):
                raise click.ClickException(f"database error: {_first_line(exc.orig)}") from None
            raise


def _first_line(error: object) -> str:
    return str(error).splitlines()[0]


class LazyDefaultOption(click.Option):
    """An option whose default lives in a library module (``default_from=(module, name)``),
    imported only when the default is needed: for a run without the option, or ``--help``."""

    def __init__(self, *args: Any, default_from: tuple[str, str], **kwargs: Any) -> None:
        self.default_from = default_from
        super().__init__(*args, **kwargs)

    def get_default(self, ctx: click.Context, call: bool = True) -> Any:
        module, name = self.default_from
        return getattr(importlib.import_module(module), name)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(f)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def echo_json(data: Any) -> None:
    """Print ``data`` as JSON; NaN and infinity become ``null`` so any JSON reader accepts it."""
    click.echo(json.dumps(_clean(data), ensure_ascii=False, indent=2, default=str))


def echo_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], *, empty: str = "(none)") -> None:
    """Print rows as an aligned plain-text table."""
    if not rows:
        click.echo(empty)
        return
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for r in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)
