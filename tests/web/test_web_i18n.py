"""Every message of the web pages and forms has a Swedish translation."""

from __future__ import annotations

from pathlib import Path

from kirkpatrick.reports.environment import environment, python_messages, translations

ROOT = Path(__file__).resolve().parents[2]


def web_messages() -> list[tuple[str, str, int]]:
    env = environment("en")
    found = []
    for path in sorted((ROOT / "templates" / "web").glob("*.html")):
        for lineno, _func, message in env.extract_translations(path.read_text(encoding="utf-8")):
            for msg in message if isinstance(message, tuple) else (message,):
                if isinstance(msg, str):
                    found.append((msg, path.name, lineno))
    found += python_messages(sorted((ROOT / "kirkpatrick" / "web").glob("*.py")))
    return found


def test_every_web_message_is_translated() -> None:
    sv = translations("sv")
    plural_ids = {s for s, _p in sv.plurals} | {p for _s, p in sv.plurals}
    missing = sorted({m for m, _f, _l in web_messages() if not sv.messages.get(m) and m not in plural_ids})
    assert missing == []


def test_pages_are_swedish_by_default(app: object) -> None:
    client = app.test_client()  # type: ignore[attr-defined]
    page = client.get("/sign-in").get_data(as_text=True)
    assert '<html lang="sv">' in page and "Logga in" in page
