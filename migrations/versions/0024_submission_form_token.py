"""the one-time form token moves to submissions: one unique column for every kind, filled from the four
per-kind columns it replaces

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

# Each kind's detail table (1:1 with its submission through submission_id) and the kind it holds.
DETAIL_TABLES = (
    ('letters', 'letter'),
    ('draft_comments', 'comment'),
    ('disclosure_requests', 'disclosure'),
    ('event_questions', 'event_question'),
)


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form_token', sa.String(length=64), nullable=True))
    for table, kind in DETAIL_TABLES:
        op.execute(
            f"UPDATE submissions SET form_token = (SELECT d.form_token FROM {table} d "
            f"WHERE d.submission_id = submissions.id) WHERE kind = '{kind}'"
        )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_submissions_form_token'), ['form_token'])
    for table, _kind in DETAIL_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{table}_form_token'), type_='unique')
            batch_op.drop_column('form_token')


def downgrade():
    for table, _kind in DETAIL_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('form_token', sa.String(length=64), nullable=True))
        op.execute(
            f"UPDATE {table} SET form_token = COALESCE((SELECT s.form_token FROM submissions s "
            f"WHERE s.id = {table}.submission_id), 'migrated-' || CAST(submission_id AS VARCHAR(20)))"
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('form_token', existing_type=sa.String(length=64), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_form_token'), ['form_token'])
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_submissions_form_token'), type_='unique')
        batch_op.drop_column('form_token')
