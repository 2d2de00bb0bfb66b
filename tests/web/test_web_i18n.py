"""Every message of the web pages and forms has a Swedish translation (the catalogue's Babel
extraction, which tests/test_i18n.py runs over the whole package, limited here to the web)."""

from __future__ import annotations

from kirkpatrick.reports.environment import missing, python_messages, template_messages


def web_messages() -> list[tuple[str, str | None, str, int]]:
    found = [m for m in template_messages() if m[2].startswith(("web/", "survey/"))]
    found += [m for m in python_messages() if "/web/" in m[2]]
    return found


def test_the_web_has_messages_to_translate() -> None:
    files = {m[2] for m in web_messages()}
    assert len(web_messages()) > 100
    assert any(f.startswith("web/") for f in files) and any(f.endswith(".py") for f in files)


def test_every_web_message_is_translated() -> None:
    assert missing("sv", web_messages()) == []
