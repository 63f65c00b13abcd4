"""a feedback report's publication runs as a job: the request, its status and its outcome

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-03 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('base_url', sa.String(length=300), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('total_count', sa.Integer(), nullable=False),
    sa.Column('answered_count', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_report_publications_status_known')),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_report_publications_draft_id_drafts')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_report_publications_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_publications'))
    )
    with op.batch_alter_table('report_publications', schema=None) as batch_op:
        batch_op.create_index('ix_report_publications_draft_status', ['draft_id', 'status', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('report_publications', schema=None) as batch_op:
        batch_op.drop_index('ix_report_publications_draft_status')
    op.drop_table('report_publications')
