"""a version of a draft keeps the Word file it was imported from (offered as 征求意见稿)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 14:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('draft_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_attachment_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_draft_versions_source_attachment_id_attachments'), 'attachments',
                                    ['source_attachment_id'], ['id'])


def downgrade():
    with op.batch_alter_table('draft_versions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_draft_versions_source_attachment_id_attachments'), type_='foreignkey')
        batch_op.drop_column('source_attachment_id')
