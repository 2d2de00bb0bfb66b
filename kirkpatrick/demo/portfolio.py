"""A fictional portfolio for the demo: many interventions with varied designs and effects.

``generate`` makes, from a fixed seed, interventions for invented Swedish municipalities and
regions (formats, transfer factors, session spacing and sizes vary) and their pre/post
measurements on the sample catalogue's measures. True effects grow with the transfer factors
used, plus noise, so the portfolio has something to find; they are invented, not evidence.
``write_sample`` writes them as the two ordinary input files (an interventions CSV and a long
measurements CSV), and ``load_sample`` imports those through the same library functions as
real data (``records.import_interventions``, ``importing.import_measurements``).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from kirkpatrick.domain.vocab import Format, TargetGroup, TransferFactor
from kirkpatrick.io import importing
from kirkpatrick.services import records
from kirkpatrick.storage import db

DEFAULT_SEED = 20240917
DEFAULT_COUNT = 24

CLIENTS = (
    "Ekbacka kommun",
    "Region Fjällmark",
    "Sjövalla kommun",
    "Granlida stad",
    "Björnåsens kommun",
    "Region Östkusten",
    "Lindmora kommun",
    "Tallbo kommun",
)
CONSULTANTS = ("Karin Ljungdahl", "Anders Grelsson", "Maria Fjellström")
TITLES = {
    Format.INDIVIDUAL_COACHING: "Individuell coachning av chefer",
    Format.GROUP_COACHING: "Grupphandledning för chefer",
    Format.LEADERSHIP_GROUP_DEVELOPMENT: "Ledningsgruppsutveckling",
    Format.TRAINING_PROGRAMME: "Ledarutvecklingsprogram",
}
# How likely each factor is to be used; spaced_sessions follows from the session plan instead.
FACTOR_RATE = {
    TransferFactor.NEEDS_ANALYSIS: 0.55,
    TransferFactor.PEER_SUPPORT: 0.5,
    TransferFactor.PSYCHOLOGICAL_SAFETY: 0.45,
    TransferFactor.SUPERVISOR_SUPPORT: 0.4,
    TransferFactor.PRACTICE_FEEDBACK: 0.6,
    TransferFactor.ON_THE_JOB_APPLICATION: 0.5,
}
# Invented true effects (standardized mean change): a base per level plus a gain per factor.
BASE = {"learning": 0.45, "behaviour": 0.25, "results": 0.10}
GAIN = {
    TransferFactor.NEEDS_ANALYSIS: 0.15,
    TransferFactor.SPACED_SESSIONS: 0.15,
    TransferFactor.PEER_SUPPORT: 0.08,
    TransferFactor.PSYCHOLOGICAL_SAFETY: 0.10,
    TransferFactor.SUPERVISOR_SUPPORT: 0.05,
    TransferFactor.PRACTICE_FEEDBACK: 0.10,
    TransferFactor.ON_THE_JOB_APPLICATION: 0.05,
}
PRE_POST_R = 0.6


@dataclass(frozen=True)
class PortfolioSample:
    interventions: list[dict[str, str]]
    measurements: list[dict[str, str]]


def _scores(rng: np.random.Generator, n: int, delta: float) -> tuple[np.ndarray, np.ndarray]:
    """Standard-normal pre scores and correlated post scores shifted by ``delta`` SDs."""
    pre = rng.standard_normal(n)
    post = PRE_POST_R * pre + np.sqrt(1 - PRE_POST_R**2) * rng.standard_normal(n) + delta
    return pre, post


def _rows(
    code: str,
    people: list[str],
    lost: np.ndarray,
    days: tuple[dt.date, dt.date],
    measure: str,
    rater: str,
    pre: np.ndarray | None,
    post: np.ndarray,
) -> list[dict[str, str]]:
    """Long rows of one measure: a pre value (if any) for everyone, a post value for those not lost."""
    rows: list[dict[str, str]] = []
    for i, person in enumerate(people):
        base = {"intervention": code, "participant": person, "measure": measure, "rater": rater}
        if pre is not None:
            rows.append({**base, "wave": "pre", "value": f"{pre[i]:g}", "date": days[0].isoformat()})
        if not lost[i]:
            rows.append({**base, "wave": "post", "value": f"{post[i]:g}", "date": days[1].isoformat()})
    return rows


def generate(seed: int = DEFAULT_SEED, count: int = DEFAULT_COUNT) -> PortfolioSample:
    """``count`` interventions (codes ``PF-001``...) and their measurements, the same for a seed."""
    rng = np.random.default_rng(seed)
    interventions: list[dict[str, str]] = []
    measurements: list[dict[str, str]] = []
    formats = list(Format)
    for k in range(1, count + 1):
        code = f"PF-{k:03d}"
        fmt = formats[int(rng.integers(len(formats)))]
        client = CLIENTS[int(rng.integers(len(CLIENTS)))]
        start = dt.date(2022, 1, 10) + dt.timedelta(days=int(rng.integers(0, 3 * 365)))
        # Session plan: massed (1-2 consecutive days), or 3-12 sessions 7-42 days apart. The last
        # intervention of a full portfolio is a one-day course, so one has no spacing at all.
        if k == count >= 20:
            dates = [start]
        elif fmt == Format.TRAINING_PROGRAMME and rng.random() < 0.5:
            n_sessions = int(rng.integers(1, 3))
            dates = [start + dt.timedelta(days=d) for d in range(n_sessions)]
        else:
            n_sessions = int(rng.integers(3, 13))
            gap = int(rng.integers(7, 43))
            dates = [start + dt.timedelta(days=gap * s + int(rng.integers(0, 3))) for s in range(n_sessions)]
        used = {f for f, rate in FACTOR_RATE.items() if rng.random() < rate}
        if len(dates) >= 3 and (dates[-1] - dates[0]).days / (len(dates) - 1) >= 14:
            used.add(TransferFactor.SPACED_SESSIONS)
        interventions.append(
            {
                "code": code,
                "client": client,
                "title": f"{TITLES[fmt]} {start.year}",
                "consultant": CONSULTANTS[int(rng.integers(len(CONSULTANTS)))],
                "target_group": list(TargetGroup)[int(rng.integers(len(TargetGroup)))].value,
                "format": fmt.value,
                "start": start.isoformat(),
                "end": dates[-1].isoformat(),
                "factors": " ".join(f.value for f in TransferFactor if f in used),
                "sessions": " ".join(d.isoformat() for d in dates),
                "notes": "Fiktiv insats (portföljexempel).",
            }
        )
        gain = sum(GAIN[f] for f in used)
        n = int(rng.integers(8, 41))
        people = [f"{code.replace('-', '')}P{p:02d}" for p in range(1, n + 1)]
        pre_day, post_day = dates[0] - dt.timedelta(days=7), dates[-1] + dt.timedelta(days=14)
        lost = rng.random(n) < 0.06  # no post measurement (attrition)

        def add(measure: str, rater: str, pre: np.ndarray | None, post: np.ndarray) -> None:
            measurements.extend(_rows(code, people, lost, (pre_day, post_day), measure, rater, pre, post))  # noqa: B023 (called in this iteration)

        # Level 1: satisfaction after the intervention only (1-10, whole numbers).
        sat = np.clip(np.rint(7.2 + 0.4 * gain + 1.3 * rng.standard_normal(n)), 1, 10)
        add("satisfaction", "self", None, sat)
        # Level 2: a knowledge test (0-20, half points) in programmes and about half the rest.
        if fmt == Format.TRAINING_PROGRAMME or rng.random() < 0.5:
            true = BASE["learning"] + gain + rng.normal(0, 0.12)
            a, b = _scores(rng, n, true)
            add("knowledge", "self", *(np.clip(np.round((11 + 3 * x) * 2) / 2, 0, 20) for x in (a, b)))
        # Level 3: the 360 behaviour scale (1-5), self and manager rating the same change.
        true = BASE["behaviour"] + gain + rng.normal(0, 0.12)
        for rater in ("self", "manager"):
            a, b = _scores(rng, n, true)
            add("lf", rater, *(np.clip(np.round(3.2 + 0.55 * x, 2), 1, 5) for x in (a, b)))
        # Level 4: team function rated by direct reports, in about two thirds of interventions.
        if rng.random() < 0.67:
            true = BASE["results"] + gain / 2 + rng.normal(0, 0.12)
            a, b = _scores(rng, n, true)
            add("team", "report", *(np.clip(np.round(3.3 + 0.5 * x, 2), 1, 5) for x in (a, b)))
    return PortfolioSample(interventions, measurements)


def write_sample(folder: Path, seed: int = DEFAULT_SEED, count: int = DEFAULT_COUNT) -> tuple[Path, Path]:
    """Write ``portfolio_interventions.csv`` and ``portfolio_measurements.csv`` into ``folder``."""
    sample = generate(seed, count)
    folder.mkdir(parents=True, exist_ok=True)
    paths = (folder / "portfolio_interventions.csv", folder / "portfolio_measurements.csv")
    for path, rows, columns in (
        (paths[0], sample.interventions, records.INTERVENTION_COLUMNS),
        (paths[1], sample.measurements, ("intervention", "participant", "measure", "wave", "rater", "value", "date")),
    ):
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return paths


def load_sample(engine: Engine, interventions_csv: Path, measurements_csv: Path) -> tuple[int, int]:
    """Import the two files as a user would; returns (interventions, measurements) added.

    The measures (satisfaction, knowledge, lf, team) must already be in the catalogue.
    """
    with db.transaction(engine) as s:
        added = len(records.import_interventions(s, interventions_csv))
    summary = importing.import_measurements(engine, measurements_csv, importing.ImportOptions(layout="long"))
    return added, summary.imported
