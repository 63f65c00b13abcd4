"""questionnaires: respondents per pair of options of two choice questions, for the cross-tabulation

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 08:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

# The counters of the responses already taken, from their answers (once, here; never again by a page).
BACKFILL = """
INSERT INTO survey_pair_counts (option_a_id, option_b_id, question_a_id, question_b_id, count)
SELECT a.option_id, b.option_id, a.question_id, b.question_id, COUNT(*)
FROM survey_answers a
JOIN survey_answers b ON b.response_id = a.response_id AND b.question_id > a.question_id
JOIN survey_questions qa ON qa.id = a.question_id
JOIN survey_questions qb ON qb.id = b.question_id
WHERE a.option_id IS NOT NULL AND b.option_id IS NOT NULL
  AND qa.kind IN ('single', 'multiple', 'scale') AND qb.kind IN ('single', 'multiple', 'scale')
GROUP BY a.option_id, b.option_id, a.question_id, b.question_id
"""


def upgrade():
    op.create_table('survey_pair_counts',
    sa.Column('option_a_id', sa.Integer(), nullable=False),
    sa.Column('option_b_id', sa.Integer(), nullable=False),
    sa.Column('question_a_id', sa.Integer(), nullable=False),
    sa.Column('question_b_id', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('question_a_id < question_b_id', name=op.f('ck_survey_pair_counts_questions_ordered')),
    sa.ForeignKeyConstraint(['option_a_id'], ['survey_options.id'], name=op.f('fk_survey_pair_counts_option_a_id_survey_options'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['option_b_id'], ['survey_options.id'], name=op.f('fk_survey_pair_counts_option_b_id_survey_options'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_a_id'], ['survey_questions.id'], name=op.f('fk_survey_pair_counts_question_a_id_survey_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_b_id'], ['survey_questions.id'], name=op.f('fk_survey_pair_counts_question_b_id_survey_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('option_a_id', 'option_b_id', name=op.f('pk_survey_pair_counts'))
    )
    with op.batch_alter_table('survey_pair_counts', schema=None) as batch_op:
        batch_op.create_index('ix_survey_pair_counts_questions', ['question_a_id', 'question_b_id'], unique=False)
    op.execute(BACKFILL)


def downgrade():
    with op.batch_alter_table('survey_pair_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_pair_counts_questions')
    op.drop_table('survey_pair_counts')
