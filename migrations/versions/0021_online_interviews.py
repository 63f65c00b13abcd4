"""online interviews

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 17:30:07.386740

Interviews with their officials, the public's questions, the officials' answers (with files) and the
transcript; and the submission kind "interview": a question not answered during the session, tracked.
"""
from alembic import op
import sqlalchemy as sa


KINDS_BEFORE = "kind IN ('letter', 'comment', 'disclosure', 'event_question')"
KINDS_AFTER = "kind IN ('letter', 'comment', 'disclosure', 'event_question', 'interview')"

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('interviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('scheduled', 'live', 'ended', 'archived')", name=op.f('ck_interviews_status_known')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_interviews_ends_after_start')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_interviews_created_by_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_interviews_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interviews'))
    )
    with op.batch_alter_table('interviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interviews_department_id'), ['department_id'], unique=False)
        batch_op.create_index('ix_interviews_listing', ['starts_at', 'id'], unique=False)

    op.create_table('interview_officials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], name=op.f('fk_interview_officials_interview_id_interviews')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interview_officials'))
    )
    with op.batch_alter_table('interview_officials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_officials_interview_id'), ['interview_id'], unique=False)

    op.create_table('interview_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('notify_by', sa.String(length=8), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('moderator_note', sa.Text(), nullable=False),
    sa.Column('form_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('submitted', 'selected', 'answered', 'not_put')", name=op.f('ck_interview_questions_status_known')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_interview_questions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], name=op.f('fk_interview_questions_interview_id_interviews')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_interview_questions_submission_id_submissions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_interview_questions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interview_questions')),
    sa.UniqueConstraint('form_token', name=op.f('uq_interview_questions_form_token')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_interview_questions_submission_id'))
    )
    with op.batch_alter_table('interview_questions', schema=None) as batch_op:
        batch_op.create_index('ix_interview_questions_status', ['interview_id', 'status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interview_questions_user_id'), ['user_id'], unique=False)

    op.create_table('interview_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('official_name', sa.String(length=80), nullable=False),
    sa.Column('official_title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], name=op.f('fk_interview_answers_interview_id_interviews')),
    sa.ForeignKeyConstraint(['question_id'], ['interview_questions.id'], name=op.f('fk_interview_answers_question_id_interview_questions')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_interview_answers_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interview_answers'))
    )
    with op.batch_alter_table('interview_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_answers_interview_id'), ['interview_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interview_answers_question_id'), ['question_id'], unique=False)

    op.create_table('interview_answer_files',
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['interview_answers.id'], name=op.f('fk_interview_answer_files_answer_id_interview_answers')),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_interview_answer_files_attachment_id_attachments')),
    sa.PrimaryKeyConstraint('answer_id', 'attachment_id', name=op.f('pk_interview_answer_files')),
    sa.UniqueConstraint('attachment_id', name=op.f('uq_interview_answer_files_attachment_id'))
    )
    op.create_table('interview_transcript',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('answer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('question', 'answer')", name=op.f('ck_interview_transcript_kind_known')),
    sa.ForeignKeyConstraint(['answer_id'], ['interview_answers.id'], name=op.f('fk_interview_transcript_answer_id_interview_answers')),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], name=op.f('fk_interview_transcript_interview_id_interviews')),
    sa.ForeignKeyConstraint(['question_id'], ['interview_questions.id'], name=op.f('fk_interview_transcript_question_id_interview_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interview_transcript')),
    sa.UniqueConstraint('answer_id', name=op.f('uq_interview_transcript_answer_id'))
    )
    with op.batch_alter_table('interview_transcript', schema=None) as batch_op:
        batch_op.create_index('ix_interview_transcript_order', ['interview_id', 'id'], unique=False)

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_submissions_kind_known'), type_='check')
        batch_op.create_check_constraint('kind_known', sa.text(KINDS_AFTER))


def downgrade():
    # Fails while submissions of kind 'interview' exist: they have no older kind to become.
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_submissions_kind_known'), type_='check')
        batch_op.create_check_constraint('kind_known', sa.text(KINDS_BEFORE))
    with op.batch_alter_table('interview_transcript', schema=None) as batch_op:
        batch_op.drop_index('ix_interview_transcript_order')

    op.drop_table('interview_transcript')
    op.drop_table('interview_answer_files')
    with op.batch_alter_table('interview_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interview_answers_question_id'))
        batch_op.drop_index(batch_op.f('ix_interview_answers_interview_id'))

    op.drop_table('interview_answers')
    with op.batch_alter_table('interview_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interview_questions_user_id'))
        batch_op.drop_index('ix_interview_questions_status')

    op.drop_table('interview_questions')
    with op.batch_alter_table('interview_officials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interview_officials_interview_id'))

    op.drop_table('interview_officials')
    with op.batch_alter_table('interviews', schema=None) as batch_op:
        batch_op.drop_index('ix_interviews_listing')
        batch_op.drop_index(batch_op.f('ix_interviews_department_id'))

    op.drop_table('interviews')
