"""tracking numbers on PostgreSQL come from a sequence, not from a counter row every writer waits on

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 14:40:00

On PostgreSQL each (prefix, day) row of tracking_counters now keeps the sequence value that day's numbers
count from; existing rows are rewritten so the numbers already given today continue without a clash.
SQLite keeps incrementing the row inside its single write transaction, as before.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    connection = op.get_bind()
    start = (connection.execute(sa.text('SELECT MAX(last_value) FROM tracking_counters')).scalar() or 0) + 1
    op.execute(sa.schema.CreateSequence(sa.Sequence('tracking_numbers_seq', start=start)))
    # number = nextval - base, and nextval >= start: base = start - 1 - the numbers already given that day.
    connection.execute(sa.text('UPDATE tracking_counters SET last_value = :top - last_value'), {'top': start - 1})


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    connection = op.get_bind()
    top = connection.execute(sa.text("SELECT last_value FROM tracking_numbers_seq")).scalar_one()
    # Back to "the last number given that day" (an upper bound: numbers skipped stay skipped).
    connection.execute(sa.text('UPDATE tracking_counters SET last_value = :top - last_value'), {'top': top})
    op.execute(sa.schema.DropSequence(sa.Sequence('tracking_numbers_seq')))
