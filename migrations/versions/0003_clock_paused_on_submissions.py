"""the clock of a paused information request stops on its submission, so it is never due soon or overdue

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 02:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clock_paused_since', sa.Date(), nullable=True))
    op.execute(
        "UPDATE submissions SET clock_paused_since = "
        "(SELECT d.paused_since FROM disclosure_requests d WHERE d.submission_id = submissions.id) "
        "WHERE id IN (SELECT submission_id FROM disclosure_requests WHERE paused_since IS NOT NULL)"
    )
    with op.batch_alter_table('disclosure_requests', schema=None) as batch_op:
        batch_op.drop_column('paused_since')


def downgrade():
    with op.batch_alter_table('disclosure_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_since', sa.Date(), nullable=True))
    op.execute(
        "UPDATE disclosure_requests SET paused_since = "
        "(SELECT s.clock_paused_since FROM submissions s WHERE s.id = disclosure_requests.submission_id)"
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('clock_paused_since')
