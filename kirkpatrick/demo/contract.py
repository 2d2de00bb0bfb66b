"""A fictional contract follow-up for the demo: Granlida stad's framework agreement for coaching.

Modelled on a Swedish city's follow-up of a coaching contract (interviews with managers who
called off services, the supplier's delivery summary, grades on the four award criteria): the
city, supplier, people, quotes and numbers are invented. ``write_sample`` writes the input files
a procurement officer would have (call-offs, their measurements, interviews, quotes, the
supplier's summary as a Swedish ``;`` CSV); ``demo_contract`` imports them through the same
service functions as the CLI and writes the follow-up report in Swedish and English.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kirkpatrick.io import importing
from kirkpatrick.services import contracts, records
from kirkpatrick.storage import db

if TYPE_CHECKING:
    from kirkpatrick.demo.run import DemoRun

SEED = 20251201
CODE = "GRN-COACH-2024"
CONTRACT = contracts.ContractFields(
    registration_number="KS 2023/0412",
    title="Coachning av chefer, grupper och individer",
    buyer="Granlida stad",
    supplier="Coachhuset Norr AB",
    start="2024-01-01",
    end="2025-12-31",
    services=("individual_coaching=240", "group_coaching=40", "leadership_group_development"),
)
CALL_OFFS = (
    # code, client (administration), title, target group, format, first session, sessions, days apart, people
    (
        "GRN-IND-2024",
        "Granlida stad, Utbildningsförvaltningen",
        "Individuell coachning av nya skolledare",
        "first_line_managers",
        "individual_coaching",
        dt.date(2024, 2, 5),
        10,
        28,
        14,
    ),
    (
        "GRN-GRP-2024",
        "Granlida stad, Socialförvaltningen",
        "Gruppcoachning för enhetschefer",
        "first_line_managers",
        "group_coaching",
        dt.date(2024, 3, 4),
        8,
        42,
        9,
    ),
    (
        "GRN-LG-2024",
        "Granlida stad, Stadsbyggnadsförvaltningen",
        "Coachning av förvaltningens ledningsgrupp",
        "leadership_group",
        "leadership_group_development",
        dt.date(2024, 9, 2),
        7,
        35,
        7,
    ),
)
FACTORS = "needs_analysis spaced_sessions psychological_safety practice_feedback on_the_job_application"
INTERVIEWER = "Upphandlingsenheten, Granlida stad"
# interview, role, unit, date, target_group_fit, feasibility, credibility, efficiency ("" = not graded)
INTERVIEWS = (
    ("I01", "rektor", "Utbildningsförvaltningen", "2025-11-04", "5", "4", "5", "4"),
    ("I02", "förskolechef", "Utbildningsförvaltningen", "2025-11-06", "5", "5", "5", ""),
    ("I03", "enhetschef", "Socialförvaltningen", "2025-11-10", "4", "4", "5", "5"),
    ("I04", "sektionschef", "Socialförvaltningen", "2025-11-12", "5", "4", "4", ""),
    ("I05", "avdelningschef", "Stadsbyggnadsförvaltningen", "2025-11-18", "4", "5", "5", "3"),
    ("I06", "förvaltningschef", "Stadsbyggnadsförvaltningen", "2025-11-20", "5", "5", "5", ""),
    ("I07", "enhetschef", "Äldreförvaltningen", "2025-11-25", "4", "3", "4", "4"),
    ("I08", "biträdande rektor", "Utbildningsförvaltningen", "2025-12-02", "5", "4", "5", ""),
)
QUOTES = (
    (
        "I01",
        "quality_outcome",
        "Hon har varit väldigt lyssnande. Jag har kommit med mina behov och problem, bollat "
        "med henne och fått både konkreta förslag och frågor som får mig att tänka till, nu och längre fram. Jag har "
        "utvecklat min chefsroll och fått konkreta verktyg.",
        "true",
    ),
    (
        "I03",
        "quality_outcome",
        "Varje gång blir jag lika överraskad av hur effektivt det är. Jag blir stärkt som "
        "chef och vi diskuterar vad jag praktiskt kan prova. Jag har verktyg när jag går därifrån.",
        "true",
    ),
    (
        "I05",
        "quality_outcome",
        "Ledningsgruppen pratar mer öppet med varandra nu. Vi tar upp svåra frågor på "
        "mötena i stället för i korridoren efteråt.",
        "true",
    ),
    (
        "I02",
        "success_factors",
        "Konsulterna är lätta att ha att göra med och har ett arbetsgivarperspektiv. De "
        "förstår rollen vi chefer har, och de känner stadens ledningssystem.",
        "true",
    ),
    (
        "I08",
        "success_factors",
        "Jag är ny som chef och blev rekommenderad att vända mig hit av en kollega. "
        "Coachningen blev en del av min introduktion, och det har varit väldigt stöttande.",
        "true",
    ),
    ("I06", "success_factors", "Han kan både skolfrågor och stadens ledningssystem. Erfaren och kunnig.", "true"),
    (
        "I04",
        "availability_flexibility",
        "De håller alltid tiderna och de bokade mötena blir bra. Det är snarare vi som strular.",
        "true",
    ),
    (
        "I07",
        "availability_flexibility",
        "Även om de har fått mycket att göra från oss har de tid för oss. Jag har "
        "känt mig prioriterad, de är flexibla med tider och snabba.",
        "true",
    ),
    ("I03", "treatment", "Bemötandet är alltid bra, vänligt och professionellt. Utmärkt.", "true"),
    ("I07", "treatment", "Det tog lång tid att få en första tid under sommaren, men sedan fungerade det.", "true"),
    (
        "I01",
        "future_requirements",
        "Det ska finnas krav på erfarenhet från kommunal verksamhet och olika "
        "verksamhetsområden, organisatoriska frågor och förståelse för chefsrollen.",
        "true",
    ),
    (
        "I06",
        "future_requirements",
        "Ställ krav på att leverantören följer upp effekten, inte bara hur nöjda vi är efteråt.",
        "true",
    ),
    (
        "I05",
        "future_requirements",
        "Gruppcoachning för hela ledningsgrupper borde ha en egen volym i nästa avtal.",
        "true",
    ),
    # Not cleared: never in the report.
    ("I04", "treatment", "Det var konsulten Per som fick oss att förstå vad som gick fel i vår grupp.", "false"),
    ("I02", "other", "Min chef tyckte att det var slöseri med pengar.", "false"),
)
DELIVERY = (
    # service, period start, period end, sessions, participants
    ("individual_coaching", "2024-01-01", "2024-06-30", "38", "11"),
    ("individual_coaching", "2024-07-01", "2024-12-31", "61", "17"),
    ("individual_coaching", "2025-01-01", "2025-06-30", "57", "16"),
    ("individual_coaching", "2025-07-01", "2025-12-31", "44", "12"),
    ("group_coaching", "2024-01-01", "2024-06-30", "4", "9"),
    ("group_coaching", "2024-07-01", "2024-12-31", "3", "9"),
    ("group_coaching", "2025-01-01", "2025-06-30", "6", "15"),
    ("group_coaching", "2025-07-01", "2025-12-31", "5", "14"),
    ("leadership_group_development", "2024-07-01", "2024-12-31", "4", "7"),
    ("leadership_group_development", "2025-01-01", "2025-06-30", "3", "7"),
)


def _write(
    path: Path, header: tuple[str, ...], rows: Sequence[Sequence[str]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    with open(path, "w", newline="", encoding=encoding) as f:
        writer = csv.writer(f, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _measurements(seed: int = SEED) -> list[tuple[str, ...]]:
    """Invented before/after measurements of the call-offs (satisfaction after; behaviour and team before/after)."""
    rng = np.random.default_rng(seed)
    out: list[tuple[str, ...]] = []
    for code, *_rest, first, sessions, gap, people in CALL_OFFS:
        pre_day = first - dt.timedelta(days=7)
        post_day = first + dt.timedelta(days=gap * (sessions - 1) + 14)
        for p in range(1, people + 1):
            who = f"{code.replace('-', '')}P{p:02d}"
            out.append((code, who, "satisfaction", "post", "self", f"{min(10, max(1, round(rng.normal(8.6, 1.0))))}"))
            for measure, rater, mean, delta in (
                ("lf", "self", 3.2, 0.5),
                ("lf", "manager", 3.3, 0.35),
                ("team", "report", 3.4, 0.2),
            ):
                pre = rng.normal(mean, 0.5)
                post = 0.6 * (pre - mean) + mean + delta + rng.normal(0, 0.4)
                for wave, value, day in (("pre", pre, pre_day), ("post", post, post_day)):
                    v = min(5.0, max(1.0, round(float(value), 2)))
                    out.append((code, who, measure, wave, rater, f"{v:g}", day.isoformat()))
    return out


def write_sample(folder: Path) -> dict[str, Path]:
    """The demo contract's input files, written into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    call_offs = []
    for code, client, title, target, fmt, first, sessions, gap, _people in CALL_OFFS:
        dates = [first + dt.timedelta(days=gap * k) for k in range(sessions)]
        call_offs.append(
            (
                code,
                client,
                title,
                "Coachhuset Norr AB",
                target,
                fmt,
                first.isoformat(),
                dates[-1].isoformat(),
                FACTORS,
                " ".join(d.isoformat() for d in dates),
                f"Avrop på avtal {CONTRACT.registration_number} (fiktivt).",
            )
        )
    criteria = ("target_group_fit", "feasibility", "credibility", "efficiency")
    return {
        "call_offs": _write(folder / "avrop.csv", records.INTERVENTION_COLUMNS, call_offs),
        "measurements": _write(
            folder / "avrop_matningar.csv",
            ("intervention", "participant", "measure", "wave", "rater", "value", "date"),
            [row if len(row) == 7 else (*row, "") for row in _measurements()],
        ),
        "interviews": _write(
            folder / "intervjuer.csv",
            ("interview", "role", "unit", "date", *criteria, "interviewer"),
            [(*row, INTERVIEWER) for row in INTERVIEWS],
        ),
        "quotes": _write(folder / "citat.csv", contracts.QUOTE_COLUMNS, QUOTES),
        # The supplier's summary as Swedish Excel saves it: semicolons, Windows-1252.
        "delivery": _write(
            folder / "leveranssammanstallning.csv",
            contracts.DELIVERY_COLUMNS[:5],
            DELIVERY,
            delimiter=";",
            encoding="cp1252",
        ),
    }


def demo_contract(run: DemoRun) -> None:
    """Add the contract, its call-offs, delivery summary and interviews; write the report (sv, en)."""
    from kirkpatrick.reports import contract as report

    assert run.engine is not None
    files = write_sample(run.out / "contract_sample")
    run.written += list(files.values())
    with db.transaction(run.engine) as s:
        records.import_interventions(s, files["call_offs"])
    importing.import_measurements(run.engine, files["measurements"], importing.ImportOptions(layout="long"))
    with db.transaction(run.engine) as s:
        contracts.add_contract(s, CODE, CONTRACT)
        contracts.set_call_offs(s, CODE, [c[0] for c in CALL_OFFS])
        delivered = contracts.import_delivery(s, CODE, files["delivery"])
        interviews = contracts.import_interviews(s, CODE, files["interviews"])
        quotes = contracts.import_quotes(s, CODE, files["quotes"])
    folder = run.out / "reports"
    folder.mkdir(exist_ok=True)
    with db.reading(run.engine) as s:
        follow_up = contracts.follow_up(s, CODE)
    for lang in ("sv", "en"):
        run.written += report.write_report(follow_up, folder / f"contract-{CODE}-{lang}.html", lang=lang)
    run.echo(
        f"Added contract {CODE} with {len(CALL_OFFS)} call-offs, {len(delivered)} delivery rows, "
        f"{len(interviews)} interviews and {len(quotes)} quotes; wrote its follow-up report (sv, en) to {folder}"
    )
