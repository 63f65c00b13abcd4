"""drafts open and close by their approved window; the history of openings and closings

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'draft_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('draft_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('happened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_draft_events_draft_id_drafts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_events')),
    )
    with op.batch_alter_table('draft_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_events_draft_id'), ['draft_id'], unique=False)


def downgrade():
    with op.batch_alter_table('draft_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_events_draft_id'))
    op.drop_table('draft_events')
