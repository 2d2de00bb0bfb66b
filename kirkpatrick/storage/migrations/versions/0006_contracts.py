"""contracts: framework agreements, their follow-up interviews and delivery summaries

A contract (registration number, buyer, supplier, period, grading scale) with its award criteria,
contracted services (with volumes in sessions), the supplier's delivery summaries, follow-up
interviews (pseudonymous interviewee: role and unit), grades per criterion and themed quotes.
Call-offs link interventions to a contract (``call_off``, one contract per intervention). No
existing table changes, so no existing row is touched: every intervention starts with no contract.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FORMAT = sa.Enum(
    "individual_coaching",
    "group_coaching",
    "leadership_group_development",
    "training_programme",
    name="format",
    native_enum=False,
    create_constraint=True,
    length=40,
)
THEME = sa.Enum(
    "quality_outcome",
    "success_factors",
    "availability_flexibility",
    "treatment",
    "future_requirements",
    "other",
    name="quotetheme",
    native_enum=False,
    create_constraint=True,
    length=40,
)


def upgrade() -> None:
    op.create_table(
        "contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("registration_number", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("supplier", sa.String(length=300), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("scale_min", sa.Integer(), nullable=False),
        sa.Column("scale_max", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_contract_dates_in_order")),
        sa.CheckConstraint("scale_max > scale_min", name=op.f("ck_contract_scale_in_order")),
        sa.ForeignKeyConstraint(["buyer_id"], ["client.id"], name=op.f("fk_contract_buyer_id_client")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract")),
        sa.UniqueConstraint("code", name=op.f("uq_contract_code")),
    )
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contract_buyer_id"), ["buyer_id"], unique=False)

    op.create_table(
        "award_criterion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contract.id"], name=op.f("fk_award_criterion_contract_id_contract"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_criterion")),
        sa.UniqueConstraint("contract_id", "code", name=op.f("uq_award_criterion_contract_id_code")),
        sa.UniqueConstraint("contract_id", "position", name=op.f("uq_award_criterion_contract_id_position")),
    )
    op.create_table(
        "contracted_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("format", FORMAT, nullable=False),
        sa.Column("volume", sa.Float(), nullable=True),
        sa.CheckConstraint("volume IS NULL OR volume >= 0", name=op.f("ck_contracted_service_volume_not_negative")),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contract.id"],
            name=op.f("fk_contracted_service_contract_id_contract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracted_service")),
        sa.UniqueConstraint("contract_id", "format", name=op.f("uq_contracted_service_contract_id_format")),
    )
    op.create_table(
        "interview",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("unit", sa.String(length=300), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("interviewer", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contract.id"], name=op.f("fk_interview_contract_id_contract"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview")),
        sa.UniqueConstraint("contract_id", "code", name=op.f("uq_interview_contract_id_code")),
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("sessions", sa.Float(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_delivery_dates_in_order")),
        sa.CheckConstraint(
            "participants IS NULL OR participants >= 0", name=op.f("ck_delivery_participants_not_negative")
        ),
        sa.CheckConstraint("sessions >= 0", name=op.f("ck_delivery_sessions_not_negative")),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contract.id"], name=op.f("fk_delivery_contract_id_contract"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["contracted_service.id"],
            name=op.f("fk_delivery_service_id_contracted_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint(
            "contract_id", "service_id", "period_start", name=op.f("uq_delivery_contract_id_service_id_period_start")
        ),
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delivery_service_id"), ["service_id"], unique=False)

    op.create_table(
        "grade",
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["award_criterion.id"],
            name=op.f("fk_grade_criterion_id_award_criterion"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"], ["interview.id"], name=op.f("fk_grade_interview_id_interview"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("interview_id", "criterion_id", name=op.f("pk_grade")),
    )
    op.create_table(
        "interview_quote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("theme", THEME, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("cleared", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interview.id"],
            name=op.f("fk_interview_quote_interview_id_interview"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_quote")),
    )
    with op.batch_alter_table("interview_quote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interview_quote_interview_id"), ["interview_id"], unique=False)

    # Call-offs in a table of their own: a foreign-key column on intervention would make SQLite
    # rebuild that table, and the rebuild's DROP TABLE cascades into the evaluations' rows.
    op.create_table(
        "call_off",
        sa.Column("intervention_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contract.id"], name=op.f("fk_call_off_contract_id_contract"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["intervention.id"],
            name=op.f("fk_call_off_intervention_id_intervention"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("intervention_id", name=op.f("pk_call_off")),
    )
    with op.batch_alter_table("call_off", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_off_contract_id"), ["contract_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("call_off", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_off_contract_id"))
    op.drop_table("call_off")
    with op.batch_alter_table("interview_quote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_quote_interview_id"))
    op.drop_table("interview_quote")
    op.drop_table("grade")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_service_id"))
    op.drop_table("delivery")
    op.drop_table("interview")
    op.drop_table("contracted_service")
    op.drop_table("award_criterion")
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_buyer_id"))
    op.drop_table("contract")
