"""Hand-built interventions for the analysis and report tests (measurements inserted with the ORM)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
from sqlalchemy import Engine, select

from kirkpatrick.domain.vocab import Format, Group, Level, TargetGroup
from kirkpatrick.storage import db
from kirkpatrick.storage.models import Client, Feedback, Intervention, Measure, Measurement, Participant

# (code, level, scale_min, scale_max, higher_is_better, reliability)
MEASURES = [
    ("lf", Level.BEHAVIOUR, 1, 5, True, 0.88),
    ("sick", Level.RESULTS, 0, 100, False, None),
    ("recommend", Level.REACTION, 0, 10, True, None),
    ("know", Level.LEARNING, 0, 20, True, 0.8),
]

Cells = Mapping[tuple[str, str, str], Sequence[float | None]]  # (measure, wave, rater) -> values per participant


def add_intervention(
    engine: Engine,
    code: str,
    cells: Cells,
    *,
    n: int,
    n_control: int = 0,
    control_cells: Cells | None = None,
    quotes: Sequence[tuple[str, bool]] = (),
    title: str = "Test programme",
) -> None:
    """An intervention with ``n`` treatment (and ``n_control`` control) participants and the given values."""
    with db.transaction(engine) as s:
        measures = {m.code: m for m in s.scalars(select(Measure))}
        for mcode, level, lo, hi, better, rel in MEASURES:
            if mcode not in measures:
                measures[mcode] = Measure(
                    code=mcode,
                    name=f"Measure {mcode}",
                    level=level,
                    scale_min=lo,
                    scale_max=hi,
                    higher_is_better=better,
                    reliability=rel,
                )
                s.add(measures[mcode])
        client = s.scalars(select(Client).where(Client.name == "Client AB")).one_or_none() or Client(name="Client AB")
        i = Intervention(
            code=code,
            title=title,
            client=client,
            target_group=TargetGroup.MANAGERS,
            format=Format.TRAINING_PROGRAMME,
            start_date=dt.date(2024, 1, 1),
            end_date=dt.date(2024, 6, 1),
        )
        s.add(i)
        s.flush()
        for group, count, data in ((Group.TREATMENT, n, cells), (Group.CONTROL, n_control, control_cells or {})):
            people = [
                Participant(intervention=i, code=f"{code}-{group.value[0]}{k:03d}", group=group) for k in range(count)
            ]
            s.add_all(people)
            s.flush()
            for (mcode, wave, rater), values in data.items():
                for p, v in zip(people, values):
                    if v is not None and not (isinstance(v, float) and np.isnan(v)):
                        s.add(
                            Measurement(
                                intervention_id=i.id,
                                participant=p,
                                measure=measures[mcode],
                                wave=wave,
                                rater=rater,
                                value=float(v),
                            )
                        )
        for text, cleared in quotes:
            s.add(Feedback(intervention=i, text=text, level=Level.REACTION, cleared=cleared))


def rng_pairs(
    seed: int, n: int, mean: float = 3.0, shift: float = 0.4, sd: float = 0.5, lo: float = 1, hi: float = 5
) -> tuple[list[float], list[float]]:
    rng = np.random.default_rng(seed)
    pre = np.clip(np.round(rng.normal(mean, sd, n), 2), lo, hi)
    post = np.clip(np.round(pre + rng.normal(shift, sd * 0.7, n), 2), lo, hi)
    return pre.tolist(), post.tolist()
