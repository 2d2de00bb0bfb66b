"""A problem found in an input: a code, its values and where (file, line, column), built once
where it is found and carried as a record to the faces.

The code is the English sentence with ``%(name)s`` placeholders; it is also the key of the
Swedish catalogue, so the web translates ``code`` with ``values`` and the CLI prints
``file:line:column: message``. Nothing downstream reads a sentence back apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kirkpatrick.domain.errors import located


@dataclass(frozen=True)
class Problem:
    code: str  # English msgid, placeholders filled from ``values``
    values: Mapping[str, str] = field(default_factory=dict)
    file: str | None = None
    line: int | None = None
    column: str | None = None

    @property
    def message(self) -> str:
        return self.code % dict(self.values) if self.values else self.code

    def located(self) -> str:
        """``file:line:column: message`` with the parts that are known."""
        return located(self.message, self.file, self.line or None, self.column)


def quoted(value: object) -> str:
    """A value as messages show it: ``'text'``."""
    return repr(value.strip()) if isinstance(value, str) else repr(value)
