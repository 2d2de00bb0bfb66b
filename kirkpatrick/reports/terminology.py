"""The reports' terminology list (``terminology.csv``) and the check that rendered text keeps it.

Each line: language, the term, what it means in the reports, and the words not to use instead
(separated by ``;``). :func:`forbidden_terms` finds those words, as whole words and ignoring
case, in the visible text of an HTML page (not in markup, styles, scripts or attributes); the
report, web and contract tests call it on every page they render.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

TERMINOLOGY = Path(__file__).resolve().parent / "terminology.csv"


@dataclass(frozen=True)
class Term:
    lang: str
    term: str
    meaning: str
    not_to_use: tuple[str, ...]


@cache
def terms() -> tuple[Term, ...]:
    """The terminology list, in file order."""
    with TERMINOLOGY.open(newline="", encoding="utf-8") as f:
        return tuple(
            Term(
                row["lang"],
                row["term"],
                row["meaning"],
                tuple(w.strip() for w in row["not_to_use"].split(";") if w.strip()),
            )
            for row in csv.DictReader(f)
        )


class _Text(HTMLParser):
    """The text a reader sees: character data outside style, script and template."""

    HIDDEN: ClassVar[frozenset[str]] = frozenset({"style", "script", "template", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The page's visible text, whitespace (no-break spaces too) collapsed to single spaces."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()


@cache
def _patterns(lang: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    words = sorted({w for t in terms() if t.lang == lang for w in t.not_to_use})
    return tuple(
        (w, re.compile(r"(?<![\w-])" + r"\s+".join(map(re.escape, w.split())) + r"(?![\w-])", re.IGNORECASE))
        for w in words
    )


def forbidden_terms(html: str, lang: str) -> list[str]:
    """The words from the "not to use" column of ``lang`` that occur in the visible text of ``html``."""
    text = visible_text(html)
    return [word for word, pattern in _patterns(lang) if pattern.search(text)]
