"""The one way survey answers become measurements: the importer's validation and writers.

Answers are canonical rows (participant code, measure, item, wave, rater, value), handed to
``io.pipeline.write_rows`` on the caller's connection, so that replacing a respondent's earlier
answers and writing the new ones is one transaction, checked exactly as a file's rows are
(items become the scale score with reverse scoring; the item answers are kept).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from kirkpatrick.domain.vocab import Rater, Wave
from kirkpatrick.io.pipeline import ImportSummary, Replace, write_rows
from kirkpatrick.io.rows import CanonicalRow
from kirkpatrick.storage.models import Measure, Participant

__all__ = ["CanonicalRow", "measure_ids", "participant_code", "store_measurements"]


def store_measurements(
    connection: Connection,
    intervention: str,
    rows: Iterable[CanonicalRow],
    *,
    replace: Iterable[tuple[int, Wave, Rater, Iterable[int]]] = (),
) -> ImportSummary | None:
    """Write ``rows`` as measurements of ``intervention`` through the importer, in the caller's transaction.

    ``replace`` lists (participant id, wave, rater, measure ids) whose existing measurements are
    deleted first (a respondent who changes their answers). Raises ``ImportFailed`` on a row the
    importer rejects; the caller's transaction then writes nothing. ``None`` if there was nothing
    to replace or write.
    """
    rows = list(rows)
    replace = list(replace)
    if not rows and not replace:
        return None
    replacements = []
    if replace:
        codes = dict(
            connection.execute(
                select(Participant.id, Participant.code).where(Participant.id.in_([r[0] for r in replace]))
            ).all()
        )
        wanted = sorted({m for r in replace for m in r[3]})
        measures = dict(connection.execute(select(Measure.id, Measure.code).where(Measure.id.in_(wanted))).all())
        replacements = [
            Replace(codes[pid], wave, rater, frozenset(measures[m] for m in mids if m in measures))
            for pid, wave, rater, mids in replace
            if pid in codes
        ]
    return write_rows(connection, intervention, rows, replace=replacements, source="form")


def measure_ids(connection: Connection, codes: Iterable[str]) -> list[int]:
    return list(connection.scalars(select(Measure.id).where(Measure.code.in_(list(codes)))))


def participant_code(connection: Connection, participant_id: int) -> str:
    return connection.scalars(select(Participant.code).where(Participant.id == participant_id)).one()
