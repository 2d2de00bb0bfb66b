"""Translations and locale formatting for reports, on Babel.

Source strings are English; ``translations/sv.po`` holds the Swedish catalogue. Babel reads it
(``babel.messages.pofile.read_po``), compiles it in memory (``write_mo``) into a
``babel.support.Translations`` (plural rule from the catalogue's header; ``pgettext`` for words
that need a context) and Jinja2's ``i18n`` extension gets its callables, so templates and Python
share one mechanism. Numbers, percentages and dates are formatted by ``babel.numbers`` and
``babel.dates``, never by the process locale.

``python -m kirkpatrick.reports.environment sv`` lists every message extracted (by
``babel.messages.extract``) from the package's Python and the templates that the catalogue
lacks; the test suite fails on the same list.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import sys
from collections.abc import Iterator
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import babel
import jinja2
import jinja2.ext
from babel.core import Locale
from babel.dates import format_date as babel_date
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po as babel_read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations
from babel.support import Translations as BabelTranslations

from kirkpatrick.domain.vocab import Format, Group, Level, Rater, TargetGroup, TransferFactor, Wave
from kirkpatrick.reports import compiled
from kirkpatrick.resources import templates_dir

LANGUAGES: tuple[str, ...] = ("en", "sv")
CATALOGUES = Path(__file__).resolve().parent / "translations"
PACKAGE = Path(__file__).resolve().parent.parent
# What the extractor looks for: gettext's names, N_ (mark only) and NC_ (mark with a context).
KEYWORDS: dict[str, Any] = {**DEFAULT_KEYWORDS, "N_": None, "NC_": ((1, "c"), 2)}

Translations = NullTranslations  # what translations() returns: gettext, ngettext, pgettext, npgettext


def N_(text: str) -> str:
    """Mark ``text`` for translation where it is defined; it is translated where it is shown."""
    return text


def NC_(context: str, text: str) -> tuple[str, str]:
    """Mark ``text`` with a message context (``pgettext``); translated where it is shown."""
    return (context, text)


# ------------------------------------------------------------------ catalogue


def read_po(path: Path, lang: str = "sv") -> Catalog:
    """The catalogue of a .po file (Babel's reader; fuzzy entries are kept but not compiled)."""
    with path.open("rb") as f:
        return babel_read_po(f, locale=lang)


def compile_catalogue(catalog: Catalog) -> NullTranslations:
    """The catalogue compiled to .mo in memory and loaded as ``babel.support.Translations``."""
    return BabelTranslations(fp=io.BytesIO(_mo(catalog)))


def _mo(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of ``lang`` (``en`` is the source language: no translation)."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, but got {lang!r}")
    if lang == "en":
        return NullTranslations()
    po = CATALOGUES / f"{lang}.po"

    def compile_po(data: bytes) -> bytes:
        return _mo(babel_read_po(io.BytesIO(data), locale=lang))

    # Parsing the .po is most of the cost: its compiled .mo is kept between runs.
    mo = compiled.compiled_catalogue(po, lang, babel.__version__, compile_po)
    try:
        return BabelTranslations(fp=io.BytesIO(mo))
    except Exception:  # a damaged cache file (gettext raises several kinds): compile afresh
        return BabelTranslations(fp=io.BytesIO(compile_po(po.read_bytes())))


# ------------------------------------------------------------------ vocabulary labels

VOCAB_LABELS: dict[StrEnum, str | tuple[str, str]] = {
    Level.REACTION: N_("Reaction"),
    Level.LEARNING: N_("Learning"),
    Level.BEHAVIOUR: N_("Behaviour"),
    Level.RESULTS: N_("Results"),
    Wave.PRE: N_("Before"),
    Wave.POST: N_("After"),
    Wave.FOLLOW_UP: N_("Follow-up"),
    # Who gave the figure: a word that needs its context ("Self" alone is not Swedish).
    Rater.SELF: NC_("rater", "Self-rating"),
    Rater.MANAGER: NC_("rater", "Manager"),
    Rater.REPORT: NC_("rater", "Direct reports"),
    Rater.PEER: NC_("rater", "Peers"),
    Rater.ORG: NC_("rater", "Records"),
    Group.TREATMENT: N_("Participants"),
    Group.CONTROL: N_("Control group"),
    Format.INDIVIDUAL_COACHING: N_("Individual coaching"),
    Format.GROUP_COACHING: N_("Group coaching"),
    Format.LEADERSHIP_GROUP_DEVELOPMENT: N_("Leadership-group development"),
    Format.TRAINING_PROGRAMME: N_("Training programme"),
    TargetGroup.MANAGERS: N_("Managers"),
    TargetGroup.FIRST_LINE_MANAGERS: N_("First-line managers"),
    TargetGroup.TEAM_LEADERS: N_("Team leaders"),
    TargetGroup.LEADERSHIP_GROUP: N_("Leadership group"),
    TransferFactor.NEEDS_ANALYSIS: N_("Needs analysis"),
    TransferFactor.SPACED_SESSIONS: N_("Spaced sessions"),
    TransferFactor.PEER_SUPPORT: N_("Peer support"),
    TransferFactor.PSYCHOLOGICAL_SAFETY: N_("Psychological safety"),
    TransferFactor.SUPERVISOR_SUPPORT: N_("Support from own manager"),
    TransferFactor.PRACTICE_FEEDBACK: N_("Practice and feedback"),
    TransferFactor.ON_THE_JOB_APPLICATION: N_("Application on the job"),
}
# A knowledge test is taken, not rated: its "self" rows are the participant's own test score.
TEST_TAKER = NC_("rater", "Participant (test)")


def translate(message: str | tuple[str, str], lang: str) -> str:
    """``message`` (a msgid, or a (context, msgid) pair from ``NC_``) in ``lang``."""
    t = translations(lang)
    if isinstance(message, tuple):
        return str(t.pgettext(*message))
    return str(t.gettext(message))


def label(member: StrEnum, lang: str) -> str:
    """The translated label of a vocabulary member (e.g. ``Level.RESULTS`` -> ``Resultat``)."""
    return translate(VOCAB_LABELS[member], lang)


# ------------------------------------------------------------------ numbers and dates

MINUS = "\u2212"  # a true minus sign: the hyphen is too short beside digits
NBSP = "\u00a0"
EN_DASH = "\u2013"


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse("en_GB" if lang == "en" else lang)


def format_number(value: float | int | None, lang: str, digits: int = 2, *, sign: bool = False) -> str:
    """``value`` with ``digits`` decimals: ``1,234.50`` in English, ``1 234,50`` in Swedish.

    Babel's CLDR data give the decimal comma and the no-break space between thousands; the sign
    is ours: a true minus (Babel writes a hyphen-minus), none on a figure that rounds to zero.
    Missing values (None, NaN) give an en dash.
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return EN_DASH
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    text = format_decimal(abs(value), format=pattern, locale=_locale(lang), decimal_quantization=True)
    # No sign on a figure that rounds to zero: "-0.00" reads as a finding.
    rounded_zero = round(abs(value), digits) == 0
    if value < 0 and not rounded_zero:
        return MINUS + text
    if sign and value > 0 and not rounded_zero:
        return "+" + text
    return text


def format_percent(value: float | None, lang: str, digits: int = 0) -> str:
    """A percentage (value already in percent): ``93%`` / ``93 %`` (CLDR's patterns for en and sv)."""
    number = format_number(value, lang, digits)
    if number == EN_DASH:
        return number
    # CLDR: en "#,##0%", sv "#,##0 %" (no-break space); the number keeps our minus sign.
    pattern = str(_locale(lang).percent_formats[None].pattern)
    return pattern.replace("#,##0", number, 1)


def format_p(p: float | None, lang: str) -> str:
    """A p-value as APA style writes it: ``.032`` becomes ``0.032``, below .001 ``< 0.001``."""
    if p is None or not math.isfinite(p):
        return EN_DASH
    if p < 0.001:
        return "<" + NBSP + format_number(0.001, lang, 3)
    return format_number(p, lang, 3)


def format_date(value: dt.date, lang: str) -> str:
    """``15 January 2024`` / ``15 januari 2024`` (Babel, pattern ``d MMMM y``)."""
    return babel_date(value, "d MMMM y", locale=_locale(lang))


def format_period(start: dt.date, end: dt.date, lang: str) -> str:
    """A date range as Swedish and British style write it: one date when start and end are the
    same day, ``11–12 mars 2025`` within a month, ``1 februari – 13 december 2024`` within a year,
    full dates otherwise. The en dash is closed between figures and spaced between words; the
    space before it is a no-break space so that a line never starts with the dash."""
    loc = _locale(lang)
    if start == end:
        return format_date(start, lang)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}{EN_DASH}{format_date(end, lang)}"
    first = babel_date(start, "d MMMM" if start.year == end.year else "d MMMM y", locale=loc)
    return f"{first}{NBSP}{EN_DASH} {format_date(end, lang)}"


class Localised:
    """Translation and number formatting in one language: the base of the report builders."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        tr = translations(lang)
        self._ = tr.gettext
        self.ngettext = tr.ngettext
        self.pgettext = tr.pgettext

    def num(self, v: float, digits: int = 2, sign: bool = False) -> str:
        return format_number(v, self.lang, digits, sign=sign)

    def interval(self, lo: float, hi: float, digits: int = 2) -> str:
        """``[0.12, 0.78]``; Swedish separates with a semicolon, as its decimal mark is a comma."""
        sep = "; " if self.lang == "sv" else ", "
        return f"[{self.num(lo, digits)}{sep}{self.num(hi, digits)}]"

    def label(self, member: StrEnum) -> str:
        return label(member, self.lang)

    def join(self, items: list[str]) -> str:
        """``a, b and c`` / ``a, b och c`` (Babel's list patterns)."""
        from babel.lists import format_list

        return format_list(items, locale=_locale(self.lang))


# ------------------------------------------------------------------ extraction (for the test and maintainers)

Message = tuple[str, str | None, str, int]  # (msgid, context, file, line); plurals give both ids


def python_files(root: Path = PACKAGE) -> list[Path]:
    """Every Python module of the package: any of them may call ``N_``/``gettext``."""
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def template_files(root: Path | None = None) -> list[Path]:
    """Every template, in subfolders too (``web/...``)."""
    base = root if root is not None else templates_dir()
    return sorted(p for p in base.rglob("*.html"))


def _extract(method: Any, path: Path, base: Path) -> Iterator[Message]:
    options = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
    for lineno, message, _comments, context in extract_from_file(
        method, str(path), keywords=KEYWORDS, options=options if method != "python" else None
    ):
        for msg in message if isinstance(message, tuple) else (message,):
            if msg:
                yield msg, context, str(path.relative_to(base) if path.is_relative_to(base) else path), lineno


def python_messages(paths: list[Path] | None = None) -> Iterator[Message]:
    """Messages of ``_``/``gettext``/``ngettext``/``pgettext``/``N_``/``NC_`` calls (Babel's Python extractor)."""
    for path in python_files() if paths is None else paths:
        yield from _extract("python", path, PACKAGE.parent)


def template_messages(root: Path | None = None) -> Iterator[Message]:
    """Messages of the templates (Jinja2's Babel extractor, ``jinja2.ext.babel_extract``)."""
    base = root if root is not None else templates_dir()
    for path in template_files(base):
        yield from _extract(jinja2.ext.babel_extract, path, base)


def all_messages() -> list[Message]:
    return [*python_messages(), *template_messages()]


def missing(lang: str = "sv", messages: list[Message] | None = None) -> list[Message]:
    """Messages used in the code that ``lang``'s catalogue does not translate (fuzzy counts as missing)."""
    catalog = read_po(CATALOGUES / f"{lang}.po", lang)
    gaps = []
    for m in all_messages() if messages is None else messages:
        entry = catalog.get(m[0], context=m[1])
        if entry is None:  # a plural's second id is stored under its singular
            entry = next((e for e in catalog if isinstance(e.id, tuple) and m[0] in e.id and e.context == m[1]), None)
        strings = entry.string if entry is not None else ""
        done = all(strings) if isinstance(strings, tuple) else bool(strings)
        if entry is None or entry.fuzzy or not done:
            gaps.append(m)
    return gaps


@cache
def environment(lang: str) -> jinja2.Environment:
    """The Jinja2 environment for ``lang``: autoescape on, i18n installed, locale filters."""
    tr = translations(lang)
    settings: dict[str, Any] = {
        "autoescape": True,
        "extensions": ["jinja2.ext.i18n"],
        "undefined": jinja2.StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
    }
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        # Templates compiled once are kept between runs (a report is a new process each time).
        bytecode_cache=compiled.template_cache(settings),
        **settings,
    )
    env.install_gettext_translations(tr, newstyle=True)  # type: ignore[attr-defined]
    env.filters["num"] = lambda v, digits=2, sign=False: format_number(v, lang, digits, sign=sign)
    env.filters["pct"] = lambda v, digits=0: format_percent(v, lang, digits)
    env.filters["pval"] = lambda v: format_p(v, lang)
    env.filters["date"] = lambda v: format_date(v, lang)
    env.filters["label"] = lambda v: label(v, lang)
    env.globals["lang"] = lang
    return env


if __name__ == "__main__":  # pragma: no cover - a maintainer's helper
    gaps = missing(sys.argv[1] if len(sys.argv) > 1 else "sv")
    seen: set[tuple[str, str | None]] = set()
    for msgid, context, file, line in gaps:
        if (msgid, context) not in seen:
            seen.add((msgid, context))
            escaped = msgid.replace("\\", "\\\\").replace('"', '\\"')
            ctx = f'msgctxt "{context}"\n' if context else ""
            print(f'#: {file}:{line}\n{ctx}msgid "{escaped}"\nmsgstr ""\n')
    sys.exit(1 if gaps else 0)
