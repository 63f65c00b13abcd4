"""calendar changes: one row per change to the admin's calendar, the greatest id its version

A process keeps the calendar it last read; the intake on PostgreSQL writes a submission only while the
calendar's version is still the one its due dates were worked out with (consult/workdays/models.py).

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-05 22:20:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'calendar_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade():
    op.drop_table('calendar_changes')
