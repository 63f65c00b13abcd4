"""questionnaires: questions, options with their counters, responses and answers

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 18:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('questionnaires',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('answer_mode', sa.String(length=20), nullable=False),
    sa.Column('results_visibility', sa.String(length=20), nullable=False),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('response_count', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint("answer_mode IN ('anonymous', 'contact', 'account')", name=op.f('ck_questionnaires_answer_mode_known')),
    sa.CheckConstraint("results_visibility IN ('public', 'internal')", name=op.f('ck_questionnaires_visibility_known')),
    sa.CheckConstraint("status IN ('draft', 'in_review', 'approved', 'withdrawn')", name=op.f('ck_questionnaires_status_known')),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_questionnaires_window_sane')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_questionnaires_approved_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_questionnaires_created_by_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_questionnaires_department_id_departments')),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_questionnaires_draft_id_drafts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaires'))
    )
    with op.batch_alter_table('questionnaires', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaires_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_questionnaires_draft_id'), ['draft_id'], unique=False)
        batch_op.create_index('ix_questionnaires_status_closes', ['status', 'closes_at', 'id'], unique=False)

    op.create_table('survey_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('prompt', sa.Text(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('article_anchor', sa.String(length=80), nullable=False),
    sa.Column('branch_option_id', sa.Integer(), nullable=True),
    sa.Column('answer_count', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint("kind IN ('single', 'multiple', 'scale', 'ranking', 'text')", name=op.f('ck_survey_questions_kind_known')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaires.id'], name=op.f('fk_survey_questions_questionnaire_id_questionnaires'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_questions'))
    )
    with op.batch_alter_table('survey_questions', schema=None) as batch_op:
        batch_op.create_index('ix_survey_questions_questionnaire', ['questionnaire_id', 'position'], unique=False)

    op.create_table('survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('form_token', sa.String(length=64), nullable=False),
    sa.Column('respondent_key', sa.String(length=64), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaires.id'], name=op.f('fk_survey_responses_questionnaire_id_questionnaires'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
    sa.UniqueConstraint('form_token', name=op.f('uq_survey_responses_form_token')),
    sa.UniqueConstraint('questionnaire_id', 'respondent_key', name='uq_survey_responses_respondent')
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index('ix_survey_responses_questionnaire', ['questionnaire_id', 'id'], unique=False)

    op.create_table('survey_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('chosen_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('points', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['survey_questions.id'], name=op.f('fk_survey_options_question_id_survey_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_options'))
    )
    with op.batch_alter_table('survey_options', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_options_question_id'), ['question_id'], unique=False)
    # A branch names an option of an earlier question: the two tables point at each other.
    with op.batch_alter_table('survey_questions', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_survey_questions_branch', 'survey_options', ['branch_option_id'], ['id'],
                                    ondelete='SET NULL')

    op.create_table('survey_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['option_id'], ['survey_options.id'], name=op.f('fk_survey_answers_option_id_survey_options'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['survey_questions.id'], name=op.f('fk_survey_answers_question_id_survey_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['survey_responses.id'], name=op.f('fk_survey_answers_response_id_survey_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answers'))
    )
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.create_index('ix_survey_answers_question', ['question_id', 'response_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_answers_response_id'), ['response_id'], unique=False)



def downgrade():
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_answers_response_id'))
        batch_op.drop_index('ix_survey_answers_question')

    op.drop_table('survey_answers')
    with op.batch_alter_table('survey_options', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_options_question_id'))

    with op.batch_alter_table('survey_questions', schema=None) as batch_op:
        batch_op.drop_constraint('fk_survey_questions_branch', type_='foreignkey')
    op.drop_table('survey_options')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_responses_questionnaire')

    op.drop_table('survey_responses')
    with op.batch_alter_table('survey_questions', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_questions_questionnaire')

    op.drop_table('survey_questions')
    with op.batch_alter_table('questionnaires', schema=None) as batch_op:
        batch_op.drop_index('ix_questionnaires_status_closes')
        batch_op.drop_index(batch_op.f('ix_questionnaires_draft_id'))
        batch_op.drop_index(batch_op.f('ix_questionnaires_department_id'))

    op.drop_table('questionnaires')
