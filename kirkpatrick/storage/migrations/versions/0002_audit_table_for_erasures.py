"""audit table for erasures

A participant's right to erasure (`kirkpatrick participant forget`) and `intervention delete`
leave an entry here: when, what kind, which intervention, how many rows per table. No personal
data: not the participant's code, not their values.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('intervention_code', sa.String(length=64), nullable=False),
    sa.Column('removed', sa.Text(), nullable=False),
    sa.CheckConstraint("action IN ('forget_participant', 'delete_intervention')", name=op.f('ck_audit_entry_known_action')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )


def downgrade() -> None:
    op.drop_table('audit_entry')
