"""analysis runs over a questionnaire's written answers as well as a draft's comments

A run names its source: ``draft_id`` or ``questionnaire_id`` (exactly one). Units and members name their
items by id, a comment's or a survey answer's by the run's source, so ``analysis_units.lead_comment_id`` and
``analysis_members.comment_id`` lose their foreign key to ``draft_comments``. Downgrading deletes the runs of
questionnaires (with their units and members) before the foreign keys come back.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-03 13:36:28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('analysis_members', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_analysis_members_comment_id_draft_comments'), type_='foreignkey')

    with op.batch_alter_table('analysis_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('questionnaire_id', sa.Integer(), nullable=True))
        batch_op.alter_column('draft_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index('ix_analysis_runs_questionnaire_status', ['questionnaire_id', 'status', 'id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_analysis_runs_questionnaire_id_questionnaires'), 'questionnaires', ['questionnaire_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_analysis_runs_one_source'),
                                         '(draft_id IS NULL) <> (questionnaire_id IS NULL)')

    with op.batch_alter_table('analysis_units', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_analysis_units_lead_comment_id_draft_comments'), type_='foreignkey')


def downgrade():
    survey_runs = "SELECT id FROM analysis_runs WHERE questionnaire_id IS NOT NULL"
    op.execute(f"DELETE FROM analysis_members WHERE run_id IN ({survey_runs})")
    op.execute(f"DELETE FROM analysis_unit_changes WHERE unit_id IN "
               f"(SELECT id FROM analysis_units WHERE run_id IN ({survey_runs}))")
    op.execute(f"DELETE FROM analysis_units WHERE run_id IN ({survey_runs})")
    op.execute("DELETE FROM analysis_runs WHERE questionnaire_id IS NOT NULL")

    with op.batch_alter_table('analysis_units', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_analysis_units_lead_comment_id_draft_comments'), 'draft_comments', ['lead_comment_id'], ['id'])

    with op.batch_alter_table('analysis_runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_analysis_runs_one_source'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_analysis_runs_questionnaire_id_questionnaires'), type_='foreignkey')
        batch_op.drop_index('ix_analysis_runs_questionnaire_status')
        batch_op.alter_column('draft_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column('questionnaire_id')

    with op.batch_alter_table('analysis_members', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_analysis_members_comment_id_draft_comments'), 'draft_comments', ['comment_id'], ['id'])
