"""survey collection: question bank, questionnaires, waves, contacts, invitations, links, answers, outbox

The tables of kirkpatrick/storage/collect.py. Contacts (e-mail addresses) are a table of their own,
apart from the measurements, so that they can be deleted after the retention period.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 03:55:19.406321
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('collect_settings',
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('privacy_sv', sa.Text(), nullable=True),
    sa.Column('privacy_en', sa.Text(), nullable=True),
    sa.Column('retention_days', sa.Integer(), nullable=False),
    sa.Column('min_raters', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_collect_settings_client_id_client'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('client_id', name=op.f('pk_collect_settings'))
    )
    op.create_table('collect_mail_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intervention_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['intervention_id'], ['intervention.id'], name=op.f('fk_collect_mail_template_intervention_id_intervention'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collect_mail_template')),
    sa.UniqueConstraint('intervention_id', 'kind', 'lang', name=op.f('uq_collect_mail_template_intervention_id_kind_lang'))
    )
    op.create_table('collect_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('text_sv', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('other_sv', sa.Text(), nullable=True),
    sa.Column('other_en', sa.Text(), nullable=True),
    sa.Column('labels', sa.Text(), nullable=False),
    sa.Column('level', sa.String(length=40), nullable=True),
    sa.Column('shipped', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind = 'open' OR measure_id IS NOT NULL", name=op.f('ck_collect_question_scale_has_measure')),
    sa.CheckConstraint("kind IN ('scale', 'open')", name=op.f('ck_collect_question_known_kind')),
    sa.ForeignKeyConstraint(['item_id'], ['measure_item.id'], name=op.f('fk_collect_question_item_id_measure_item')),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_collect_question_measure_id_measure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collect_question')),
    sa.UniqueConstraint('code', name=op.f('uq_collect_question_code'))
    )
    op.create_table('collect_questionnaire',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intervention_id', sa.Integer(), nullable=False),
    sa.Column('wave', sa.Enum('pre', 'post', 'follow_up', name='wave', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('rater', sa.Enum('self', 'manager', 'report', 'peer', 'org', name='rater', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.ForeignKeyConstraint(['intervention_id'], ['intervention.id'], name=op.f('fk_collect_questionnaire_intervention_id_intervention'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collect_questionnaire')),
    sa.UniqueConstraint('intervention_id', 'wave', 'rater', name=op.f('uq_collect_questionnaire_intervention_id_wave_rater'))
    )
    op.create_table('collect_wave',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intervention_id', sa.Integer(), nullable=False),
    sa.Column('wave', sa.Enum('pre', 'post', 'follow_up', name='wave', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('reminder_days', sa.Integer(), nullable=False),
    sa.Column('max_reminders', sa.Integer(), nullable=False),
    sa.CheckConstraint('closes_on >= opens_on', name=op.f('ck_collect_wave_dates_in_order')),
    sa.CheckConstraint('max_reminders >= 0 AND reminder_days >= 1', name=op.f('ck_collect_wave_reminders_sane')),
    sa.ForeignKeyConstraint(['intervention_id'], ['intervention.id'], name=op.f('fk_collect_wave_intervention_id_intervention'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collect_wave')),
    sa.UniqueConstraint('intervention_id', 'wave', name=op.f('uq_collect_wave_intervention_id_wave'))
    )
    op.create_table('collect_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('rater', sa.Enum('self', 'manager', 'report', 'peer', 'org', name='rater', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.CheckConstraint("lang IN ('sv', 'en')", name=op.f('ck_collect_contact_known_lang')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_collect_contact_participant_id_participant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collect_contact'))
    )
    with op.batch_alter_table('collect_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collect_contact_participant_id'), ['participant_id'], unique=False)

    op.create_table('collect_questionnaire_question',
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['collect_question.id'], name=op.f('fk_collect_questionnaire_question_question_id_collect_question')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['collect_questionnaire.id'], name=op.f('fk_collect_questionnaire_question_questionnaire_id_collect_questionnaire'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('questionnaire_id', 'question_id', name=op.f('pk_collect_questionnaire_question')),
    sa.UniqueConstraint('questionnaire_id', 'position', name=op.f('uq_collect_questionnaire_question_questionnaire_id_position'))
    )
    op.create_table('collect_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intervention_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('wave', sa.Enum('pre', 'post', 'follow_up', name='wave', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('rater', sa.Enum('self', 'manager', 'report', 'peer', 'org', name='rater', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['collect_contact.id'], name=op.f('fk_collect_invitation_contact_id_collect_contact'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['intervention_id'], ['intervention.id'], name=op.f('fk_collect_invitation_intervention_id_intervention'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_collect_invitation_participant_id_participant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collect_invitation')),
    sa.UniqueConstraint('participant_id', 'wave', 'rater', 'slot', name=op.f('uq_collect_invitation_participant_id_wave_rater_slot'))
    )
    with op.batch_alter_table('collect_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collect_invitation_intervention_id'), ['intervention_id'], unique=False)

    op.create_table('collect_answer',
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('feedback_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], name=op.f('fk_collect_answer_feedback_id_feedback'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invitation_id'], ['collect_invitation.id'], name=op.f('fk_collect_answer_invitation_id_collect_invitation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['collect_question.id'], name=op.f('fk_collect_answer_question_id_collect_question')),
    sa.PrimaryKeyConstraint('invitation_id', 'question_id', name=op.f('pk_collect_answer'))
    )
    op.create_table('collect_link',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['collect_invitation.id'], name=op.f('fk_collect_link_invitation_id_collect_invitation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_collect_link'))
    )
    with op.batch_alter_table('collect_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collect_link_invitation_id'), ['invitation_id'], unique=False)

    op.create_table('collect_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('invite', 'reminder')", name=op.f('ck_collect_outbox_known_kind')),
    sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_collect_outbox_known_state')),
    sa.ForeignKeyConstraint(['invitation_id'], ['collect_invitation.id'], name=op.f('fk_collect_outbox_invitation_id_collect_invitation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collect_outbox')),
    sa.UniqueConstraint('invitation_id', 'kind', 'number', name=op.f('uq_collect_outbox_invitation_id_kind_number'))
    )
    with op.batch_alter_table('collect_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collect_outbox_state'), ['state'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('collect_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collect_outbox_state'))

    op.drop_table('collect_outbox')
    with op.batch_alter_table('collect_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collect_link_invitation_id'))

    op.drop_table('collect_link')
    op.drop_table('collect_answer')
    with op.batch_alter_table('collect_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collect_invitation_intervention_id'))

    op.drop_table('collect_invitation')
    op.drop_table('collect_questionnaire_question')
    with op.batch_alter_table('collect_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collect_contact_participant_id'))

    op.drop_table('collect_contact')
    op.drop_table('collect_wave')
    op.drop_table('collect_questionnaire')
    op.drop_table('collect_question')
    op.drop_table('collect_mail_template')
    op.drop_table('collect_settings')
