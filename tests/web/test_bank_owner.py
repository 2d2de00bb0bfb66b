"""Whose bank questions are whose: two consultancies each add a question (with the same code, and
one more); each sees only the shipped questions and its own, on the page and in the CLI, and
cannot put the other's in a questionnaire, by the page's POST, by the service or by the CLI.
Another organisation's question answers exactly like a missing one; its code is free for both."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from support import Cli

from kirkpatrick.collect import bank, links, plan, respond
from kirkpatrick.domain.errors import NotFound
from kirkpatrick.domain.vocab import Rater, Wave
from kirkpatrick.services import accounts
from kirkpatrick.storage import db
from kirkpatrick.storage.collect import Answer, Invitation, Question, Questionnaire
from tests.web.conftest import OWN, csrf

OTHER = "VBY-KURS-2025"  # run by Konsult B
A_TEXT, B_TEXT, B_ONLY = "Vad tog du med dig från A?", "Vad tog du med dig från B?", "Hemlig fråga hos B"


def _add(client: FlaskClient, code: str, question: str, sv: str) -> int:
    page = f"/i/{code}/survey/questions"
    data = {
        "b-csrf_token": csrf(client, page),
        "b-code": question,
        "b-kind": "open",
        "b-text_sv": sv,
        "b-text_en": sv,
        "b-measure": "",
        "b-item": "",
        "b-level": "",
        "b-other_sv": "",
        "b-other_en": "",
    }
    return client.post(f"{page}/add", data=data).status_code


@pytest.fixture
def two_banks(as_user: Callable[[str | None], FlaskClient], catalogue: Engine) -> dict[str, FlaskClient]:
    with db.transaction(catalogue) as s:
        from kirkpatrick.services import records

        records.import_measures(s, bank.measures_csv())
        bank.load_bank(s)
    a, b = as_user("consultant"), as_user("consultant_other")
    assert _add(a, OWN, "eget", A_TEXT) == 302
    # The same code at another consultancy: no "code taken", which would tell B that A has one.
    assert _add(b, OTHER, "eget", B_TEXT) == 302
    assert _add(b, OTHER, "bara_b", B_ONLY) == 302
    return {"a": a, "b": b}


def _bank_texts(client: FlaskClient, code: str) -> str:
    response = client.get(f"/i/{code}/survey/questions")
    assert response.status_code == 200
    return BeautifulSoup(response.data, "html.parser").get_text(" ")


def test_each_page_lists_the_shipped_questions_and_its_own_only(
    two_banks: dict[str, FlaskClient], as_user: Callable[[str | None], FlaskClient]
) -> None:
    page_a, page_b = _bank_texts(two_banks["a"], OWN), _bank_texts(two_banks["b"], OTHER)
    assert "kp_satisfaction" in page_a and "kp_satisfaction" in page_b
    assert A_TEXT in page_a and B_TEXT not in page_a and B_ONLY not in page_a and "bara_b" not in page_a
    assert B_TEXT in page_b and B_ONLY in page_b and A_TEXT not in page_b
    # HR of the client works on the intervention with the consultancy that runs it: its bank.
    page_hr = _bank_texts(as_user("hr"), OWN)
    assert A_TEXT in page_hr and B_TEXT not in page_hr and B_ONLY not in page_hr


def test_a_code_taken_in_ones_own_bank_or_the_shipped_one_is_refused(two_banks: dict[str, FlaskClient]) -> None:
    assert _add(two_banks["a"], OWN, "eget", "igen") == 400
    assert _add(two_banks["a"], OWN, "kp_satisfaction", "igen") == 400
    assert _add(two_banks["a"], OWN, "bara_b", "A:s egen") == 302  # B's code tells A nothing


def _post_questionnaire(client: FlaskClient, codes: list[str]) -> tuple[int, str]:
    page = f"/i/{OWN}/survey/questions"
    data = {"c-csrf_token": csrf(client, page), "wave": "pre", "rater": "self", "questions": codes}
    response = client.post(f"{page}/questionnaire", data=data)
    error = BeautifulSoup(response.data, "html.parser").find(id="questions-error")
    return response.status_code, re.sub(r"\s+", " ", error.text if error else "")


def test_the_other_organisations_question_cannot_be_chosen_in_the_page(
    two_banks: dict[str, FlaskClient], catalogue: Engine
) -> None:
    other = _post_questionnaire(two_banks["a"], ["kp_satisfaction", "bara_b"])
    missing = _post_questionnaire(two_banks["a"], ["kp_satisfaction", "finns_inte"])
    assert other[0] == 400 and other[1] and other == missing
    with db.reading(catalogue) as s:
        assert s.scalars(select(Questionnaire)).all() == []
    # Its own question (the code B uses too) goes in as A's.
    assert _post_questionnaire(two_banks["a"], ["eget"])[0] == 302
    with db.reading(catalogue) as s:
        (questionnaire,) = s.scalars(select(Questionnaire)).all()
        assert [q.question.text_sv for q in questionnaire.questions] == [A_TEXT]


def test_the_service_and_the_cli_answer_like_a_missing_question(
    two_banks: dict[str, FlaskClient], catalogue: Engine, db_url: str
) -> None:
    with db.reading(catalogue) as s, pytest.raises(NotFound) as other:
        plan.set_questionnaire(s, OWN, Wave.PRE, Rater.SELF, ["bara_b"])
    with db.reading(catalogue) as s, pytest.raises(NotFound) as missing:
        plan.set_questionnaire(s, OWN, Wave.PRE, Rater.SELF, ["finns_inte"])
    assert str(other.value) == str(missing.value).replace("finns_inte", "bara_b")
    cli = Cli(db_url)
    refused = cli("survey", "questionnaire", OWN, "--wave", "pre", "--question", "bara_b", ok=False)
    absent = cli("survey", "questionnaire", OWN, "--wave", "pre", "--question", "finns_inte", ok=False)
    assert refused.exit_code == absent.exit_code == 1
    assert refused.output == absent.output.replace("finns_inte", "bara_b")
    assert "eget" not in cli("survey", "questions").output  # the shipped bank only
    listed_a = cli("survey", "questions", "--organisation", "Konsult A", "--json").output
    listed_b = cli("survey", "questions", "--organisation", "Konsult B", "--json").output
    assert A_TEXT in listed_a and B_TEXT not in listed_a and "bara_b" not in listed_a and "kp_satisfaction" in listed_a
    assert B_TEXT in listed_b and B_ONLY in listed_b and A_TEXT not in listed_b
    with db.reading(catalogue) as s:
        b_org = accounts.get_organisation(s, "Konsult B").id
        assert bank.get_question(s, "eget", b_org).text_sv == B_TEXT
        with pytest.raises(NotFound):  # no owner (an intervention nobody runs): the shipped questions only
            bank.get_question(s, "eget", None)


def test_answers_go_to_the_forms_own_question_when_two_organisations_share_a_code(
    two_banks: dict[str, FlaskClient], catalogue: Engine
) -> None:
    with db.transaction(catalogue) as s:
        plan.set_questionnaire(s, OTHER, Wave.PRE, Rater.SELF, ["eget"])
        plan.set_questionnaire(s, OWN, Wave.PRE, Rater.SELF, ["eget"])
        plan.set_wave(s, OWN, Wave.PRE, dt.date(2024, 1, 1), dt.date(2024, 1, 14))
        plan.add_respondent(s, OWN, "p001", "p001@example.org")
        invitation = s.scalars(select(Invitation).order_by(Invitation.id.desc())).first()
        assert invitation is not None
        token = links.issue_link(s, invitation.id)
        a_question = bank.get_question(s, "eget", accounts.get_organisation(s, "Konsult A").id).id
    saved = respond.save_answers(catalogue, token, {"eget": "svar"}, submit=False, now=dt.datetime(2024, 1, 2, 9))
    assert saved.saved
    with db.reading(catalogue) as s:
        assert [a.question_id for a in s.scalars(select(Answer))] == [a_question]
        assert s.get_one(Question, a_question).text_sv == A_TEXT


def test_the_cli_adds_to_one_organisations_bank(two_banks: dict[str, FlaskClient], db_url: str) -> None:
    cli = Cli(db_url)

    def add(org: str, sv: str, code: str = "cli_fraga", ok: bool = True) -> str:
        args = ("survey", "add-question", code, "--organisation", org, "--kind", "open", "--sv", sv, "--en", sv)
        result = cli(*args, ok=ok)
        assert result.exit_code == (0 if ok else 1)
        return result.output

    assert "added to the bank of Konsult A" in add("Konsult A", "Från CLI hos A")
    assert "already has a question 'cli_fraga'" in add("Konsult A", "igen", ok=False)
    assert "already has a question 'kp_satisfaction'" in add("Konsult A", "igen", "kp_satisfaction", ok=False)
    add("Konsult B", "Från CLI hos B")  # the same code at Konsult B is free: A's question is not in B's bank
    listed_a = cli("survey", "questions", "--organisation", "Konsult A", "--json").output
    assert "Från CLI hos A" in listed_a and "hos B" not in listed_a
    assert "cli_fraga" not in cli("survey", "questions").output
    page_b = _bank_texts(two_banks["b"], OTHER)
    assert "Från CLI hos B" in page_b and "hos A" not in page_b
