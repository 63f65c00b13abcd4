"""hearings (听证会) and public meetings (列席) as kinds of event: speakers, seats per category, the record

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

KINDS_BEFORE = "kind IN ('letter', 'comment', 'disclosure', 'event_question', 'interview')"
KINDS_AFTER = "kind IN ('letter', 'comment', 'disclosure', 'event_question', 'interview', 'hearing_speaker')"


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_type', sa.String(length=16), server_default='open_day', nullable=False))
        batch_op.add_column(sa.Column('agenda', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('materials', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('speakers_seed', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('speakers_selected_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('speakers_selected_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('transcript', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('hearing_report', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('record_published_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('record_published_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_events_speakers_selected_by_id_users'), 'users',
                                    ['speakers_selected_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_events_record_published_by_id_users'), 'users',
                                    ['record_published_by_id'], ['id'])
        batch_op.create_check_constraint('event_type_known', sa.text("event_type IN ('open_day', 'hearing', 'meeting')"))

    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=16), nullable=True))
        batch_op.create_check_constraint(
            'category_known',
            sa.text("category IS NULL OR category IN ('stakeholder', 'resident', 'expert', 'media', 'other')"))

    op.create_table('event_category_seats',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.CheckConstraint("category IN ('stakeholder', 'resident', 'expert', 'media', 'other')", name=op.f('ck_event_category_seats_category_known')),
    sa.CheckConstraint('seats >= 0', name=op.f('ck_event_category_seats_seats_not_negative')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_category_seats_event_id_events')),
    sa.PrimaryKeyConstraint('event_id', 'category', name=op.f('pk_event_category_seats'))
    )
    op.create_table('hearing_speakers',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('draw_rank', sa.Integer(), nullable=True),
    sa.Column('disposition', sa.String(length=16), nullable=True),
    sa.Column('disposition_reason', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('phone_key', sa.String(length=32), nullable=True),
    sa.Column('email_key', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('stakeholder', 'resident', 'expert', 'other')", name=op.f('ck_hearing_speakers_category_known')),
    sa.CheckConstraint("status IN ('applied', 'selected', 'not_selected')", name=op.f('ck_hearing_speakers_status_known')),
    sa.CheckConstraint("disposition IS NULL OR disposition IN ('adopted', 'partly_adopted', 'not_adopted', 'noted')", name=op.f('ck_hearing_speakers_disposition_known')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_hearing_speakers_event_id_events')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_hearing_speakers_submission_id_submissions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_hearing_speakers_user_id_users')),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_hearing_speakers')),
    )
    with op.batch_alter_table('hearing_speakers', schema=None) as batch_op:
        batch_op.create_index('ix_hearing_speakers_event', ['event_id', 'category', 'status'], unique=False)

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_submissions_kind_known'), type_='check')
        batch_op.create_check_constraint('kind_known', sa.text(KINDS_AFTER))


def downgrade():
    op.execute("DELETE FROM hearing_speakers")
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_submissions_kind_known'), type_='check')
        batch_op.create_check_constraint('kind_known', sa.text(KINDS_BEFORE))
    with op.batch_alter_table('hearing_speakers', schema=None) as batch_op:
        batch_op.drop_index('ix_hearing_speakers_event')
    op.drop_table('hearing_speakers')
    op.drop_table('event_category_seats')
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_event_registrations_category_known'), type_='check')
        batch_op.drop_column('category')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_events_event_type_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_events_record_published_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_events_speakers_selected_by_id_users'), type_='foreignkey')
        for column in ('record_published_by_id', 'record_published_at', 'hearing_report', 'transcript',
                       'speakers_selected_by_id', 'speakers_selected_at', 'speakers_seed', 'materials', 'agenda',
                       'event_type'):
            batch_op.drop_column(column)
