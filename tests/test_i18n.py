"""Translations (every message has a Swedish translation, found by Babel's extractors) and the
locale formatting (Babel's CLDR data, with the report's true minus sign and no-break spaces)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kirkpatrick.domain.vocab import VOCABULARIES, Level, Rater
from kirkpatrick.reports import environment as i18n


def test_every_msgid_is_translated():
    messages = i18n.all_messages()
    assert len(messages) > 100  # the extractors found the templates' and Python's strings
    files = {f for _m, _c, f, _l in messages}
    assert files >= {
        "intervention.html",
        "_methods.html",
        "kirkpatrick/reports/intervention.py",
        "kirkpatrick/reports/environment.py",
        "kirkpatrick/domain/literature.py",
    }
    gaps = i18n.missing("sv")
    assert gaps == [], "untranslated: " + "; ".join(f"{f}:{line} {m!r}" for m, _c, f, line in gaps)


def test_extraction_scans_every_module_and_template_subfolders(tmp_path: Path):
    # Any module of the package is scanned, not a fixed list.
    assert i18n.PACKAGE / "cli" / "__init__.py" in i18n.python_files() or any(
        p.parts[-2] == "cli" for p in i18n.python_files()
    )
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "page.html").write_text(
        '<p>{{ _("A new page") }} {{ pgettext("rater", "Self-rating") }}</p>', encoding="utf-8"
    )
    found = list(i18n.template_messages(tmp_path))
    assert [(m, c, f) for m, c, f, _l in found] == [
        ("A new page", None, "web/page.html"),
        ("Self-rating", "rater", "web/page.html"),
    ]
    gaps = i18n.missing("sv", found)
    assert [m for m, *_ in gaps] == ["A new page"]  # the context-bound one is translated


def test_missing_detects_an_untranslated_python_message(tmp_path: Path):
    module = tmp_path / "new_module.py"
    module.write_text('from x import N_\nA = N_("Reliable change")\nB = N_("Not in the catalogue")\n', encoding="utf-8")
    found = list(i18n.python_messages([module]))
    assert [m for m, *_ in found] == ["Reliable change", "Not in the catalogue"]
    assert [m for m, *_ in i18n.missing("sv", found)] == ["Not in the catalogue"]


def test_fuzzy_and_empty_entries_count_as_missing(tmp_path: Path, monkeypatch):
    po = tmp_path / "sv.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: sv\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "a"\n"b \\"q\\""\nmsgstr "c"\n"d"\n\n#, fuzzy\nmsgid "e"\nmsgstr "f"\n\nmsgid "g"\nmsgstr ""\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "CATALOGUES", tmp_path)
    found = [('ab "q"', None, "x.py", 1), ("e", None, "x.py", 2), ("g", None, "x.py", 3)]
    assert [m for m, *_ in i18n.missing("sv", found)] == ["e", "g"]
    t = i18n.compile_catalogue(i18n.read_po(po))
    assert t.gettext('ab "q"') == "cd" and t.gettext("e") == "e"  # fuzzy is not compiled


def test_every_vocabulary_member_has_a_label():
    for vocabulary in VOCABULARIES.values():
        for member in vocabulary:
            assert i18n.label(member, "sv") != i18n.label(member, "en") or member.value in ("format",), member


def test_context_separates_words():
    assert i18n.label(Rater.ORG, "sv") == "Registerdata"
    assert i18n.label(Rater.SELF, "sv") == "Självskattning"
    t = i18n.translations("sv")
    assert t.pgettext("factor", "used") == "användes"
    assert t.pgettext("formula", "after") == "efter"
    assert i18n.label(Level.RESULTS, "sv") == "Resultat"


def test_plural_forms_from_the_catalogue_header():
    t = i18n.translations("sv")
    assert t.ngettext("%(num)d respondent", "%(num)d respondents", 1) == "%(num)d svarande"
    assert t.ngettext("%(num)s session", "%(num)s sessions", 1) == "%(num)s träff"
    assert t.ngettext("%(num)s session", "%(num)s sessions", 0) == "%(num)s träffar"
    assert i18n.translations("en").ngettext("%(num)d respondent", "%(num)d respondents", 2) == "%(num)d respondents"


@pytest.mark.parametrize(
    "value,lang,digits,expected",
    [
        (1234.5, "en", 2, "1,234.50"),
        (1234.5, "sv", 2, "1\u00a0234,50"),
        (-0.25, "sv", 2, "\u22120,25"),
        (-1234.5, "en", 1, "\u22121,234.5"),
        (-0.001, "en", 2, "0.00"),
        (0.4, "sv", 1, "0,4"),
        (7, "sv", 0, "7"),
        (float("nan"), "sv", 2, "\u2013"),
    ],
)
def test_format_number(value, lang, digits, expected):
    assert i18n.format_number(value, lang, digits) == expected


def test_format_sign_percent_p_date():
    assert i18n.format_number(0.3, "en", 2, sign=True) == "+0.30"
    assert i18n.format_percent(93.2, "sv") == "93\u00a0%"
    assert i18n.format_percent(93.2, "en") == "93%"
    assert i18n.format_percent(-4, "sv") == "\u22124\u00a0%"
    assert i18n.format_p(0.0004, "sv") == "<\u00a00,001"
    assert i18n.format_p(0.0312, "en") == "0.031"
    assert i18n.format_date(dt.date(2024, 3, 5), "sv") == "5 mars 2024"
    assert i18n.format_date(dt.date(2024, 3, 5), "en") == "5 March 2024"


@pytest.mark.parametrize(
    "start,end,lang,expected",
    [
        (dt.date(2025, 3, 11), dt.date(2025, 3, 12), "sv", "11\u201312 mars 2025"),
        (dt.date(2025, 3, 11), dt.date(2025, 3, 11), "sv", "11 mars 2025"),
        (dt.date(2024, 2, 1), dt.date(2024, 12, 13), "sv", "1 februari\u00a0\u2013 13 december 2024"),
        (dt.date(2024, 1, 15), dt.date(2025, 12, 10), "en", "15 January 2024\u00a0\u2013 10 December 2025"),
    ],
)
def test_format_period(start, end, lang, expected):
    assert i18n.format_period(start, end, lang) == expected


def test_unknown_language():
    with pytest.raises(ValueError, match="lang must be one of en, sv, but got 'de'"):
        i18n.translations("de")
