"""departments carry their place in the official order, which every list follows

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sort_order', sa.Integer(), server_default='0', nullable=False))
    # Existing departments keep the order they were listed in until now (by code), 10 apart so an admin
    # can slot one in between without renumbering the rest.
    departments = sa.table('departments', sa.column('id', sa.Integer), sa.column('code', sa.String),
                           sa.column('sort_order', sa.Integer))
    connection = op.get_bind()
    ids = connection.scalars(sa.select(departments.c.id).order_by(departments.c.code)).all()
    for position, department_id in enumerate(ids, start=1):
        connection.execute(
            departments.update().where(departments.c.id == department_id).values(sort_order=position * 10)
        )


def downgrade():
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_column('sort_order')
