"""User mistakes (:class:`KirkpatrickError`) in the page's language.

The layers below the faces word their errors in English, once, for the CLI and the logs; they
carry values (a file's cell, a code, a date) inside the sentence. Here each known sentence is
recognised by a pattern, its values taken out, and the sentence put again through the catalogue
with the same values (``%(value)s``). An English page shows the original message as it is. A
message no pattern knows still gets a sentence in the page's language that says what kind of
problem it is, followed by the original detail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kirkpatrick.domain.errors import Duplicate, InvalidInput, KirkpatrickError, NotFound
from kirkpatrick.reports.environment import N_
from kirkpatrick.web.common import _, lang

_VALUE = r"(?P<value>'.*?'|\".*?\")"


@dataclass(frozen=True)
class _Known:
    pattern: re.Pattern[str]
    message: str  # an English msgid whose placeholders are the pattern's groups


def _known(pattern: str, message: str) -> _Known:
    return _Known(re.compile(pattern, re.S), message)


KNOWN = (
    # Values in cells and fields (domain.parsing, io.validate)
    _known(rf"bad (?:[\w -]+ )?{_VALUE} \(expected YYYY-MM-DD\)", N_("%(value)s is not a date (write YYYY-MM-DD)")),
    _known(rf"bad [\w -]+ {_VALUE} \(letters, digits.*\)", N_("%(value)s is not a valid code")),
    _known(rf"bad [\w -]+ {_VALUE} \((?:[^)]*?)\)", N_("%(value)s is not a valid value")),
    _known(r"(?P<value>.+?) is not a (?:finite )?number(?: \(.*\))?", N_("%(value)s is not a number")),
    _known(
        r"(?P<value>.+?) is outside the scale of (?P<measure>\S+) \((?P<low>\S+) to (?P<high>\S+)\)",
        N_("%(value)s is outside the scale of %(measure)s (%(low)s to %(high)s)"),
    ),
    _known(
        rf"unknown [\w -]+ {_VALUE} \(expected one of: (?P<allowed>.*)\)",
        N_("unknown value %(value)s (allowed: %(allowed)s)"),
    ),
    _known(rf"unknown measure {_VALUE}", N_("unknown measure %(value)s")),
    _known(rf"unknown intervention {_VALUE}", N_("unknown intervention %(value)s")),
    _known(rf"unknown column {_VALUE}(?: \(.*\))?", N_("unknown column %(value)s")),
    _known(rf"missing column {_VALUE}(?: \(.*\))?", N_("the column %(value)s is missing")),
    _known(rf"column {_VALUE} appears twice", N_("the column %(value)s appears twice")),
    _known(r"empty(?: [\w -]+)?|no participant code", N_("the cell is empty")),
    _known(r"expected (?P<want>\d+) fields, found (?P<got>\d+)", N_("expected %(want)s fields, found %(got)s")),
    _known(r"wide layout needs --wave \(or a 'wave' column\)", N_("choose the wave: the file has no wave column")),
    # Whole files (io, services.uploads)
    _known(r"file is empty", N_("the file is empty")),
    _known(r"no rows after the header", N_("the file has no rows after the header")),
    _known(r"no measurements in the file|no measure or item columns", N_("the file has no measurements")),
    _known(r"the file is not a readable \.xlsx workbook", N_("the file is not a readable .xlsx workbook")),
    _known(
        r"the workbook unpacks to far more than its size; refused",
        N_("the workbook unpacks to far more than its size and was refused"),
    ),
    # Forms (services.records, services.accounts, services.sharing, services.portfolio)
    _known(
        r"(?:--until|end date) (?P<until>\S+) is before (?:--since|start date) (?P<since>\S+)",
        N_("the end date %(until)s is before the start date %(since)s"),
    ),
    _known(r"(?:intervention \S+: )?[\w -]+ (?:is required|must not be empty)", N_("this field is required")),
    _known(
        r"[\w -]+ is too long \((?P<n>\d+) characters, at most (?P<limit>\d+)\)",
        N_("too long: %(n)s characters, at most %(limit)s"),
    ),
    _known(
        r"password must have at least (?P<n>\d+) characters", N_("the password must have at least %(n)s characters")
    ),
    _known(rf"not an e-mail address: {_VALUE}", N_("%(value)s is not an e-mail address")),
    _known(r"user (?P<value>\S+) already exists", N_("there is already a user %(value)s")),
    _known(rf"(?:intervention|client|measure) {_VALUE} already exists", N_("%(value)s already exists")),
    _known(rf"no (?:intervention|client|organisation) {_VALUE}", N_("%(value)s was not found")),
    # Built-in collection (collect.bank, collect.plan)
    _known(rf"the bank has no question {_VALUE}", N_("the question bank has no question %(value)s")),
    _known(r"a question is named twice", N_("a question is chosen twice")),
    _known(rf"the bank already has a question {_VALUE}", N_("the question bank already has a question %(value)s")),
    _known(r"give at least one session date", N_("give at least one session date")),
    _known(
        r"measure \S+: (?P<n>\d+) answer labels for a scale of (?P<low>\S+) to (?P<high>\S+) "
        r"\(give one label per step, lowest first\)",
        N_("%(n)s answer labels for a scale of %(low)s to %(high)s: give one label per step, lowest first"),
    ),
    _known(r"a link must expire within 1 to (?P<n>\d+) days", N_("a link must expire within 1 to %(n)s days")),
)

# When no pattern knows the sentence: what kind of problem, then the detail as written.
KINDS: tuple[tuple[type[KirkpatrickError], str], ...] = (
    (NotFound, N_("Not found: %(detail)s")),
    (Duplicate, N_("Already exists: %(detail)s")),
    (InvalidInput, N_("The value could not be accepted: %(detail)s")),
    (KirkpatrickError, N_("The request could not be carried out: %(detail)s")),
)

_LOCATION = re.compile(r"^(?:[^\s:]+:)?\d+:(?:[^:]+:)?\s")


def translate(text: str, kind: type[KirkpatrickError] = KirkpatrickError) -> str:
    """One error sentence (without its ``file:line:column:`` prefix) in the page's language."""
    if lang() == "en":
        return text
    clean = text.strip()
    for known in KNOWN:
        found = known.pattern.fullmatch(clean)
        if found is not None:
            return _(known.message, **{k: v for k, v in found.groupdict().items() if v is not None})
    for cls, message in KINDS:
        if issubclass(kind, cls):
            return _(message, detail=clean)
    return clean  # not reached: KirkpatrickError is the last kind


def message(exc: KirkpatrickError) -> str:
    """The error's message in the page's language, without the file name the upload was saved under."""
    text = exc.message if isinstance(exc, InvalidInput) else _LOCATION.sub("", str(exc), count=1)
    return translate(text, type(exc))


__all__ = ["KINDS", "KNOWN", "message", "translate"]
