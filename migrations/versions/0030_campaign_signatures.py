"""campaign signatures kept per comment, so a re-run hashes only new comments

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 08:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('analysis_signatures',
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('params', sa.String(length=60), nullable=False),
    sa.Column('text_key', sa.LargeBinary(length=16), nullable=False),
    sa.Column('signature', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['draft_comments.id'], name=op.f('fk_analysis_signatures_comment_id_draft_comments')),
    sa.PrimaryKeyConstraint('comment_id', name=op.f('pk_analysis_signatures'))
    )


def downgrade():
    op.drop_table('analysis_signatures')
