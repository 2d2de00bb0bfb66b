"""Writes the survey-export corpus: one fictional programme (SJV-LED-2025, eight managers at a
fictional municipality) answered before and after, as five tools export it, plus the canonical
long file of the same answers. Every export also holds the bad rows real exports hold: a test
response, an unfinished one, a duplicate submission, a hand-typed code and an empty row.

    python tests/io/data/surveys/make_corpus.py
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
CODES = [f"sjv-{i:02d}" for i in range(1, 9)]
LABELS_SV = ["Instämmer inte alls", "Instämmer delvis inte", "Varken eller", "Instämmer delvis", "Instämmer helt"]
LABELS_EN = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
Q_FB = "Min chef ger mig återkoppling som hjälper mig utvecklas"
Q_TRUST = "Jag litar på min chef"
Q_NPS = "Hur troligt är det att du skulle rekommendera programmet till en kollega?"
# answers[wave][code] = (feedback 1-5 or None for "Vet ej", trust 1-5, nps 0-10)
ANSWERS = {
    "pre": {c: (2 + i % 3, 3 + i % 2, 6 + i % 4) for i, c in enumerate(CODES)},
    "post": {c: (3 + i % 3, 4 + i % 2, 7 + i % 4) for i, c in enumerate(CODES)},
}
ANSWERS["pre"]["sjv-05"] = (None, 4, 8)  # "Vet ej": no answer, not a number
EMAIL = {c: f"{c.replace('-', '.')}@sjovik.example" for c in CODES}


def canonical() -> None:
    with (HERE / "canonical.csv").open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["participant", "measure", "wave", "value"])
        for wave, rows in ANSWERS.items():
            for code, (fb, trust, nps) in rows.items():
                for measure, value in (("fb", fb), ("trust", trust), ("nps", nps)):
                    if value is not None:
                        out.writerow([code, measure, wave, value])
    (HERE / "catalogue.csv").write_text(
        "code,name,level,scale_min,scale_max,wording,labels,no_answer\n"
        f"fb,Återkoppling,behaviour,1,5,{Q_FB} | My manager gives me feedback that helps me grow,"
        f"{' | '.join(LABELS_SV)},Vet ej | Don't know\n"
        f"trust,Tillit,behaviour,1,5,{Q_TRUST} | I trust my manager,{' | '.join(LABELS_SV)},Vet ej\n"
        f"nps,Rekommendation,reaction,0,10,{Q_NPS},,\n",
        encoding="utf-8",
    )
    (HERE / "keys.csv").write_text("email,code\n" + "".join(f"{EMAIL[c]},{c}\n" for c in CODES), encoding="utf-8")


def label(value: int | None) -> str:
    return "Vet ej" if value is None else LABELS_SV[value - 1]


def responses(wave: str) -> list[tuple[str, int | None, int, int]]:
    """The wave's responses in submission order, with the bad rows mixed in: (code, fb, trust, nps)."""
    rows = [(c, *ANSWERS[wave][c]) for c in CODES]
    typed = [(("SJV 08" if c == "sjv-08" and wave == "post" else c), fb, t, n) for c, fb, t, n in rows]
    first = typed[0]
    return [(first[0], 1, 1, 0), *typed]  # the first person submitted twice; the later answer counts


def qualtrics(wave: str) -> None:
    meta = [
        "StartDate",
        "EndDate",
        "Status",
        "Progress",
        "Duration (in seconds)",
        "Finished",
        "RecordedDate",
        "ResponseId",
        "ExternalReference",
        "DistributionChannel",
        "UserLanguage",
    ]
    tags = [*meta, "Q1_1", "Q1_2", "Q2"]
    texts = [*meta, f"Hur väl stämmer följande? - {Q_FB}", f"Hur väl stämmer följande? - {Q_TRUST}", Q_NPS]
    ids = [
        *[f'{{"ImportId":"{m}"}}' for m in meta],
        '{"ImportId":"QID1_1"}',
        '{"ImportId":"QID1_2"}',
        '{"ImportId":"QID2"}',
    ]
    body = []
    for n, (code, fb, trust, nps) in enumerate(responses(wave)):
        body.append(
            [
                "2025-02-03 09:00:00",
                "2025-02-03 09:06:00",
                "IP Address",
                "100",
                "360",
                "True",
                "2025-02-03 09:06:00",
                f"R_{wave}{n}",
                code,
                "anonymous",
                "SV",
                label(fb),
                label(trust),
                str(nps),
            ]
        )
    body.append(
        [
            "2025-02-03 08:00:00",
            "2025-02-03 08:01:00",
            "Survey Preview",
            "100",
            "60",
            "True",
            "2025-02-03 08:01:00",
            "R_prev",
            "",
            "preview",
            "SV",
            label(5),
            label(5),
            "10",
        ]
    )
    body.append(
        [
            "2025-02-03 10:00:00",
            "2025-02-03 10:01:00",
            "IP Address",
            "40",
            "60",
            "False",
            "2025-02-04 10:01:00",
            "R_part",
            "sjv-99",
            "anonymous",
            "SV",
            label(1),
            "",
            "",
        ]
    )
    body.append(
        ["2025-02-03 11:00:00", "", "IP Address", "0", "0", "False", "", "R_empty", "", "anonymous", "SV", "", "", ""]
    )
    _csv(f"qualtrics_{wave}.csv", [tags, texts, ids, *body], encoding="utf-8-sig")


def msforms(wave: str) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ID", "Start time", "Completion time", "Email", "Name", "Last modified time", Q_TRUST, Q_FB, Q_NPS])
    for n, (code, fb, trust, nps) in enumerate(responses(wave)):
        email = EMAIL.get(code, EMAIL["sjv-08"])  # a person's e-mail is the same however they type their code
        sheet.append([n + 1, "2/3/25 9:00:00", "2/3/25 9:06:00", email, code, "", label(trust), label(fb), nps])
    sheet.append(
        [98, "2/3/25 8:00:00", "2/3/25 8:01:00", "test@sjovik.example", "Test Testsson", "", label(5), label(5), 10]
    )
    sheet.append([99, "", "", "", "", "", None, None, None])
    book.save(HERE / f"msforms_{wave}.xlsx")


def googleforms(wave: str) -> None:
    grid = "Hur väl stämmer följande?"
    rows = [["Tidstämpel", "Deltagarkod", f"{grid} [{Q_FB}]", f"{grid} [{Q_TRUST}]", Q_NPS]]
    for code, fb, trust, nps in responses(wave):
        rows.append(["2025-02-03 09:06:00", code, label(fb), label(trust), str(nps)])
    rows.append(["2025-02-03 10:00:00", "test", label(5), label(5), "10"])
    rows.append(["2025-02-03 10:10:00", "sjv-99", label(2), "", ""])  # stops part-way: Forms records no status
    _csv(f"googleforms_{wave}.csv", rows)


def surveymonkey(wave: str) -> None:
    ids = [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Custom Data 1",
    ]
    top = [*ids, "Hur väl stämmer följande?", "", Q_NPS]
    below = [""] * len(ids) + [Q_FB, Q_TRUST, "Response"]
    rows = [top, below]
    for n, (code, fb, trust, nps) in enumerate(responses(wave)):
        rows.append(
            [
                str(1000 + n),
                "42",
                "02/03/2025 09:00:00 AM",
                "02/03/2025 09:06:00 AM",
                "",
                "",
                "",
                "",
                code,
                label(fb),
                label(trust),
                str(nps),
            ]
        )
    rows.append(["999", "42", "02/03/2025 08:00:00 AM", "", "", "", "Test", "", "test", label(5), label(5), "10"])
    rows.append(["998", "42", "02/03/2025 08:00:00 AM", "", "", "", "", "", "sjv-99", label(2), "", ""])
    _csv(f"surveymonkey_{wave}.csv", rows)


def swedish(wave: str) -> None:
    """A Netigate-style raw export re-saved by Swedish Excel: Windows-1252, ';', decimal comma."""
    rows = [["Svars-ID", "Starttid", "Sluttid", "Slutförd", "Deltagarkod", Q_FB, Q_TRUST, Q_NPS]]
    for n, (code, fb, trust, nps) in enumerate(responses(wave)):
        rows.append([str(n + 1), "2025-02-03 09:00", "2025-02-03 09:06", "Ja", code, label(fb), label(trust), str(nps)])
    rows.append(["90", "2025-02-03 10:00", "", "Nej", "sjv-99", label(2), "", ""])
    rows.append(["91", "", "", "", "", "", "", ""])
    _csv(f"swedish_{wave}.csv", rows, encoding="cp1252", delimiter=";")


def _csv(name: str, rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    (HERE / name).write_bytes(buffer.getvalue().encode(encoding))


if __name__ == "__main__":
    canonical()
    for wave in ("pre", "post"):
        for tool in (qualtrics, msforms, googleforms, surveymonkey, swedish):
            tool(wave)
