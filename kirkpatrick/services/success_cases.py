"""Success cases (Brinkerhoff 2003): whom to interview about what made the training work.

For one intervention, the treatment participants with the largest and the smallest reliable
change at level 3 (behaviour). A participant's value is the mean of their Jacobson-Truax reliable
change indices (:func:`kirkpatrick.stats.reliable_change`) over the level-3 measures that have
a reliability, one index per measure and rater, pre to post, oriented so that positive is
improvement.

This list names (pseudonymous) individuals. It is for the consultant choosing interviewees and
never goes into a client report: the reports do not import this module.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick import stats
from kirkpatrick.domain.vocab import Group, Level, Wave
from kirkpatrick.services.records import get_intervention
from kirkpatrick.storage.models import Measure, Measurement, Participant

WARNING = (
    "CONSULTANT ONLY: these are individual participants (pseudonyms). "
    "Do not share this list with the client or put it in a report."
)


@dataclass(frozen=True)
class Case:
    participant: str
    rci: float  # mean reliable change index over the participant's level-3 outcomes
    outcomes: int
    improved: int  # outcomes with RCI > 1.96
    deteriorated: int  # outcomes with RCI < -1.96

    @property
    def reliable(self) -> str:
        return f"{self.improved} improved, {self.deteriorated} deteriorated of {self.outcomes}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "participant": self.participant,
            "rci": round(self.rci, 2),
            "outcomes": self.outcomes,
            "improved": self.improved,
            "deteriorated": self.deteriorated,
            "reliable": self.reliable,
        }


@dataclass(frozen=True)
class SuccessCases:
    code: str
    n: int
    measures: list[str]  # "measure/rater" outcomes used
    largest: list[Case]
    smallest: list[Case]
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "warning": WARNING,
            "intervention": self.code,
            "n": self.n,
            "outcomes": self.measures,
            "largest": [c.to_dict() for c in self.largest],
            "smallest": [c.to_dict() for c in self.smallest],
            "note": self.note,
        }


def success_cases(session: OrmSession, code: str, *, top: int = 3) -> SuccessCases:
    """The ``top`` participants with the largest and the smallest level-3 reliable change.

    With fewer than ``2 * top`` participants the two lists would overlap, so each gets half.
    Raises :class:`~kirkpatrick.errors.NotFound` for an unknown code.
    """
    if top < 1:
        raise ValueError(f"top must be at least 1, but got {top!r}")
    intervention = get_intervention(session, code)
    rows = session.execute(
        select(
            Participant.code,
            Measure.code,
            Measure.reliability,
            Measure.higher_is_better,
            Measurement.rater,
            Measurement.wave,
            Measurement.value,
        )
        .join(Participant, Participant.id == Measurement.participant_id)
        .join(Measure, Measure.id == Measurement.measure_id)
        .where(
            Participant.intervention_id == intervention.id,
            Measure.level == Level.BEHAVIOUR,
            Participant.group == Group.TREATMENT,
            Measurement.wave.in_([Wave.PRE, Wave.POST]),
        )
    ).all()
    cells: dict[tuple[str, str], dict[str, dict[Wave, float]]] = defaultdict(lambda: defaultdict(dict))
    meta: dict[tuple[str, str], tuple[float | None, bool]] = {}
    for person, measure, reliability, higher, rater, wave, value in rows:
        key = (measure, rater.value)
        meta[key] = (reliability, higher)
        cells[key][person][wave] = value
    per_person: dict[str, list[float]] = defaultdict(list)
    used = []
    for key in sorted(cells):
        reliability, higher = meta[key]
        if reliability is None:
            continue
        people = sorted(cells[key])
        direction = 1.0 if higher else -1.0
        pre = np.array([cells[key][p].get(Wave.PRE, math.nan) for p in people]) * direction
        post = np.array([cells[key][p].get(Wave.POST, math.nan) for p in people]) * direction
        res = stats.reliable_change(pre, post, reliability)
        if res.reason is not None:
            continue
        used.append(f"{key[0]}/{key[1]}")
        for p, r in zip(people, res.rci):
            if math.isfinite(r):
                per_person[p].append(r)
    cases = [
        Case(p, float(np.mean(v)), len(v), sum(x > 1.96 for x in v), sum(x < -1.96 for x in v))
        for p, v in per_person.items()
    ]
    cases.sort(key=lambda c: (-c.rci, c.participant))
    note = None
    if not used:
        note = "no level-3 measure with a reliability has pre and post values for this intervention"
    each = min(top, len(cases) // 2) if len(cases) < 2 * top else top
    if len(cases) < 2 * top and cases:
        note = f"only {len(cases)} participants: {each} shown at each end so the lists do not overlap"
    largest = cases[:each]
    smallest = list(reversed(cases[len(cases) - each :])) if each else []
    return SuccessCases(intervention.code, len(cases), used, largest, smallest, note)


__all__ = ["WARNING", "Case", "SuccessCases", "success_cases"]
