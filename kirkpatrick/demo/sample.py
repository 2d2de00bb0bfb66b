"""Generate the fictional sample data in ``sample_data/`` (fixed seed, so the files are stable).

The setting follows the two seed documents: a municipality's social-services office that ran a
two-year leadership-group programme built on transfer factors, and a city's education
administration that bought coaching of new managers and a two-day course. Names of
organisations and people are invented. Regenerate them with
``python -m kirkpatrick.demo.sample sample_data``; a test checks that the shipped files are what
this module writes.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
from openpyxl import Workbook

SEED = 20241115

LF_ITEMS = [f"lf_{i}" for i in range(1, 9)]
LF_REVERSED = {"lf_3", "lf_7"}

MEASURES = [
    # code, name, level, min, max, higher_is_better, reliability, items
    ("satisfaction", "Nöjdhet med insatsen", "reaction", 1, 10, True, "", ""),
    ("usefulness", "Nytta i arbetet", "reaction", 1, 10, True, "", ""),
    ("recommend", "Skulle rekommendera till en kollega", "reaction", 0, 10, True, "", ""),
    ("proc_fit", "Målgruppsanpassning", "reaction", 1, 5, True, "", ""),
    ("proc_feasibility", "Genomförbarhet", "reaction", 1, 5, True, "", ""),
    ("proc_credibility", "Trovärdighet", "reaction", 1, 5, True, "", ""),
    ("proc_effectiveness", "Effektivitet", "reaction", 1, 5, True, "", ""),
    ("knowledge", "Kunskapstest i ledarskap", "learning", 0, 20, True, "0.78", ""),
    (
        "lf",
        "Ledarbeteende (360)",
        "behaviour",
        1,
        5,
        True,
        "0.88",
        " ".join(("-" if i in LF_REVERSED else "") + i for i in LF_ITEMS),
    ),
    ("team", "Teamfunktion", "results", 1, 5, True, "0.85", ""),
    ("sick_leave", "Sjukfrånvaro i enheten (%)", "results", 0, 100, False, "", ""),
]

INTERVENTIONS = [
    dict(
        code="NRB-LG-2024",
        client="Norrby kommun, Socialkontoret",
        title="Ledningsgruppsutveckling Socialkontoret 2024–2025",
        consultant="Karin Ljungdahl",
        target_group="leadership_group",
        format="leadership_group_development",
        start="2024-01-15",
        end="2025-12-10",
        factors="needs_analysis spaced_sessions peer_support psychological_safety supervisor_support practice_feedback on_the_job_application",  # noqa: E501
        sessions=" ".join(str(dt.date(2024, 1, 15) + dt.timedelta(days=35 * k)) for k in range(20)),
        notes="Behovsanalys med intervjuer; Full range leadership; lärgrupper mellan träffarna.",
    ),
    dict(
        code="VBY-COACH-2024",
        client="Västerby stad, Utbildningsförvaltningen",
        title="Coachning av nya chefer (individuell och i grupp)",
        consultant="Anders Grelsson",
        target_group="first_line_managers",
        format="individual_coaching",
        start="2024-02-01",
        end="2024-12-13",
        factors="needs_analysis spaced_sessions psychological_safety practice_feedback on_the_job_application",
        sessions=" ".join(str(dt.date(2024, 2, 1) + dt.timedelta(days=28 * k)) for k in range(11)),
        notes="Individuella samtal var fjärde vecka och tre gruppträffar.",
    ),
    dict(
        code="VBY-KURS-2025",
        client="Västerby stad, Utbildningsförvaltningen",
        title="Tvådagarskurs: Att leda i förändring",
        consultant="Anders Grelsson",
        target_group="managers",
        format="training_programme",
        start="2025-03-11",
        end="2025-03-12",
        factors="",
        sessions="2025-03-11 2025-03-12",
        notes="Öppen kurs, inget förarbete eller uppföljning.",
    ),
]

# True standardized improvement per level (in SD units) per intervention: plausible sizes,
# the programme larger than the course (Lacerenza et al. 2017 report d of about 0.6-0.8).
EFFECTS = {
    "NRB-LG-2024": {"knowledge": 0.9, "lf": 0.75, "team": 0.55, "sick_leave": 0.35},
    "VBY-COACH-2024": {"knowledge": 0.0, "lf": 0.5, "team": 0.3, "sick_leave": 0.15},
    "VBY-KURS-2025": {"knowledge": 0.6, "lf": 0.15, "team": 0.05, "sick_leave": 0.0},
}
SIZES = {"NRB-LG-2024": 16, "VBY-COACH-2024": 24, "VBY-KURS-2025": 30}
CONTROL = {"NRB-LG-2024": 14}  # a comparison office that got the programme a year later
REACTION_MEAN = {"NRB-LG-2024": 9.6, "VBY-COACH-2024": 9.0, "VBY-KURS-2025": 7.6}
DATES = {
    "NRB-LG-2024": ("2024-01-10", "2025-12-15", "2026-06-10"),
    "VBY-COACH-2024": ("2024-01-25", "2024-12-18", None),
    "VBY-KURS-2025": ("2025-03-04", "2025-06-10", None),
}
ROLES = ["enhetschef", "sektionschef", "områdeschef", "biträdande rektor", "rektor", "gruppledare"]


def clip_round(x: float, lo: float, hi: float, step: float) -> float:
    return float(min(hi, max(lo, round(x / step) * step)))


def write_sample_files(out: Path, seed: int = SEED) -> None:
    """Write the demo's measures, interventions, measurements (long, Swedish wide CSV, xlsx) and feedback."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "measures.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["code", "name", "level", "scale_min", "scale_max", "higher_is_better", "reliability", "items"])
        for m in MEASURES:
            w.writerow([m[0], m[1], m[2], m[3], m[4], "true" if m[5] else "false", m[6], m[7]])
    with open(out / "interventions.csv", "w", newline="", encoding="utf-8") as f:
        dict_writer = csv.DictWriter(f, fieldnames=list(INTERVENTIONS[0]))
        dict_writer.writeheader()
        dict_writer.writerows(INTERVENTIONS)

    long_rows: list[list[object]] = []
    wide_items: list[list[object]] = []  # NRB pre, self-rated leadership items: a Swedish Excel export
    course_reaction: list[list[object]] = []  # the course's evaluation form, an .xlsx
    for code, n in SIZES.items():
        pre_date, post_date, follow_date = DATES[code]
        eff = EFFECTS[code]
        groups = [("treatment", n)] + ([("control", CONTROL[code])] if code in CONTROL else [])
        number = 0
        for group, size in groups:
            for _ in range(size):
                number += 1
                pid = f"{code.split('-')[0]}{code.split('-')[1][0]}{number:03d}"
                role = ROLES[rng.integers(len(ROLES))] if code != "NRB-LG-2024" else ROLES[rng.integers(3)]
                role = role if group == "treatment" else "enhetschef"
                treated = group == "treatment"
                drop_post = rng.random() < 0.1  # attrition: about one in ten has no post values
                ability = rng.normal(0, 1)

                def add(
                    measure: str,
                    wave: str,
                    rater: str,
                    value: float,
                    date: str | None,
                    who: tuple[str, ...] = (code, pid, group, role),
                ) -> None:
                    long_rows.append([*who, measure, wave, rater, f"{value:g}", date or ""])

                # Level 2: knowledge test (0-20), not for coaching.
                knowledge_pre = None
                if code != "VBY-COACH-2024":
                    # Half points are given, so Swedish exports show decimal commas.
                    pre = clip_round(11 + 3 * (0.6 * ability + 0.8 * rng.normal()), 0, 20, 0.5)
                    if code == "NRB-LG-2024":
                        knowledge_pre = pre  # goes to the Swedish wide export below
                    else:
                        add("knowledge", "pre", "self", pre, pre_date)
                    if not drop_post:
                        gain = 3 * (eff["knowledge"] if treated else 0.05)
                        add(
                            "knowledge",
                            "post",
                            "self",
                            clip_round(pre + gain + 2 * rng.normal(), 0, 20, 0.5),
                            post_date,
                        )
                # Level 3: leadership behaviour by self, manager, direct reports (mean of reports).
                for rater, noise in (("self", 0.35), ("manager", 0.45), ("report", 0.3)):
                    base = 3.2 + 0.45 * ability + (0.15 if rater == "self" else 0)
                    pre = base + noise * rng.normal()
                    gain = 0.55 * (eff["lf"] if treated else 0.05) * (1.15 if rater == "self" else 1.0)
                    post = pre + gain + 0.3 * rng.normal()
                    if rater == "self" and code == "NRB-LG-2024":
                        # Item level, as the survey tool exports it; reversed items as answered.
                        answers: list[int | None] = []
                        for item in LF_ITEMS:
                            v = clip_round(pre + 0.6 * rng.normal(), 1, 5, 1)
                            answers.append(int(6 - v if item in LF_REVERSED else v))
                        if rng.random() < 0.08:
                            answers[int(rng.integers(8))] = None  # an unanswered item
                        wide_items.append([pid, group, role, knowledge_pre, *answers])
                    else:
                        add("lf", "pre", rater, clip_round(pre, 1, 5, 0.01), pre_date)
                    if not drop_post:
                        add("lf", "post", rater, clip_round(post, 1, 5, 0.01), post_date)
                        if follow_date and rater == "self" and treated:
                            add(
                                "lf",
                                "follow_up",
                                rater,
                                clip_round(post - 0.05 + 0.3 * rng.normal(), 1, 5, 0.01),
                                follow_date,
                            )
                # Level 4: team function (rated by staff) and the unit's sick leave (from HR).
                pre = 3.3 + 0.3 * ability + 0.45 * rng.normal()
                add("team", "pre", "report", clip_round(pre, 1, 5, 0.01), pre_date)
                if not drop_post:
                    gain = 0.5 * (eff["team"] if treated else 0.02)
                    add("team", "post", "report", clip_round(pre + gain + 0.3 * rng.normal(), 1, 5, 0.01), post_date)
                pre = max(1.0, rng.normal(7.5, 2.2))
                add("sick_leave", "pre", "org", round(pre, 1), pre_date)
                if not drop_post:
                    change = -2.0 * (eff["sick_leave"] if treated else 0.0)
                    add("sick_leave", "post", "org", round(max(0.5, pre + change + 1.0 * rng.normal()), 1), post_date)
                # Level 1: reaction after the intervention, treatment group only.
                if treated and not drop_post:
                    mean = REACTION_MEAN[code]
                    sat = int(clip_round(mean + 0.7 * rng.normal(), 1, 10, 1))
                    use = int(clip_round(mean - 0.3 + 0.9 * rng.normal(), 1, 10, 1))
                    rec = int(clip_round(mean + 0.2 + 1.0 * rng.normal(), 0, 10, 1))
                    if code == "VBY-KURS-2025":
                        course_reaction.append([pid, sat, use, rec])
                    else:
                        add("satisfaction", "post", "self", sat, post_date)
                        add("usefulness", "post", "self", use, post_date)
                        add("recommend", "post", "self", rec, post_date)
                    if code == "VBY-COACH-2024":
                        for proc in ("proc_fit", "proc_feasibility", "proc_credibility", "proc_effectiveness"):
                            add(proc, "post", "self", int(clip_round(4.5 + 0.6 * rng.normal(), 1, 5, 1)), post_date)

    with open(out / "measurements.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["intervention", "participant", "group", "role", "measure", "wave", "rater", "value", "date"])
        w.writerows(long_rows)
    # A Swedish Excel export: semicolon, decimal comma, Windows-1252, Swedish header words.
    with open(out / "norrby_ledarbeteende_fore.csv", "w", newline="", encoding="cp1252") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["participant", "group", "role", "knowledge"] + LF_ITEMS)
        for row in wide_items:
            w.writerow(["" if v is None else f"{v:g}".replace(".", ",") if isinstance(v, float) else v for v in row])
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Utvärdering"
    ws.append(["participant", "satisfaction", "usefulness", "recommend"])
    for row in course_reaction:
        ws.append(row)
    wb.save(out / "kurs_utvardering.xlsx")

    feedback = [
        (
            "NRB-LG-2024",
            "Ledarutvecklingen har verkligen fått ringar på vattnet och gett en större effekt än en enskild insats.",
            "results",
            "helhet",
            "true",
        ),
        (
            "NRB-LG-2024",
            "Vår ledningsgrupp har blivit betydligt tightare och samarbetar idag mycket bättre.",
            "behaviour",
            "samarbete",
            "true",
        ),
        (
            "NRB-LG-2024",
            "Vi har jobbat mycket med psykologisk trygghet för att skapa en bra arbetsplats för medarbetarna.",
            "behaviour",
            "psykologisk trygghet",
            "true",
        ),
        (
            "NRB-LG-2024",
            "Att vi stämde av upplägget varje termin gjorde att det hela tiden kändes relevant.",
            "reaction",
            "upplägg",
            "true",
        ),
        (
            "NRB-LG-2024",
            "Jag har fått syn på mina egna drivkrafter, styrkor och utvecklingsområden.",
            "learning",
            "självinsikt",
            "false",
        ),
        (
            "VBY-COACH-2024",
            "Jag har kommit med mina behov och problem och fått både konkreta förslag och frågor som får mig att tänka till.",  # noqa: E501
            "behaviour",
            "verktyg",
            "true",
        ),
        (
            "VBY-COACH-2024",
            "Varenda gång blir jag stärkt som chef, och jag har faktiskt verktyg när jag går därifrån.",
            "reaction",
            "verktyg",
            "true",
        ),
        (
            "VBY-COACH-2024",
            "Som ny chef fick coachningen bli en del av min introduktion. Det har varit väldigt stöttande.",
            "reaction",
            "introduktion",
            "true",
        ),
        (
            "VBY-COACH-2024",
            "Håller alltid tiderna och de bokade mötena blir bra. Det är snarare vi som strular.",
            "reaction",
            "bemötande",
            "true",
        ),
        (
            "VBY-COACH-2024",
            "Konsulten kan skolfrågor och stadens ledningssystem, det skapar trygghet.",
            "reaction",
            "kompetens",
            "false",
        ),
        (
            "VBY-KURS-2025",
            "Inspirerande två dagar, men svårt att veta hur jag ska använda det i vardagen.",
            "reaction",
            "tillämpning",
            "true",
        ),
        (
            "VBY-KURS-2025",
            "Bra föreläsare. Hade önskat en uppföljning efter några månader.",
            "reaction",
            "uppföljning",
            "true",
        ),
        ("VBY-KURS-2025", "Mycket teori på kort tid.", "learning", "upplägg", "true"),
    ]
    with open(out / "feedback.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["intervention", "text", "level", "theme", "cleared"])
        w.writerows(feedback)


if __name__ == "__main__":
    import sys

    write_sample_files(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("sample_data"))
