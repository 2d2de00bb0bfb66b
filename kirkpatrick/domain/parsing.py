"""The one set of value parsers: codes, dates, numbers, booleans, vocabulary members, column names.

Every reader (the measurement importer, the catalogue, intervention and feedback imports, the
command line, survey-tool exports) calls these, so a value means the same wherever it is typed.
Parsers that can fail raise ``InvalidInput`` with a message naming the value; ``number`` and
``code_key`` are the non-raising cores the bulk importer uses on millions of cells.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from enum import StrEnum
from typing import Any

from kirkpatrick.domain import vocab
from kirkpatrick.domain.errors import InvalidInput

CODE_LIMIT = 64
# A code as people write them: letters of any alphabet (å, ä, ö, é ...), digits, '_', '-', '.';
# it starts with a letter or digit. Only surrounding spaces are trimmed, nothing else changes.
_CODE = re.compile(r"[^\W_][\w.\-]*")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TRUE_WORDS = frozenset({"true", "yes", "1", "ja", "y", "x", "sant"})
FALSE_WORDS = frozenset({"false", "no", "0", "nej", "n", "", "falskt"})
CODE_RULE = "letters, digits, '_', '-', '.'; at most 64 characters"

# Date-and-time layouts of survey tools' exports, tried in order (ISO first). Day-first and
# month-first layouts with slashes are ambiguous; tools' readers pass the one their tool writes.
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %I:%M:%S %p",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
)
US_DATETIME_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y")
DAY_FIRST_DATETIME_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")


def is_code(text: str) -> bool:
    """Whether ``text`` (already trimmed) is a valid code."""
    return len(text) <= CODE_LIMIT and _CODE.fullmatch(text) is not None


def parse_code(text: str, *, what: str = "code") -> str:
    """A code with surrounding spaces trimmed, or ``InvalidInput``."""
    text = text.strip()
    if not is_code(text):
        raise InvalidInput(f"bad {what} {text!r} ({CODE_RULE})")
    return text


def code_key(text: str) -> str:
    """What two spellings of one participant code share: case, spaces, hyphens, dots and
    underscores ignored (``sjv-02``, ``SJV 02`` and ``SJV02`` give ``sjv02``)."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def parse_date(text: str, *, what: str = "date") -> dt.date:
    """An ISO ``YYYY-MM-DD`` date, or ``InvalidInput`` naming the bad value."""
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        raise InvalidInput(f"bad {what} {text!r} (expected YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"bad {what} {text!r} ({exc})") from None


def date_ordinal(text: str) -> int | None:
    """The proleptic ordinal of an ISO date, or ``None`` if ``text`` is not one (the importer's core)."""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text).toordinal()
    except ValueError:
        return None


def parse_datetime(value: Any, *, month_first: bool = False, what: str = "date") -> dt.datetime:
    """A date and time as survey tools write them (ISO, ``MM/DD/YYYY hh:mm:ss AM``, ``DD.MM.YYYY``,
    Excel's own datetime cells); ``month_first`` chooses how ``a/b/YYYY`` is read."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value).strip()
    slashed = US_DATETIME_FORMATS if month_first else DAY_FIRST_DATETIME_FORMATS
    for layout in (*DATETIME_FORMATS, *slashed):
        try:
            return dt.datetime.strptime(text, layout)
        except ValueError:
            continue
    if _ISO_DATE.fullmatch(text):
        return dt.datetime.combine(parse_date(text, what=what), dt.time())
    raise InvalidInput(f"bad {what} {text!r} (expected a date such as 2024-03-01 or 2024-03-01 09:30)")


def number(text: str, decimal: str | None = None) -> float | None:
    """``text`` (trimmed) as a float, or ``None`` if it is not written as a number.

    ``decimal`` is the file's decimal mark; with a comma a dot is not accepted (``1.5`` in a
    decimal-comma file is a mistake, not one and a half). ``None`` accepts either mark.
    The result may be infinite (``1e999``); callers that need a finite value check.
    """
    if decimal == ",":
        if "." in text:
            return None
        text = text.replace(",", ".", 1)
    elif decimal is None:
        text = text.replace(",", ".", 1)
    if not _NUMBER.fullmatch(text):
        return None
    return float(text)


def parse_float(text: str, *, what: str) -> float:
    """A finite number with either decimal mark, or ``InvalidInput``."""
    value = number(text.strip())
    if value is None:
        raise InvalidInput(f"bad {what} {text!r} (expected a number)")
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidInput(f"bad {what} {text!r} (expected a finite number)")
    return value


def parse_bool(text: str, *, what: str) -> bool:
    key = text.strip().lower()
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    raise InvalidInput(f"bad {what} {text!r} (expected true or false)")


def parse_vocab(vocabulary: type[StrEnum], text: str, *, what: str) -> Any:
    """The member of ``vocabulary`` spelled ``text`` (case and surrounding spaces ignored)."""
    try:
        return vocab.parse(vocabulary, text, what=what)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def column_name(name: str) -> str:
    """A column name as matched: case and spaces ignored (``"Lf 1"`` matches ``lf_1``)."""
    return "_".join(name.strip().lower().split())


def wording_key(text: str) -> str:
    """Question wording as matched: case, whitespace and punctuation ignored, letters kept
    (``"Min chef  ger mig feedback."`` and ``"min chef ger mig feedback"`` are equal)."""
    folded = unicodedata.normalize("NFC", text).casefold()
    kept = "".join(ch if ch.isalnum() else " " for ch in folded)
    return " ".join(kept.split())
