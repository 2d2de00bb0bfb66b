"""Small tables uploaded through the web (a feedback file, a measures catalogue, a list of
interventions): checked by running the CLI's own import in a transaction that is rolled back,
then imported for real on confirm. The same all-or-none import as ``kirkpatrick feedback import``,
``measure import`` and ``intervention import``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.domain.errors import KirkpatrickError
from kirkpatrick.io.sniff import open_path
from kirkpatrick.io.validate import text_of
from kirkpatrick.services import records
from kirkpatrick.services.uploads import ErrorRow, guard_xlsx
from kirkpatrick.storage import db

PREVIEW_ROWS = 5
# An import: (session, file) -> (rows added, of which cleared for reports; 0 where that means nothing).
Run = Callable[[OrmSession, Path], tuple[int, int]]


@dataclass
class TablePreview:
    """What an import page shows before anything is written."""

    header: list[str] = field(default_factory=list)
    first_rows: list[list[str]] = field(default_factory=list)
    count: int = 0
    cleared: int = 0
    errors: list[ErrorRow] = field(default_factory=list)


def error_row(exc: KirkpatrickError) -> ErrorRow:
    """``file:line: message`` as a table row (the file is the upload's private name: left out)."""
    text = str(exc)
    parts = text.split(":", 2)
    if len(parts) == 3 and parts[1].strip().isdigit():
        return ErrorRow(int(parts[1]), None, parts[2].strip())
    return ErrorRow(None, None, text.split(": ", 1)[-1])


def guarded(run: Run) -> Run:
    """``run`` after refusing an .xlsx that would unpack out of all proportion."""

    def checked(session: OrmSession, path: Path) -> tuple[int, int]:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            guard_xlsx(path)
        return run(session, path)

    return checked


def preview(engine: Engine, path: Path, run: Run) -> TablePreview:
    """The first rows of the file and what importing it would do (or its first error); the import
    runs in a transaction that is rolled back, so nothing is written."""
    result = TablePreview()
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            guard_xlsx(path)
        head = [[text_of(c) for c in cells] for _line, cells in islice(open_path(path).rows(), PREVIEW_ROWS + 1)]
        result.header, result.first_rows = (head[0], head[1:]) if head else ([], [])
        with db.session_factory(engine)() as session:
            try:
                result.count, result.cleared = run(session, path)
            finally:
                session.rollback()
    except KirkpatrickError as exc:
        result.errors = [error_row(exc)]
    return result


# ---------------------------------------------------------------- the three imports


def feedback(code: str) -> Run:
    """``kirkpatrick feedback import FILE --intervention CODE``."""

    def run(session: OrmSession, path: Path) -> tuple[int, int]:
        added = records.import_feedback(session, path, intervention=code)
        return len(added), sum(f.cleared for f in added)

    return guarded(run)


def measures() -> Run:
    """``kirkpatrick measure import FILE``."""

    def run(session: OrmSession, path: Path) -> tuple[int, int]:
        return len(records.import_measures(session, path)), 0

    return guarded(run)


def interventions(link: Callable[[OrmSession, str], None]) -> Run:
    """``kirkpatrick intervention import FILE``, then ``link(session, code)`` for each one added
    (the web: the uploader's consultancy runs it)."""

    def run(session: OrmSession, path: Path) -> tuple[int, int]:
        added = records.import_interventions(session, path)
        for intervention in added:
            link(session, intervention.code)
        return len(added), 0

    return guarded(run)


def contract_import(what: str, code: str) -> Run:
    """``kirkpatrick contract delivery import``, ``interview import`` or ``interview quote import``
    (``what``: delivery, interviews or quotes) for contract ``code``."""
    from kirkpatrick.services import contracts

    def run(session: OrmSession, path: Path) -> tuple[int, int]:
        if what == "delivery":
            return len(contracts.import_delivery(session, code, path)), 0
        if what == "interviews":
            return len(contracts.import_interviews(session, code, path)), 0
        added = contracts.import_quotes(session, code, path)
        return len(added), sum(q.cleared for q in added)

    return guarded(run)
