"""measurement storage: the wave and rater CHECKs as comparisons

SQLite (3.40) checks ``wave IN ('pre', 'post', 'follow_up')`` by building a temporary lookup
table for every row inserted; on a million-row import the two CHECKs of ``measurement`` cost
more than its keys and indexes together. Written as ``wave = 'pre' OR wave = 'post' ...`` they
refuse exactly the same values for next to nothing (bench/import_bench.py, docs/speed-import.md).
The other tables' wave and rater columns keep their ``IN`` CHECKs (they take few rows).

SQLite cannot change a CHECK in place: the table is copied into a new one and renamed, every
row and id kept. Dropping the old table with foreign keys on would first delete every
``item_response`` row that refers to it (``ON DELETE CASCADE``), so this migration refuses to
run that way: ``kirkpatrick init`` and restore run migrations with foreign keys off and check
every reference (``PRAGMA foreign_key_check``) before they commit (``db.migrating``).
PostgreSQL drops and adds the two constraints.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

WAVES = ("pre", "post", "follow_up")
RATERS = ("self", "manager", "report", "peer", "org")
COLUMNS = "id, intervention_id, participant_id, measure_id, wave, rater, value, date"
ANALYSIS_INDEX = ["intervention_id", "measure_id", "rater", "wave", "participant_id", "value"]


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return " OR ".join(f"{column} = '{v}'" for v in values)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    _set_checks(_one_of("wave", WAVES), _one_of("rater", RATERS))


def downgrade() -> None:
    _set_checks(_in("wave", WAVES), _in("rater", RATERS))


def _set_checks(wave: str, rater: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(wave, rater)
        return
    for name, rule in (("ck_measurement_wave", wave), ("ck_measurement_rater", rater)):
        op.drop_constraint(op.f(name), "measurement", type_="check")
        op.create_check_constraint(op.f(name), "measurement", rule)


def _rebuild_sqlite(wave: str, rater: str) -> None:
    bind = op.get_bind()
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "migration 0009 rebuilds table measurement and must run with SQLite's foreign keys off "
            "(else dropping the old table deletes every item_response row); use `kirkpatrick init`"
        )
    op.create_table(
        "_measurement_0009",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intervention_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("wave", sa.String(length=40), nullable=False),
        sa.Column("rater", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measurement")),
        sa.UniqueConstraint(
            "participant_id", "measure_id", "wave", "rater", name=op.f("uq_measurement_participant_id_measure_id_wave_rater")
        ),
        sa.CheckConstraint(wave, name=op.f("ck_measurement_wave")),
        sa.CheckConstraint(rater, name=op.f("ck_measurement_rater")),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["intervention.id"],
            name=op.f("fk_measurement_intervention_id_intervention"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_measurement_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["measure_id"], ["measure.id"], name=op.f("fk_measurement_measure_id_measure")),
    )
    # In rowid order, so the copy appends; the analysis index is built once, after the rows.
    op.execute(f"INSERT INTO _measurement_0009 ({COLUMNS}) SELECT {COLUMNS} FROM measurement ORDER BY id")
    op.drop_table("measurement")  # with its indexes
    op.rename_table("_measurement_0009", "measurement")
    op.create_index("ix_measurement_analysis", "measurement", ANALYSIS_INDEX, unique=False)
