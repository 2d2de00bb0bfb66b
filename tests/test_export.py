"""Export gives back the rows that were imported, and an export imports into an empty database unchanged."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import Engine
from support import SAMPLE, snapshot

from kirkpatrick.io.export import EXPORT_COLUMNS, export_measurements, format_value
from kirkpatrick.io.importing import import_measurements
from kirkpatrick.services import records
from kirkpatrick.storage import db


def _catalogue(engine: Engine) -> None:
    with db.transaction(engine) as s:
        records.import_measures(s, SAMPLE / "measures.csv")
        records.import_interventions(s, SAMPLE / "interventions.csv")


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_import_then_export_gives_the_same_rows(engine: Engine) -> None:
    _catalogue(engine)
    import_measurements(engine, SAMPLE / "measurements.csv")
    out = io.StringIO()
    assert export_measurements(engine, out) == 1092
    with open(SAMPLE / "measurements.csv", encoding="utf-8", newline="") as f:
        given = sorted(tuple(row[c] for c in EXPORT_COLUMNS) for row in csv.DictReader(f))
    exported = sorted(tuple(row[c] for c in EXPORT_COLUMNS) for row in _rows(out.getvalue()))

    # Values are compared as numbers: "14" and "14.0" are the same measurement.
    def norm(rows: list[tuple[str, ...]]) -> list[tuple[object, ...]]:
        return [(*r[:7], float(r[7]), r[8]) for r in rows]

    assert norm(exported) == norm(given)


def test_export_imports_back_identically(engine: Engine, tmp_path: Path) -> None:
    _catalogue(engine)
    import_measurements(engine, SAMPLE / "measurements.csv")
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        export_measurements(engine, f)
    first = path.read_text(encoding="utf-8")
    # Importing the export into the same database changes nothing...
    before = snapshot(engine)
    summary = import_measurements(engine, path)
    assert (summary.imported, summary.skipped) == (0, 1092)
    assert snapshot(engine) == before
    # ...and into a fresh one gives the same export.
    fresh = db.make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    db.init_db(fresh)
    _catalogue(fresh)
    import_measurements(fresh, path)
    again = io.StringIO()
    export_measurements(fresh, again)
    fresh.dispose()
    assert again.getvalue() == first


def test_values_keep_full_precision() -> None:
    for value in (0.1, 3.4, 1 / 3, 14.0, 2.675, 1e-7):
        assert float(format_value(value)) == value
    assert format_value(14.0) == "14"
