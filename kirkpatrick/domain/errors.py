"""Exceptions for user mistakes. The CLI shows their message as one line, never a traceback."""

from __future__ import annotations


class KirkpatrickError(Exception):
    """A problem the user can fix: bad input, an unknown code, a duplicate."""


class NotFound(KirkpatrickError):
    """A code or name that is not in the database."""


class Duplicate(KirkpatrickError):
    """Something that already exists and must be unique."""


class InvalidInput(KirkpatrickError):
    """A value or file that cannot be accepted as given.

    ``path``, ``line`` and ``column`` say where, when it came from a file; the message is then
    shown as one line ``file:line:column: message`` (the parts that are known).
    """

    def __init__(
        self, message: str, *, path: str | None = None, line: int | None = None, column: str | None = None
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        super().__init__(located(message, path, line, column))


def located(message: str, path: str | None, line: int | None, column: str | None) -> str:
    """``file:line:column: message`` with the parts that are known."""
    where = [str(part) for part in (path, line, column) if part is not None and part != ""]
    return f"{':'.join(where)}: {message}" if where else message


class DatabaseNotReady(KirkpatrickError):
    """The database has no schema yet, or an older one: run ``kirkpatrick init``."""
