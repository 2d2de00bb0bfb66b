"""Sending on a schedule (``serve --send-every``): the thread calls the send, survives a failing
round, stops cleanly; two schedulers at once (two server processes) send each message once."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

import pytest
from collect_helpers import CODE, Mailbox
from sqlalchemy import Engine, func, select

from kirkpatrick.collect import mail, plan
from kirkpatrick.collect.schedule import SendScheduler
from kirkpatrick.storage import db
from kirkpatrick.storage.collect import Outbox


def _wait_for(condition: object, seconds: float = 20.0) -> None:
    end = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def test_the_scheduler_calls_the_send_again_and_stops(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[float] = []
    failed_once = threading.Event()

    def send() -> mail.SendReport:
        calls.append(time.monotonic())
        if not failed_once.is_set():
            failed_once.set()
            raise OSError("mail server at secret-host refused p1@example.org")
        return mail.SendReport(0, 1, 0, 0)

    caplog.set_level(logging.INFO, logger="kirkpatrick.collect.schedule")
    scheduler = SendScheduler(send, 0.05).start()
    _wait_for(lambda: len(calls) >= 3)  # the failing first round did not end the schedule
    assert scheduler.running
    assert scheduler.stop(timeout=5) is True
    assert not scheduler.running
    done = len(calls)
    time.sleep(0.2)
    assert len(calls) == done  # nothing after stop
    assert all(b - a >= 0.04 for a, b in zip(calls, calls[1:]))  # one round per interval, not a busy loop
    text = caplog.text
    assert "scheduled survey send failed: OSError" in text
    assert "p1@example.org" not in text and "secret-host" not in text  # the kind of error, never its text


def test_stop_interrupts_the_wait() -> None:
    scheduler = SendScheduler(lambda: mail.SendReport(0, 0, 0, 0), 3600).start()
    _wait_for(lambda: scheduler.rounds == 1)
    started = time.monotonic()
    assert scheduler.stop(timeout=5) is True
    assert time.monotonic() - started < 2  # it does not sit out the hour


def test_a_positive_interval_is_required() -> None:
    with pytest.raises(ValueError, match="positive"):
        SendScheduler(lambda: mail.SendReport(0, 0, 0, 0), 0)


def test_two_schedulers_at_once_send_each_message_once(
    collecting: Engine, mailbox: Mailbox, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(mail.SMTP_ENV, mailbox.url)
    with db.transaction(collecting) as s:
        for i in range(12):
            plan.add_respondent(s, CODE, f"p{i}", f"p{i}@example.org")
    engines = [db.make_engine(db_url) for _ in range(2)]  # as two server processes have
    today = dt.date(2024, 1, 2)
    schedulers = [SendScheduler(lambda e=e: mail.send_due_now(e, today=today), 0.05).start() for e in engines]  # type: ignore[misc]
    try:
        _wait_for(lambda: len(mailbox.messages) >= 12 and all(s.rounds >= 3 for s in schedulers))
    finally:
        assert all(s.stop(timeout=30) for s in schedulers)
        for e in engines:
            e.dispose()
    assert sorted(m["To"] for m in mailbox.messages) == sorted(f"p{i}@example.org" for i in range(12))
    with db.reading(collecting) as s:
        assert s.scalar(select(func.count()).select_from(Outbox).where(Outbox.state == "sent")) == 12


def test_close_runs_once_the_thread_has_ended() -> None:
    closed: list[bool] = []
    scheduler = SendScheduler(lambda: mail.SendReport(0, 0, 0, 0), 3600, close=lambda: closed.append(True)).start()
    assert scheduler.stop(timeout=5) and scheduler.stop(timeout=5)
    assert closed == [True]
