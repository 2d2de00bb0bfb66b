"""Invitations and reminders through a local SMTP server; sending is safe to repeat; retention."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from collect_helpers import CODE, Mailbox
from sqlalchemy import Engine, select, text

from kirkpatrick.collect import mail, plan, privacy, respond
from kirkpatrick.domain.vocab import Rater
from kirkpatrick.storage import db
from kirkpatrick.storage.collect import Contact, Outbox

LINK = re.compile(r"http://survey\.test/s/([A-Za-z0-9_-]{43})")


def _people(engine: Engine, n: int = 3) -> None:
    with db.transaction(engine) as s:
        for i in range(n):
            plan.add_respondent(s, CODE, f"p{i}", f"p{i}@example.org", lang="sv" if i % 2 == 0 else "en")


def _send(engine: Engine, box: Mailbox, today: dt.date) -> mail.SendReport:
    send, close = mail.smtp_sender(mail.SmtpSettings.from_url(box.url))
    try:
        return mail.send_due(engine, send, today=today, base_url="http://survey.test", sender_address="hr@example.org")
    finally:
        close()


def test_invitations_then_reminders_only_to_non_responders(collecting: Engine, mailbox: Mailbox, monkeypatch) -> None:
    _people(collecting)
    report = _send(collecting, mailbox, dt.date(2024, 1, 2))
    assert (report.queued, report.sent) == (3, 3)
    by_address = {m["To"]: m for m in mailbox.messages}
    assert set(by_address) == {"p0@example.org", "p1@example.org", "p2@example.org"}
    assert by_address["p0@example.org"]["Subject"].startswith("Enkät om")  # Swedish
    assert by_address["p1@example.org"]["Subject"].startswith("Survey about")  # English
    # Running again the same day sends nothing.
    assert _send(collecting, mailbox, dt.date(2024, 1, 2)).sent == 0 and len(mailbox.messages) == 3
    # p0 answers through the link in their message.
    token = LINK.search(by_address["p0@example.org"].get_payload(decode=True).decode()).group(1)  # type: ignore[union-attr]
    monkeypatch.setattr(respond, "_utcnow", lambda: dt.datetime(2024, 1, 3, 9))
    view = respond.open_form(collecting, token)
    assert respond.save_answers(collecting, token, {q.code: "3" for q in view.questions}, submit=True).submitted
    # Three days later: reminders to p1 and p2 only.
    mailbox.messages.clear()
    assert _send(collecting, mailbox, dt.date(2024, 1, 5)).sent == 2
    assert {m["To"] for m in mailbox.messages} == {"p1@example.org", "p2@example.org"}
    assert all("Påminnelse" in m["Subject"] or "Reminder" in m["Subject"] for m in mailbox.messages)
    # At most max_reminders (2): a third is never sent.
    _send(collecting, mailbox, dt.date(2024, 1, 8))
    mailbox.messages.clear()
    assert _send(collecting, mailbox, dt.date(2024, 1, 11)).sent == 0
    with db.reading(collecting) as s:
        numbers = sorted(s.scalars(select(Outbox.number).where(Outbox.kind == "reminder")))
    assert numbers == [1, 1, 2, 2]


def test_a_killed_send_resends_nothing_twice(collecting: Engine, mailbox: Mailbox) -> None:
    _people(collecting, 4)
    send, close = mail.smtp_sender(mail.SmtpSettings.from_url(mailbox.url))
    calls = 0

    class Killed(BaseException):
        """Stands for the process dying (not an SMTP error): nothing after it runs."""

    def dies_after_second(message):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        send(message)
        if calls == 2:
            raise Killed  # delivered, but killed before the row was marked sent

    with pytest.raises(Killed):
        mail.send_due(collecting, dies_after_second, today=dt.date(2024, 1, 2), base_url="http://survey.test")
    close()
    assert len(mailbox.messages) == 2
    report = _send(collecting, mailbox, dt.date(2024, 1, 2))
    assert report.sent == 2 and report.stuck == 1
    recipients = [m["To"] for m in mailbox.messages]
    assert sorted(recipients) == sorted(set(recipients)) and len(recipients) == 4
    with db.reading(collecting) as s:
        states = sorted(s.scalars(select(Outbox.state)))
    assert states == ["sending", "sent", "sent", "sent"]


def test_tokens_are_only_in_the_messages_not_in_the_database(collecting: Engine, mailbox: Mailbox) -> None:
    _people(collecting, 1)
    _send(collecting, mailbox, dt.date(2024, 1, 2))
    token = LINK.search(mailbox.messages[0].get_payload(decode=True).decode()).group(1)  # type: ignore[union-attr]
    with collecting.connect() as c:
        for table in ("collect_link", "collect_outbox", "collect_invitation"):
            assert token not in repr(c.execute(text(f"SELECT * FROM {table}")).all())


def test_retention_deletes_contacts_and_nothing_else(collecting: Engine, mailbox: Mailbox, monkeypatch) -> None:
    from tests_snapshot import snapshot_without

    _people(collecting, 2)
    _send(collecting, mailbox, dt.date(2024, 1, 2))
    with db.transaction(collecting) as s:
        plan.add_respondent(s, CODE, "p0", "boss@example.org", rater=Rater.MANAGER)
        privacy.set_client_settings(s, "Norrby kommun, Socialkontoret", retention_days=10)
    before = snapshot_without(collecting, {"collect_contact", "collect_invitation"})
    with db.transaction(collecting) as s:
        assert privacy.apply_retention(s, dt.date(2024, 1, 24)).contacts_deleted == 0  # closes 14th + 10 days
    with db.transaction(collecting) as s:
        result = privacy.apply_retention(s, dt.date(2024, 1, 25))
    assert result.contacts_deleted == 3 and result.interventions == [CODE]
    assert snapshot_without(collecting, {"collect_contact", "collect_invitation"}) == before
    with db.reading(collecting) as s:
        assert list(s.scalars(select(Contact))) == []
        assert s.execute(text("SELECT count(*) FROM collect_invitation WHERE contact_id IS NOT NULL")).scalar() == 0
        assert s.execute(text("SELECT count(*) FROM collect_invitation")).scalar() == 9


def test_forget_removes_contacts_and_export_shows_them(collecting: Engine) -> None:
    from kirkpatrick.storage import erasure

    _people(collecting, 2)
    with db.reading(collecting) as s:
        copy = privacy.export_participant(s, CODE, "p0")
    assert copy["contacts"] == [{"rater": "self", "email": "p0@example.org", "lang": "sv"}]
    assert len(copy["invitations"]) == 3
    with db.transaction(collecting) as s:
        erasure.forget_participant(s, CODE, "p0")
    with db.reading(collecting) as s:
        assert [c.email for c in s.scalars(select(Contact))] == ["p1@example.org"]


def test_smtp_url_parsing() -> None:
    s = mail.SmtpSettings.from_url("smtp://hr%40kommun.se:p%C3%A5ss@mail.kommun.se:587?starttls=require")
    assert (s.host, s.port, s.user, s.password, s.starttls, s.implicit_tls) == (
        "mail.kommun.se",
        587,
        "hr@kommun.se",
        "påss",
        "require",
        False,
    )
    assert "påss" not in repr(s)
    assert mail.SmtpSettings.from_url("smtps://mail.example.org").port == 465
    with pytest.raises(Exception, match="SMTP URL"):
        mail.SmtpSettings.from_url("http://x")
