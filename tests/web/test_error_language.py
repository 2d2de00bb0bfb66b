"""Errors worded in English below the web are shown in Swedish on Swedish pages."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask import Flask, g
from flask.testing import FlaskClient

from kirkpatrick.domain.errors import Duplicate, InvalidInput, KirkpatrickError, NotFound
from kirkpatrick.domain.parsing import parse_code, parse_date
from kirkpatrick.web import errors
from tests.web.conftest import OWN, csrf


def _in(app: Flask, language: str, exc: KirkpatrickError) -> str:
    with app.test_request_context("/"):
        g.lang = language
        return errors.message(exc)


def _raised(call: Callable[[], object]) -> KirkpatrickError:
    with pytest.raises(KirkpatrickError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize(
    ("exc", "swedish"),
    [
        (
            _raised(lambda: parse_date("31/12/2024", what="start date")),
            "'31/12/2024' är inte ett datum (skriv ÅÅÅÅ-MM-DD)",
        ),
        (_raised(lambda: parse_code("a b", what="intervention code")), "'a b' är ingen giltig kod"),
        (InvalidInput("password must have at least 10 characters"), "lösenordet måste ha minst 10 tecken"),
        (Duplicate("intervention 'NRB-1' already exists"), "'NRB-1' finns redan"),
        (NotFound("no client 'Norrby'"), "'Norrby' hittades inte"),
        (InvalidInput("'x' is not a number", path="f.csv", line=3, column="value"), "'x' är inte ett tal"),
        (
            InvalidInput(
                "measure trygghet: 2 answer labels for a scale of 1 to 5 (give one label per step, lowest first)"
            ),
            "2 svarsalternativ för en skala från 1 till 5: ge ett alternativ per steg, det lägsta först",
        ),
    ],
)
def test_known_messages_in_swedish_and_english_unchanged(app: Flask, exc: KirkpatrickError, swedish: str) -> None:
    assert _in(app, "sv", exc).startswith(swedish)
    english = exc.message if isinstance(exc, InvalidInput) else str(exc)
    assert _in(app, "en", exc) == english


def test_an_unknown_message_still_gets_a_swedish_sentence(app: Flask) -> None:
    shown = _in(app, "sv", InvalidInput("a sentence no pattern knows"))
    assert shown == "Uppgiften kunde inte godtas (på engelska: a sentence no pattern knows)"
    assert _in(app, "sv", NotFound("nothing like it")).startswith("Hittades inte")


def test_import_preview_errors_in_swedish(as_user: Callable[[str | None], FlaskClient]) -> None:
    client = as_user("hr")
    with client.session_transaction() as session:
        session["lang"] = "sv"
    data = b"participant,measure,wave,rater,value\nQ1,knowledge,post,self,abc\nQ2,nosuch,post,self,3\n"
    fields = {"csrf_token": csrf(client, f"/i/{OWN}/import"), "file": (io.BytesIO(data), "x.csv")}
    page = client.post(
        f"/i/{OWN}/import", data={**fields, "layout": "", "wave": "", "rater": ""},
        content_type="multipart/form-data", follow_redirects=True,
    ).get_data(as_text=True).replace("&#39;", "'")  # fmt: skip
    assert "'abc' är inte ett tal" in page and "okänt mått 'nosuch'" in page
    assert "is not a number" not in page and "unknown measure" not in page
    assert "csv, utf-8, avgränsare komma, decimalpunkt" in page  # how the file is written, in Swedish too
    # The same file on an English page: the importer's own words.
    with client.session_transaction() as session:
        session["lang"] = "en"
    english = client.get(f"/i/{OWN}/import/preview").get_data(as_text=True).replace("&#39;", "'")
    assert "'abc' is not a number" in english and "unknown measure 'nosuch'" in english
    assert "csv, utf-8, delimiter comma, decimal point" in english


def test_a_form_error_in_swedish(as_user: Callable[[str | None], FlaskClient]) -> None:
    client = as_user("consultant")
    with client.session_transaction() as session:
        session["lang"] = "sv"
    form = {
        "csrf_token": csrf(client, "/new"), "code": "NY-1", "title": "Ny insats",
        "client": "Norrby kommun, Socialkontoret", "consultant": "K", "target_group": "managers",
        "format": "training_programme",
        "start": "2025-06-01", "end": "2025-01-01", "notes": "",
    }  # fmt: skip
    page = client.post("/new", data=form).get_data(as_text=True)
    assert "slutdatumet 2025-01-01 ligger före startdatumet 2025-06-01" in page
    assert "is before start date" not in page


@pytest.mark.parametrize(("language", "expected"), [("sv", "Inte ett giltigt val"), ("en", "Not a valid choice")])
def test_wtforms_own_messages_in_the_pages_language(
    as_user: Callable[[str | None], FlaskClient], language: str, expected: str
) -> None:
    """A value outside a select's choices: WTForms' own message, from the catalogue WTForms ships."""
    client = as_user("consultant")
    with client.session_transaction() as session:
        session["lang"] = language
    form = {
        "csrf_token": csrf(client, "/new"), "code": "NY-2", "title": "Ny insats",
        "client": "Norrby kommun, Socialkontoret", "consultant": "K", "target_group": "no-such-group",
        "format": "training_programme", "start": "2025-01-01", "end": "2025-06-01", "notes": "",
    }  # fmt: skip
    page = client.post("/new", data=form).get_data(as_text=True)
    assert expected in page
    if language == "sv":
        assert "Not a valid choice" not in page
