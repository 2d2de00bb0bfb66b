"""Translations and locale formatting for reports.

Source strings are English; ``translations/sv.po`` holds the Swedish catalogue. The catalogue is
read by a small .po reader (no compile step, no Babel dependency) and installed into Jinja2's
``i18n`` extension with new-style gettext, so templates and Python share one mechanism.
Numbers and dates are formatted here, never by the process locale.

``python -m kirkpatrick.i18n`` lists every msgid used in templates and Python that the
Swedish catalogue lacks (the test suite fails on the same list).
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import jinja2

from kirkpatrick.domain.vocab import Format, Group, Level, Rater, TargetGroup, TransferFactor, Wave
from kirkpatrick.resources import templates_dir

LANGUAGES: tuple[str, ...] = ("en", "sv")
CATALOGUES = Path(__file__).resolve().parent / "translations"
# Python files whose ``_()``, ``N_()`` and ``ngettext()`` calls are report text.
PYTHON_SOURCES: tuple[str, ...] = (
    "domain/literature.py",
    "reports/environment.py",
    "reports/intervention.py",
    "reports/portfolio.py",
)
GETTEXT_NAMES = {"_", "N_", "gettext", "ngettext"}


def N_(text: str) -> str:
    """Mark ``text`` for translation where it is defined; it is translated where it is shown."""
    return text


# ------------------------------------------------------------------ catalogue


@dataclass(frozen=True)
class Translations:
    """One language's messages: ``gettext`` and ``ngettext`` as Jinja2 expects them."""

    lang: str
    messages: dict[str, str]
    plurals: dict[tuple[str, str], tuple[str, ...]]

    def gettext(self, message: str) -> str:
        return self.messages.get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        forms = self.plurals.get((singular, plural))
        # Swedish and English share the plural rule n != 1.
        index = 0 if n == 1 else 1
        if forms and len(forms) > index and forms[index]:
            return forms[index]
        return singular if n == 1 else plural


_PO_LINE = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[(\d+)\])?|msgctxt)\s+(".*")\s*$')


def _unquote(token: str) -> str:
    return ast.literal_eval(token)  # a .po string is a C-style quoted string: same escapes


def read_po(path: Path) -> tuple[dict[str, str], dict[tuple[str, str], tuple[str, ...]]]:
    """Messages and plural forms of a .po file (fuzzy entries are skipped, as msgfmt does)."""
    messages: dict[str, str] = {}
    plurals: dict[tuple[str, str], tuple[str, ...]] = {}
    entry: dict[str, str] = {}
    key: str | None = None
    fuzzy = False

    def flush() -> None:
        nonlocal entry, fuzzy
        if "msgid" in entry and entry["msgid"] and not fuzzy:
            if "msgid_plural" in entry:
                forms = tuple(entry.get(f"msgstr[{i}]", "") for i in range(2))
                plurals[(entry["msgid"], entry["msgid_plural"])] = forms
            else:
                messages[entry["msgid"]] = entry.get("msgstr", "")
        entry, fuzzy = {}, False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            flush()
            key = None
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        match = _PO_LINE.match(line)
        if match:
            kind = match.group(1)
            if kind == "msgid" and "msgid" in entry:
                flush()
            key = kind
            entry[key] = _unquote(match.group(3))
        elif line.startswith('"') and key is not None:
            entry[key] += _unquote(line)
        else:
            raise ValueError(f"{path}:{number}: not a .po line: {raw!r}")
    flush()
    return messages, plurals


@cache
def translations(lang: str) -> Translations:
    """The catalogue of ``lang`` (``en`` is the source language: an empty catalogue)."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, but got {lang!r}")
    if lang == "en":
        return Translations("en", {}, {})
    messages, plurals = read_po(CATALOGUES / f"{lang}.po")
    return Translations(lang, messages, plurals)


# ------------------------------------------------------------------ vocabulary labels

VOCAB_LABELS: dict[StrEnum, str] = {
    Level.REACTION: N_("Reaction"),
    Level.LEARNING: N_("Learning"),
    Level.BEHAVIOUR: N_("Behaviour"),
    Level.RESULTS: N_("Results"),
    Wave.PRE: N_("Before"),
    Wave.POST: N_("After"),
    Wave.FOLLOW_UP: N_("Follow-up"),
    Rater.SELF: N_("Self"),
    Rater.MANAGER: N_("Manager"),
    Rater.REPORT: N_("Direct reports"),
    Rater.PEER: N_("Peers"),
    Rater.ORG: N_("Organisation"),
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
MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


def label(member: StrEnum, lang: str) -> str:
    """The translated label of a vocabulary member (e.g. ``Level.RESULTS`` -> ``Resultat``)."""
    return translations(lang).gettext(VOCAB_LABELS[member])


# ------------------------------------------------------------------ numbers and dates

MINUS = "\u2212"  # a true minus sign: the hyphen is too short beside digits
NBSP = "\u00a0"


def format_number(value: float | int | None, lang: str, digits: int = 2, *, sign: bool = False) -> str:
    """``value`` with ``digits`` decimals: ``1,234.50`` in English, ``1 234,50`` in Swedish.

    Swedish uses a decimal comma and a no-break space between thousands (Språkrådet,
    Svenska skrivregler). Missing values (None, NaN) give an en dash.
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "\u2013"
    text = f"{abs(value):,.{digits}f}"
    if lang == "sv":
        text = text.replace(",", NBSP).replace(".", ",")
    # No sign on a figure that rounds to zero: "-0.00" reads as a finding.
    rounded_zero = round(abs(value), digits) == 0
    if value < 0 and not rounded_zero:
        return MINUS + text
    if sign and value > 0 and not rounded_zero:
        return "+" + text
    return text


def format_percent(value: float | None, lang: str, digits: int = 0) -> str:
    """A percentage (value already in percent): ``93%`` / ``93 %`` (Swedish puts a space)."""
    number = format_number(value, lang, digits)
    if number == "\u2013":
        return number
    return f"{number}{NBSP}%" if lang == "sv" else f"{number}%"


def format_p(p: float | None, lang: str) -> str:
    """A p-value as APA style writes it: ``.032`` becomes ``0.032``, below .001 ``< 0.001``."""
    if p is None or not math.isfinite(p):
        return "\u2013"
    if p < 0.001:
        return "<" + NBSP + format_number(0.001, lang, 3)
    return format_number(p, lang, 3)


def format_date(value: dt.date, lang: str) -> str:
    """``15 January 2024`` / ``15 januari 2024``."""
    month = translations(lang).gettext(MONTHS[value.month - 1])
    return f"{value.day} {month} {value.year}"


class Localised:
    """Translation and number formatting in one language: the base of the report builders."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        tr = translations(lang)
        self._ = tr.gettext
        self.ngettext = tr.ngettext

    def num(self, v: float, digits: int = 2, sign: bool = False) -> str:
        return format_number(v, self.lang, digits, sign=sign)

    def interval(self, lo: float, hi: float, digits: int = 2) -> str:
        """``[0.12, 0.78]``; Swedish separates with a semicolon, as its decimal mark is a comma."""
        sep = "; " if self.lang == "sv" else ", "
        return f"[{self.num(lo, digits)}{sep}{self.num(hi, digits)}]"

    def label(self, member: StrEnum) -> str:
        return label(member, self.lang)


# ------------------------------------------------------------------ extraction (for the test and maintainers)


def python_messages(paths: Iterable[Path]) -> Iterator[tuple[str, str, int]]:
    """(msgid, file, line) of every ``_("...")``, ``N_("...")`` and ``ngettext("...", "...")``."""
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = (
                    node.func.id
                    if isinstance(node.func, ast.Name)
                    else node.func.attr
                    if isinstance(node.func, ast.Attribute)
                    else None
                )
                if name in GETTEXT_NAMES:
                    for arg in node.args[: 2 if name == "ngettext" else 1]:
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                            yield arg.value, path.name, node.lineno


def template_messages(templates: Path) -> Iterator[tuple[str, str, int]]:
    """(msgid, file, line) of every gettext call in the templates (Jinja2's own extractor)."""
    env = environment("en")
    for path in sorted(templates.glob("*.html")):
        for lineno, _func, message in env.extract_translations(path.read_text(encoding="utf-8")):
            for msg in message if isinstance(message, tuple) else (message,):
                if isinstance(msg, str):
                    yield msg, path.name, lineno


def all_messages() -> list[tuple[str, str, int]]:
    from kirkpatrick.resources import templates_dir

    here = Path(__file__).resolve().parent.parent
    return [*python_messages(here / name for name in PYTHON_SOURCES), *template_messages(templates_dir())]


def missing(lang: str = "sv") -> list[tuple[str, str, int]]:
    """Messages used in the code that ``lang``'s catalogue does not translate."""
    t = translations(lang)
    plural_ids = {s for s, _p in t.plurals} | {p for _s, p in t.plurals}
    return [m for m in all_messages() if not t.messages.get(m[0]) and m[0] not in plural_ids]


if __name__ == "__main__":  # pragma: no cover - a maintainer's helper
    gaps = missing(sys.argv[1] if len(sys.argv) > 1 else "sv")
    seen: set[str] = set()
    for msgid, file, line in gaps:
        if msgid not in seen:
            seen.add(msgid)
            escaped = msgid.replace("\\", "\\\\").replace('"', '\\"')
            print(f'#: {file}:{line}\nmsgid "{escaped}"\nmsgstr ""\n')
    sys.exit(1 if gaps else 0)


@cache
def environment(lang: str) -> jinja2.Environment:
    """The Jinja2 environment for ``lang``: autoescape on, i18n installed, locale filters."""
    tr = translations(lang)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(tr.gettext, tr.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["num"] = lambda v, digits=2, sign=False: format_number(v, lang, digits, sign=sign)
    env.filters["pct"] = lambda v, digits=0: format_percent(v, lang, digits)
    env.filters["pval"] = lambda v: format_p(v, lang)
    env.filters["date"] = lambda v: format_date(v, lang)
    env.filters["label"] = lambda v: label(v, lang)
    env.globals["lang"] = lang
    return env
