"""Where the database is: the URL from ``--db``, ``$KIRKPATRICK_DB`` or the default.

Kept apart from :mod:`kirkpatrick.storage.db` (SQLAlchemy, Alembic) so that ``kirkpatrick --help``
can name them without loading a database library.
"""

from __future__ import annotations

import os

ENV_VAR = "KIRKPATRICK_DB"
DEFAULT_URL = "sqlite:///kirkpatrick.db"


def resolve_url(option: str | None = None) -> str:
    """The database URL: ``--db`` if given, else ``$KIRKPATRICK_DB``, else ``kirkpatrick.db`` here."""
    return option or os.environ.get(ENV_VAR) or DEFAULT_URL
