"""What every command shares: the database option, turning user errors into one-line messages,
JSON and table output."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, TypeVar

import click
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from kirkpatrick.domain.errors import KirkpatrickError
from kirkpatrick.storage import db

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class App:
    """Per-invocation state: the database URL and, once asked for, its engine."""

    url: str
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        """The engine of an initialised, up-to-date database."""
        engine = self.raw_engine
        db.require_current(engine)
        return engine

    def close(self) -> None:
        """Release the engine's connections (called when the command ends)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @property
    def raw_engine(self) -> Engine:
        """The engine, whatever state the database is in (for ``init`` and ``restore``)."""
        if self._engine is None:
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
        except IntegrityError as exc:
            # A constraint the checks above did not foresee (e.g. a concurrent writer): still one line.
            raise click.ClickException(f"database refused the change: {str(exc.orig).splitlines()[0]}") from None
        except OperationalError as exc:
            raise click.ClickException(f"database error: {str(exc.orig).splitlines()[0]}") from None


def lazy(name: str) -> ModuleType:
    """Module ``name``, loaded on first attribute access (``importlib.util.LazyLoader``).

    The library's heavy modules (SciPy through the statistics, Jinja2, openpyxl) then load only
    for the commands that use them, so ``kirkpatrick client list`` starts fast.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.loader is not None, name
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


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
