"""accounts for the web application

Organisations (consultancies and client organisations), users, which organisation owns which
client and runs which intervention, read-only share links, sign-in attempts (throttling that
holds across worker processes) and the web audit log.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.Enum("consultancy", "client", name="orgkind", native_enum=False, create_constraint=True, length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("name", name=op.f("uq_organisation_name")),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.Enum("admin", "consultant", "hr", "client", name="role", native_enum=False, create_constraint=True, length=40), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], name=op.f("fk_app_user_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("email", name=op.f("uq_app_user_email")),
    )
    op.create_index(op.f("ix_app_user_organisation_id"), "app_user", ["organisation_id"], unique=False)
    op.create_table(
        "client_owner",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"], name=op.f("fk_client_owner_client_id_client"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], name=op.f("fk_client_owner_organisation_id_organisation"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client_owner")),
    )
    op.create_index(op.f("ix_client_owner_organisation_id"), "client_owner", ["organisation_id"], unique=False)
    op.create_table(
        "intervention_runner",
        sa.Column("intervention_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["intervention_id"], ["intervention.id"], name=op.f("fk_intervention_runner_intervention_id_intervention"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], name=op.f("fk_intervention_runner_organisation_id_organisation"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("intervention_id", name=op.f("pk_intervention_runner")),
    )
    op.create_index(op.f("ix_intervention_runner_organisation_id"), "intervention_runner", ["organisation_id"], unique=False)
    op.create_table(
        "share_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("intervention_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_share_link_created_by_app_user"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["intervention_id"], ["intervention.id"], name=op.f("fk_share_link_intervention_id_intervention"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_share_link_token_hash")),
    )
    op.create_index(op.f("ix_share_link_intervention_id"), "share_link", ["intervention_id"], unique=False)
    op.create_table(
        "sign_in_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempt")),
    )
    op.create_index("ix_sign_in_attempt_email_at", "sign_in_attempt", ["email", "at"], unique=False)
    op.create_index("ix_sign_in_attempt_address_at", "sign_in_attempt", ["address", "at"], unique=False)
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index("ix_audit_event_organisation_id_id", "audit_event", ["organisation_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_event_organisation_id_id", table_name="audit_event")
    op.drop_table("audit_event")
    op.drop_index("ix_sign_in_attempt_address_at", table_name="sign_in_attempt")
    op.drop_index("ix_sign_in_attempt_email_at", table_name="sign_in_attempt")
    op.drop_table("sign_in_attempt")
    op.drop_index(op.f("ix_share_link_intervention_id"), table_name="share_link")
    op.drop_table("share_link")
    op.drop_index(op.f("ix_intervention_runner_organisation_id"), table_name="intervention_runner")
    op.drop_table("intervention_runner")
    op.drop_index(op.f("ix_client_owner_organisation_id"), table_name="client_owner")
    op.drop_table("client_owner")
    op.drop_index(op.f("ix_app_user_organisation_id"), table_name="app_user")
    op.drop_table("app_user")
    op.drop_table("organisation")
