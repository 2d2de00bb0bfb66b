"""Survey columns matched to catalogue measures and items, and answers turned into numbers.

A column matches by the wording the catalogue carries (case, whitespace and punctuation ignored;
the ``Stem - Statement`` and ``Stem [Row]`` forms tried too), by export tag, or by code.
Metadata and unmatched columns are listed with the reason, never fatal. Labels become numbers
through the measure's labels (lowest first = scale_min); "no answer" labels become missing.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from kirkpatrick.domain.parsing import column_name, number, wording_key
from kirkpatrick.io.formats.survey import Survey, SurveyColumn
from kirkpatrick.io.sniff import Cell
from kirkpatrick.storage.models import Measure, MeasureItem


@dataclass(frozen=True)
class Target:
    """A measure (``item`` None: its score) or one item of it."""

    measure: str
    item: str | None
    low: float
    high: float
    labels: tuple[str, ...]
    no_answer: tuple[str, ...]

    @property
    def code(self) -> str:
        return self.item or self.measure


# What became of a column (``ColumnMapping.kind``); the web shows each in the page's language.
MATCHED, METADATA, DERIVED, PARTICIPANT, IGNORED, UNMATCHED = (
    "matched",
    "metadata",
    "derived",
    "participant",
    "ignored",
    "unmatched",
)


@dataclass(frozen=True)
class ColumnMapping:
    index: int
    header: str
    target: Target | None
    how: str  # "wording", "tag", "code", "mapping file" / why ignored: "metadata (email)", "no match", ...
    kind: str = MATCHED
    detail: str = ""  # the metadata kind, the derived column's reason, the unknown code of a mapping file
    suggestions: tuple[str, ...] = ()  # closest catalogue wordings of an unmatched question


@dataclass
class CatalogueWording:
    by_wording: dict[str, Target] = field(default_factory=dict)
    by_code: dict[str, Target] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # wording key -> the wording as written

    @classmethod
    def load(cls, connection: Connection) -> CatalogueWording:
        found = cls()
        measures = {m.id: m for m in connection.execute(select(Measure)).all()}
        for row in measures.values():
            labels = tuple(_split(row.labels))
            no_answer = tuple(_split(row.no_answer))
            target = Target(row.code, None, row.scale_min, row.scale_max, labels, no_answer)
            found.by_code[column_name(row.code)] = target
            for text in _split(row.wording):
                found.by_wording.setdefault(wording_key(text), target)
                found.texts.setdefault(wording_key(text), text)
        for item in connection.execute(select(MeasureItem)).all():
            m = measures[item.measure_id]
            target = Target(
                m.code, item.code, m.scale_min, m.scale_max, tuple(_split(m.labels)), tuple(_split(m.no_answer))
            )
            found.by_code.setdefault(column_name(item.code), target)
            for text in _split(item.wording):
                found.by_wording.setdefault(wording_key(text), target)
                found.texts.setdefault(wording_key(text), text)
        return found

    def closest(self, column: SurveyColumn, n: int = 3) -> tuple[str, ...]:
        """The catalogue wordings closest to the column's (difflib's ratio, best first)."""
        keys = list(self.texts)
        scored: dict[str, float] = {}
        for form in column.wordings:
            for key in difflib.get_close_matches(wording_key(form), keys, n=n, cutoff=0.45):
                ratio = difflib.SequenceMatcher(None, wording_key(form), key).ratio()
                scored[key] = max(scored.get(key, 0.0), ratio)
        best = sorted(scored, key=lambda k: -scored[k])[:n]
        return tuple(f"{self.texts[k]} ({self.by_wording[k].code})" for k in best)

    def match(self, column: SurveyColumn, saved: dict[str, str]) -> tuple[Target | None, str]:
        key = wording_key(column.header)
        if key in saved:
            code = column_name(saved[key])
            if code in ("", "ignore", "-"):
                return None, "ignored by the mapping file"
            target = self.by_code.get(code)
            return (target, "mapping file") if target else (None, f"mapping file names unknown code {saved[key]!r}")
        for text in column.wordings:
            target = self.by_wording.get(wording_key(text))
            if target is not None:
                return target, "wording"
        if column.tag and column_name(column.tag) in self.by_code:
            return self.by_code[column_name(column.tag)], "tag"
        for text in column.wordings:
            target = self.by_code.get(column_name(text))
            if target is not None:
                return target, "code"
        return None, "no match in the catalogue"


def map_columns(survey: Survey, catalogue: CatalogueWording, saved: dict[str, str]) -> list[ColumnMapping]:
    out = []
    for column in survey.columns:
        key = wording_key(column.header)
        if column.meta is not None and key not in saved:
            out.append(
                ColumnMapping(column.index, column.header, None, f"metadata ({column.meta})", METADATA, column.meta)
            )
            continue
        if column.derived is not None and key not in saved:
            out.append(
                ColumnMapping(
                    column.index,
                    column.header,
                    None,
                    f"the tool's own column ({column.derived})",
                    DERIVED,
                    column.derived,
                )
            )
            continue
        target, how = catalogue.match(column, saved)
        if target is not None:
            out.append(ColumnMapping(column.index, column.header, target, how))
        elif how == "no match in the catalogue":
            out.append(ColumnMapping(column.index, column.header, None, how, UNMATCHED, "", catalogue.closest(column)))
        else:
            out.append(ColumnMapping(column.index, column.header, None, how, IGNORED, saved.get(key, "")))
    return out


def twice_matched(columns: list[ColumnMapping]) -> list[tuple[ColumnMapping, ColumnMapping]]:
    """Pairs of columns that both match the same measure or item (the first, then each later one):
    a value must come from one column only, so each pair is an error."""
    first: dict[str, ColumnMapping] = {}
    pairs = []
    for c in columns:
        if c.target is None:
            continue
        code = c.target.code
        if code in first:
            pairs.append((first[code], c))
        else:
            first[code] = c
    return pairs


NO_ANSWER = object()  # a "no answer" label: missing, and not an error


# A labelled end point of a numeric scale: "10 – Mycket nöjd", "0 = Inte alls troligt", "1 - Inte alls".
_LABELLED = re.compile(r"\s*(-?\d+(?:[.,]\d+)?)\s*(?:[-\u2013\u2014=:.)]\s*|\s+)(?=\D)(.+)")


def answer(target: Target, cell: Cell, decimal: str) -> float | object | None:
    """The cell as a number on the target's scale, ``None`` if empty, ``NO_ANSWER`` for a "no answer"
    label (or its numeric recode just above the scale); raises ``ValueError`` for anything else."""
    return read_answer(target, cell, decimal)[0]


def read_answer(target: Target, cell: Cell, decimal: str) -> tuple[float | object | None, bool]:
    """:func:`answer`, and whether the cell was a label (an answer label, or a number written with
    its label such as ``10 – Mycket nöjd``) rather than a bare number."""
    if cell is None:
        return None, False
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        value: float | None = float(cell)
        label = False
    else:
        text = str(cell).strip()
        if not text:
            return None, False
        key = wording_key(text)
        for i, name in enumerate(target.labels):
            if wording_key(name) == key:
                return target.low + i, True
        if any(wording_key(name) == key for name in target.no_answer):
            return NO_ANSWER, True
        value = number(text, decimal)
        label = False
        if value is None:
            found = _LABELLED.fullmatch(text)
            if found is not None:
                value = number(found.group(1), "," if "," in found.group(1) else ".")
                label = True
            if value is None or not target.low <= value <= target.high:
                raise ValueError(f"{text!r} is neither a number nor an answer label of {target.measure}")
    assert value is not None
    if target.no_answer and target.high < value <= target.high + len(target.no_answer):
        return NO_ANSWER, label  # Qualtrics-style recode: "Vet ej" = 6 on a 1-5 scale
    return value, label


def _split(text: str | None) -> list[str]:
    return [line for line in (text or "").split("\n") if line]
