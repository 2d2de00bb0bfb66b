"""Swedish tools (Netigate, Esmaker and the like) and any other export with one header row of
question texts: Swedish metadata headers (E-post, Starttid, Slutförd ...), often re-saved by
Swedish Excel (Windows-1252, ``;``, decimal comma; ``io.sniff`` handles those). No public
description of these tools' raw-export columns was found: this reader relies only on one header
row, metadata recognised by name, and questions matched by wording."""

from __future__ import annotations

from kirkpatrick.io.formats.survey import Survey, simple
from kirkpatrick.io.sniff import Cell


def matches(rows: list[tuple[int, list[Cell]]]) -> bool:
    return bool(rows)


def read(rows: list[tuple[int, list[Cell]]]) -> Survey:
    return simple("swedish", rows[0][1], rows[1:])
