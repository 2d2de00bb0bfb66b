"""Form submissions at once: writers of different participants do not wait for each other (on
PostgreSQL they lock only their participant, not the tables), writers of one participant do, a
file import waits for a submission in progress, and raters of one participant answering together
are all counted in the group's mean."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from kirkpatrick.collect import privacy, respond
from kirkpatrick.domain.vocab import Rater, Wave
from kirkpatrick.io.pipeline import lock, lock_participants, write_rows
from kirkpatrick.io.rows import CanonicalRow
from kirkpatrick.storage import db

CODE = "NRB-LG-2024"
ONLY_POSTGRES = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def _row(participant: str, value: float = 4.0) -> CanonicalRow:
    return CanonicalRow(participant, "kp_confidence", None, Wave.PRE, Rater.SELF, value)


def _in_thread(work: Callable[[], object]) -> list[object]:
    """Run ``work`` in a thread and return [its result] or [the exception it raised]."""
    out: list[object] = []

    def run() -> None:
        try:
            out.append(work())
        except Exception as exc:  # handed to the test, which checks its kind
            out.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    return out


def _write_with_timeout(engine: Engine, participant: str) -> object:
    with db.writer(engine).begin() as c:
        c.execute(text("SET LOCAL lock_timeout = '1s'"))
        return write_rows(c, CODE, [_row(participant)]).imported


def _open_submission(engine: Engine, participant: str) -> tuple[Connection, object]:
    """A writer of ``participant`` that holds its locks and has not committed (a submission
    between two statements; the analysis version it bumps last, just before committing)."""
    connection = db.writer(engine).connect()
    transaction = connection.begin()
    iid = connection.execute(text("SELECT id FROM intervention WHERE code = :c"), {"c": CODE}).scalar_one()
    lock_participants(connection, iid, [participant])
    return connection, transaction


@ONLY_POSTGRES
def test_writers_of_other_participants_do_not_wait(collecting: Engine) -> None:
    connection, transaction = _open_submission(collecting, "p1")
    try:
        # With the importer's table lock this would wait for p1's writer and time out.
        assert _in_thread(lambda: _write_with_timeout(collecting, "p2")) == [1]
        # A second writer of p1 waits for the first (here: until its lock timeout).
        [failed] = _in_thread(lambda: _write_with_timeout(collecting, "p1"))
        assert isinstance(failed, OperationalError) and "lock timeout" in str(failed)

        # A file import waits for the submission in progress (and would then see its rows).
        def import_lock() -> object:
            with db.writer(collecting).begin() as c:
                c.execute(text("SET LOCAL lock_timeout = '1s'"))
                lock(c)
            return "locked"

        [refused] = _in_thread(import_lock)
        assert isinstance(refused, OperationalError) and "lock timeout" in str(refused)
    finally:
        transaction.commit()  # type: ignore[attr-defined]
        connection.close()
    assert _in_thread(lambda: _write_with_timeout(collecting, "p3")) == [1]
    with collecting.connect() as c:
        stored = c.execute(text("SELECT p.code FROM measurement JOIN participant p ON p.id = participant_id"))
        assert sorted(r[0] for r in stored) == ["p2", "p3"]


def test_raters_answering_together_are_all_counted(collecting: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Four direct reports of p1 submit at the same moment; the threshold is 4, so the last one to
    commit must see the other three and store the mean of all four."""
    from test_form import _link, _measurements

    monkeypatch.setattr(respond, "_utcnow", lambda: dt.datetime(2024, 1, 5))
    with db.transaction(collecting) as s:
        privacy.set_client_settings(s, "Norrby kommun, Socialkontoret", min_raters=4)
    tokens = [_link(collecting, rater=Rater.REPORT, email=f"r{i}@example.org") for i in range(4)]
    view = respond.open_form(collecting, tokens[0])
    start = threading.Barrier(len(tokens))

    def answer(i: int) -> bool:
        form = {q.code: str(1 + i) for q in view.questions if q.kind == "scale"}
        form["kp_lb_4"] = str(4 - i)  # reverse-worded: 4, 3, 2, 1 score 2, 3, 4, 5
        start.wait()
        return respond.save_answers(collecting, tokens[i], form, submit=True).submitted

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    rows = [r for r in _measurements(collecting) if r[3] == "report" and r[1] == "kp_lb"]
    # Rater i answers 1 + i on five items and 4 - i on the reverse-worded item 4, which scores
    # 6 - (4 - i) = 2 + i: a scale score of (5 * (1 + i) + 2 + i) / 6 = (7 + 6i) / 6; the mean over
    # i = 0..3 is (28 + 36) / 24 = 8 / 3.
    expected = 8 / 3
    assert rows == [("p1", "kp_lb", "pre", "report", pytest.approx(expected))]


@ONLY_POSTGRES
def test_two_first_bumps_at_once_both_count(collecting: Engine) -> None:
    """Two writers bump an intervention that has no version row yet: the second waits for the
    first's row and adds one to it, instead of failing on the row's unique key."""
    from kirkpatrick.storage import analysis_cache

    with collecting.connect() as c:
        iid = c.execute(text("SELECT id FROM intervention WHERE code = :c"), {"c": CODE}).scalar_one()
        assert (
            c.execute(text("SELECT count(*) FROM analysis_version WHERE intervention_id = :i"), {"i": iid}).scalar()
            == 0
        )
    first = db.writer(collecting).connect()
    transaction = first.begin()
    analysis_cache.bump(first, [iid])

    def second() -> object:
        with db.writer(collecting).begin() as c:
            analysis_cache.bump(c, [iid])
        return "ok"

    out: list[object] = []

    def run() -> None:
        try:
            out.append(second())
        except Exception as exc:  # handed to the test
            out.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(0.5)
    assert thread.is_alive()  # waiting for the first writer's row
    transaction.commit()
    first.close()
    thread.join(30)
    assert out == ["ok"]
    with collecting.connect() as c:
        assert analysis_cache.versions(c, [iid]) == {iid: 2}
