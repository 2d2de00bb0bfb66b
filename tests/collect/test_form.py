"""The form end to end through Flask's test client: answers land as measurements."""

from __future__ import annotations

import datetime as dt
import re

from bs4 import BeautifulSoup
from collect_helpers import CODE, make_app
from sqlalchemy import Engine, select, text

from kirkpatrick.collect import links, respond, tracking
from kirkpatrick.domain.vocab import Rater, Wave
from kirkpatrick.storage import db
from kirkpatrick.storage.collect import Invitation, Link


def _link(
    engine: Engine,
    participant: str = "p1",
    wave: Wave = Wave.PRE,
    rater: Rater = Rater.SELF,
    email: str = "p1@example.org",
) -> str:
    from kirkpatrick.collect import plan

    with db.transaction(engine) as s:
        plan.add_respondent(s, CODE, participant, email, rater=rater)
        invitation = s.scalars(
            select(Invitation)
            .join(Invitation.participant)
            .where(Invitation.wave == wave, Invitation.rater == rater)
            .order_by(Invitation.id.desc())
        ).first()
        assert invitation is not None
        return links.issue_link(s, invitation.id)


def _measurements(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as c:
        return [
            tuple(r)
            for r in c.execute(
                text(
                    "SELECT p.code, m.code, wave, rater, value FROM measurement "
                    "JOIN measure m ON m.id = measure_id JOIN participant p ON p.id = participant_id "
                    "ORDER BY p.code, m.code, wave, rater"
                )
            )
        ]


def _csrf(html: str) -> str:
    found = BeautifulSoup(html, "html.parser").find("input", {"name": "csrf_token"})
    assert found is not None
    return str(found["value"])


def _full_answers(html: str, value: str = "4") -> dict[str, str]:
    soup = BeautifulSoup(html, "html.parser")
    names = {i["name"] for i in soup.find_all("input", {"type": "radio"})}
    return {str(n): value for n in names}


def test_only_the_hash_of_a_token_is_stored(collecting: Engine) -> None:
    token = _link(collecting)
    assert len(token) >= 22  # 128 bits in URL-safe base64 is 22 characters; ours are 256 bits
    with db.reading(collecting) as s:
        stored = list(s.scalars(select(Link.token_hash)))
    assert token not in stored
    assert links.hash_token(token) in stored


def test_answers_become_measurements_and_can_be_changed(collecting: Engine, monkeypatch) -> None:
    monkeypatch.setattr(respond, "_utcnow", lambda: dt.datetime(2024, 1, 5, 12))
    token = _link(collecting)
    client = make_app(collecting).test_client()
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    soup = BeautifulSoup(page.text, "html.parser")
    # Every scale is a fieldset with a legend; every radio has a label around it.
    assert len(soup.find_all("fieldset")) == 12
    assert all(f.find("legend") for f in soup.find_all("fieldset"))
    assert not soup.find_all(["script", "img", "link"])
    answers = _full_answers(page.text)
    answers["kp_lb_4"] = "2"  # the reverse-worded item: 2 counts as 4
    response = client.post(f"/s/{token}", data={**answers, "action": "submit", "csrf_token": _csrf(page.text)})
    assert response.status_code == 303
    thanks = client.get(response.headers["Location"])
    assert "Tack!" in thanks.text
    stored = _measurements(collecting)
    assert ("p1", "kp_lb", "pre", "self", 4.0) in stored
    assert ("p1", "kp_team", "pre", "self", 4.0) in stored
    assert ("p1", "kp_confidence", "pre", "self", 4.0) in stored
    # Changed before the wave closes: the measurement is replaced, not duplicated.
    page = client.get(f"/s/{token}")
    assert "redan svarat" in page.text
    answers["kp_lb_1"] = "1"
    client.post(f"/s/{token}", data={**answers, "action": "submit", "csrf_token": _csrf(page.text)})
    lb = [r for r in _measurements(collecting) if r[1] == "kp_lb"]
    assert lb == [("p1", "kp_lb", "pre", "self", (1 + 4 + 4 + 4 + 4 + 4) / 6)]
    with db.reading(collecting) as s:
        counts = {(r.wave, r.rater): r for r in tracking.response_tracking(s, CODE)}
    assert counts[("pre", "self")].opened == 1 and counts[("pre", "self")].answered == 1


def test_missing_answers_are_errors_tied_to_fields_and_nothing_is_stored(collecting: Engine, monkeypatch) -> None:
    monkeypatch.setattr(respond, "_utcnow", lambda: dt.datetime(2024, 1, 5, 12))
    token = _link(collecting)
    client = make_app(collecting).test_client()
    page = client.get(f"/s/{token}?lang=en")
    answers = _full_answers(page.text)
    del answers["kp_lb_2"]
    response = client.post(
        f"/s/{token}", data={**answers, "action": "submit", "lang": "en", "csrf_token": _csrf(page.text)}
    )
    assert response.status_code == 422
    soup = BeautifulSoup(response.text, "html.parser")
    fieldset = soup.find("fieldset", id="kp_lb_2")
    assert fieldset is not None and fieldset["aria-describedby"] == "kp_lb_2-error"
    assert soup.find(id="kp_lb_2-error").get_text(strip=True) == "Choose an answer."
    assert soup.find("a", href="#kp_lb_2-first") is not None
    # The other answers are shown again as given.
    assert soup.find("input", {"name": "kp_lb_1", "value": "4"}).has_attr("checked")
    assert _measurements(collecting) == []


def test_save_and_continue_later_stores_no_measurement(collecting: Engine, monkeypatch) -> None:
    monkeypatch.setattr(respond, "_utcnow", lambda: dt.datetime(2024, 1, 5, 12))
    token = _link(collecting)
    client = make_app(collecting).test_client()
    page = client.get(f"/s/{token}")
    response = client.post(f"/s/{token}", data={"kp_lb_1": "5", "action": "save", "csrf_token": _csrf(page.text)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/saved?lang=sv")
    assert _measurements(collecting) == []
    again = BeautifulSoup(client.get(f"/s/{token}").text, "html.parser")
    assert again.find("input", {"name": "kp_lb_1", "value": "5"}).has_attr("checked")


def test_post_without_csrf_token_is_refused(collecting: Engine, monkeypatch) -> None:
    monkeypatch.setattr(respond, "_utcnow", lambda: dt.datetime(2024, 1, 5, 12))
    token = _link(collecting)
    response = make_app(collecting).test_client().post(f"/s/{token}", data={"kp_lb_1": "5", "action": "submit"})
    assert response.status_code == 400
    assert _measurements(collecting) == []


def test_unknown_closed_and_early_links_give_clear_pages(collecting: Engine, monkeypatch) -> None:
    token = _link(collecting)
    client = make_app(collecting).test_client()
    unknown = client.get("/s/" + "A" * 43)
    assert unknown.status_code == 404 and "Länken fungerar inte" in unknown.text
    assert client.get("/s/short").status_code == 404
    monkeypatch.setattr(respond, "_utcnow", lambda: dt.datetime(2024, 2, 1, 12))
    closed = client.get(f"/s/{token}")
    assert closed.status_code == 200 and "Enkäten är stängd" in closed.text
    monkeypatch.setattr(respond, "_utcnow", lambda: dt.datetime(2023, 12, 1, 12))
    early = client.get(f"/s/{token}")
    assert "har inte öppnat" in early.text


def test_rate_limit_stops_link_guessing(collecting: Engine) -> None:
    client = make_app(collecting, SURVEY_RATE_LIMIT=5).test_client()
    codes = [client.get("/s/" + f"{i:043d}").status_code for i in range(7)]
    assert codes[:5] == [404] * 5 and codes[5:] == [429, 429]


def test_tokens_are_redacted_from_the_access_log() -> None:
    import logging

    from kirkpatrick.web.respondent_form import RedactTokens

    record = logging.LogRecord(
        "werkzeug", logging.INFO, "", 0, '%s - "%s" %s', ("1.2.3.4", "GET /s/abcDEF_123-x HTTP/1.1", "200"), None
    )
    RedactTokens().filter(record)
    assert "abcDEF" not in record.getMessage() and "/s/[token]" in record.getMessage()


def test_second_wave_pairs_with_the_first(collecting: Engine, monkeypatch) -> None:
    from kirkpatrick.collect import plan

    with db.transaction(collecting) as s:
        plan.set_wave(s, CODE, Wave.POST, dt.date(2024, 3, 1), dt.date(2024, 3, 14))
    pre = _link(collecting)
    post = _link(collecting, wave=Wave.POST)
    for token, when, value in ((pre, dt.datetime(2024, 1, 5), "2"), (post, dt.datetime(2024, 3, 5), "4")):
        monkeypatch.setattr(respond, "_utcnow", lambda when=when: when)
        view = respond.open_form(collecting, token)
        form = {q.code: value for q in view.questions if q.kind == "scale"}
        form["kp_lb_4"] = str(6 - int(value))
        result = respond.save_answers(collecting, token, form, submit=True)
        assert result.submitted, result.errors
    rows = [r for r in _measurements(collecting) if r[1] == "kp_lb"]
    assert rows == [("p1", "kp_lb", "post", "self", 4.0), ("p1", "kp_lb", "pre", "self", 2.0)]
    # One participant, two waves: the analysis pairs them by participant.
    with collecting.connect() as c:
        assert c.execute(text("SELECT count(DISTINCT participant_id) FROM measurement")).scalar() == 1


def test_report_raters_are_stored_only_as_a_group_at_the_threshold(collecting: Engine, monkeypatch) -> None:
    monkeypatch.setattr(respond, "_utcnow", lambda: dt.datetime(2024, 1, 5))
    tokens = [_link(collecting, rater=Rater.REPORT, email=f"r{i}@example.org") for i in range(5)]
    for i, token in enumerate(tokens):
        view = respond.open_form(collecting, token)
        assert view.questions[0].text.startswith("Personen")  # the wording for others' ratings
        form = {q.code: str(1 + i) for q in view.questions if q.kind == "scale"}
        form["kp_lb_4"] = str(5 - i)
        assert respond.save_answers(collecting, token, form, submit=True).submitted
        rows = [r for r in _measurements(collecting) if r[3] == "report"]
        assert rows == ([] if i < 4 else [("p1", "kp_lb", "pre", "report", 3.0)])
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", tokens[0])


def test_the_web_application_serves_the_form_with_its_security_headers(collecting: Engine, monkeypatch) -> None:
    from kirkpatrick.web import create_app

    token = _link(collecting)
    app = create_app(collecting.url.render_as_string(hide_password=False), secret="test-secret-key")
    client = app.test_client()
    monkeypatch.setattr(respond, "_utcnow", lambda: dt.datetime(2024, 1, 5, 12))
    page = client.get(f"/s/{token}")
    assert page.status_code == 200 and "<fieldset" in page.text and 'lang="sv"' in page.text
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy or "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert client.get("/s/" + "A" * 43).status_code == 404
    app.extensions["kirkpatrick_engine"].dispose()  # no connection left for the garbage collector
