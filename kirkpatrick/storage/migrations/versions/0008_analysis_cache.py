"""analysis cache keyed by a data version

``analysis_version`` counts the changes to each intervention's measurements (bumped in the
transaction of every import, erasure and restore); ``analysis_cache`` holds computed analyses
keyed by intervention, that version and the analysis parameters, so a report whose data did
not change is served without reading the raw rows again, and never after they changed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analysis_version",
        sa.Column("intervention_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("intervention_id", name=op.f("pk_analysis_version")),
    )
    op.create_table(
        "analysis_cache",
        sa.Column("intervention_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("intervention_id", "version", "key", name=op.f("pk_analysis_cache")),
    )


def downgrade() -> None:
    op.drop_table("analysis_cache")
    op.drop_table("analysis_version")
