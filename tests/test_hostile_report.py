"""Hostile text in every field that reaches a report (client names, titles, consultants, notes,
measure names, feedback quotes and themes): the report shows it as text, runs nothing, and never
fetches anything from outside the file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select, update
from support import Cli

from kirkpatrick.storage import db
from kirkpatrick.storage.models import Client, Feedback, Intervention, Measure

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</style><style>body{background:url(http://evil/x)}</style>",
    "javascript:alert(document.cookie)",
    '\'><svg onload=alert(1)><a href="//evil.example/x">x</a>',
    "<link rel=stylesheet href=https://evil.example/s.css>@import url('//evil/x.css');",
    "{{ 7*7 }} {% raw %} ${7*7} &amp; &lt;b&gt;",
]
LONG = ("<script>alert('long')</script>" + "Å" * 95) * 80  # 10,000 characters
assert len(LONG) == 10_000
# Attributes whose value the browser loads or navigates to.
URL_ATTRIBUTES = {
    "src",
    "href",
    "xlink:href",
    "action",
    "formaction",
    "data",
    "poster",
    "srcset",
    "background",
    "ping",
    "cite",
    "codebase",
    "manifest",
    "longdesc",
    "lowsrc",
    "dynsrc",
}
MEASURES = [  # code, level, min, max, lower is better
    ("lf", "behaviour", 1, 5, False),
    ("know", "learning", 0, 20, False),
    ("recommend", "reaction", 0, 10, False),
    ("sick", "results", 0, 100, True),
]


def _csv_for(participants: int) -> str:
    lines = ["participant,measure,wave,value,rater"]
    for p in range(participants):
        lines += [
            f"p{p:03d},lf,pre,{2 + p % 3 * 0.5},self",
            f"p{p:03d},lf,post,{2.5 + p % 4 * 0.5},self",
            f"p{p:03d},know,pre,{8 + p % 5},self",
            f"p{p:03d},know,post,{11 + p % 6},self",
            f"p{p:03d},recommend,post,{7 + p % 4},self",
            f"p{p:03d},sick,pre,{6 + p % 3},org",
            f"p{p:03d},sick,post,{5 + p % 2},org",
        ]
    return "\n".join(lines) + "\n"


def _hostile_database(url: str, tmp_path: Path, payload: str) -> dict[str, str]:
    """An intervention whose every free-text field holds ``payload`` (tagged per field), entered
    through the commands a user types; returns field -> the exact text stored."""
    text = {
        field: f"{payload} [{field}]"
        for field in (
            "client",
            "title",
            "consultant",
            "notes",
            "quote",
            "theme",
            *(f"measure_{m[0]}" for m in MEASURES),
        )
    }
    text["theme"] = text["theme"][:100]  # the theme's limit; what is stored is what must be shown
    cli = Cli(url)
    cli("init")
    cli("client", "add", text["client"])
    cli(
        "intervention",
        "add",
        "EVIL-1",
        "--client",
        text["client"],
        "--title",
        text["title"][:300],
        "--consultant",
        text["consultant"][:300],
        "--notes",
        text["notes"],
        "--target-group",
        "managers",
        "--format",
        "training_programme",
        "--start",
        "2024-01-01",
        "--end",
        "2024-06-01",
    )
    for code, level, low, high, lower in MEASURES:
        cli(
            "measure",
            "add",
            code,
            "--name",
            text[f"measure_{code}"][:300],
            "--level",
            level,
            "--scale-min",
            str(low),
            "--scale-max",
            str(high),
            *(["--lower-is-better"] if lower else []),
        )
    cli("feedback", "add", "EVIL-1", text["quote"], "--level", "reaction", "--theme", text["theme"], "--cleared")
    data = tmp_path / "values.csv"
    data.write_text(_csv_for(12), encoding="utf-8")
    cli("import", str(data), "--intervention", "EVIL-1")
    return {
        k: v[:300] if k in ("client", "title", "consultant") or k.startswith("measure_") else v for k, v in text.items()
    }


def _long_database(url: str, tmp_path: Path) -> dict[str, str]:
    """The same, then every field set to a 10,000-character string straight in the database
    (longer than the commands accept: as another tool or an old version might have left it)."""
    _hostile_database(url, tmp_path, "x")
    engine = db.make_engine(url)
    with db.transaction(engine) as s:
        s.execute(update(Client).values(name=LONG + "[client]"))
        s.execute(
            update(Intervention).values(
                title=LONG + "[title]", consultant=LONG + "[consultant]", notes=LONG + "[notes]"
            )
        )
        for code, *_ in MEASURES:
            s.execute(update(Measure).where(Measure.code == code).values(name=LONG + f"[measure_{code}]"))
        s.execute(update(Feedback).values(text=LONG + "[quote]", theme=LONG + "[theme]"))
        stored = {"client": s.scalar(select(Client.name)), "quote": s.scalar(select(Feedback.text))}
    engine.dispose()
    assert stored["client"] == LONG + "[client]"  # SQLite keeps what it is given, whatever the declared length
    return {
        "client": LONG + "[client]",
        "title": LONG + "[title]",
        "consultant": LONG + "[consultant]",
        "quote": LONG + "[quote]",
        **{f"measure_{code}": LONG + f"[measure_{code}]" for code, *_ in MEASURES},
    }


def assert_self_contained_and_inert(html: str) -> BeautifulSoup:
    """No script, no event handler, nothing loaded or linked from outside the file."""
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find_all("script") == []
    for forbidden in ("iframe", "object", "embed", "base", "link", "img", "frame", "applet", "form", "input"):
        for element in soup.find_all(forbidden):
            # An inline image is fine; anything that refers outside is not (checked below too).
            assert forbidden == "img" and element.get("src", "").startswith("data:"), str(element)[:200]
    for meta in soup.find_all("meta"):
        assert "refresh" not in str(meta.get("http-equiv", "")).lower(), str(meta)
    for element in soup.find_all(True):
        for name, value in element.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            assert not name.lower().startswith("on"), f"event handler {name} on <{element.name}>"
            if name.lower().startswith("xmlns"):
                continue  # a namespace name, never fetched
            if name.lower() in URL_ATTRIBUTES:
                assert value.startswith("#") or value.startswith("data:"), f"<{element.name} {name}={value[:80]!r}>"
            assert "javascript:" not in value.lower(), f"<{element.name} {name}={value[:80]!r}>"
            assert not re.search(r"https?:|//", value), f"<{element.name} {name}={value[:80]!r}>"
            if name.lower() == "style":
                _assert_css_local(value)
    for style in soup.find_all("style"):
        _assert_css_local(style.get_text())
    return soup


def _assert_css_local(css: str) -> None:
    assert "@import" not in css
    for target in re.findall(r"url\(\s*['\"]?([^'\")]*)", css, flags=re.IGNORECASE):
        assert target.startswith("#") or target.startswith("data:"), f"url({target[:80]})"
    assert not re.search(r"https?:|//", re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)), css[:200]


def _report(url: str, tmp_path: Path, lang: str) -> str:
    out = tmp_path / f"report-{lang}.html"
    result = Cli(url)("report", "EVIL-1", "-o", str(out), "--lang", lang)
    assert "Traceback" not in result.output
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_intervention_report_shows_hostile_text_as_text(payload: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'evil.db'}"
    stored = _hostile_database(url, tmp_path, payload)
    for lang in ("sv", "en"):
        soup = assert_self_contained_and_inert(_report(url, tmp_path, lang))
        shown = soup.get_text()
        # Every field the report shows reaches it verbatim, as text (notes and themes are not shown).
        for field in ("client", "title", "consultant", "quote", *(f"measure_{m[0]}" for m in MEASURES)):
            assert stored[field] in shown, f"{field} not shown as text in the {lang} report"


def test_intervention_report_with_ten_thousand_character_fields(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'long.db'}"
    stored = _long_database(url, tmp_path)
    soup = assert_self_contained_and_inert(_report(url, tmp_path, "en"))
    shown = soup.get_text()
    for field, value in stored.items():
        assert value in shown, f"{field} not shown whole"


@pytest.mark.parametrize("payload", [PAYLOADS[0], PAYLOADS[2], LONG], ids=["script", "style", "long"])
def test_portfolio_report_shows_hostile_text_as_text(payload: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'evil.db'}"
    stored = _hostile_database(url, tmp_path, payload[:250])
    out = tmp_path / "portfolio.html"
    Cli(url)("portfolio", "-o", str(out))
    soup = assert_self_contained_and_inert(out.read_text(encoding="utf-8"))
    shown = soup.get_text()
    for field in ("client", "title"):
        assert stored[field] in shown, f"{field} not shown as text in the portfolio report"


def test_the_checker_catches_what_it_looks_for() -> None:
    """The checks above would fail on a report that did fetch or run something."""
    for bad in (
        "<script>x</script>",
        '<div onclick="x">',
        '<img src="http://evil/x.png">',
        '<div style="background:url(//evil/x)">',
        '<style>@import "x.css";</style>',
        '<svg><image href="https://evil/x.svg"/></svg>',
        '<a href="javascript:alert(1)">x</a>',
        '<link rel="stylesheet" href="s.css">',
        '<meta http-equiv="refresh" content="0;url=http://evil">',
    ):
        with pytest.raises(AssertionError):
            assert_self_contained_and_inert(f"<html><body>{bad}</body></html>")
    assert_self_contained_and_inert(
        '<html><body><svg xmlns="http://www.w3.org/2000/svg"><use href="#a"/></svg>'
        "<p>&lt;script&gt; https://doi.org/10.1 as text</p></body></html>"
    )
