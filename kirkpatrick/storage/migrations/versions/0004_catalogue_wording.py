"""catalogue wording and answer labels

Measures and their items carry the wording respondents saw (one a line), and labelled scales
their answer labels (lowest first) and the labels that mean "no answer". Survey-tool exports
are matched to the catalogue by this wording; existing measures keep NULL (matched by code).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wording", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("labels", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("no_answer", sa.Text(), nullable=True))
    with op.batch_alter_table("measure_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wording", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("measure_item", schema=None) as batch_op:
        batch_op.drop_column("wording")
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.drop_column("no_answer")
        batch_op.drop_column("labels")
        batch_op.drop_column("wording")
