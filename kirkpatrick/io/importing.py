"""The measurement importer's public names (the pipeline lives in ``kirkpatrick.io.pipeline``)."""

from __future__ import annotations

from kirkpatrick.domain.parsing import column_name as normalise
from kirkpatrick.io.context import DEFAULT_MIN_ITEM_SHARE, Progress
from kirkpatrick.io.formats import LAYOUTS
from kirkpatrick.io.formats.long import COLUMNS as LONG_COLUMNS
from kirkpatrick.io.formats.wide import FIXED as WIDE_FIXED
from kirkpatrick.io.pipeline import (
    ImportOptions,
    ImportSummary,
    detect_dialect,
    import_measurements,
    open_input,
    open_upload,
)
from kirkpatrick.io.validate import MAX_SHOWN, RATERS, WAVES, ImportFailed

__all__ = [
    "DEFAULT_MIN_ITEM_SHARE",
    "LAYOUTS",
    "LONG_COLUMNS",
    "MAX_SHOWN",
    "RATERS",
    "WAVES",
    "WIDE_FIXED",
    "ImportFailed",
    "ImportOptions",
    "ImportSummary",
    "Progress",
    "detect_dialect",
    "import_measurements",
    "normalise",
    "open_input",
    "open_upload",
]
