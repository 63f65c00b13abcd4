"""five-level ratings (好差评), the first response of staff, rectification tasks, rating appeals, their settings

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 13:30:00

Existing ratings keep their codes and meaning (satisfied → 满意, basically_satisfied → 基本满意,
unsatisfied → 不满意); only the list of allowed codes grows. The first response of staff is read back from
the timeline; ``flask stats-refresh`` then counts its working minutes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

FIVE = "satisfaction IS NULL OR satisfaction IN ('very_satisfied', 'satisfied', 'basically_satisfied', 'unsatisfied', 'very_unsatisfied')"
THREE = "satisfaction IS NULL OR satisfaction IN ('satisfied', 'basically_satisfied', 'unsatisfied')"
RESPONSES = "('assign', 'transfer', 'request_info', 'answer', 'dismiss')"


def upgrade():
    op.create_table('practice_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rectification_workdays', sa.Integer(), nullable=False),
    sa.Column('response_hours', sa.Integer(), nullable=False),
    sa.Column('feedback_report_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('feedback_report_days BETWEEN 1 AND 365', name=op.f('ck_practice_settings_feedback_range')),
    sa.CheckConstraint('rectification_workdays BETWEEN 1 AND 120', name=op.f('ck_practice_settings_rectification_range')),
    sa.CheckConstraint('response_hours BETWEEN 1 AND 720', name=op.f('ck_practice_settings_response_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_settings'))
    )
    op.create_table('rating_appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('satisfaction', sa.String(length=24), nullable=False),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ground', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.CheckConstraint("ground IN ('mistaken', 'malicious')", name=op.f('ck_rating_appeals_ground_known')),
    sa.CheckConstraint("status IN ('pending', 'upheld', 'rejected')", name=op.f('ck_rating_appeals_status_known')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_rating_appeals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_rating_appeals_department_id_departments')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_rating_appeals_filed_by_id_users')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_rating_appeals_submission_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_appeals')),
    sa.UniqueConstraint('submission_id', 'rated_at', name='uq_rating_appeals_rating')
    )
    with op.batch_alter_table('rating_appeals', schema=None) as batch_op:
        batch_op.create_index('ix_rating_appeals_status', ['status', 'department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_appeals_submission_id'), ['submission_id'], unique=False)

    op.create_table('rectification_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('satisfaction', sa.String(length=24), nullable=False),
    sa.Column('complaint', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('follow_up_by', sa.String(length=80), nullable=False),
    sa.Column('follow_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('follow_up_method', sa.String(length=16), nullable=True),
    sa.Column('follow_up_outcome', sa.Text(), nullable=False),
    sa.Column('follow_up_recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("follow_up_method IS NULL OR follow_up_method IN ('phone', 'in_person', 'written')", name=op.f('ck_rectification_tasks_follow_up_method_known')),
    sa.CheckConstraint("status IN ('open', 'done', 'withdrawn')", name=op.f('ck_rectification_tasks_status_known')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_rectification_tasks_closed_by_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_rectification_tasks_department_id_departments')),
    sa.ForeignKeyConstraint(['follow_up_recorded_by_id'], ['users.id'], name=op.f('fk_rectification_tasks_follow_up_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_rectification_tasks_submission_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_tasks'))
    )
    with op.batch_alter_table('rectification_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_rectification_tasks_department', ['department_id', 'status'], unique=False)
        batch_op.create_index('ix_rectification_tasks_due', ['status', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectification_tasks_submission_id'), ['submission_id'], unique=False)

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('response_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rating_removed', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_constraint(batch_op.f('ck_submissions_satisfaction_known'), type_='check')
        batch_op.create_check_constraint('satisfaction_known', sa.text(FIVE))
    op.execute(
        "UPDATE submissions SET responded_at = (SELECT min(e.created_at) FROM submission_events e "
        f"WHERE e.submission_id = submissions.id AND e.action IN {RESPONSES} "
        "AND e.actor_role NOT IN ('citizen', 'system'))"
    )


def downgrade():
    # The two new levels have no older equivalent: 非常满意 becomes 满意, 非常不满意 becomes 不满意.
    op.execute("UPDATE submissions SET satisfaction = 'satisfied' WHERE satisfaction = 'very_satisfied'")
    op.execute("UPDATE submissions SET satisfaction = 'unsatisfied' WHERE satisfaction = 'very_unsatisfied'")
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_submissions_satisfaction_known'), type_='check')
        batch_op.create_check_constraint('satisfaction_known', sa.text(THREE))
        batch_op.drop_column('rating_removed')
        batch_op.drop_column('response_minutes')
        batch_op.drop_column('responded_at')

    with op.batch_alter_table('rectification_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_tasks_submission_id'))
        batch_op.drop_index('ix_rectification_tasks_due')
        batch_op.drop_index('ix_rectification_tasks_department')
    op.drop_table('rectification_tasks')
    with op.batch_alter_table('rating_appeals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_appeals_submission_id'))
        batch_op.drop_index('ix_rating_appeals_status')
    op.drop_table('rating_appeals')
    op.drop_table('practice_settings')
