"""Exporting measurements as long CSV, the format ``import`` reads, so data round-trips."""

from __future__ import annotations

import csv
from typing import TextIO

from sqlalchemy import Engine, select

from kirkpatrick.domain.errors import NotFound
from kirkpatrick.storage.models import Intervention, Measure, Measurement, Participant
from kirkpatrick.storage.queries import of_interventions

EXPORT_COLUMNS = ("intervention", "participant", "group", "role", "measure", "wave", "rater", "value", "date")


def format_value(value: float) -> str:
    """The shortest text that reads back as the same float (``repr``), without a trailing ``.0``."""
    shown = repr(float(value))
    return shown[:-2] if shown.endswith(".0") else shown


def export_measurements(engine: Engine, out: TextIO, *, intervention: str | None = None) -> int:
    """Write every measurement (of one intervention, if given) to ``out`` as long CSV; return the count.

    Rows are ordered by intervention, participant, measure, wave and rater, so two exports of
    the same data are identical. Streams the rows; memory does not grow with the database.
    """
    query = (
        select(
            Intervention.code,
            Participant.code,
            Participant.group,
            Participant.role,
            Measure.code,
            Measurement.wave,
            Measurement.rater,
            Measurement.value,
            Measurement.date,
        )
        .join(Participant, Participant.id == Measurement.participant_id)
        .join(Intervention, Intervention.id == Measurement.intervention_id)
        .join(Measure, Measure.id == Measurement.measure_id)
        .order_by(Intervention.code, Participant.code, Measure.code, Measurement.wave, Measurement.rater)
    )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    with engine.connect() as connection:
        if intervention is not None:
            found = connection.execute(select(Intervention.id).where(Intervention.code == intervention)).first()
            if found is None:
                raise NotFound(f"no intervention with code {intervention!r}")
            query = query.where(of_interventions(found[0]))
        for code, participant, group, role, measure, wave, rater, value, date in connection.execute(
            query.execution_options(yield_per=10_000)
        ):
            writer.writerow(
                (
                    code,
                    participant,
                    group.value,
                    role or "",
                    measure,
                    wave.value,
                    rater.value,
                    format_value(value),
                    date.isoformat() if date else "",
                )
            )
            count += 1
    return count
