"""Layouts of measurement tables, one module each, turning a table into canonical rows.

``long`` (one measurement per row) and ``wide`` (one respondent per row); a layout is detected
from the header and can be given instead.
"""

from __future__ import annotations

from kirkpatrick.io.formats import long

LAYOUTS = ("long", "wide")


def detect_layout(header: list[str]) -> str:
    return "long" if long.matches(header) else "wide"
