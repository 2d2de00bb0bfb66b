"""The staff pages of built-in data collection: who may use them, the forms (errors tied to their
fields), tracking with the anonymity threshold, and the send button over a local SMTP server."""

from __future__ import annotations

import datetime as dt
import re
import socket
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient

from tests.web.conftest import OWN, csrf

PAGE = f"/i/{OWN}/survey"


class Box:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Box]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    box = Box()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("KIRKPATRICK_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("KIRKPATRICK_BASE_URL", "http://form.example")
    try:
        yield box
    finally:
        controller.stop()


def _post(client: FlaskClient, path: str, prefix: str, **fields: str) -> Any:
    token = csrf(client, PAGE)
    data = {f"{prefix}-csrf_token": token, **{f"{prefix}-{k}": v for k, v in fields.items()}}
    return client.post(f"{PAGE}/{path}", data=data)


def _set_up(client: FlaskClient, today: dt.date) -> None:
    assert _post(client, "questionnaire", "q", wave="pre", rater="self", questions="").status_code == 302
    assert _post(client, "questionnaire", "q", wave="pre", rater="report", questions="").status_code == 302
    opens, closes = (today - dt.timedelta(days=1)).isoformat(), (today + dt.timedelta(days=10)).isoformat()
    response = _post(client, "wave", "w", wave="pre", opens=opens, closes=closes, reminder_days="3", max_reminders="1")
    assert response.status_code == 302
    for who in ("p1", "p2"):
        response = _post(client, "respondent", "r", participant=who, email=f"{who}@kommun.example", lang="sv",
                         rater="self")  # fmt: skip
        assert response.status_code == 302
    response = _post(client, "respondent", "r", participant="p1", email="m1@kommun.example", lang="en", rater="report")
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("role", "status"),
    [("consultant", 200), ("hr", 200), ("client", 403), ("consultant_other", 404), ("hr_other", 404),
     ("client_other", 404), ("admin", 404)],
)  # fmt: skip
def test_who_sees_the_page(as_user: Callable[[str | None], FlaskClient], role: str, status: int) -> None:
    assert as_user(role).get(PAGE).status_code == status
    assert as_user(role).get("/i/NO-SUCH-CODE/survey").status_code in (404, 401)


def test_posts_follow_the_rules(as_user: Callable[[str | None], FlaskClient]) -> None:
    for role, status in (("client", 403), ("hr_other", 404), ("consultant_other", 404)):
        client = as_user(role)
        token = csrf(client, "/")
        response = client.post(f"{PAGE}/send", data={"s-csrf_token": token})
        assert response.status_code == status, role
        data = {"r-csrf_token": token, "r-participant": "x", "r-email": "a@b.se", "r-lang": "sv", "r-rater": "self"}
        response = client.post(f"{PAGE}/respondent", data=data)
        assert response.status_code == status, role


def test_send_needs_the_csrf_token(as_user: Callable[[str | None], FlaskClient]) -> None:
    assert as_user("consultant").post(f"{PAGE}/send", data={}).status_code == 400


def test_set_up_send_and_track(as_user: Callable[[str | None], FlaskClient], smtp: Box) -> None:
    client = as_user("hr")
    today = dt.datetime.now(dt.UTC).date()
    _set_up(client, today)
    page = client.get(PAGE).get_data(as_text=True)
    assert "kp_lb_1, kp_lb_2" in page  # the default questionnaire is listed
    response = _post(client, "send", "s")
    assert response.status_code == 302
    assert sorted(m["To"] for m in smtp.messages) == ["m1@kommun.example", "p1@kommun.example", "p2@kommun.example"]
    assert all(re.search(r"http://form\.example/s/[A-Za-z0-9_-]{43}", m.get_content()) for m in smtp.messages)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Queued 3, sent 3, failed 0" in page
    section = page.split('id="tracking"')[1].split('id="send"')[0]
    rows = re.findall(r"<tr><th scope=\"row\">Before</th><td>([^<]+)</td>(.*?)</tr>", section, re.S)
    cells = {rater: re.findall(r"<td[^>]*>([^<]*)</td>", rest) for rater, rest in rows}
    assert cells["Self-rating"] == ["2", "2", "0", "0", "0"]  # respondents, invited, opened, answered, reminders
    # One direct report is below the threshold of 5: the count of who opened or answered is withheld.
    assert cells["Direct reports"][:2] == ["1", "1"]
    assert "fewer than 5 respondents: not shown" in page
    # Sending again sends nothing new (the outbox keys each message once).
    _post(client, "send", "s")
    assert len(smtp.messages) == 3


def test_send_without_mail_settings_says_so(
    as_user: Callable[[str | None], FlaskClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KIRKPATRICK_SMTP_URL", raising=False)
    client = as_user("consultant")
    response = _post(client, "send", "s")
    assert response.status_code == 302
    assert "KIRKPATRICK_SMTP_URL is not set" in client.get(PAGE).get_data(as_text=True)


def test_errors_are_tied_to_their_fields(as_user: Callable[[str | None], FlaskClient]) -> None:
    client = as_user("consultant")
    response = _post(client, "respondent", "r", participant="p1", email="not-an-address", lang="sv", rater="self")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'id="r-email"[^>]*aria-invalid="true"', page) or re.search(
        r'aria-invalid="true"[^>]*id="r-email"', page
    )
    assert 'id="r-email-error"' in page and "Not an e-mail address." in page
    response = _post(client, "wave", "w", wave="pre", opens="2024-02-10", closes="2024-02-01", reminder_days="3",
                     max_reminders="1")  # fmt: skip
    assert response.status_code == 400
    assert 'id="w-closes-error"' in response.get_data(as_text=True)
    response = _post(client, "questionnaire", "q", wave="pre", rater="self", questions="kp_lb_1, no_such_question")
    assert response.status_code == 400
    assert 'id="q-questions-error"' in response.get_data(as_text=True)


def test_a_swedish_page_shows_the_services_errors_in_swedish(as_user: Callable[[str | None], FlaskClient]) -> None:
    client = as_user("consultant")
    response = _post(client, "questionnaire", "q", wave="pre", rater="self", questions="kp_lb_1, no_such_question")
    hostile = _post(client, "questionnaire", "q", wave="pre", rater="self", questions="<b>x</b>")
    # What was typed is escaped in the message (the error list goes through the templates' gettext).
    assert "&lt;b&gt;x&lt;/b&gt;" in hostile.get_data(as_text=True) and "<b>x</b>" not in hostile.get_data(as_text=True)
    assert "the bank has no question &#39;no_such_question&#39;" in response.get_data(as_text=True)  # English as is
    with client.session_transaction() as session:
        session["lang"] = "sv"
    response = _post(client, "questionnaire", "q", wave="pre", rater="self", questions="kp_lb_1, no_such_question")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "frågebanken har ingen fråga &#39;no_such_question&#39;" in page and "the bank has no" not in page


def test_the_page_is_swedish_by_default(as_user: Callable[[str | None], FlaskClient]) -> None:
    client = as_user("consultant")
    with client.session_transaction() as session:
        session["lang"] = "sv"
    page = client.get(PAGE).get_data(as_text=True)
    assert "Skicka det som ska gå ut nu" in page and "Svarsuppföljning" in page


@pytest.mark.parametrize(("min_raters", "withheld"), [(2, False), (3, True), (None, True)])
def test_tracking_uses_the_clients_own_threshold(
    as_user: Callable[[str | None], FlaskClient], app: Any, min_raters: int | None, withheld: bool
) -> None:
    """Two direct reports: shown when the client's threshold is 2, withheld at 3 and at the default 5."""
    from kirkpatrick.collect import privacy, tracking
    from kirkpatrick.storage import db

    client = as_user("hr")
    today = dt.datetime.now(dt.UTC).date()
    _set_up(client, today)
    response = _post(client, "respondent", "r", participant="p1", email="m2@kommun.example", lang="sv", rater="report")
    assert response.status_code == 302
    engine = app.extensions["kirkpatrick_engine"]
    if min_raters is not None:
        with db.transaction(engine) as s:
            privacy.set_client_settings(s, "Norrby kommun, Socialkontoret", min_raters=min_raters)
    page = client.get(PAGE).get_data(as_text=True)
    section = page.split('id="tracking"')[1].split('id="send"')[0]
    row = re.search(r"<tr><th scope=\"row\">Before</th><td>Direct reports</td>(.*?)</tr>", section, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))
    threshold = min_raters or 5
    if withheld:
        assert cells == ["2", "0", f"fewer than {threshold} respondents: not shown"]
    else:
        assert cells == ["2", "0", "0", "0", "0"]  # respondents, invited, opened, answered, reminders
        assert "fewer than" not in section
    with db.reading(engine) as s:
        rows = {r.rater: r for r in tracking.response_tracking(s, OWN)}
    assert rows["report"].min_group == threshold
    assert tracking.withheld(rows["report"]) is withheld
    # A report's own threshold can only make it stricter.
    assert tracking.withheld(rows["report"], 5) is True
    assert tracking.withheld(rows["self"], 99) is False  # self-ratings are not an anonymous group
