"""The state the demo's steps share, apart from the steps so that step modules can name it."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine


@dataclass
class DemoRun:
    """State shared by the demo's steps."""

    out: Path
    data: Path
    echo: Callable[[str], None]
    engine: Engine | None = None
    written: list[Path] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"sqlite:///{(self.out / 'kirkpatrick.db').resolve()}"

    def measurement_files(self) -> list[dict[str, str]]:
        """The measurement files to import, with their options (``sample_data/imports.csv``)."""
        with open(self.data / "imports.csv", newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))


Step = Callable[[DemoRun], None]
