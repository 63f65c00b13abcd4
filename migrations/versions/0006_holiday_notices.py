"""holiday notices imported by an admin, and the calendar days each one set (with the holiday's name)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 07:28:38

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('holiday_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('applied_by_id', sa.Integer(), nullable=True),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['applied_by_id'], ['users.id'], name=op.f('fk_holiday_notices_applied_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holiday_notices')),
    sa.UniqueConstraint('year', name=op.f('uq_holiday_notices_year'))
    )
    with op.batch_alter_table('calendar_overrides', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holiday', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('notice_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_calendar_overrides_notice_id'), ['notice_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_calendar_overrides_notice_id_holiday_notices'), 'holiday_notices', ['notice_id'], ['id'])


def downgrade():
    with op.batch_alter_table('calendar_overrides', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_calendar_overrides_notice_id_holiday_notices'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_calendar_overrides_notice_id'))
        batch_op.drop_column('notice_id')
        batch_op.drop_column('holiday')

    op.drop_table('holiday_notices')
