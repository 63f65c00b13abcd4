"""recognise the same submission sent twice: a key of its kind, target and normalised text, indexed with the
time it was received

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_key', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_submissions_content_key', ['content_key', 'received_at'], unique=False)


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_content_key')
        batch_op.drop_column('content_key')
