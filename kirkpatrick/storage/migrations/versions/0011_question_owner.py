"""whose bank questions are whose; the audit log looked up by target

``collect_question.owner_id``: the organisation (a consultancy) that added a question; NULL for
the shipped bank that everyone may use. A code is unique per owner (and among the shipped
questions, by a partial index), no longer across the whole database, so that two organisations
may use the same code without learning of each other's questions.

Existing rows: shipped questions stay NULL. A question someone added (``shipped`` false) becomes
the organisation's that runs the interventions whose questionnaires use it, when that is exactly
one organisation (only that organisation could have chosen it for its questionnaires). A question
nobody uses, or that interventions of several organisations use, stays NULL: shared, as it was
before; the upgrade cannot tell whose it is (``docs/collect.md``).

``ix_audit_event_target_at``: the start page's "last change" of each intervention (max(at) per
target) reads the index instead of the whole audit log.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# SQLite cannot drop the old unique constraint on code without copying the table; dropping the old
# table would leave the questionnaires' and answers' rows pointing nowhere while foreign keys are
# on (they are; a transaction cannot turn them off), so those rows wait in temporary tables.
_CHILDREN = ("collect_questionnaire_question", "collect_answer")

OWNED = """
UPDATE collect_question SET owner_id = (
    SELECT MIN(r.organisation_id) FROM collect_questionnaire_question qq
    JOIN collect_questionnaire q ON q.id = qq.questionnaire_id
    JOIN intervention_runner r ON r.intervention_id = q.intervention_id
    WHERE qq.question_id = collect_question.id
)
WHERE shipped = false AND 1 = (
    SELECT COUNT(DISTINCT r.organisation_id) FROM collect_questionnaire_question qq
    JOIN collect_questionnaire q ON q.id = qq.questionnaire_id
    JOIN intervention_runner r ON r.intervention_id = q.intervention_id
    WHERE qq.question_id = collect_question.id
)
"""


def _park_children() -> None:
    for name in _CHILDREN:
        op.execute(f"CREATE TEMPORARY TABLE kp_parked_{name} AS SELECT * FROM {name}")
        op.execute(f"DELETE FROM {name}")


def _restore_children() -> None:
    for name in _CHILDREN:
        op.execute(f"INSERT INTO {name} SELECT * FROM kp_parked_{name}")
        op.execute(f"DROP TABLE kp_parked_{name}")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _park_children()
    with op.batch_alter_table("collect_question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.drop_constraint("uq_collect_question_code", type_="unique")
        batch_op.create_foreign_key(
            op.f("fk_collect_question_owner_id_organisation"), "organisation", ["owner_id"], ["id"]
        )
        batch_op.create_unique_constraint(op.f("uq_collect_question_owner_id_code"), ["owner_id", "code"])
        batch_op.create_index(op.f("ix_collect_question_owner_id"), ["owner_id"], unique=False)
    if sqlite:
        _restore_children()
    op.execute(sa.text(OWNED))
    op.create_index(
        "uq_collect_question_shipped_code",
        "collect_question",
        ["code"],
        unique=True,
        sqlite_where=sa.text("owner_id IS NULL"),
        postgresql_where=sa.text("owner_id IS NULL"),
    )
    op.create_index("ix_audit_event_target_at", "audit_event", ["target", "at"], unique=False)


def downgrade() -> None:
    # Codes were unique across the bank: this fails if two organisations use one code.
    op.drop_index("ix_audit_event_target_at", table_name="audit_event")
    op.drop_index("uq_collect_question_shipped_code", table_name="collect_question")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _park_children()
    with op.batch_alter_table("collect_question", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_collect_question_owner_id"))
        batch_op.drop_constraint(op.f("uq_collect_question_owner_id_code"), type_="unique")
        batch_op.drop_constraint(op.f("fk_collect_question_owner_id_organisation"), type_="foreignkey")
        batch_op.drop_column("owner_id")
        batch_op.create_unique_constraint(op.f("uq_collect_question_code"), ["code"])
    if sqlite:
        _restore_children()
