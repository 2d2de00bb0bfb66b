"""The ``kirkpatrick`` command line: parse, call the library, print. No SQL, no statistics here.

Each command family lives in its own module and registers itself on ``main``.
"""

from __future__ import annotations

# Each command family registers its commands on ``main`` when imported.
from kirkpatrick.cli import contract as _contract  # noqa: F401
from kirkpatrick.cli import demo as _demo  # noqa: F401
from kirkpatrick.cli import editing as _editing  # noqa: F401
from kirkpatrick.cli import importing as _importing  # noqa: F401
from kirkpatrick.cli import portfolio as _portfolio  # noqa: F401
from kirkpatrick.cli import records as _records  # noqa: F401
from kirkpatrick.cli import reporting as _reporting  # noqa: F401
from kirkpatrick.cli import survey as _survey  # noqa: F401
from kirkpatrick.cli import trust as _trust  # noqa: F401
from kirkpatrick.cli import web as _web  # noqa: F401
from kirkpatrick.cli.root import main

__all__ = ["main"]
