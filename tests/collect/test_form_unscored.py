"""The built-in form with a questionnaire that asks only some of a measure's items: too few for a
scale score, so no measurement, and the answers are kept without a score (through io's
``write_rows``); answering again replaces them; erasure removes them; the participant's copy
holds them."""

from __future__ import annotations

import datetime as dt

from collect_helpers import CODE
from sqlalchemy import Engine, select

from kirkpatrick.collect import links, plan, privacy, respond
from kirkpatrick.domain.vocab import Rater, Wave
from kirkpatrick.storage import db, erasure
from kirkpatrick.storage.collect import Invitation
from kirkpatrick.storage.models import MeasureItem, Measurement, Participant, UnscoredItemResponse

NOW = dt.datetime(2024, 1, 3, 10)


def _unscored(engine: Engine) -> dict[tuple[str, str, str, str], float]:
    u = UnscoredItemResponse
    with engine.connect() as c:
        rows = c.execute(
            select(Participant.code, MeasureItem.code, u.wave, u.rater, u.value)
            .join(Participant, Participant.id == u.participant_id)
            .join(MeasureItem, MeasureItem.id == u.item_id)
        )
        return {(p, i, w.value, r.value): v for p, i, w, r, v in rows}


def _token(engine: Engine) -> str:
    with db.transaction(engine) as s:
        # Two of kp_lb's six items (and one single-item measure): too few for kp_lb's score.
        plan.set_questionnaire(s, CODE, Wave.PRE, Rater.SELF, ["kp_lb_1", "kp_lb_2", "kp_satisfaction"])
        plan.add_respondent(s, CODE, "p1", "p1@example.org")
        invitation = s.scalars(
            select(Invitation).where(Invitation.wave == Wave.PRE, Invitation.rater == Rater.SELF)
        ).one()
        return links.issue_link(s, invitation.id)


def test_a_form_with_too_few_items_keeps_the_answers_without_a_score(collecting: Engine) -> None:
    token = _token(collecting)
    view = respond.open_form(collecting, token, now=NOW)
    assert sorted(q.code for q in view.questions) == ["kp_lb_1", "kp_lb_2", "kp_satisfaction"]
    answers = {"kp_lb_1": "2", "kp_lb_2": "5", "kp_satisfaction": "4"}
    saved = respond.save_answers(collecting, token, answers, submit=True, now=NOW)
    assert saved.saved and saved.submitted
    with collecting.connect() as c:
        measures = set(c.scalars(select(Measurement.measure_id)))
        lb = c.scalar(select(MeasureItem.measure_id).where(MeasureItem.code == "kp_lb_1"))
    assert len(measures) == 1 and lb not in measures  # kp_satisfaction only: no kp_lb score invented
    assert _unscored(collecting) == {("p1", "kp_lb_1", "pre", "self"): 2.0, ("p1", "kp_lb_2", "pre", "self"): 5.0}
    # Answering again (the link stays open) replaces the earlier answers: nothing stale is left.
    respond.save_answers(collecting, token, {**answers, "kp_lb_1": "3"}, submit=True, now=NOW)
    assert _unscored(collecting) == {("p1", "kp_lb_1", "pre", "self"): 3.0, ("p1", "kp_lb_2", "pre", "self"): 5.0}
    with db.reading(collecting) as s:
        copy = privacy.export_participant(s, CODE, "p1")
    assert [(a["item"], a["value"]) for a in copy["unscored_item_answers"]] == [("kp_lb_1", 3.0), ("kp_lb_2", 5.0)]
    assert copy["unscored_item_answers"][0]["date"] == "2024-01-03"
    with db.transaction(collecting) as s:
        done = erasure.forget_participant(s, CODE, "p1")
    assert done.removed["unscored_item_response"] == 2
    assert _unscored(collecting) == {}
