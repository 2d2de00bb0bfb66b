"""The one way survey answers become measurements: through the importer's validation and writer.

Answers are turned into canonical rows (participant code, measure, item, wave, rater, value),
written as an in-memory-sized wide CSV (one row per participant, wave and rater; item columns for
multi-item measures, so the importer computes the scale score with reverse scoring and keeps the
item responses) and handed to the importer on the caller's connection, so that replacing a
respondent's earlier answers and writing the new ones is one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, delete, select

from kirkpatrick.domain.vocab import Rater, Wave
from kirkpatrick.io import importing
from kirkpatrick.storage.models import Measure, Measurement, Participant


@dataclass(frozen=True)
class CanonicalRow:
    """One answer as a measurement source: ``item`` is None for a single-item measure."""

    participant: str
    measure: str
    item: str | None
    wave: Wave
    rater: Rater
    value: float
    date: dt.date | None = None


def store_measurements(
    connection: Connection,
    intervention: str,
    rows: Iterable[CanonicalRow],
    *,
    replace: Iterable[tuple[int, Wave, Rater, Iterable[int]]] = (),
) -> importing.ImportSummary | None:
    """Write ``rows`` as measurements of ``intervention`` through the importer, in the caller's transaction.

    ``replace`` lists (participant id, wave, rater, measure ids) whose existing measurements are
    deleted first (a respondent who changes their answers). Raises ``importing.ImportFailed`` on a
    row the importer rejects; the caller's transaction then writes nothing.
    """
    for participant_id, wave, rater, measure_ids in replace:
        connection.execute(
            delete(Measurement).where(
                Measurement.participant_id == participant_id,
                Measurement.wave == wave,
                Measurement.rater == rater,
                Measurement.measure_id.in_(list(measure_ids)),
            )
        )
    grouped: dict[tuple[str, Wave, Rater], dict[str, float]] = {}
    dates: dict[tuple[str, Wave, Rater], dt.date | None] = {}
    for row in rows:
        key = (row.participant, row.wave, row.rater)
        grouped.setdefault(key, {})[row.item or row.measure] = row.value
        dates[key] = row.date
    if not grouped:
        return None
    columns = sorted({c for values in grouped.values() for c in values})
    if connection.dialect.name == "postgresql":
        # The same serialisation as a file import takes (importing.import_measurements).
        connection.exec_driver_sql("LOCK TABLE measurement, participant IN SHARE ROW EXCLUSIVE MODE")
    with tempfile.TemporaryDirectory(prefix="kirkpatrick-survey-") as folder:
        path = Path(folder) / "answers.csv"
        with open(path, "w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(["participant", "wave", "rater", "date", *columns])
            for (participant, wave, rater), values in grouped.items():
                day = dates[(participant, wave, rater)]
                out.writerow(
                    [
                        participant,
                        wave.value,
                        rater.value,
                        day.isoformat() if day else "",
                        *(repr(values[c]) if c in values else "" for c in columns),
                    ]
                )
        options = importing.ImportOptions(
            intervention=intervention, layout="wide", delimiter=",", decimal=".", encoding="utf-8"
        )
        dialect = importing.detect_dialect(path, options)
        # The importer's validation and writer on this connection (import_measurements opens its own
        # transaction, which would split the replacement above from the write).
        run = importing._Import(connection, path, dialect, options, (None, None), None)
        return run.run(write=True)


def measure_ids(connection: Connection, codes: Iterable[str]) -> list[int]:
    return list(connection.scalars(select(Measure.id).where(Measure.code.in_(list(codes)))))


def participant_code(connection: Connection, participant_id: int) -> str:
    return connection.scalars(select(Participant.code).where(Participant.id == participant_id)).one()
