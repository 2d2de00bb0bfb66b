"""Accounts for the web application: organisations, users, who owns which data, share links,
sign-in attempts and the audit log of the web (sign-ins, downloads, shares, changes).

How organisations map onto the domain (docs/web.md): an organisation is a consultancy or a
client organisation. A client organisation owns ``Client`` rows (``client_owner``); a
consultancy runs interventions (``intervention_runner``). Nothing here is personal data about
participants; users' e-mail addresses are kept only because signing in needs them.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kirkpatrick.storage.models import Base


class OrgKind(StrEnum):
    CONSULTANCY = "consultancy"
    CLIENT = "client"


class Role(StrEnum):
    ADMIN = "admin"
    CONSULTANT = "consultant"
    HR = "hr"
    CLIENT = "client"


def _vocab(enum_class: type[StrEnum], name: str) -> Enum:
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=True,
        length=40,
        values_callable=lambda cls: [member.value for member in cls],
        name=name,
        validate_strings=True,
    )


class Organisation(Base):
    """A consultancy (runs interventions) or a client organisation (owns clients' data)."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[OrgKind] = mapped_column(_vocab(OrgKind, "orgkind"))

    def __repr__(self) -> str:
        return f"Organisation(id={self.id!r}, name={self.name!r}, kind={self.kind.value!r})"


class User(Base):
    """A person who signs in. ``session_version`` is in every session cookie: bumping it signs
    the user out everywhere (deactivation, password change)."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_vocab(Role, "role"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False))

    organisation: Mapped[Organisation | None] = relationship()

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, role={self.role.value!r})"


class ClientOwner(Base):
    """A client organisation owns a client (its units' interventions are that organisation's data)."""

    __tablename__ = "client_owner"

    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)


class InterventionRunner(Base):
    """The consultancy that runs an intervention."""

    __tablename__ = "intervention_runner"

    intervention_id: Mapped[int] = mapped_column(ForeignKey("intervention.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)


class ShareLink(Base):
    """A read-only link to one report. Only the SHA-256 of the token is stored."""

    __tablename__ = "share_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    intervention_id: Mapped[int] = mapped_column(ForeignKey("intervention.id", ondelete="CASCADE"), index=True)
    lang: Mapped[str] = mapped_column(String(2))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=False))


class SignInAttempt(Base):
    """One sign-in attempt, kept in the database so that throttling holds across workers."""

    __tablename__ = "sign_in_attempt"
    __table_args__ = (
        Index("ix_sign_in_attempt_email_at", "email", "at"),
        Index("ix_sign_in_attempt_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False))
    email: Mapped[str] = mapped_column(String(320))
    address: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean)


class AuditEvent(Base):
    """Something done in the web application: who, what, to what. No foreign keys, so the log
    outlives deleted users and interventions; ``organisation_id`` says whose data it concerns."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_organisation_id_id", "organisation_id", "id"),
        # The start page's "last change" of each intervention: max(at) per target.
        Index("ix_audit_event_target_at", "target", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False))
    actor: Mapped[str | None] = mapped_column(String(320))
    organisation_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(300))
    detail: Mapped[str | None] = mapped_column(Text)
