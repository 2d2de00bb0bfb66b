"""What a layout reader needs while it turns a table into canonical rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kirkpatrick.io.participants import Participants
from kirkpatrick.io.rows import RowStore
from kirkpatrick.io.sniff import Table
from kirkpatrick.io.validate import Catalogue, Cells, Errors
from kirkpatrick.storage.references import References

Progress = Callable[[int], None]
DEFAULT_MIN_ITEM_SHARE = 0.8


@dataclass
class ReadContext:
    """The table, the catalogue, the checks and the store that a reader fills."""

    table: Table
    catalogue: Catalogue
    participants: Participants
    errors: Errors
    cells: Cells
    store: RowStore
    default_wave: int | None = None
    default_rater: int | None = None
    min_item_share: float = DEFAULT_MIN_ITEM_SHARE
    progress: Progress | None = None
    rows_read: int = 0
    too_few_items: int = 0
    header: list[str] = field(default_factory=list)
    layout: str = "long"
    # Writing with SQLite's foreign keys off (``db.unchecked_writes``): every writer notes here
    # the ids its rows refer to, checked once before the commit.
    references: References | None = None

    @property
    def rater_or_self(self) -> int:
        return self.default_rater if self.default_rater is not None else 0

    def header_columns(self, header: list[str], line: int, allowed: tuple[str, ...] | None) -> dict[str, int]:
        """Column name -> index; empty, repeated or (if ``allowed``) unknown names are errors."""
        columns: dict[str, int] = {}
        for i, name in enumerate(header):
            if name == "":
                self.errors.add(line, f"column {i + 1}", "column without a name")
            elif name in columns:
                self.errors.add(line, name, f"column {name!r} appears twice")
            elif allowed is not None and name not in allowed:
                self.errors.add(line, name, f"unknown column {name!r} (expected: {', '.join(allowed)})")
            else:
                columns[name] = i
        if "participant" not in columns:
            self.errors.add(line, None, "the column %(value)s is missing", value="'participant'")
        if "intervention" not in columns and self.participants.fixed is None:
            self.errors.add(line, None, "no intervention: give --intervention CODE or an 'intervention' column")
        return columns
