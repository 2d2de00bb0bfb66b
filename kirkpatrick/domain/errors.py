"""Exceptions for user mistakes. The CLI shows their message as one line, never a traceback."""

from __future__ import annotations


class KirkpatrickError(Exception):
    """A problem the user can fix: bad input, an unknown code, a duplicate."""


class NotFound(KirkpatrickError):
    """A code or name that is not in the database."""


class Duplicate(KirkpatrickError):
    """Something that already exists and must be unique."""


class InvalidInput(KirkpatrickError):
    """A value or file that cannot be accepted as given."""


class DatabaseNotReady(KirkpatrickError):
    """The database has no schema yet, or an older one: run ``kirkpatrick init``."""
