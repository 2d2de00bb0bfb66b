"""Survey columns matched to catalogue measures and items, and answers turned into numbers.

A column matches by the wording the catalogue carries (case, whitespace and punctuation ignored;
the ``Stem - Statement`` and ``Stem [Row]`` forms tried too), by export tag, or by code.
Metadata and unmatched columns are listed with the reason, never fatal. Labels become numbers
through the measure's labels (lowest first = scale_min); "no answer" labels become missing.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class ColumnMapping:
    index: int
    header: str
    target: Target | None
    how: str  # "wording", "tag", "code", "mapping file" / why ignored: "metadata (email)", "no match", ...


@dataclass
class CatalogueWording:
    by_wording: dict[str, Target] = field(default_factory=dict)
    by_code: dict[str, Target] = field(default_factory=dict)

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
        for item in connection.execute(select(MeasureItem)).all():
            m = measures[item.measure_id]
            target = Target(
                m.code, item.code, m.scale_min, m.scale_max, tuple(_split(m.labels)), tuple(_split(m.no_answer))
            )
            found.by_code.setdefault(column_name(item.code), target)
            for text in _split(item.wording):
                found.by_wording.setdefault(wording_key(text), target)
        return found

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
        if column.meta is not None:
            out.append(ColumnMapping(column.index, column.header, None, f"metadata ({column.meta})"))
            continue
        target, how = catalogue.match(column, saved)
        out.append(ColumnMapping(column.index, column.header, target, how))
    return out


NO_ANSWER = object()  # a "no answer" label: missing, and not an error


def answer(target: Target, cell: Cell, decimal: str) -> float | object | None:
    """The cell as a number on the target's scale, ``None`` if empty, ``NO_ANSWER`` for a "no answer"
    label (or its numeric recode just above the scale); raises ``ValueError`` for anything else."""
    if cell is None:
        return None
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        value: float | None = float(cell)
    else:
        text = str(cell).strip()
        if not text:
            return None
        key = wording_key(text)
        for i, label in enumerate(target.labels):
            if wording_key(label) == key:
                return target.low + i
        if any(wording_key(label) == key for label in target.no_answer):
            return NO_ANSWER
        value = number(text, decimal)
        if value is None:
            raise ValueError(f"{text!r} is neither a number nor an answer label of {target.measure}")
    assert value is not None
    if target.no_answer and target.high < value <= target.high + len(target.no_answer):
        return NO_ANSWER  # Qualtrics-style recode: "Vet ej" = 6 on a 1-5 scale
    return value


def _split(text: str | None) -> list[str]:
    return [line for line in (text or "").split("\n") if line]
