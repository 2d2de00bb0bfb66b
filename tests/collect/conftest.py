"""Fixtures for data collection: a catalogue with the bank, a tiny Flask app, a local SMTP server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from collect_helpers import CODE, ROOT, Mailbox, _free_port
from sqlalchemy import Engine

from kirkpatrick.collect import bank, plan
from kirkpatrick.domain.vocab import Rater, Wave
from kirkpatrick.services import records
from kirkpatrick.storage import db


@pytest.fixture
def collecting(engine: Engine) -> Engine:
    """The sample interventions, the bank's measures and questions, default questionnaires for
    self and manager at every wave, the pre wave open around TODAY."""
    with db.transaction(engine) as s:
        records.import_measures(s, bank.measures_csv())
        records.import_interventions(s, ROOT / "sample_data" / "interventions.csv")
        bank.load_bank(s)
        for wave in Wave:
            for rater in (Rater.SELF, Rater.MANAGER, Rater.REPORT):
                plan.set_questionnaire(s, CODE, wave, rater)
        plan.set_wave(s, CODE, Wave.PRE, dt.date(2024, 1, 1), dt.date(2024, 1, 14), reminder_days=3, max_reminders=2)
    return engine


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(_free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
