"""The domain model as SQLAlchemy 2.x typed models.

Alembic owns the schema (``kirkpatrick/migrations``); a test checks that these models and the
migrations agree, so a change here must come with a migration.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from kirkpatrick.domain.vocab import Format, Group, Level, Rater, TargetGroup, TransferFactor, Wave

# Named constraints let Alembic alter and drop them on every backend (SQLite batch mode included).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _vocabulary(enum_class: type[enum.Enum], *, constraint: bool = True) -> Enum:
    # Stored as VARCHAR + CHECK, not a native enum type: portable, and a new value is a
    # plain migration of the constraint on every backend. ``constraint=False``: the table
    # states the CHECK itself (see ``_one_of``).
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=constraint,
        length=40,
        values_callable=lambda cls: [member.value for member in cls],
        name=enum_class.__name__.lower(),
        validate_strings=True,
    )


def _one_of(column: str, enum_class: type[enum.Enum]) -> CheckConstraint:
    """The CHECK of a vocabulary column written as ``column = 'a' OR column = 'b' ...``.

    Same rule as the ``IN`` list an Enum type makes, but SQLite (3.40) checks ``IN (...)`` in a
    CHECK by building a temporary lookup table for every row inserted (``EXPLAIN INSERT``
    shows ``OpenEphemeral`` in the row loop): on a million-row import that was most of the
    storage's cost, where a few comparisons cost next to nothing (migration 0009).
    """
    return CheckConstraint(" OR ".join(f"{column} = '{member.value}'" for member in enum_class), name=column)


intpk = Annotated[int, mapped_column(primary_key=True)]
code_str = Annotated[str, mapped_column(String(64))]
name_str = Annotated[str, mapped_column(String(300))]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads this class attribute)
        Level: _vocabulary(Level),
        Wave: _vocabulary(Wave),
        Rater: _vocabulary(Rater),
        Group: _vocabulary(Group),
        Format: _vocabulary(Format),
        TargetGroup: _vocabulary(TargetGroup),
        TransferFactor: _vocabulary(TransferFactor),
    }


class Client(Base):
    """An organisation that buys interventions (e.g. a municipality's social-services office)."""

    __tablename__ = "client"

    id: Mapped[intpk]
    name: Mapped[name_str] = mapped_column(unique=True)
    unit: Mapped[str | None] = mapped_column(String(300))

    interventions: Mapped[list[Intervention]] = relationship(back_populates="client")

    def __repr__(self) -> str:
        return f"Client(id={self.id!r}, name={self.name!r})"


class Intervention(Base):
    """One engagement: a coaching contract, a programme, a course."""

    __tablename__ = "intervention"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates_in_order"),)

    id: Mapped[intpk]
    code: Mapped[code_str] = mapped_column(unique=True)
    title: Mapped[name_str]
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    consultant: Mapped[str | None] = mapped_column(String(300))
    target_group: Mapped[TargetGroup]
    format: Mapped[Format]
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    client: Mapped[Client] = relationship(back_populates="interventions")
    sessions: Mapped[list[Session]] = relationship(
        back_populates="intervention", cascade="all, delete-orphan", order_by="Session.date"
    )
    factors: Mapped[list[TransferFactorUse]] = relationship(
        back_populates="intervention", cascade="all, delete-orphan", order_by="TransferFactorUse.factor"
    )
    participants: Mapped[list[Participant]] = relationship(back_populates="intervention", cascade="all, delete-orphan")
    feedback: Mapped[list[Feedback]] = relationship(
        back_populates="intervention", cascade="all, delete-orphan", order_by="Feedback.id"
    )

    def __repr__(self) -> str:
        return f"Intervention(id={self.id!r}, code={self.code!r})"


class Session(Base):
    """A dated session of an intervention; spacing between sessions is derived from these."""

    __tablename__ = "session"
    __table_args__ = (UniqueConstraint("intervention_id", "date"),)

    id: Mapped[intpk]
    intervention_id: Mapped[int] = mapped_column(ForeignKey("intervention.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)

    intervention: Mapped[Intervention] = relationship(back_populates="sessions")

    def __repr__(self) -> str:
        return f"Session(intervention_id={self.intervention_id!r}, date={self.date!r})"


class TransferFactorUse(Base):
    """Whether an intervention used a transfer factor, with an optional note on how."""

    __tablename__ = "transfer_factor_use"

    intervention_id: Mapped[int] = mapped_column(ForeignKey("intervention.id", ondelete="CASCADE"), primary_key=True)
    factor: Mapped[TransferFactor] = mapped_column(primary_key=True)
    present: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)

    intervention: Mapped[Intervention] = relationship(back_populates="factors")

    def __repr__(self) -> str:
        return f"TransferFactorUse({self.intervention_id!r}, {self.factor.value!r}, present={self.present!r})"


class Measure(Base):
    """A catalogue entry shared across interventions, so that their effects can be compared."""

    __tablename__ = "measure"
    __table_args__ = (
        CheckConstraint("scale_max > scale_min", name="scale_in_order"),
        CheckConstraint("reliability IS NULL OR (reliability > 0 AND reliability < 1)", name="reliability_range"),
    )

    id: Mapped[intpk]
    code: Mapped[code_str] = mapped_column(unique=True)
    name: Mapped[name_str]
    level: Mapped[Level]
    scale_min: Mapped[float] = mapped_column(Float)
    scale_max: Mapped[float] = mapped_column(Float)
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)
    reliability: Mapped[float | None] = mapped_column(Float)
    # The question as respondents saw it: one wording a line (Swedish, English, an older version).
    wording: Mapped[str | None] = mapped_column(Text)
    # A labelled scale: its answer labels from lowest to highest, one a line ("Instämmer inte alls"
    # is scale_min, the next scale_min + 1 ...), and labels that mean "no answer" ("Vet ej").
    labels: Mapped[str | None] = mapped_column(Text)
    no_answer: Mapped[str | None] = mapped_column(Text)

    items: Mapped[list[MeasureItem]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="MeasureItem.position"
    )

    def __repr__(self) -> str:
        return f"Measure(id={self.id!r}, code={self.code!r}, level={self.level.value!r})"


class MeasureItem(Base):
    """One item of a multi-item measure; the scale score is the mean of its items."""

    __tablename__ = "measure_item"
    __table_args__ = (UniqueConstraint("measure_id", "code"), UniqueConstraint("measure_id", "position"))

    id: Mapped[intpk]
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[code_str]
    reverse: Mapped[bool] = mapped_column(Boolean, default=False)
    wording: Mapped[str | None] = mapped_column(Text)  # one wording a line, as Measure.wording

    measure: Mapped[Measure] = relationship(back_populates="items")

    def __repr__(self) -> str:
        return f"MeasureItem(measure_id={self.measure_id!r}, code={self.code!r}, reverse={self.reverse!r})"


class Participant(Base):
    """A pseudonymous participant (or, for level-4 results, a unit such as a team)."""

    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("intervention_id", "code"),)

    id: Mapped[intpk]
    intervention_id: Mapped[int] = mapped_column(ForeignKey("intervention.id", ondelete="CASCADE"))
    code: Mapped[code_str]
    group: Mapped[Group] = mapped_column(default=Group.TREATMENT)
    role: Mapped[str | None] = mapped_column(String(100))

    intervention: Mapped[Intervention] = relationship(back_populates="participants")
    measurements: Mapped[list[Measurement]] = relationship(
        back_populates="participant", cascade="all, delete-orphan", passive_deletes=True
    )
    unscored_items: Mapped[list[UnscoredItemResponse]] = relationship(
        back_populates="participant", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"Participant(id={self.id!r}, code={self.code!r}, group={self.group.value!r})"


class Measurement(Base):
    """One value: a participant's score on a measure at a wave, from one rater.

    Two B-trees: the table (rows in id order, which is the order they were imported in) and the
    unique key, led by the participant. An intervention's values are read through its
    participants (``storage.queries.of_interventions``), so the key serves the analysis too; the
    covering analysis index that 0003 added doubled an import's cost in SQLite and was dropped
    in 0012 (``docs/speed-import.md``). ``intervention_id`` repeats the participant's
    intervention for the cascade when an intervention is deleted.
    """

    __tablename__ = "measurement"
    __table_args__ = (
        UniqueConstraint("participant_id", "measure_id", "wave", "rater"),
        _one_of("wave", Wave),
        _one_of("rater", Rater),
    )

    id: Mapped[intpk]
    intervention_id: Mapped[int] = mapped_column(ForeignKey("intervention.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"))
    wave: Mapped[Wave] = mapped_column(_vocabulary(Wave, constraint=False))
    rater: Mapped[Rater] = mapped_column(_vocabulary(Rater, constraint=False), default=Rater.SELF)
    value: Mapped[float] = mapped_column(Float)
    date: Mapped[dt.date | None] = mapped_column(Date)

    participant: Mapped[Participant] = relationship(back_populates="measurements")
    measure: Mapped[Measure] = relationship()
    item_responses: Mapped[list[ItemResponse]] = relationship(
        back_populates="measurement", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return (
            f"Measurement(participant_id={self.participant_id!r}, measure_id={self.measure_id!r}, "
            f"wave={self.wave.value!r}, rater={self.rater.value!r}, value={self.value!r})"
        )


class ItemResponse(Base):
    """A raw item answer behind a scale score, as given (before reverse scoring)."""

    __tablename__ = "item_response"

    measurement_id: Mapped[int] = mapped_column(ForeignKey("measurement.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("measure_item.id"), primary_key=True)
    value: Mapped[float] = mapped_column(Float)

    measurement: Mapped[Measurement] = relationship(back_populates="item_responses")
    item: Mapped[MeasureItem] = relationship()

    def __repr__(self) -> str:
        return f"ItemResponse(measurement_id={self.measurement_id!r}, item_id={self.item_id!r}, value={self.value!r})"


class UnscoredItemResponse(Base):
    """An item answer kept without a scale score: the participant answered too few of the
    measure's items at that wave (from that rater) for a score, so there is no measurement to
    hang it on. The analysis never reads these (no score, no statistic); imports count them, a
    participant's copy of their data holds them, and erasure removes them with the participant.

    At most one of a measurement's item answers and these exists for one participant, measure,
    wave and rater: a later import that gives enough items for a score replaces these.
    """

    __tablename__ = "unscored_item_response"
    __table_args__ = (UniqueConstraint("participant_id", "item_id", "wave", "rater"),)

    id: Mapped[intpk]
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("measure_item.id"))
    wave: Mapped[Wave]
    rater: Mapped[Rater] = mapped_column(default=Rater.SELF)
    value: Mapped[float] = mapped_column(Float)  # as given (before reverse scoring), on the measure's scale
    date: Mapped[dt.date | None] = mapped_column(Date)

    participant: Mapped[Participant] = relationship(back_populates="unscored_items")
    item: Mapped[MeasureItem] = relationship()

    def __repr__(self) -> str:
        return (
            f"UnscoredItemResponse(participant_id={self.participant_id!r}, item_id={self.item_id!r}, "
            f"wave={self.wave.value!r}, rater={self.rater.value!r}, value={self.value!r})"
        )


class Feedback(Base):
    """A quote or comment about an intervention; only cleared ones reach client reports."""

    __tablename__ = "feedback"

    id: Mapped[intpk]
    intervention_id: Mapped[int] = mapped_column(ForeignKey("intervention.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    level: Mapped[Level | None]
    theme: Mapped[str | None] = mapped_column(String(100))
    cleared: Mapped[bool] = mapped_column(Boolean, default=False)

    intervention: Mapped[Intervention] = relationship(back_populates="feedback")

    def __repr__(self) -> str:
        return f"Feedback(id={self.id!r}, intervention_id={self.intervention_id!r}, cleared={self.cleared!r})"


class AuditEntry(Base):
    """A record that data was erased: what kind, from which intervention, how many rows.

    It deliberately holds no personal data (no participant code, no values): an erasure that
    left the erased person's code behind would not be one. ``at`` is UTC without a time zone,
    so that SQLite and PostgreSQL store and return the same value.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (CheckConstraint("action IN ('forget_participant', 'delete_intervention')", name="known_action"),)

    id: Mapped[intpk]
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False))
    action: Mapped[str] = mapped_column(String(40))
    intervention_code: Mapped[code_str]
    # Rows removed per table, as JSON text ({"measurement": 12, ...}): counts only.
    removed: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"AuditEntry(id={self.id!r}, action={self.action!r}, intervention_code={self.intervention_code!r})"


class AnalysisVersion(Base):
    """How often an intervention's measurements have changed: bumped in the same transaction
    as every import, erasure and restore (see :mod:`kirkpatrick.storage.analysis_cache`).

    No foreign key on purpose: the row outlives a deleted intervention, so that an intervention
    that later gets the same id starts from a higher version than any result cached before.
    """

    __tablename__ = "analysis_version"

    intervention_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)


class AnalysisCache(Base):
    """A computed analysis (JSON) of one intervention at one data version and set of parameters."""

    __tablename__ = "analysis_cache"

    intervention_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
