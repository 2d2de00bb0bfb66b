"""What every survey-tool reader returns: the question columns with their wording, the metadata
columns recognised by name, and the answer rows with their line numbers.

Tool readers (``qualtrics``, ``msforms``, ``googleforms``, ``surveymonkey``, ``swedish``) only
know their tool's header rows; matching columns to the catalogue and checking rows happens in
``io.mapping`` and ``io.surveys``, the same for every tool.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kirkpatrick.domain.parsing import wording_key
from kirkpatrick.io.sniff import Cell
from kirkpatrick.io.validate import text_of

# Metadata columns by their (normalised) header in the tools' exports, English and Swedish.
META = {
    "email": ("email", "e mail", "email address", "e post", "epost", "e postadress", "recipientemail", "mejl"),
    "external": ("externalreference", "external reference", "externalref", "extern referens", "custom data 1"),
    "finished": ("finished", "slutförd", "avslutad", "genomförd", "complete", "completed"),
    "status": ("status", "response type", "svarstyp"),
    "progress": ("progress", "förlopp", "progress %"),
    "channel": ("distributionchannel", "distribution channel", "kanal"),
    "start": ("startdate", "start date", "start time", "starttid", "startdatum", "påbörjad"),
    "end": (
        "enddate",
        "end date",
        "completion time",
        "sluttid",
        "slutdatum",
        "recordeddate",
        "timestamp",
        "tidstämpel",
    ),
    "response_id": ("responseid", "respondent id", "id", "respondent", "svars id", "svarsid", "collector id"),
    "name": (
        "name",
        "namn",
        "first name",
        "last name",
        "recipientfirstname",
        "recipientlastname",
        "förnamn",
        "efternamn",
    ),
    "other": (
        "ipaddress",
        "ip address",
        "duration in seconds",
        "duration",
        "locationlatitude",
        "locationlongitude",
        "userlanguage",
        "last modified time",
        "språk",
        "ip adress",
        "recipientlastname",
    ),
}
_META_BY_KEY = {wording_key(name): kind for kind, names in META.items() for name in names}


def meta_kind(header: str) -> str | None:
    """The kind of metadata a column holds, judged by its header (``None``: a question)."""
    return _META_BY_KEY.get(wording_key(header))


@dataclass
class SurveyColumn:
    index: int
    header: str  # as the file shows it
    wordings: list[str]  # what it may be matched by: question text, statement, "Stem - Statement" ...
    tag: str | None = None  # an export tag (Qualtrics row 1, e.g. Q1_1)
    meta: str | None = None  # metadata kind (see META), None for a question


@dataclass
class Survey:
    tool: str
    columns: list[SurveyColumn]
    rows: list[tuple[int, list[Cell]]]
    month_first: bool = False  # dates written MM/DD/YYYY
    notes: list[str] = field(default_factory=list)

    def meta(self, kind: str) -> SurveyColumn | None:
        return next((c for c in self.columns if c.meta == kind), None)


def split_forms(text: str) -> list[str]:
    """A header and the forms it may be matched by: ``Stem - Statement`` and ``Stem [Row]`` give
    the statement (and the stem) too."""
    text = text.strip()
    forms = [text]
    if text.endswith("]") and " [" in text:
        stem, row = text[:-1].rsplit(" [", 1)
        forms += [row, stem]
    for dash in (" - ", " – "):
        if dash in text:
            stem, statement = text.rsplit(dash, 1)
            forms += [statement, stem]
    return forms


def simple(
    tool: str, header: Sequence[Cell], rows: list[tuple[int, list[Cell]]], *, month_first: bool = False
) -> Survey:
    """A tool whose export has one header row of question texts (Forms, Google, Swedish tools)."""
    columns = []
    for i, cell in enumerate(header):
        text = text_of(cell)
        if text:
            columns.append(SurveyColumn(i, text, split_forms(text), None, meta_kind(text)))
    return Survey(tool, columns, rows, month_first)
