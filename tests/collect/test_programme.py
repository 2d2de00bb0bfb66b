"""One simulated programme end to end: questionnaires for pre, post and a 90-day follow-up for
self and manager; invitations over a local SMTP server; reminders only to those who have not
answered; every answer given through the form by following the links in the captured e-mails;
then the analysis pairs pre and post for the self- and the manager-rated measure (checked
against SciPy on hand-computed scale scores), the Swedish report shows the tracking figures, and
``participant export`` / ``participant forget`` cover the survey's personal data."""

from __future__ import annotations

import datetime as dt
import json
import re
from email.message import Message
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from collect_helpers import CODE, ROOT, Mailbox
from flask.testing import FlaskClient
from scipy import stats
from sqlalchemy import Engine, func, select

from kirkpatrick.collect import bank, mail, plan, respond, tracking
from kirkpatrick.domain.vocab import Level, Rater, Wave
from kirkpatrick.services import analysis, records
from kirkpatrick.storage import db
from kirkpatrick.storage.collect import Answer, Contact, Invitation, Link, Outbox

LB = [f"kp_lb_{i}" for i in range(1, 7)]
PEOPLE = [f"p{i}" for i in range(1, 7)]
# The value each respondent ticks on every item of the leadership-behaviour scale, per wave.
SELF = {Wave.PRE: [2, 3, 2, 3, 2, 3], Wave.POST: [4, 4, 3, 5, 4, 3], Wave.FOLLOW_UP: [4, 5, 4, 4, 3, 5]}
MANAGER = {Wave.PRE: [2, 2, 3, 3, 2, 2], Wave.POST: [3, 4, 4, 3, 3, 4], Wave.FOLLOW_UP: [3, 4, 5, 4, 3, 4]}
LATE = {"p5", "p6", "m4", "m5", "m6"}  # answer only after the reminder


def score(v: int) -> float:
    """The scale score of ticking ``v`` on all six items: kp_lb_4 is reverse-worded (6 - v)."""
    return (5 * v + (6 - v)) / 6


def _address(who: str) -> str:
    return f"{who}@norrby.example"


def _send(engine: Engine, box: Mailbox, today: dt.date, monkeypatch: pytest.MonkeyPatch) -> mail.SendReport:
    monkeypatch.setenv(mail.SMTP_ENV, box.url)
    monkeypatch.setenv(mail.BASE_URL_ENV, "http://kirkpatrick.test")
    return mail.send_due_now(engine, intervention=CODE, today=today)  # what `survey send` and the button call


def _links(messages: list[Message]) -> dict[str, str]:
    out = {}
    for m in messages:
        found = re.search(r"http://kirkpatrick\.test(/s/[A-Za-z0-9_-]{43})", m.get_content())
        assert found, m.get_content()
        out[str(m["To"]).split("@")[0]] = found.group(1)
    return out


def _answer(client: FlaskClient, path: str, value: int, who: str) -> None:
    # Each respondent on their own device (the form limits requests per address).
    env = {"REMOTE_ADDR": f"10.0.{len(who)}.{sum(map(ord, who)) % 250}"}
    page = client.get(path, environ_base=env)
    assert page.status_code == 200, page.text[:300]
    soup = BeautifulSoup(page.text, "html.parser")
    names = {str(i["name"]) for i in soup.find_all("input", {"type": "radio"})}
    assert names == set(LB)
    token = soup.find("input", {"name": "csrf_token"})
    assert token is not None
    data = {**{n: str(value) for n in names}, "action": "submit", "csrf_token": str(token["value"])}
    response = client.post(path, data=data, environ_base=env)
    assert response.status_code == 303, response.text[:500]


def test_a_programme_from_invitation_to_report(
    engine: Engine, db_url: str, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch, cli, tmp_path: Path
) -> None:
    from kirkpatrick.web import create_app

    with db.transaction(engine) as s:
        records.import_measures(s, bank.measures_csv())
        records.import_interventions(s, ROOT / "sample_data" / "interventions.csv")
        bank.load_bank(s)
        for wave in Wave:
            for rater in (Rater.SELF, Rater.MANAGER):
                plan.set_questionnaire(s, CODE, wave, rater, LB)
        waves = {w.wave: w for w in plan.schedule(s, CODE, follow_up_days=90, window_days=14, reminder_days=4)}
        for i, p in enumerate(PEOPLE, start=1):
            plan.add_respondent(s, CODE, p, _address(p))
            plan.add_respondent(s, CODE, p, _address(f"m{i}"), rater=Rater.MANAGER, lang="en")
    assert (waves[Wave.FOLLOW_UP].opens_on - waves[Wave.POST].opens_on).days == 90

    app = create_app(db_url, secret="p" * 40)
    client = app.test_client()
    manager_of = {f"m{i}": p for i, p in enumerate(PEOPLE, start=1)}
    try:
        for wave in Wave:
            opens = waves[wave].opens_on
            monkeypatch.setattr(respond, "_utcnow", lambda d=opens: dt.datetime.combine(d, dt.time(12)))
            before = len(mailbox.messages)
            sent = _send(engine, mailbox, opens, monkeypatch)
            assert (sent.queued, sent.sent, sent.failed) == (12, 12, 0)
            invites = _links(mailbox.messages[before:])
            assert set(invites) == set(PEOPLE) | set(manager_of)
            for who, path in invites.items():
                if who in LATE:
                    continue
                person = who if who in PEOPLE else manager_of[who]
                values = SELF if who in PEOPLE else MANAGER
                _answer(client, path, values[wave][PEOPLE.index(person)], who)
            # Four days later: reminders go to the five who have not answered, and to no one else.
            later = opens + dt.timedelta(days=4)
            monkeypatch.setattr(respond, "_utcnow", lambda d=later: dt.datetime.combine(d, dt.time(12)))
            before = len(mailbox.messages)
            sent = _send(engine, mailbox, later, monkeypatch)
            reminded = _links(mailbox.messages[before:])
            assert set(reminded) == LATE and sent.sent == len(LATE)
            for who, path in reminded.items():
                person = who if who in PEOPLE else manager_of[who]
                values = SELF if who in PEOPLE else MANAGER
                _answer(client, path, values[wave][PEOPLE.index(person)], who)
            # A second run the same day sends nothing again.
            assert _send(engine, mailbox, later, monkeypatch).sent == 0
    finally:
        app.extensions["kirkpatrick_engine"].dispose()

    with db.reading(engine) as s:
        counts = {(r.wave, r.rater): r for r in tracking.response_tracking(s, CODE)}
        result = analysis.analyse(s, CODE)
    for wave in ("pre", "post", "follow_up"):
        for rater in ("self", "manager"):
            row = counts[(wave, rater)]
            assert (row.respondents, row.invited, row.opened, row.answered, row.reminders) == (
                6,
                6,
                6,
                6,
                3 if rater == "manager" else 2,
            )

    behaviour = result.level(Level.BEHAVIOUR)
    for rater, values in ((Rater.SELF, SELF), (Rater.MANAGER, MANAGER)):
        change = next(
            c for c in behaviour.changes
            if c.measure.code == "kp_lb" and c.rater == rater and c.wave_from == Wave.PRE and c.wave_to == Wave.POST
        )  # fmt: skip
        pre = [score(v) for v in values[Wave.PRE]]
        post = [score(v) for v in values[Wave.POST]]
        expected = stats.ttest_rel(post, pre)
        assert change.paired.n == 6 and change.reportable
        assert change.paired.mean_diff == pytest.approx(sum(post) / 6 - sum(pre) / 6)
        assert change.paired.p == pytest.approx(expected.pvalue)

    out = tmp_path / "rapport.html"
    cli("report", CODE, "-o", str(out), "--lang", "sv")
    html = out.read_text(encoding="utf-8")
    section = html.split("Svar på enkäterna")[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td>(.*?)</tr>", section, re.S)
    cells = {(w.strip(), r.strip()): re.findall(r'<td class="num">([^<]*)</td>', rest) for w, r, rest in rows}
    assert len(cells) == 6
    assert all(v[:3] == ["6", "6", "6"] for v in cells.values()), cells
    assert all(v[3].replace("\u00a0", " ").strip() in ("100 %", "100%") for v in cells.values()), cells

    # The participant's copy names their own address, invitations and answers; forget removes them all,
    # and their manager's address and invitations too.
    copy = json.loads(cli("participant", "export", CODE, "p1").output)
    assert copy == json.loads(cli("survey", "export", CODE, "p1").output)
    assert copy["contacts"] == [{"rater": "self", "email": _address("p1"), "lang": "sv"}]
    assert len(copy["invitations"]) == 6 and len(copy["survey_answers"]) == 18
    assert len(copy["measurements"]) == 6  # kp_lb, self and manager, three waves
    cli("participant", "forget", CODE, "p1")
    with db.reading(engine) as s:
        emails = set(s.scalars(select(Contact.email)))
        assert _address("p1") not in emails and _address("m1") not in emails and len(emails) == 10
        assert s.scalar(select(func.count()).select_from(Invitation)) == 30
        left = select(Invitation.id)
        assert s.scalar(select(func.count()).select_from(Link).where(Link.invitation_id.not_in(left))) == 0
        assert s.scalar(select(func.count()).select_from(Outbox).where(Outbox.invitation_id.not_in(left))) == 0
        assert s.scalar(select(func.count()).select_from(Answer).where(Answer.invitation_id.not_in(left))) == 0
        assert s.scalar(select(func.count()).select_from(Answer)) == 5 * 6 * 6
