"""The question editor and the e-mail editor: who may use them, errors tied to fields, what is
saved (and audited), and that typed text is escaped in the page, the preview and the sent mail."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from kirkpatrick.collect import mail, plan
from kirkpatrick.storage import db
from kirkpatrick.storage.accounts import AuditEvent
from kirkpatrick.storage.collect import MailTemplate, Question
from tests.web.conftest import OWN, csrf
from tests.web.test_surveys import Box, smtp  # noqa: F401  (the SMTP fixture)

QUESTIONS = f"/i/{OWN}/survey/questions"
MAIL = f"/i/{OWN}/survey/mail"
HOSTILE = '<script>alert("x")</script> & <b>'


def _bank(client: FlaskClient) -> None:
    """The staff page's first questionnaire loads the shipped bank and its measures."""
    token = csrf(client, f"/i/{OWN}/survey")
    data = {"q-csrf_token": token, "q-wave": "pre", "q-rater": "self", "q-questions": ""}
    assert client.post(f"/i/{OWN}/survey/questionnaire", data=data).status_code == 302


def _add(client: FlaskClient, **fields: str) -> Any:
    token = csrf(client, QUESTIONS)
    fields = {"measure": "", "item": "", "level": "", "other_sv": "", "other_en": "", **fields}  # as a browser posts
    data = {"b-csrf_token": token, **{f"b-{k}": v for k, v in fields.items()}}
    return client.post(f"{QUESTIONS}/add", data=data)


def _audit(app: Flask, action: str) -> list[tuple[str | None, str | None]]:
    with db.reading(app.extensions["kirkpatrick_engine"]) as s:
        return [(a.target, a.detail) for a in s.scalars(select(AuditEvent).where(AuditEvent.action == action))]


def test_a_consultant_adds_a_question_and_puts_it_in_a_questionnaire(
    as_user: Callable[[str | None], FlaskClient], app: Flask
) -> None:
    client = as_user("consultant")
    _bank(client)
    page = client.get(QUESTIONS + "?wave=pre&rater=self").get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    checked = [i["value"] for i in soup.select('input[name="questions"][checked]')]
    with db.reading(app.extensions["kirkpatrick_engine"]) as s:
        default = plan.describe(s, OWN).questionnaires[0].questions
    assert sorted(checked) == sorted(default) and "kp_lb_1" in checked  # the default set
    response = _add(client, code="own_goal", kind="scale", measure="kp_confidence",
                    text_sv=f"Jag vet vad jag ska göra {HOSTILE}", text_en="I know what to do next")  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    with db.reading(app.extensions["kirkpatrick_engine"]) as s:
        added = s.scalars(select(Question).where(Question.code == "own_goal")).one()
        assert added.measure is not None and added.measure.code == "kp_confidence" and not added.shipped
    with client.session_transaction() as session:
        session["lang"] = "sv"
    page = client.get(QUESTIONS).get_data(as_text=True)
    assert HOSTILE not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;" in page
    # Choose two questions, in the bank's order after the ones already asked.
    token = csrf(client, QUESTIONS)
    data = {"c-csrf_token": token, "wave": "post", "rater": "manager", "questions": ["own_goal", "kp_lb_2"]}
    assert client.post(f"{QUESTIONS}/questionnaire", data=data).status_code == 302
    with db.reading(app.extensions["kirkpatrick_engine"]) as s:
        described = {(q.wave, q.rater): q.questions for q in plan.describe(s, OWN).questionnaires}
    assert described[("post", "manager")] == ["kp_lb_2", "own_goal"]
    # The respondent's form shows the typed wording as text, never as markup.
    from kirkpatrick.collect import links
    from kirkpatrick.domain.vocab import Rater, Wave
    from kirkpatrick.storage.collect import Invitation

    today = dt.datetime.now(dt.UTC).date()
    with db.transaction(app.extensions["kirkpatrick_engine"]) as s:
        plan.set_wave(s, OWN, Wave.POST, today - dt.timedelta(days=1), today + dt.timedelta(days=5))
        plan.add_respondent(s, OWN, "p9", "chef9@kommun.example", rater=Rater.MANAGER, lang="sv")
        invitation = s.scalars(select(Invitation).where(Invitation.wave == Wave.POST)).one()
        token = links.issue_link(s, invitation.id)
    form = client.get(f"/s/{token}").get_data(as_text=True)
    assert "Jag vet vad jag ska göra &lt;script&gt;" in form and "<script>" not in form
    assert _audit(app, "survey_question_add") == [(OWN, "own_goal")]
    assert (OWN, "post/manager: 2") in _audit(app, "survey_questionnaire")


def test_question_errors_are_tied_to_their_fields(as_user: Callable[[str | None], FlaskClient]) -> None:
    client = as_user("consultant")
    _bank(client)
    response = _add(client, code="Bad code", kind="scale", measure="", text_sv="", text_en="x")
    assert response.status_code == 400
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    for name in ("b-code", "b-text_sv"):
        field = soup.find(id=name)
        assert field is not None and field["aria-invalid"] == "true" and field["aria-describedby"] == f"{name}-error"
        assert soup.find(id=f"{name}-error") is not None
    response = _add(client, code="dup", kind="scale", measure="", text_sv="a", text_en="b")
    assert 'id="b-measure-error"' in response.get_data(as_text=True)
    response = _add(client, code="kp_lb_1", kind="open", text_sv="a", text_en="b")
    assert response.status_code == 400 and "already has a question with this code" in response.get_data(as_text=True)
    response = _add(client, code="lb_x", kind="scale", measure="kp_lb", item="nope", text_sv="a", text_en="b")
    assert 'id="b-item-error"' in response.get_data(as_text=True)
    token = csrf(client, QUESTIONS)
    response = client.post(f"{QUESTIONS}/questionnaire", data={"c-csrf_token": token, "wave": "pre", "rater": "self"})
    assert response.status_code == 400 and 'id="questions-error"' in response.get_data(as_text=True)
    response = client.post(f"{QUESTIONS}/questionnaire", data={"c-csrf_token": token, "questions": ["no_such"]})
    assert response.status_code == 400


def test_hr_chooses_questions_but_does_not_add_to_the_bank(as_user: Callable[[str | None], FlaskClient]) -> None:
    client = as_user("hr")
    _bank(client)
    page = client.get(QUESTIONS).get_data(as_text=True)
    assert 'action="/i/NRB-LG-2024/survey/questions/add"' not in page
    response = _add(client, code="hr_q", kind="open", text_sv="a", text_en="b")
    assert response.status_code == 403


def _mail(client: FlaskClient, **fields: str) -> Any:
    token = csrf(client, MAIL)
    data = {"m-csrf_token": token, **{k if k in ("kind", "text_lang", "action") else f"m-{k}": v
                                      for k, v in fields.items()}}  # fmt: skip
    return client.post(MAIL, data=data)


def test_the_mail_editor_previews_saves_and_escapes(
    as_user: Callable[[str | None], FlaskClient],
    app: Flask,
    smtp: Box,  # noqa: F811
) -> None:
    client = as_user("hr")
    page = client.get(MAIL + "?kind=reminder&text_lang=en").get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find(id="m-subject")["value"].startswith("Reminder: survey about")  # type: ignore[index]
    assert "https://survey.example/s/" in soup.find(id="preview-body").get_text()  # type: ignore[union-attr]
    body = f"Hej {HOSTILE}\n$title\nLänk: $link\n"
    response = _mail(client, kind="invite", text_lang="sv", subject=f"Om $title {HOSTILE}", body=body, action="preview")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert HOSTILE not in html
    preview = BeautifulSoup(html, "html.parser")
    assert preview.find(id="preview-subject").get_text().endswith(HOSTILE)  # type: ignore[union-attr]
    assert HOSTILE in preview.find(id="preview-body").get_text()  # type: ignore[union-attr]
    with db.reading(app.extensions["kirkpatrick_engine"]) as s:
        assert s.scalars(select(MailTemplate)).first() is None  # a preview saves nothing
    # No link: refused, the error tied to the message field.
    response = _mail(client, kind="invite", text_lang="sv", subject="Om", body="Ingen länk", action="save")
    assert response.status_code == 400
    field = BeautifulSoup(response.get_data(as_text=True), "html.parser").find(id="m-body")
    assert field is not None and field["aria-describedby"] == "m-body-error"
    assert _mail(client, kind="invite", text_lang="sv", subject=f"Om $title {HOSTILE}", body=body,
                 action="save").status_code == 302  # fmt: skip
    assert _audit(app, "survey_mail_template") == [(OWN, "invite/sv")]
    # The saved text goes out as plain text, exactly as typed.
    engine = app.extensions["kirkpatrick_engine"]
    today = dt.datetime.now(dt.UTC).date()
    with db.transaction(engine) as s:
        from kirkpatrick.collect import bank
        from kirkpatrick.services import records

        if bank.missing_measures(s):
            records.import_measures(s, bank.measures_csv())
        bank.load_bank(s)
        from kirkpatrick.domain.vocab import Rater, Wave

        plan.set_questionnaire(s, OWN, Wave.PRE, Rater.SELF)
        plan.set_wave(s, OWN, Wave.PRE, today - dt.timedelta(days=1), today + dt.timedelta(days=5))
        plan.add_respondent(s, OWN, "p1", "p1@kommun.example", lang="sv")
    assert mail.send_due_now(engine).sent == 1
    [message] = smtp.messages
    assert message.get_content_type() == "text/plain"
    assert message["Subject"].endswith(HOSTILE)
    content = message.get_content()
    assert f"Hej {HOSTILE}" in content and re.search(r"http://form\.example/s/[A-Za-z0-9_-]{43}", content)


def test_a_subject_with_a_line_break_is_refused(as_user: Callable[[str | None], FlaskClient]) -> None:
    client = as_user("consultant")
    response = _mail(client, kind="invite", text_lang="en", subject="Hi\r\nBcc: x@evil.example", body="$link",
                     action="save")  # fmt: skip
    assert response.status_code == 400
    assert 'id="m-subject-error"' in response.get_data(as_text=True)


def test_the_pages_are_in_swedish(as_user: Callable[[str | None], FlaskClient]) -> None:
    client = as_user("consultant")
    with client.session_transaction() as session:
        session["lang"] = "sv"
    _bank(client)
    assert "Lägg till en fråga i frågebanken" in client.get(QUESTIONS).get_data(as_text=True)
    assert "Förhandsgranska" in client.get(MAIL).get_data(as_text=True)


def test_a_measures_name_in_the_question_forms_select_is_escaped(
    app: Flask, as_user: Callable[[str | None], FlaskClient]
) -> None:
    """Select labels (and every label and hint of a form) are shown as plain text: a name typed with
    markup and a per cent sign comes out escaped and unchanged, never as HTML or a format error."""
    from kirkpatrick.storage.models import Measure

    client = as_user("consultant")
    _bank(client)
    with db.transaction(app.extensions["kirkpatrick_engine"]) as s:
        s.scalars(select(Measure).where(Measure.code == "kp_confidence")).one().name = f"{HOSTILE} 100%"
    page = client.get(QUESTIONS).get_data(as_text=True)
    assert HOSTILE not in page
    option = BeautifulSoup(page, "html.parser").select_one('select[name="b-measure"] option[value="kp_confidence"]')
    assert option is not None and option.get_text() == f"kp_confidence: {HOSTILE} 100%"
