"""an event's files: materials for its attendees, or published with a hearing's record

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 08:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_files',
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("audience IN ('attendees', 'record')", name=op.f('ck_event_files_audience_known')),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_event_files_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_files_event_id_events')),
    sa.PrimaryKeyConstraint('attachment_id', name=op.f('pk_event_files')),
    )
    with op.batch_alter_table('event_files', schema=None) as batch_op:
        batch_op.create_index('ix_event_files_event', ['event_id', 'audience'], unique=False)


def downgrade():
    with op.batch_alter_table('event_files', schema=None) as batch_op:
        batch_op.drop_index('ix_event_files_event')
    op.drop_table('event_files')
