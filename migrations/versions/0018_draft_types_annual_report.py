"""drafts get the type of decision they prepare (which sets the shortest consultation); annual reports'
publication is recorded

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 14:05:00

Existing drafts become "other": the 30-day rule they were checked against until now.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('annual_report_publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_annual_report_publications_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_report_publications')),
    sa.UniqueConstraint('year', name=op.f('uq_annual_report_publications_year'))
    )
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_type', sa.String(length=24), server_default='other', nullable=False))
        batch_op.add_column(sa.Column('market_related', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_check_constraint(
            'decision_type_known', sa.text("decision_type IN ('major_decision', 'normative_document', 'regulation', 'other')"))


def downgrade():
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_drafts_decision_type_known'), type_='check')
        batch_op.drop_column('market_related')
        batch_op.drop_column('decision_type')
    op.drop_table('annual_report_publications')
