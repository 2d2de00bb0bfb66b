"""Writes the independent corpus: one other programme ("Coachande ledarskap", Ekby kommun), ten
people, exported by five tools in five layouts each, as the tools' public documentation and the
public fixtures listed in README.md show them. Run from this folder: ``python make_corpus.py``.

Every layout carries the same kept answers, so every file must give the same figures
(EXPECTED); the rows each layout adds (tests, people without identity, unfinished) are left out.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
AGREE = ["Instämmer inte alls", "Instämmer delvis inte", "Varken eller", "Instämmer delvis", "Instämmer helt"]
LISTEN_SV = "Jag ger mina medarbetare tid att tänka själva"
LISTEN_EN = "I give my staff time to think for themselves"
NPS_SV = "Hur troligt är det att du skulle rekommendera programmet till en kollega?"
NPS_EN = "How likely are you to recommend the programme to a colleague?"
SAT_SV = "Hur nöjd är du med programmet som helhet?"
SAT_EN = "How satisfied are you with the programme as a whole?"
OPEN_SV = "Vad tar du med dig?"
# (code, e-mail, listen 1-5, nps 0-10, sat 1-10): nine promoters and one detractor: NPS +80.
PEOPLE = [
    ("ekb-01", "anna.berg@ekby.example", 4, 10, 9),
    ("ekb-02", "bo.lind@ekby.example", 5, 9, 8),
    ("ekb-03", "cecilia.ek@ekby.example", 3, 10, 10),
    ("ekb-04", "david.ahl@ekby.example", 4, 9, 7),
    ("ekb-05", "eva.sund@ekby.example", 2, 3, 2),
    ("ekb-06", "fredrik.ost@ekby.example", 5, 10, 9),
    ("ekb-07", "gun.ask@ekby.example", 4, 9, 8),
    ("ekb-08", "hans.nord@ekby.example", 3, 10, 6),
    ("ekb-09", "ida.falk@ekby.example", 4, 9, 9),
    ("ekb-10", "jon.vik@ekby.example", 5, 10, 10),
]
EXPECTED = {"listen": (10, 3.9), "nps": (10, 8.9), "sat": (10, 7.8)}  # (n, mean); NPS +80


def nps_group(score: int) -> int:
    return 3 if score >= 9 else 2 if score >= 7 else 1


def end_label(score: int, low: int, high: int, low_text: str, high_text: str, sep: str = " – ") -> str:
    """A numeric scale whose end points carry words, as choice-text exports write them."""
    if score == low:
        return f"{score}{sep}{low_text}"
    if score == high:
        return f"{score}{sep}{high_text}"
    return str(score)


def write_csv(name: str, rows: list[list[object]], *, encoding: str = "utf-8", delimiter: str = ",") -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    (HERE / name).write_bytes(out.getvalue().encode(encoding))


def write_xlsx(name: str, rows: list[list[object]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append(row)
    book.save(HERE / name)


def qid(name: str) -> str:
    return json.dumps({"ImportId": name})


# ------------------------------------------------------------------ Qualtrics

Q_META = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished"]
Q_META += ["RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail"]
Q_META += ["ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage"]
Q_META_DE = ["Anfangsdatum", "Enddatum", "Antworttyp", "IP-Adresse", "Aktueller Stand", "Dauer (in Sekunden)"]
Q_META_DE += ["Beendet", "Erfassungsdatum", "Antwort-ID", "Nachname des Empfängers", "Vorname des Empfängers"]
Q_META_DE += ["E-Mail des Empfängers", "Externe Datenreferenz", "Breitengrad des Standorts"]
Q_META_DE += ["Längengrad des Standorts", "Verteilungskanal", "Benutzersprache"]
Q_IDS = ["startDate", "endDate", "status", "ipAddress", "progress", "duration", "finished", "recordedDate"]
Q_IDS += ["_recordId", "recipientLastName", "recipientFirstName", "recipientEmail", "externalDataReference"]
Q_IDS += ["locationLatitude", "locationLongitude", "distributionChannel", "userLanguage"]


def q_meta(i: int, code: str, *, status: str = "0", finished: str = "1", progress: str = "100") -> list[object]:
    return [
        f"2026-03-0{1 + i % 9} 08:00:00", f"2026-03-0{1 + i % 9} 08:07:00", status, "", progress, "420", finished,
        f"2026-03-0{1 + i % 9} 08:07:00", f"R_ekb{i:02d}", "", "", "", code, "", "", "email", "SV",
    ]  # fmt: skip


def qualtrics() -> None:
    # q1: numeric values, NPS group beside the answer, embedded data (fault: NPS -100 for +80).
    head = [*Q_META, "Q1_1", "Q2", "Q2_NPS_GROUP", "Q3", "Dept"]
    text = [*Q_META, f"Hur väl stämmer följande? - {LISTEN_SV}", NPS_SV, f"{NPS_SV} - Group", SAT_SV, "Dept"]
    ids = [*map(qid, Q_IDS), qid("QID1_1"), qid("QID2"), qid("QID2_NPS_GROUP"), qid("QID3"), qid("Dept")]
    rows = [head, text, ids]
    for i, (code, _, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([*q_meta(i, code), listen, nps, nps_group(nps), sat, "HR"])
    rows.append([*q_meta(11, "ekb-99", status="1"), 1, 0, 1, 1, "HR"])  # a preview
    write_csv("qualtrics_numeric_nps_group.csv", [[*r] for r in rows], encoding="utf-8-sig")
    # q2: choice text, with SC0, Topics/Sentiment, other-text, reCAPTCHA and RelevantID columns.
    head = [*Q_META, "Q_RecaptchaScore", "Q_RelevantIDDuplicate", "Q_RelevantIDFraudScore", "Q1_1", "Q1_6_TEXT"]
    head += ["Q2", "Q2_NPS_GROUP", "Q3", "Q4", "Q4 - Topics", "Q4 - Sentiment", "SC0"]
    text = [*Q_META, "Q_RecaptchaScore", "Q_RelevantIDDuplicate", "Q_RelevantIDFraudScore"]
    text += [f"Hur väl stämmer följande? - {LISTEN_SV}", "Hur väl stämmer följande? - Annat - Text", NPS_SV]
    text += [f"{NPS_SV} - Group", SAT_SV, OPEN_SV, "Q4 - Topics", "Q4 - Sentiment", "Score"]
    ids = [*map(qid, Q_IDS), qid("Q_RecaptchaScore"), qid("Q_RelevantIDDuplicate"), qid("Q_RelevantIDFraudScore")]
    ids += [qid("QID1_1"), qid("QID1_6_TEXT"), qid("QID2"), qid("QID2_NPS_GROUP"), qid("QID3"), qid("QID4_TEXT")]
    ids += [qid("QID4_TEXT_topics"), qid("QID4_TEXT_sentiment"), qid("SC_0")]
    rows = [head, text, ids]
    groups = {1: "Detractor", 2: "Passive", 3: "Promoter"}
    for i, (code, _, listen, nps, sat) in enumerate(PEOPLE):
        sat_text = end_label(sat, 1, 10, "Inte alls nöjd", "Mycket nöjd")
        rows.append(
            [*q_meta(i, code), "0.9", "", "0", AGREE[listen - 1], "", str(nps), groups[nps_group(nps)], sat_text]
            + ["Att lyssna mer", "Listening", "Positive", "12"]
        )
    rows.append([*q_meta(12, "ekb-11", finished="0", progress="40"), "0.9", "", "0", AGREE[2], "", "5", "Passive"])
    write_csv("qualtrics_choice_text_scores.csv", rows, encoding="utf-8-sig")
    # q3: the question row in German UI words for the metadata (as qualtRics' sample.csv), columns reordered.
    head = ["Q3", *Q_META, "Q2", "Q1_1"]
    text = [SAT_SV, *Q_META_DE, NPS_SV, f"Hur väl stämmer följande? - {LISTEN_SV}"]
    ids = [qid("QID3"), *map(qid, Q_IDS), qid("QID2"), qid("QID1_1")]
    rows = [head, text, ids]
    for i, (code, _, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([sat, *q_meta(i, code), nps, listen])
    write_csv("qualtrics_reordered_german_ui.csv", rows, encoding="utf-8-sig")
    # q4: English wording, TSV, True/False Finished, recipient e-mail present.
    head = [*Q_META, "Q1_1", "Q2", "Q3"]
    text = [*Q_META, f"How well does this describe you? - {LISTEN_EN}", NPS_EN, SAT_EN]
    ids = [*map(qid, Q_IDS), qid("QID1_1"), qid("QID2"), qid("QID3")]
    rows = [head, text, ids]
    for i, (code, _, listen, nps, sat) in enumerate(PEOPLE):
        meta = q_meta(i, code, finished="True")
        rows.append([*meta, listen, nps, sat])
    rows.append([*q_meta(13, "test", finished="True"), 1, 0, 1])  # the consultant's own test
    write_csv("qualtrics_english.tsv", rows, delimiter="\t", encoding="utf-8-sig")


# ------------------------------------------------------------------ SurveyMonkey

SM_IDS = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name"]
SM_IDS += ["Last Name", "Custom Data 1"]


def sm_ids(i: int, email: str) -> list[object]:
    return [f"1140{i:04d}", "431200", "03/02/2026 08:00:00 AM", "03/02/2026 08:06:10 AM", "", email, "", "", ""]


def surveymonkey() -> None:
    # sm1: numeric answers, people by e-mail, a web-link test response without e-mail (fault).
    top = [*SM_IDS, "Hur väl stämmer följande?", NPS_SV, SAT_SV, OPEN_SV]
    sub = [""] * len(SM_IDS) + [LISTEN_SV, "Response", "Response", "Open-Ended Response"]
    rows = [top, sub]
    for i, (_, email, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([*sm_ids(i, email), listen, nps, sat, "Mer tid för reflektion"])
    rows.append([*sm_ids(20, ""), 3, 10, 9, ""])  # the web-link collector's test: no e-mail
    write_csv("surveymonkey_numeric_email.csv", rows)
    # sm2: choice text (labels), identified by Custom Data 1 (the participant code), extra custom data.
    top = [*SM_IDS, "Custom Data 2", "Hur väl stämmer följande?", NPS_SV, SAT_SV]
    sub = [""] * (len(SM_IDS) + 1) + [LISTEN_SV, "Response", "Response"]
    rows = [top, sub]
    for i, (code, _, listen, nps, sat) in enumerate(PEOPLE):
        ids = sm_ids(i, "")
        ids[8] = code
        rows.append([*ids, "Region Öst", AGREE[listen - 1], str(nps), end_label(sat, 1, 10, "Inte alls", "Helt")])
    write_csv("surveymonkey_choice_text.csv", rows)
    # sm3: Swedish UI ("Svar"), reordered questions, a matrix with an "Other" row.
    top = [*SM_IDS, SAT_SV, "Hur väl stämmer följande?", "", NPS_SV]
    sub = [""] * len(SM_IDS) + ["Svar", LISTEN_SV, "Annat (ange)", "Svar"]
    rows = [top, sub]
    for i, (_, email, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([*sm_ids(i, email), sat, AGREE[listen - 1], "", nps])
    write_csv("surveymonkey_swedish_ui.csv", rows)
    # sm4: xlsx, English wording, numeric.
    top = [*SM_IDS, "How well does this describe you?", NPS_EN, SAT_EN]
    sub = [""] * len(SM_IDS) + [LISTEN_EN, "Response", "Response"]
    rows = [top, sub]
    for i, (_, email, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([*sm_ids(i, email), listen, nps, sat])
    write_xlsx("surveymonkey_english.xlsx", rows)
    # sm5: a quiz-mode survey with per-question score columns ("... - Score") is not documented publicly;
    # this one re-saved by Swedish Excel (cp1252, ';').
    top = [*SM_IDS, "Hur väl stämmer följande?", NPS_SV, SAT_SV]
    sub = [""] * len(SM_IDS) + [LISTEN_SV, "Response", "Response"]
    rows = [top, sub]
    for i, (_, email, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([*sm_ids(i, email), listen, nps, sat])
    write_csv("surveymonkey_excel_sv.csv", rows, encoding="cp1252", delimiter=";")


# ------------------------------------------------------------------ Microsoft Forms

MF_META = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]
MF_META_SV = ["ID", "Starttid", "Tid för slutförande", "E-post", "Namn", "Senast ändrad"]


def mf_meta(i: int, email: str) -> list[object]:
    return [i + 1, "3/2/26 8:00:00", "3/2/26 8:05:00", email, "", ""]


def msforms() -> None:
    # f1: English UI, a key file, the consultant's own test submission not on the key file (fault).
    head = [*MF_META, LISTEN_SV, NPS_SV, SAT_SV]
    rows: list[list[object]] = [head]
    for i, (_, email, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([*mf_meta(i, email), AGREE[listen - 1], nps, sat])
    rows.append([*mf_meta(10, "konsult@coachbyran.example"), AGREE[4], 10, 10])
    write_xlsx("msforms_english_keyfile.xlsx", rows)
    keys = [["email", "code"], *[[email, code] for code, email, *_ in PEOPLE]]
    write_csv("msforms_keys.csv", keys)
    # f2: Swedish UI headers.
    head = [*MF_META_SV, LISTEN_SV, NPS_SV, SAT_SV]
    rows = [head]
    for i, (_, email, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([*mf_meta(i, email), AGREE[listen - 1], nps, sat])
    write_xlsx("msforms_swedish_ui.xlsx", rows)
    # f3: a quiz: Total points, Quiz feedback, Points - / Feedback - per question.
    head = [*MF_META, "Total points", "Quiz feedback", LISTEN_SV, f"Points - {LISTEN_SV}", f"Feedback - {LISTEN_SV}"]
    head += [NPS_SV, SAT_SV]
    rows = [head]
    for i, (_, email, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([*mf_meta(i, email), 1, "", AGREE[listen - 1], 1, "", nps, sat])
    write_xlsx("msforms_quiz.xlsx", rows)
    # f4: columns out of order (Microsoft's troubleshooting article), English wording.
    head = [*MF_META, SAT_EN, LISTEN_EN, NPS_EN]
    rows = [head]
    for i, (_, email, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([*mf_meta(i, email), sat, listen, nps])
    write_xlsx("msforms_reordered.xlsx", rows)
    # f5: labelled end points on the numeric questions (fault), numbered questions.
    head = [*MF_META, f"1. {LISTEN_SV}", f"2. {NPS_SV}", f"3. {SAT_SV}"]
    rows = [head]
    for i, (_, email, listen, nps, sat) in enumerate(PEOPLE):
        nps_text = end_label(nps, 0, 10, "Inte alls troligt", "Mycket troligt", " = ")
        rows.append(
            [*mf_meta(i, email), AGREE[listen - 1], nps_text, end_label(sat, 1, 10, "Inte alls nöjd", "Mycket nöjd")]
        )
    write_xlsx("msforms_labelled_ends.xlsx", rows)


# ------------------------------------------------------------------ Google Forms


def googleforms() -> None:
    # g1: English sheet, a grid question, the participant code asked as a question.
    head = ["Timestamp", "Deltagarkod", f"Hur väl stämmer följande? [{LISTEN_SV}]", NPS_SV, SAT_SV, OPEN_SV]
    rows: list[list[object]] = [head]
    for i, (code, _, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([f"3/{2 + i}/2026 8:00:00", code, AGREE[listen - 1], nps, sat, "Tid att tänka"])
    write_csv("googleforms_english.csv", rows)
    # g2: Swedish sheet (Tidstämpel), e-mail collected, hashed with the secret.
    head = ["Tidstämpel", "E-postadress", LISTEN_SV, NPS_SV, SAT_SV]
    rows = [head]
    for i, (_, email, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([f"2026-03-{2 + i:02d} 08:00:00", email, listen, nps, sat])
    write_csv("googleforms_swedish_email.csv", rows)
    # g3: a quiz: Score column, answers as numbers.
    head = ["Timestamp", "Score", "Deltagarkod", LISTEN_SV, NPS_SV, SAT_SV]
    rows = [head]
    for i, (code, _, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([f"3/{2 + i}/2026 8:00:00", "3 / 3", code, listen, nps, sat])
    write_csv("googleforms_quiz.csv", rows)
    # g4: reordered, typographic quotes and a non-breaking space in the headers, "(required)".
    head = ["Timestamp", SAT_SV.replace(" ", "\u00a0", 2), "Deltagarkod (required)", f"{NPS_SV} *", LISTEN_SV]
    rows = [head]
    for i, (code, _, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([f"3/{2 + i}/2026 8:00:00", sat, code, nps, listen])
    write_csv("googleforms_reordered.csv", rows)
    # g5: re-saved by Swedish Excel: cp1252, ';'.
    head = ["Tidstämpel", "Deltagarkod", LISTEN_SV, NPS_SV, SAT_SV]
    rows = [head]
    for i, (code, _, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([f"2026-03-{2 + i:02d} 08:00", code, AGREE[listen - 1], nps, sat])
    write_csv("googleforms_excel_sv.csv", rows, encoding="cp1252", delimiter=";")


# ------------------------------------------------------------------ Swedish tools (one header row)


def swedish() -> None:
    meta = ["Svars-ID", "Starttid", "Sluttid", "Slutförd", "Deltagarkod"]

    def base(i: int, code: str) -> list[object]:
        return [i + 1, "2026-03-02 08:00", "2026-03-02 08:06", "Ja", code]

    # s1: numbered statements (fault).
    head = [*meta, f"1. {LISTEN_SV}", f"2. {NPS_SV}", f"3. {SAT_SV}"]
    rows: list[list[object]] = [head]
    for i, (code, _, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([*base(i, code), AGREE[listen - 1], nps, sat])
    write_csv("swedish_numbered.csv", rows, encoding="cp1252", delimiter=";")
    # s2: "(obligatorisk)", NBSP, typographic dashes; "1)" numbering.
    head = [*meta, f"1) {LISTEN_SV} (obligatorisk)", f"2)\u00a0{NPS_SV}", f"3) {SAT_SV}\u00a0(obligatorisk)"]
    rows = [head]
    for i, (code, _, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([*base(i, code), listen, nps, sat])
    write_csv("swedish_required.csv", rows, encoding="utf-8-sig", delimiter=";")
    # s3: labelled end points ("0 = Inte alls troligt", "10 – Mycket nöjd").
    head = [*meta, f"Q1. {LISTEN_SV}", f"Q2. {NPS_SV}", f"Q3. {SAT_SV}"]
    rows = [head]
    for i, (code, _, listen, nps, sat) in enumerate(PEOPLE):
        nps_text = end_label(nps, 0, 10, "Inte alls troligt", "Mycket troligt", " = ")
        sat_text = end_label(sat, 1, 10, "Inte alls nöjd", "Mycket nöjd")
        rows.append([*base(i, code), AGREE[listen - 1], nps_text, sat_text])
    write_csv("swedish_labelled_ends.csv", rows, encoding="cp1252", delimiter=";")
    # s4: "1 -" numbering, an unfinished response, reordered.
    head = [*meta, f"3 - {SAT_SV}", f"1 - {LISTEN_SV}", f"2 - {NPS_SV}"]
    rows = [head]
    for i, (code, _, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([*base(i, code), sat, listen, nps])
    rows.append([11, "2026-03-02 08:00", "", "Nej", "ekb-12", 5, "", ""])
    write_csv("swedish_dash_numbered.csv", rows, encoding="cp1252", delimiter=";")
    # s5: xlsx with e-mail (keyed hash), typographic quotes in a statement.
    head = ["Svars-ID", "Starttid", "E-post", "Jag ger mina medarbetare tid att tänka själva", f"„{NPS_SV}”", SAT_SV]
    rows = [head]
    for i, (_, email, listen, nps, sat) in enumerate(PEOPLE):
        rows.append([i + 1, "2026-03-02 08:00", email, listen, nps, sat])
    write_xlsx("swedish_email.xlsx", rows)


if __name__ == "__main__":
    qualtrics()
    surveymonkey()
    msforms()
    googleforms()
    swedish()
