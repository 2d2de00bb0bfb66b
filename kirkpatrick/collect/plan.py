"""Setting up collection for an intervention: questionnaires, the wave schedule, respondents."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from kirkpatrick.collect.bank import get_question, owner_of
from kirkpatrick.domain.errors import InvalidInput, NotFound
from kirkpatrick.domain.parsing import parse_code
from kirkpatrick.domain.vocab import Rater, Wave, parse
from kirkpatrick.storage.collect import Contact, Invitation, Questionnaire, QuestionnaireQuestion, SurveyWave
from kirkpatrick.storage.models import Intervention, Participant
from kirkpatrick.storage.queries import get_intervention

LB = [f"kp_lb_{i}" for i in range(1, 7)]
TEAM = [f"kp_team_{i}" for i in range(1, 6)]
REACTION = [
    "kp_satisfaction",
    "kp_usefulness",
    "kp_recommend",
    "kp_relevance",
    "kp_confidence",
    "kp_commitment",
    "kp_fit",
    "kp_feasibility",
    "kp_credibility",
    "kp_effectiveness",
]
# The shipped default: what each rater answers at each wave (consultants choose their own with --question).
DEFAULTS: dict[tuple[Wave, Rater], list[str]] = {
    (Wave.PRE, Rater.SELF): [*LB, *TEAM, "kp_confidence"],
    (Wave.POST, Rater.SELF): [*REACTION, *LB, "kp_open_best", "kp_open_improve"],
    (Wave.FOLLOW_UP, Rater.SELF): [*LB, *TEAM, "kp_confidence", "kp_open_applied"],
    **{(w, r): [*LB] for w in Wave for r in (Rater.MANAGER, Rater.REPORT, Rater.PEER)},
    **{(Wave.FOLLOW_UP, r): [*LB, "kp_open_applied"] for r in (Rater.MANAGER, Rater.REPORT, Rater.PEER)},
}
_EMAIL = re.compile(r"^[^@\s<>\"]{1,64}@[^@\s<>\"]{1,255}\.[^@\s<>\".]{2,}$")
LANGS = ("sv", "en")


def parse_wave(text: str) -> Wave:
    try:
        return parse(Wave, text, what="wave")  # type: ignore[return-value]
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def parse_rater(text: str) -> Rater:
    try:
        return parse(Rater, text, what="rater")  # type: ignore[return-value]
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def set_questionnaire(
    session: OrmSession, code: str, wave: Wave, rater: Rater, questions: list[str] | None = None
) -> Questionnaire:
    """The questions ``rater`` answers at ``wave`` of intervention ``code`` (default: the bank's set).

    The codes are looked up in the bank of the consultancy that runs the intervention (the shipped
    questions and its own): another organisation's question is "no question" here.
    """
    intervention = get_intervention(session, code)
    codes = questions if questions else DEFAULTS.get((wave, rater), [])
    if not codes:
        raise InvalidInput(f"no default questionnaire for {wave.value}/{rater.value}; name the questions")
    if len(set(codes)) != len(codes):
        raise InvalidInput("a question is named twice")
    owner = owner_of(session, intervention.id)
    found = [get_question(session, c, owner) for c in codes]
    existing = session.scalars(
        select(Questionnaire).where(
            Questionnaire.intervention_id == intervention.id, Questionnaire.wave == wave, Questionnaire.rater == rater
        )
    ).one_or_none()
    questionnaire = existing or Questionnaire(intervention_id=intervention.id, wave=wave, rater=rater)
    questionnaire.questions.clear()
    session.add(questionnaire)
    session.flush()
    for position, question in enumerate(found, start=1):
        questionnaire.questions.append(QuestionnaireQuestion(question_id=question.id, position=position))
    session.flush()
    return questionnaire


def set_wave(
    session: OrmSession,
    code: str,
    wave: Wave,
    opens_on: dt.date,
    closes_on: dt.date,
    *,
    reminder_days: int = 4,
    max_reminders: int = 2,
) -> SurveyWave:
    """Open ``wave`` of ``code`` from ``opens_on`` to ``closes_on`` (inclusive)."""
    intervention = get_intervention(session, code)
    if closes_on < opens_on:
        raise InvalidInput(f"the wave closes ({closes_on}) before it opens ({opens_on})")
    if reminder_days < 1 or max_reminders < 0:
        raise InvalidInput("reminders need at least one day between them and a count of zero or more")
    row = session.scalars(
        select(SurveyWave).where(SurveyWave.intervention_id == intervention.id, SurveyWave.wave == wave)
    ).one_or_none()
    row = row or SurveyWave(intervention_id=intervention.id, wave=wave)
    row.opens_on, row.closes_on = opens_on, closes_on
    row.reminder_days, row.max_reminders = reminder_days, max_reminders
    session.add(row)
    session.flush()
    return row


def schedule(
    session: OrmSession,
    code: str,
    *,
    follow_up_days: int = 90,
    window_days: int = 14,
    pre_days: int = 14,
    reminder_days: int = 4,
    max_reminders: int = 2,
) -> list[SurveyWave]:
    """All three waves from the intervention's dates: pre in the ``pre_days`` before the start,
    post from the last session (or the end date), follow-up ``follow_up_days`` after it; each open
    ``window_days``."""
    intervention = get_intervention(session, code)
    if follow_up_days < 1 or window_days < 1 or pre_days < 1:
        raise InvalidInput("days must be positive")
    last = max([s.date for s in intervention.sessions] or [intervention.end_date])
    starts = {
        Wave.PRE: (intervention.start_date - dt.timedelta(days=pre_days), intervention.start_date),
        Wave.POST: (last, last + dt.timedelta(days=window_days)),
        Wave.FOLLOW_UP: (
            last + dt.timedelta(days=follow_up_days),
            last + dt.timedelta(days=follow_up_days + window_days),
        ),
    }
    return [
        set_wave(session, code, w, a, b, reminder_days=reminder_days, max_reminders=max_reminders)
        for w, (a, b) in starts.items()
    ]


def check_email(email: str) -> str:
    email = email.strip()
    if not _EMAIL.match(email):
        raise InvalidInput("not an e-mail address")  # the address itself is not repeated (it may land in a log)
    return email


@dataclass(frozen=True)
class RespondentAdded:
    participant: str
    rater: str
    invitations: int


def add_respondent(
    session: OrmSession,
    code: str,
    participant: str,
    email: str,
    *,
    rater: Rater = Rater.SELF,
    lang: str = "sv",
    create: bool = True,
) -> RespondentAdded:
    """Register the participant's address (``rater`` self) or a rater's, and give them an
    invitation for every wave that has a questionnaire for that rater.

    The participant is created under ``participant`` (a pseudonymous code) if new and ``create``.
    """
    if lang not in LANGS:
        raise InvalidInput(f"language must be sv or en, not {lang!r}")
    intervention = get_intervention(session, code)
    person = _participant(session, intervention, participant, create=create)
    contact = Contact(participant_id=person.id, rater=rater, email=check_email(email), lang=lang)
    if rater is Rater.SELF:
        existing = session.scalars(
            select(Contact).where(Contact.participant_id == person.id, Contact.rater == Rater.SELF)
        ).one_or_none()
        if existing is not None:
            existing.email, existing.lang = contact.email, lang
            contact = existing
    session.add(contact)
    session.flush()
    waves = session.scalars(
        select(Questionnaire.wave).where(Questionnaire.intervention_id == intervention.id, Questionnaire.rater == rater)
    ).all()
    made = 0
    for wave in waves:
        if rater is Rater.SELF:
            invitation = session.scalars(
                select(Invitation).where(
                    Invitation.participant_id == person.id, Invitation.wave == wave, Invitation.rater == rater
                )
            ).one_or_none()
            if invitation is not None:
                invitation.contact_id, invitation.lang = contact.id, lang
                continue
            slot = 0
        else:
            slot = session.scalar(  # type: ignore[assignment]
                select(func.coalesce(func.max(Invitation.slot) + 1, 0)).where(
                    Invitation.participant_id == person.id, Invitation.wave == wave, Invitation.rater == rater
                )
            )
        session.add(
            Invitation(
                intervention_id=intervention.id,
                participant_id=person.id,
                wave=wave,
                rater=rater,
                slot=slot,
                contact_id=contact.id,
                lang=lang,
            )
        )
        made += 1
    session.flush()
    return RespondentAdded(person.code, rater.value, made)


def _participant(session: OrmSession, intervention: Intervention, code: str, *, create: bool) -> Participant:
    code = parse_code(code, what="participant code")
    person = session.scalars(
        select(Participant).where(Participant.intervention_id == intervention.id, Participant.code == code)
    ).one_or_none()
    if person is None:
        if not create:
            raise NotFound(f"intervention {intervention.code} has no participant {code!r}")
        person = Participant(intervention_id=intervention.id, code=code)
        session.add(person)
        session.flush()
    return person


def waves_of(session: OrmSession, intervention_id: int) -> dict[Wave, SurveyWave]:
    rows = session.scalars(select(SurveyWave).where(SurveyWave.intervention_id == intervention_id))
    return {row.wave: row for row in rows}


@dataclass(frozen=True)
class QuestionnaireRecord:
    wave: str
    rater: str
    questions: list[str]  # bank question codes, in order


@dataclass(frozen=True)
class WaveRecord:
    wave: str
    opens_on: dt.date
    closes_on: dt.date
    reminder_days: int
    max_reminders: int


@dataclass(frozen=True)
class CollectionPlan:
    """What an intervention collects: questionnaires per wave and rater, and the wave schedule."""

    questionnaires: list[QuestionnaireRecord]
    waves: list[WaveRecord]


_ORDER = {w: i for i, w in enumerate(Wave)}
_RATERS = {r: i for i, r in enumerate(Rater)}


def describe(session: OrmSession, code: str) -> CollectionPlan:
    intervention = get_intervention(session, code)
    found = session.scalars(select(Questionnaire).where(Questionnaire.intervention_id == intervention.id)).all()
    questionnaires = [
        QuestionnaireRecord(
            q.wave.value, q.rater.value, [x.question.code for x in sorted(q.questions, key=lambda x: x.position)]
        )
        for q in sorted(found, key=lambda q: (_ORDER[q.wave], _RATERS[q.rater]))
    ]
    waves = [
        WaveRecord(w.wave.value, w.opens_on, w.closes_on, w.reminder_days, w.max_reminders)
        for w in sorted(waves_of(session, intervention.id).values(), key=lambda w: _ORDER[w.wave])
    ]
    return CollectionPlan(questionnaires, waves)
