"""measurement without the covering analysis index

0003's ``ix_measurement_analysis`` (intervention, measure, rater, wave, participant, value) let
the analysis read an intervention's values as one range scan. Keeping it up to date was most of
what an import costs in SQLite beyond the table and its unique key: counted with callgrind, a
100,000-row load into ``measurement`` took 2,274 M instructions with it and 1,263 M without
(``docs/speed-import.md``). The analysis now reads an intervention's values through its
participants and the unique key (participant, measure, wave, rater), and sorts them in NumPy;
since the analysis is cached per data version (0008), that read happens once per change.

Rows are untouched: only an index goes, on SQLite and PostgreSQL alike.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""
from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COLUMNS = ["intervention_id", "measure_id", "rater", "wave", "participant_id", "value"]


def upgrade() -> None:
    op.drop_index("ix_measurement_analysis", table_name="measurement")


def downgrade() -> None:
    op.create_index("ix_measurement_analysis", "measurement", COLUMNS, unique=False)
