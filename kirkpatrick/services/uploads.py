"""Files uploaded through the web: the workbook guard and the error row of table pages.

Measurement files and survey exports are imported through ``services.importing``.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from kirkpatrick.domain.errors import InvalidInput

# An xlsx is a zip: refuse archives that would unpack to far more than they weigh.
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
MAX_XLSX_RATIO = 100
MAX_XLSX_MEMBERS = 2_000


@dataclass(frozen=True)
class ErrorRow:
    line: int | None
    column: str | None
    message: str


def guard_xlsx(path: Path) -> None:
    """Refuse an .xlsx that is not a zip, or one whose members unpack out of all proportion."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise InvalidInput("the file is not a readable .xlsx workbook") from None
    unpacked = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    if len(members) > MAX_XLSX_MEMBERS or unpacked > MAX_XLSX_UNPACKED or unpacked / packed > MAX_XLSX_RATIO:
        raise InvalidInput("the workbook unpacks to far more than its size; refused")
