"""Framework agreements and their follow-up, as typed models on the same metadata as ``models.py``.

A contract (a framework agreement for coaching, say) has award criteria with one grading scale,
contracted services with optional volumes, call-offs (interventions linked in ``call_off``), the
supplier's delivery summaries, and follow-up interviews: a pseudonymous interviewee
(role and unit, never a name), their grade on each criterion and their quotes, each with a theme
and whether it is cleared for the report. ``models.py`` imports this module, so Alembic, backups
and the models-vs-migration test see these tables.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kirkpatrick.domain.vocab import Format, QuoteTheme
from kirkpatrick.storage.models import Base, Client, Intervention, _vocabulary, code_str, intpk, name_str


class Contract(Base):
    """A framework agreement between a buying organisation and a supplier."""

    __tablename__ = "contract"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
        CheckConstraint("scale_max > scale_min", name="scale_in_order"),
    )

    id: Mapped[intpk]
    code: Mapped[code_str] = mapped_column(unique=True)
    registration_number: Mapped[str] = mapped_column(String(64))  # diarienummer, e.g. 125-1210/2014
    title: Mapped[name_str]
    buyer_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    supplier: Mapped[name_str]
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    scale_min: Mapped[int] = mapped_column(Integer, default=1)
    scale_max: Mapped[int] = mapped_column(Integer, default=5)
    notes: Mapped[str | None] = mapped_column(Text)

    buyer: Mapped[Client] = relationship()
    criteria: Mapped[list[AwardCriterion]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="AwardCriterion.position"
    )
    services: Mapped[list[ContractedService]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ContractedService.format"
    )
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="(Delivery.period_start, Delivery.id)"
    )
    interviews: Mapped[list[Interview]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="(Interview.date, Interview.code)"
    )
    call_offs: Mapped[list[Intervention]] = relationship(
        secondary="call_off", order_by="(Intervention.start_date, Intervention.code)", viewonly=True
    )

    def __repr__(self) -> str:
        return f"Contract(id={self.id!r}, code={self.code!r})"


class CallOff(Base):
    """An intervention called off under a contract; an intervention belongs to at most one contract.

    A table of its own rather than a column on ``intervention``: adding a foreign-key column to
    that table would make SQLite rebuild it, and the rebuild's DROP TABLE cascades into every
    participant, session and measurement of the evaluations.
    """

    __tablename__ = "call_off"

    intervention_id: Mapped[int] = mapped_column(ForeignKey("intervention.id", ondelete="CASCADE"), primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)

    def __repr__(self) -> str:
        return f"CallOff(intervention_id={self.intervention_id!r}, contract_id={self.contract_id!r})"


class AwardCriterion(Base):
    """A criterion the procurement was awarded on; interviewees grade the supplier on it."""

    __tablename__ = "award_criterion"
    __table_args__ = (UniqueConstraint("contract_id", "code"), UniqueConstraint("contract_id", "position"))

    id: Mapped[intpk]
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[code_str]
    # None for the four standard criteria, whose names come from the report's translations.
    name: Mapped[str | None] = mapped_column(String(300))

    contract: Mapped[Contract] = relationship(back_populates="criteria")

    def __repr__(self) -> str:
        return f"AwardCriterion(contract_id={self.contract_id!r}, code={self.code!r})"


class ContractedService(Base):
    """A service the contract covers (a format of intervention), with its volume in sessions if set."""

    __tablename__ = "contracted_service"
    __table_args__ = (
        UniqueConstraint("contract_id", "format"),
        CheckConstraint("volume IS NULL OR volume >= 0", name="volume_not_negative"),
    )

    id: Mapped[intpk]
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"))
    format: Mapped[Format]
    volume: Mapped[float | None] = mapped_column(Float)

    contract: Mapped[Contract] = relationship(back_populates="services")

    def __repr__(self) -> str:
        return f"ContractedService(contract_id={self.contract_id!r}, format={self.format.value!r})"


class Delivery(Base):
    """What the supplier reports as delivered of one service in one period (sessions)."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("contract_id", "service_id", "period_start"),
        CheckConstraint("period_end >= period_start", name="dates_in_order"),
        CheckConstraint("sessions >= 0", name="sessions_not_negative"),
        CheckConstraint("participants IS NULL OR participants >= 0", name="participants_not_negative"),
    )

    id: Mapped[intpk]
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("contracted_service.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    sessions: Mapped[float] = mapped_column(Float)
    participants: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)

    contract: Mapped[Contract] = relationship(back_populates="deliveries")
    service: Mapped[ContractedService] = relationship()

    def __repr__(self) -> str:
        return (
            f"Delivery(contract_id={self.contract_id!r}, service_id={self.service_id!r}, start={self.period_start!r})"
        )


class Interview(Base):
    """A follow-up interview. The interviewee is pseudonymous: a code, a role and a unit, never a name."""

    __tablename__ = "interview"
    __table_args__ = (UniqueConstraint("contract_id", "code"),)

    id: Mapped[intpk]
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"))
    code: Mapped[code_str]
    role: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(300))
    date: Mapped[dt.date] = mapped_column(Date)
    interviewer: Mapped[str | None] = mapped_column(String(300))

    contract: Mapped[Contract] = relationship(back_populates="interviews")
    grades: Mapped[list[Grade]] = relationship(back_populates="interview", cascade="all, delete-orphan")
    quotes: Mapped[list[InterviewQuote]] = relationship(
        back_populates="interview", cascade="all, delete-orphan", order_by="InterviewQuote.id"
    )

    def __repr__(self) -> str:
        return f"Interview(id={self.id!r}, code={self.code!r})"


class Grade(Base):
    """An interviewee's grade of the supplier on one award criterion."""

    __tablename__ = "grade"

    interview_id: Mapped[int] = mapped_column(ForeignKey("interview.id", ondelete="CASCADE"), primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("award_criterion.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)

    interview: Mapped[Interview] = relationship(back_populates="grades")
    criterion: Mapped[AwardCriterion] = relationship()

    def __repr__(self) -> str:
        return f"Grade(interview_id={self.interview_id!r}, criterion_id={self.criterion_id!r}, value={self.value!r})"


class InterviewQuote(Base):
    """Something an interviewee said; only cleared quotes reach the report."""

    __tablename__ = "interview_quote"

    id: Mapped[intpk]
    interview_id: Mapped[int] = mapped_column(ForeignKey("interview.id", ondelete="CASCADE"), index=True)
    theme: Mapped[QuoteTheme] = mapped_column(_vocabulary(QuoteTheme))
    text: Mapped[str] = mapped_column(Text)
    cleared: Mapped[bool] = mapped_column(Boolean, default=False)

    interview: Mapped[Interview] = relationship(back_populates="quotes")

    def __repr__(self) -> str:
        return f"InterviewQuote(id={self.id!r}, interview_id={self.interview_id!r}, cleared={self.cleared!r})"
