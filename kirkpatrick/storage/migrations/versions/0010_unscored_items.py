"""item answers kept without a scale score

``unscored_item_response`` keeps the item answers of a participant who answered too few of a
multi-item measure's items (at one wave, from one rater) for a scale score: no measurement exists
to hang them on (``item_response`` needs one), and the analysis never reads them. They go with
their participant (ON DELETE CASCADE), so erasure and deleting an intervention remove them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

WAVE = sa.Enum("pre", "post", "follow_up", name="wave", native_enum=False, create_constraint=True, length=40)
RATER = sa.Enum(
    "self", "manager", "report", "peer", "org", name="rater", native_enum=False, create_constraint=True, length=40
)


def upgrade() -> None:
    op.create_table(
        "unscored_item_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("wave", WAVE, nullable=False),
        sa.Column("rater", RATER, nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_unscored_item_response_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["measure_item.id"], name=op.f("fk_unscored_item_response_item_id_measure_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unscored_item_response")),
        sa.UniqueConstraint(
            "participant_id",
            "item_id",
            "wave",
            "rater",
            name=op.f("uq_unscored_item_response_participant_id_item_id_wave_rater"),
        ),
    )


def downgrade() -> None:
    op.drop_table("unscored_item_response")
