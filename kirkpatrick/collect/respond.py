"""The respondent's side: what the form shows for a link, saving drafts, submitting answers."""

from __future__ import annotations

import datetime as dt
import functools
import json
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import joinedload, selectinload

from kirkpatrick.collect import tracking
from kirkpatrick.collect.links import find_invitation
from kirkpatrick.collect.store import CanonicalRow, store_measurements
from kirkpatrick.domain.vocab import Level, Rater
from kirkpatrick.io.pipeline import lock_participants
from kirkpatrick.storage import db
from kirkpatrick.storage.collect import (
    Answer,
    CollectSettings,
    Invitation,
    Question,
    Questionnaire,
    QuestionnaireQuestion,
    SurveyWave,
)
from kirkpatrick.storage.models import Feedback, Intervention, Participant

BANK = Path(__file__).resolve().parent / "bank"
MAX_TEXT = 5_000
# Raters of these kinds answer in groups: their mean is stored only when enough of them answered.
GROUP_RATERS = (Rater.REPORT, Rater.PEER)
_SQLITE_WRITER = threading.Lock()


@dataclass(frozen=True)
class Point:
    value: int
    label: str | None


@dataclass(frozen=True)
class QuestionView:
    code: str
    kind: str
    text: str
    points: list[Point]
    value: float | None
    text_answer: str


@dataclass(frozen=True)
class FormView:
    """What the form page shows for one link. ``state``: open, not_yet, closed or unknown."""

    state: str
    lang: str = "sv"
    title: str = ""
    wave: str = ""
    rater: str = ""
    opens_on: dt.date | None = None
    closes_on: dt.date | None = None
    answered: bool = False
    privacy: str = ""
    questions: list[QuestionView] = field(default_factory=list)


@dataclass(frozen=True)
class SaveResult:
    """``errors``: question code -> message key ("required", "invalid", "too_long")."""

    view: FormView
    errors: dict[str, str]
    saved: bool
    submitted: bool


def privacy_notice(session: OrmSession, intervention: Intervention, lang: str) -> str:
    settings = session.get(CollectSettings, intervention.client_id)
    custom = (settings.privacy_sv if lang == "sv" else settings.privacy_en) if settings else None
    text = custom or _default_privacy(lang)
    return Template(text).safe_substitute(client=intervention.client.name, title=intervention.title)


@functools.cache
def _default_privacy(lang: str) -> str:
    return (BANK / f"privacy_{lang}.txt").read_text(encoding="utf-8").strip()


def _labels(question: Question, lang: str) -> dict[str, str]:
    parsed: dict[str, dict[str, str]] = json.loads(question.labels or "{}")
    return parsed.get(lang, {})


def _view(session: OrmSession, invitation: Invitation, wave: SurveyWave | None, state: str, lang: str) -> FormView:
    intervention = session.get_one(Intervention, invitation.intervention_id)
    questionnaire = session.scalars(
        select(Questionnaire)
        .where(
            Questionnaire.intervention_id == invitation.intervention_id,
            Questionnaire.wave == invitation.wave,
            Questionnaire.rater == invitation.rater,
        )
        .options(
            selectinload(Questionnaire.questions)
            .joinedload(QuestionnaireQuestion.question)
            .joinedload(Question.measure)
        )
    ).one_or_none()
    saved = {a.question_id: a for a in session.scalars(select(Answer).where(Answer.invitation_id == invitation.id))}
    questions: list[QuestionView] = []
    other = invitation.rater is not Rater.SELF
    for qq in questionnaire.questions if questionnaire else []:
        q = qq.question
        text = (q.other_sv if lang == "sv" else q.other_en) if other else None
        text = text or (q.text_sv if lang == "sv" else q.text_en)
        points: list[Point] = []
        if q.kind == "scale" and q.measure is not None:
            labels = _labels(q, lang)
            low, high = int(q.measure.scale_min), int(q.measure.scale_max)
            points = [Point(v, labels.get(str(v))) for v in range(low, high + 1)]
        answer = saved.get(q.id)
        questions.append(
            QuestionView(
                q.code,
                q.kind,
                text,
                points,
                answer.value if answer else None,
                (answer.text or "") if answer else "",
            )
        )
    return FormView(
        state=state,
        lang=lang,
        title=intervention.title,
        wave=invitation.wave.value,
        rater=invitation.rater.value,
        opens_on=wave.opens_on if wave else None,
        closes_on=wave.closes_on if wave else None,
        answered=invitation.answered_at is not None,
        privacy=privacy_notice(session, intervention, lang),
        questions=questions,
    )


def _state(wave: SurveyWave | None, today: dt.date) -> str:
    if wave is None or today < wave.opens_on:
        return "not_yet"
    if today > wave.closes_on:
        return "closed"
    return "open"


def _wave(session: OrmSession, invitation: Invitation) -> SurveyWave | None:
    return session.scalars(
        select(SurveyWave).where(
            SurveyWave.intervention_id == invitation.intervention_id, SurveyWave.wave == invitation.wave
        )
    ).one_or_none()


def open_form(engine: Engine, token: str, *, lang: str | None = None, now: dt.datetime | None = None) -> FormView:
    """The form for ``token``; the first opening of an open wave is recorded (tracking)."""
    now = now or _utcnow()
    with db.reading(engine) as session:
        invitation = find_invitation(session, token)
        if invitation is None:
            return FormView(state="unknown", lang=lang or "sv")
        wave = _wave(session, invitation)
        state = _state(wave, now.date())
        view = _view(session, invitation, wave, state, lang or invitation.lang)
        first_open = state == "open" and invitation.opened_at is None
        invitation_id = invitation.id
    if first_open:
        with db.transaction(engine) as session:
            row = session.get_one(Invitation, invitation_id)
            if row.opened_at is None:
                row.opened_at = now.replace(tzinfo=None, microsecond=0)
    return view


def link_status(engine: Engine, token: str, *, lang: str | None = None, now: dt.datetime | None = None) -> FormView:
    """The link's state, wave and dates without its questions or answers (the page after saving
    or submitting: it needs no questionnaire, and records no opening)."""
    now = now or _utcnow()
    with db.reading(engine) as session:
        invitation = find_invitation(session, token)
        if invitation is None:
            return FormView(state="unknown", lang=lang or "sv")
        wave = _wave(session, invitation)
        return FormView(
            state=_state(wave, now.date()),
            lang=lang or invitation.lang,
            wave=invitation.wave.value,
            rater=invitation.rater.value,
            opens_on=wave.opens_on if wave else None,
            closes_on=wave.closes_on if wave else None,
            answered=invitation.answered_at is not None,
        )


def _check(
    view: FormView, form: dict[str, str], *, submit: bool
) -> tuple[dict[str, str], dict[str, tuple[float | None, str | None]]]:
    errors: dict[str, str] = {}
    values: dict[str, tuple[float | None, str | None]] = {}
    for q in view.questions:
        raw = (form.get(q.code) or "").strip()
        if q.kind == "open":
            if len(raw) > MAX_TEXT:
                errors[q.code] = "too_long"
            values[q.code] = (None, raw or None)
            continue
        if not raw:
            if submit:
                errors[q.code] = "required"
            values[q.code] = (None, None)
            continue
        allowed = {str(p.value): float(p.value) for p in q.points}
        if raw not in allowed:
            errors[q.code] = "invalid"
            continue
        values[q.code] = (allowed[raw], None)
    return errors, values


def save_answers(
    engine: Engine,
    token: str,
    form: dict[str, str],
    *,
    submit: bool,
    lang: str | None = None,
    now: dt.datetime | None = None,
) -> SaveResult:
    """Save the answers in ``form`` (question code -> raw value); ``submit`` also stores them as
    measurements (replacing this respondent's earlier ones) and marks the invitation answered.

    Every check happens before anything is written; with errors nothing is saved.
    """
    now = (now or _utcnow()).replace(tzinfo=None, microsecond=0)
    # Everything that only reads (the link, the form, the checks) happens before the write lock is
    # taken: SQLite has one writer at a time, so the write transaction holds only the writes.
    with db.reading(engine) as session:
        invitation = find_invitation(session, token)
        if invitation is None:
            return SaveResult(FormView(state="unknown", lang=lang or "sv"), {}, False, False)
        wave = _wave(session, invitation)
        state = _state(wave, now.date())
        view = _view(session, invitation, wave, state, lang or invitation.lang)
        invitation_id, intervention_id = invitation.id, invitation.intervention_id
        participant_code = session.get_one(Participant, invitation.participant_id).code
    if state != "open":
        return SaveResult(view, {}, False, False)
    errors, values = _check(view, form, submit=submit)
    if errors:
        return SaveResult(_with_raw(view, form), errors, False, False)
    with _one_writer(engine), db.transaction(engine) as session:
        # One writer per participant at a time (PostgreSQL; SQLite has one writer anyway): a rater
        # group's mean is computed from everyone who has answered, so two raters of one participant
        # submitting together must not each miss the other's answers.
        lock_participants(session.connection(), intervention_id, [participant_code])
        invitation = session.get_one(Invitation, invitation_id)
        questions = {
            q.code: q
            for q in session.scalars(
                select(Question)
                # Codes are unique per organisation's bank only: look them up among this form's questions.
                .join(QuestionnaireQuestion, QuestionnaireQuestion.question_id == Question.id)
                .join(Questionnaire, Questionnaire.id == QuestionnaireQuestion.questionnaire_id)
                .where(
                    Questionnaire.intervention_id == invitation.intervention_id,
                    Questionnaire.wave == invitation.wave,
                    Questionnaire.rater == invitation.rater,
                    Question.code.in_(list(values)),
                )
                .options(joinedload(Question.measure), joinedload(Question.item))
            )
        }
        existing = {
            a.question_id: a for a in session.scalars(select(Answer).where(Answer.invitation_id == invitation.id))
        }
        for code, (value, text) in values.items():
            q = questions[code]
            answer = existing.get(q.id) or Answer(invitation_id=invitation.id, question_id=q.id)
            answer.value, answer.text = value, text
            session.add(answer)
        if invitation.opened_at is None:
            invitation.opened_at = now
        if submit:
            invitation.answered_at = now
            session.flush()
            _store_open_answers(session, invitation, questions)
            session.flush()
            _store_group(session, invitation, now.date(), questions)  # last: it bumps the analysis version
        session.flush()
    return SaveResult(_with_values(view, values, submit), {}, True, submit)


@contextmanager
def _one_writer(engine: Engine) -> Iterator[None]:
    """SQLite: this process's submissions queue for the write lock here, in turn. Waiting inside
    SQLite's busy handler polls with sleeps of up to 100 ms, so under load some writers starve for
    seconds while others get in; a lock hands over as soon as the holder commits."""
    if engine.dialect.name != "sqlite":
        yield
        return
    with _SQLITE_WRITER:
        yield


def _with_values(view: FormView, values: dict[str, tuple[float | None, str | None]], submit: bool) -> FormView:
    # The form as saved: what the respondent gave, without reading it back.
    questions = [
        QuestionView(q.code, q.kind, q.text, q.points, values[q.code][0], values[q.code][1] or "")
        if q.code in values
        else q
        for q in view.questions
    ]
    return FormView(**{**view.__dict__, "questions": questions, "answered": view.answered or submit})


def _with_raw(view: FormView, form: dict[str, str]) -> FormView:
    # Show what the respondent typed again next to the error messages.
    questions = []
    for q in view.questions:
        raw = (form.get(q.code) or "").strip()
        value = float(raw) if q.kind == "scale" and raw.isdigit() else None
        questions.append(QuestionView(q.code, q.kind, q.text, q.points, value, raw if q.kind == "open" else ""))
    return FormView(**{**view.__dict__, "questions": questions})


def min_raters(session: OrmSession, intervention: Intervention) -> int:
    return tracking.min_group(session, intervention)


def _store_group(
    session: OrmSession, invitation: Invitation, today: dt.date, known: dict[str, Question] | None = None
) -> None:
    """Store the measurements of this respondent's group (participant x wave x rater): one
    respondent for self and manager, the mean of all who answered for reports and peers, and
    for those nothing until the group reaches the anonymity threshold."""
    intervention = session.get_one(Intervention, invitation.intervention_id)
    group = list(
        session.scalars(
            select(Invitation).where(
                Invitation.participant_id == invitation.participant_id,
                Invitation.wave == invitation.wave,
                Invitation.rater == invitation.rater,
                Invitation.answered_at.is_not(None),
            )
        )
    )
    answers: dict[int, list[float]] = defaultdict(list)
    for a in session.scalars(select(Answer).where(Answer.invitation_id.in_([i.id for i in group]))):
        if a.value is not None:
            answers[a.question_id].append(a.value)
    # The questions of this form are loaded already; others (a group's earlier questionnaire) are read.
    questions = {q.id: q for q in (known or {}).values() if q.id in answers}
    missing = [qid for qid in answers if qid not in questions]
    if missing:
        questions.update(
            (q.id, q)
            for q in session.scalars(
                select(Question)
                .where(Question.id.in_(missing))
                .options(joinedload(Question.measure), joinedload(Question.item))
            )
        )
    enough = invitation.rater not in GROUP_RATERS or len(group) >= min_raters(session, intervention)
    code = session.get_one(Participant, invitation.participant_id).code
    rows = [
        CanonicalRow(
            code,
            q.measure.code,
            q.item.code if q.item else None,
            invitation.wave,
            invitation.rater,
            sum(values) / len(values),
            today,
        )
        for qid, values in answers.items()
        if (q := questions[qid]).measure is not None
    ]
    measure_ids = {q.measure_id for q in questions.values() if q.measure_id is not None}
    session.flush()
    store_measurements(
        session.connection(),
        intervention.code,
        rows if enough else [],
        replace=[(invitation.participant_id, invitation.wave, invitation.rater, measure_ids)],
    )
    # The measurements were written past the ORM (Core, on this connection); none are loaded here.


def _store_open_answers(session: OrmSession, invitation: Invitation, questions: dict[str, Question]) -> None:
    # Open answers become feedback that is not cleared: a consultant decides what reaches a report.
    by_id = {q.id: q for q in questions.values()}
    for answer in session.scalars(select(Answer).where(Answer.invitation_id == invitation.id)):
        q = by_id.get(answer.question_id)
        if q is None or q.kind != "open":
            continue
        if not answer.text:
            if answer.feedback is not None:
                session.delete(answer.feedback)
                answer.feedback = None
            continue
        feedback = answer.feedback or Feedback(intervention_id=invitation.intervention_id, cleared=False)
        feedback.text = answer.text
        feedback.theme = q.code
        feedback.level = Level(q.level) if q.level else None
        session.add(feedback)
        answer.feedback = feedback


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
