"""Models for collecting data with the tool's own survey links.

Part of ``models.Base.metadata`` (``models.py`` imports this module at its end), so Alembic,
erasure (which follows foreign keys) and the schema test see these tables.

What lives where, and why:

- ``Question``: the question bank (shipped and consultants' own): wording and answer labels in
  Swedish and English, and the catalogue measure (and item) an answer feeds. Open questions feed
  no measure; their answers become uncleared feedback. ``owner_id`` is the organisation (a
  consultancy) that added the question, NULL for the shipped bank everyone may use; a code is
  unique within one owner (and among the shipped questions), so two organisations may use the same
  code without learning of each other's.
- ``Questionnaire`` / ``QuestionnaireQuestion``: the questions of one intervention's wave and rater.
- ``SurveyWave``: the schedule of one intervention's wave (opening, closing, reminders).
- ``Contact``: e-mail addresses, kept apart from measurements, only for sending; deleted by the
  retention job and with their participant.
- ``Invitation``: one respondent (the participant or one of their raters) for one wave. ``Link``
  holds SHA-256 hashes of its tokens (never the tokens), so a database leak opens no form.
- ``Answer``: a respondent's saved answers (drafts included); submitted ones become measurements.
- ``Outbox``: one row per invitation x message kind x number, written before the SMTP send.
- ``CollectSettings``: per client (the organisation holding the data): privacy notice, retention.
- ``MailTemplate``: per intervention (or, with none, the default for all) and kind and language.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kirkpatrick.domain.vocab import Rater, Wave
from kirkpatrick.storage.models import Base, Feedback, Measure, MeasureItem, Participant, code_str, intpk

QUESTION_KINDS = ("scale", "open")
OUTBOX_STATES = ("pending", "sending", "sent", "failed")
MESSAGE_KINDS = ("invite", "reminder")


class Question(Base):
    """A question of the bank: what respondents read, and which measure (and item) it feeds."""

    __tablename__ = "collect_question"
    __table_args__ = (
        CheckConstraint("kind IN ('scale', 'open')", name="known_kind"),
        CheckConstraint("kind = 'open' OR measure_id IS NOT NULL", name="scale_has_measure"),
        UniqueConstraint("owner_id", "code"),
        # NULLs are distinct in a unique constraint: the shipped codes get their own partial index.
        Index(
            "uq_collect_question_shipped_code",
            "code",
            unique=True,
            sqlite_where=sql_text("owner_id IS NULL"),
            postgresql_where=sql_text("owner_id IS NULL"),
        ),
    )

    id: Mapped[intpk]
    code: Mapped[code_str]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measure.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("measure_item.id"))
    text_sv: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    # Wording for another rater (manager, report, peer) about the participant; None: same as above.
    other_sv: Mapped[str | None] = mapped_column(Text)
    other_en: Mapped[str | None] = mapped_column(Text)
    # Answer labels as JSON: {"sv": {"1": "...", "5": "..."}, "en": {...}}; points without a label show the number.
    labels: Mapped[str] = mapped_column(Text, default="{}")
    level: Mapped[str | None] = mapped_column(String(40))  # open questions: level of the feedback they give
    shipped: Mapped[bool] = mapped_column(Boolean, default=False)

    measure: Mapped[Measure | None] = relationship()
    item: Mapped[MeasureItem | None] = relationship()

    def __repr__(self) -> str:
        return f"Question(id={self.id!r}, code={self.code!r}, kind={self.kind!r})"


class SurveyWave(Base):
    """When one wave of an intervention is open, and how often non-responders are reminded."""

    __tablename__ = "collect_wave"
    __table_args__ = (
        UniqueConstraint("intervention_id", "wave"),
        CheckConstraint("closes_on >= opens_on", name="dates_in_order"),
        CheckConstraint("max_reminders >= 0 AND reminder_days >= 1", name="reminders_sane"),
    )

    id: Mapped[intpk]
    intervention_id: Mapped[int] = mapped_column(ForeignKey("intervention.id", ondelete="CASCADE"))
    wave: Mapped[Wave]
    opens_on: Mapped[dt.date] = mapped_column(Date)
    closes_on: Mapped[dt.date] = mapped_column(Date)
    reminder_days: Mapped[int] = mapped_column(Integer, default=4)
    max_reminders: Mapped[int] = mapped_column(Integer, default=2)

    def __repr__(self) -> str:
        return f"SurveyWave(intervention_id={self.intervention_id!r}, wave={self.wave.value!r})"


class Questionnaire(Base):
    """The questions one rater answers at one wave of one intervention."""

    __tablename__ = "collect_questionnaire"
    __table_args__ = (UniqueConstraint("intervention_id", "wave", "rater"),)

    id: Mapped[intpk]
    intervention_id: Mapped[int] = mapped_column(ForeignKey("intervention.id", ondelete="CASCADE"))
    wave: Mapped[Wave]
    rater: Mapped[Rater]

    questions: Mapped[list[QuestionnaireQuestion]] = relationship(
        cascade="all, delete-orphan", order_by="QuestionnaireQuestion.position"
    )

    def __repr__(self) -> str:
        return f"Questionnaire(id={self.id!r}, wave={self.wave.value!r}, rater={self.rater.value!r})"


class QuestionnaireQuestion(Base):
    __tablename__ = "collect_questionnaire_question"
    __table_args__ = (UniqueConstraint("questionnaire_id", "position"),)

    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("collect_questionnaire.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("collect_question.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)

    question: Mapped[Question] = relationship()

    def __repr__(self) -> str:
        return f"QuestionnaireQuestion({self.questionnaire_id!r}, {self.question_id!r}, {self.position!r})"


class Contact(Base):
    """An e-mail address to send one respondent's links to: the participant's own, or a rater's."""

    __tablename__ = "collect_contact"
    __table_args__ = (CheckConstraint("lang IN ('sv', 'en')", name="known_lang"),)

    id: Mapped[intpk]
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    rater: Mapped[Rater]
    email: Mapped[str] = mapped_column(String(320))
    lang: Mapped[str] = mapped_column(String(2), default="sv")

    def __repr__(self) -> str:  # the address is personal data: never in a repr that may be logged
        return f"Contact(id={self.id!r}, participant_id={self.participant_id!r}, rater={self.rater.value!r})"


class Invitation(Base):
    """One respondent at one wave: the participant (rater ``self``) or one of their raters.

    The link, not a name, ties the answers to the participant's code. ``contact_id`` is cleared
    when the address is deleted; the invitation (and its tracking) stays.
    """

    __tablename__ = "collect_invitation"
    __table_args__ = (UniqueConstraint("participant_id", "wave", "rater", "slot"),)

    id: Mapped[intpk]
    intervention_id: Mapped[int] = mapped_column(ForeignKey("intervention.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    wave: Mapped[Wave]
    rater: Mapped[Rater]
    slot: Mapped[int] = mapped_column(Integer, default=0)  # several raters of one kind: 0, 1, 2...
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("collect_contact.id", ondelete="SET NULL"))
    lang: Mapped[str] = mapped_column(String(2), default="sv")
    opened_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=False))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=False))

    participant: Mapped[Participant] = relationship()
    contact: Mapped[Contact | None] = relationship()

    def __repr__(self) -> str:
        return (
            f"Invitation(id={self.id!r}, participant_id={self.participant_id!r}, wave={self.wave.value!r}, "
            f"rater={self.rater.value!r}, slot={self.slot!r})"
        )


class Link(Base):
    """A working link: the SHA-256 of its token. An invitation may have several (one per message)."""

    __tablename__ = "collect_link"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("collect_invitation.id", ondelete="CASCADE"), index=True)

    def __repr__(self) -> str:
        return f"Link(invitation_id={self.invitation_id!r})"


class Answer(Base):
    """One saved answer of one respondent (a draft until the invitation is answered)."""

    __tablename__ = "collect_answer"

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("collect_invitation.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("collect_question.id"), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("feedback.id", ondelete="SET NULL"))

    feedback: Mapped[Feedback | None] = relationship()

    def __repr__(self) -> str:
        return f"Answer(invitation_id={self.invitation_id!r}, question_id={self.question_id!r})"


class Outbox(Base):
    """One message to one respondent, written and committed before it is sent.

    ``pending`` -> ``sending`` (committed before the SMTP conversation) -> ``sent`` or ``failed``.
    A row left in ``sending`` by a crash is not sent again automatically (at most once per key).
    """

    __tablename__ = "collect_outbox"
    __table_args__ = (
        UniqueConstraint("invitation_id", "kind", "number"),
        CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed')", name="known_state"),
        CheckConstraint("kind IN ('invite', 'reminder')", name="known_kind"),
    )

    id: Mapped[intpk]
    invitation_id: Mapped[int] = mapped_column(ForeignKey("collect_invitation.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    number: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=False))
    error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"Outbox(id={self.id!r}, kind={self.kind!r}, number={self.number!r}, state={self.state!r})"


class CollectSettings(Base):
    """Per client (the organisation that holds the data): privacy notice and retention."""

    __tablename__ = "collect_settings"

    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), primary_key=True)
    privacy_sv: Mapped[str | None] = mapped_column(Text)
    privacy_en: Mapped[str | None] = mapped_column(Text)
    retention_days: Mapped[int] = mapped_column(Integer, default=30)
    min_raters: Mapped[int | None] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"CollectSettings(client_id={self.client_id!r})"


class MailTemplate(Base):
    """An edited invitation or reminder text (the shipped ones are files in collect/bank/)."""

    __tablename__ = "collect_mail_template"
    __table_args__ = (UniqueConstraint("intervention_id", "kind", "lang"),)

    id: Mapped[intpk]
    intervention_id: Mapped[int] = mapped_column(ForeignKey("intervention.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    lang: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"MailTemplate(intervention_id={self.intervention_id!r}, kind={self.kind!r}, lang={self.lang!r})"
