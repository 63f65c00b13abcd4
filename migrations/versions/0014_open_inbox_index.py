"""The open inbox in due-date order on PostgreSQL: a partial index of open submissions

An officer's inbox shows the department's open submissions by due date (overdue ones first); with 200k
letters this index lets PostgreSQL read the first page in order and stop, rather than collect and sort.
SQLite keeps ix_submissions_inbox alone: it cannot match a partial index to a bound IN list.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 14:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

OPEN_STATUSES = ('received', 'assigned', 'needs_info', 'reopened')


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index('ix_submissions_open_due', 'submissions', ['department_id', 'due_on', 'id'],
                        postgresql_where=sa.column('status').in_(OPEN_STATUSES))


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_submissions_open_due', table_name='submissions')
