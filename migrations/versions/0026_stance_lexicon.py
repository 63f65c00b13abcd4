"""the stance lexicon an admin edits: its saved versions

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 08:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stance_lexicons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('shipped', sa.Boolean(), nullable=False),
    sa.Column('restored_from_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_stance_lexicons_created_by_id_users')),
    sa.ForeignKeyConstraint(['restored_from_id'], ['stance_lexicons.id'], name=op.f('fk_stance_lexicons_restored_from_id_stance_lexicons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stance_lexicons'))
    )


def downgrade():
    op.drop_table('stance_lexicons')
