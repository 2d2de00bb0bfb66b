"""Translations (every msgid has a Swedish translation) and locale formatting."""

from __future__ import annotations

import datetime as dt

import pytest

from kirkpatrick.domain.vocab import VOCABULARIES
from kirkpatrick.reports import environment as i18n


def test_every_msgid_is_translated():
    messages = i18n.all_messages()
    assert len(messages) > 100  # the extractor found the templates' and Python's strings
    assert {f for _m, f, _l in messages} >= {
        "intervention.html",
        "_methods.html",
        "intervention.py",
        "environment.py",
        "literature.py",
    }
    gaps = i18n.missing("sv")
    assert gaps == [], "untranslated: " + "; ".join(f"{f}:{line} {m!r}" for m, f, line in gaps)


def test_missing_detects_an_untranslated_msgid(monkeypatch):
    before = {m for m, _f, _l in i18n.missing("sv")}
    t = i18n.translations("sv")
    monkeypatch.setattr(
        i18n,
        "translations",
        lambda lang: i18n.Translations(
            "sv", {k: v for k, v in t.messages.items() if k != "Reliable change"}, t.plurals
        ),
    )
    assert {m for m, _f, _l in i18n.missing("sv")} - before == {"Reliable change"}


def test_every_vocabulary_member_has_a_label():
    for vocabulary in VOCABULARIES.values():
        for member in vocabulary:
            assert i18n.label(member, "sv") != i18n.label(member, "en") or member.value in ("format",), member


def test_plural_forms():
    t = i18n.translations("sv")
    assert t.ngettext("%(num)d respondent", "%(num)d respondents", 1) == "%(num)d svarande"
    assert i18n.translations("en").ngettext("%(num)d respondent", "%(num)d respondents", 2) == "%(num)d respondents"


def test_read_po_handles_continuations_escapes_and_fuzzy(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: sv\\n"\n\nmsgid "a"\n"b \\"q\\""\nmsgstr "c"\n"d"\n\n'
        '#, fuzzy\nmsgid "e"\nmsgstr "f"\n',
        encoding="utf-8",
    )
    messages, _ = i18n.read_po(po)
    assert messages == {'ab "q"': "cd"}


@pytest.mark.parametrize(
    "value,lang,digits,expected",
    [
        (1234.5, "en", 2, "1,234.50"),
        (1234.5, "sv", 2, "1\u00a0234,50"),
        (-0.25, "sv", 2, "\u22120,25"),
        (-0.001, "en", 2, "0.00"),
        (0.4, "sv", 1, "0,4"),
        (float("nan"), "sv", 2, "\u2013"),
    ],
)
def test_format_number(value, lang, digits, expected):
    assert i18n.format_number(value, lang, digits) == expected


def test_format_sign_percent_p_date():
    assert i18n.format_number(0.3, "en", 2, sign=True) == "+0.30"
    assert i18n.format_percent(93.2, "sv") == "93\u00a0%"
    assert i18n.format_percent(93.2, "en") == "93%"
    assert i18n.format_p(0.0004, "sv") == "<\u00a00,001"
    assert i18n.format_p(0.0312, "en") == "0.031"
    assert i18n.format_date(dt.date(2024, 3, 5), "sv") == "5 mars 2024"
    assert i18n.format_date(dt.date(2024, 3, 5), "en") == "5 March 2024"


def test_unknown_language():
    with pytest.raises(ValueError, match="lang must be one of en, sv, but got 'de'"):
        i18n.translations("de")
