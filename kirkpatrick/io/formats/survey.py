"""What every survey-tool reader returns: the question columns with their wording, the metadata
columns recognised by name, and the answer rows with their line numbers.

Tool readers (``qualtrics``, ``msforms``, ``googleforms``, ``surveymonkey``, ``swedish``) only
know their tool's header rows; matching columns to the catalogue and checking rows happens in
``io.mapping`` and ``io.surveys``, the same for every tool.
"""

from __future__ import annotations

import re
import unicodedata
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
        "tid för slutförande",
    ),
    "response_id": ("responseid", "respondent id", "id", "respondent", "svars id", "svarsid", "respondent-id"),
    "collector": ("collector id", "collector", "insamlare", "insamlings id", "collector name"),
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
        "senast ändrad",
        "språk",
        "ip adress",
        "recipientlastname",
        "recipientfirstname",
        "locationlatitude",
        "locationlongitude",
        "ip-adress",
    ),
}
_META_BY_KEY = {wording_key(name): kind for kind, names in META.items() for name in names}


def meta_kind(header: str) -> str | None:
    """The kind of metadata a column holds, judged by its header (``None``: a question)."""
    kind = _META_BY_KEY.get(wording_key(header))
    if kind is None and re.fullmatch(r"custom data \d+|custom variable \d+|anpassade data \d+", header.strip().lower()):
        return "collector"  # SurveyMonkey's collector-supplied columns
    return kind


# Columns a tool derives from the answers or adds about the response: never an answer themselves.
# (reason, pattern over the export tag or the header)
_DERIVED_TAGS = (
    ("NPS group", re.compile(r".*_NPS_GROUP", re.I)),
    ("text of an 'other' choice", re.compile(r".+_\d*_?TEXT", re.I)),
    ("score computed by the tool", re.compile(r"SC\d+", re.I)),
    (
        "spam or duplicate check",
        re.compile(r"Q_(RecaptchaScore|RelevantID\w*|DuplicateRespondent|BallotBoxStuffing)", re.I),
    ),
)
_DERIVED_HEADERS = (
    ("NPS group", re.compile(r".+ - (Group|Grupp)", re.I)),
    (
        "text analysis by the tool",
        re.compile(
            r".+ - (Topics|Parent Topics|Sentiment( Polarity| Score)?|Topic Sentiment \w+|Ämnen|Sentiment)", re.I
        ),
    ),
    ("quiz points", re.compile(r"(Points|Poäng) - .+|Total points|Totalt antal poäng|Totalpoäng|Score|Poäng", re.I)),
    ("quiz feedback", re.compile(r"(Feedback|Återkoppling) - .+|Quiz feedback|Testfeedback|Quizfeedback", re.I)),
    (
        "text of an 'other' choice",
        re.compile(r".+ - (Other|Annat|Övrigt) \(please specify\)|.+ - .+ - Text|.+ - (Annat|Other) - Text", re.I),
    ),
    ("spam or duplicate check", re.compile(r"Q_(RecaptchaScore|RelevantID\w*)", re.I)),
)


def derived_kind(header: str, tag: str | None = None) -> str | None:
    """Why a column is the tool's own (derived from answers or about the response), or ``None``."""
    if tag:
        for reason, pattern in _DERIVED_TAGS:
            if pattern.fullmatch(tag.strip()):
                return reason
    plain = " ".join(header.translate(_TYPOGRAPHY).split())
    for reason, pattern in _DERIVED_HEADERS:
        if pattern.fullmatch(plain) or pattern.fullmatch(clean_header(header)):
            return reason
    return None


_NUMBERING = re.compile(r"^(?:Q|F|Fråga\s*)?\d{1,3}(?:[.:)]|\s+-|\s+–)\s+", re.I)
_REQUIRED = re.compile(r"\s*(?:\((?:obligatorisk|obligatoriskt|required|krävs|\*)\)|\*)\s*$", re.I)
_TYPOGRAPHY = str.maketrans(
    {
        "\u00a0": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
    }
)


def clean_header(text: str) -> str:
    """A header as people write it, without what is not its wording: numbering (``1.``, ``1)``,
    ``Q1.``, ``1 -``), a trailing ``(obligatorisk)``/``(required)``/``*``, non-breaking spaces,
    typographic quotes and dashes."""
    text = unicodedata.normalize("NFC", text).translate(_TYPOGRAPHY)
    text = " ".join(text.split())
    text = _REQUIRED.sub("", text)
    return _NUMBERING.sub("", text).strip()


@dataclass
class SurveyColumn:
    index: int
    header: str  # as the file shows it
    wordings: list[str]  # what it may be matched by: question text, statement, "Stem - Statement" ...
    tag: str | None = None  # an export tag (Qualtrics row 1, e.g. Q1_1)
    meta: str | None = None  # metadata kind (see META), None for a question
    derived: str | None = None  # why the tool's own column is not an answer (see derived_kind)


@dataclass
class Survey:
    tool: str
    columns: list[SurveyColumn]
    rows: list[tuple[int, list[Cell]]]
    month_first: bool = False  # dates written MM/DD/YYYY
    notes: list[str] = field(default_factory=list)
    header_line: int = 1  # the line of the (first) header row

    def meta(self, kind: str) -> SurveyColumn | None:
        return next((c for c in self.columns if c.meta == kind), None)


def split_forms(text: str) -> list[str]:
    """A header and the forms it may be matched by: ``Stem - Statement`` and ``Stem [Row]`` give
    the statement (and the stem) too; each also without numbering, "(required)" and typography."""
    forms: list[str] = []
    for variant in dict.fromkeys((text.strip(), clean_header(text))):
        forms.append(variant)
        if variant.endswith("]") and " [" in variant:
            stem, row = variant[:-1].rsplit(" [", 1)
            forms += [row, clean_header(row), stem]
        for dash in (" - ", " – "):
            if dash in variant:
                stem, statement = variant.rsplit(dash, 1)
                forms += [statement, clean_header(statement), stem]
    return list(dict.fromkeys(forms))


def simple(
    tool: str, header: Sequence[Cell], rows: list[tuple[int, list[Cell]]], *, month_first: bool = False
) -> Survey:
    """A tool whose export has one header row of question texts (Forms, Google, Swedish tools)."""
    columns = []
    for i, cell in enumerate(header):
        text = text_of(cell)
        if text:
            meta = meta_kind(text)
            derived = None if meta else derived_kind(text)
            columns.append(SurveyColumn(i, text, split_forms(text), None, meta, derived))
    return Survey(tool, columns, rows, month_first, header_line=rows[0][0] - 1 if rows else 1)
