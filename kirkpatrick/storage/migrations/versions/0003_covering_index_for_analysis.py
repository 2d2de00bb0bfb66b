"""covering index for the analysis

The analysis reads every value of one intervention, grouped by measure, rater and wave. An
index holding all of those columns serves that read as one range scan, in the order the
analysis needs, without touching the table; it replaces the two narrower indexes of 0001
(measurement by measure alone was only ever used through the new index's leading columns).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.drop_index("ix_measurement_intervention_measure_wave")
        batch_op.drop_index("ix_measurement_measure_id")
        batch_op.create_index(
            "ix_measurement_analysis",
            ["intervention_id", "measure_id", "rater", "wave", "participant_id", "value"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.drop_index("ix_measurement_analysis")
        batch_op.create_index("ix_measurement_measure_id", ["measure_id"], unique=False)
        batch_op.create_index(
            "ix_measurement_intervention_measure_wave", ["intervention_id", "measure_id", "wave"], unique=False
        )
