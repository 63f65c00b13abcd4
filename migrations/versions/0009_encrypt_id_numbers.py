"""applicants' ID numbers are encrypted at rest (Fernet, keys from CONSULT_ENCRYPTION_KEYS)

Every stored number is encrypted under the newest configured key into a new column, and the clear column
is dropped; the downgrade decrypts them back. Run through ``flask --app consult db upgrade``, which reads
the keys the application uses.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa
from cryptography.fernet import Fernet, MultiFernet
from flask import current_app


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

requests = sa.table(
    'disclosure_requests',
    sa.column('submission_id', sa.Integer),
    sa.column('id_number', sa.String),
    sa.column('id_number_encrypted', sa.Text),
)


def _cipher() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in current_app.config['CONSULT_ENCRYPTION_KEYS']])


def _convert(source: str, target: str, change) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(requests.c.submission_id, requests.c[source])).all()
    for submission_id, value in rows:
        connection.execute(requests.update().where(requests.c.submission_id == submission_id)
                           .values({target: change(value)}))


def upgrade():
    with op.batch_alter_table('disclosure_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_number_encrypted', sa.Text(), nullable=True))
    cipher = _cipher()
    _convert('id_number', 'id_number_encrypted', lambda number: cipher.encrypt(number.encode()).decode('ascii'))
    with op.batch_alter_table('disclosure_requests', schema=None) as batch_op:
        batch_op.alter_column('id_number_encrypted', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('id_number')


def downgrade():
    with op.batch_alter_table('disclosure_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_number', sa.String(length=40), nullable=True))
    cipher = _cipher()
    _convert('id_number_encrypted', 'id_number', lambda token: cipher.decrypt(token.encode('ascii')).decode())
    with op.batch_alter_table('disclosure_requests', schema=None) as batch_op:
        batch_op.alter_column('id_number', existing_type=sa.String(length=40), nullable=False)
        batch_op.drop_column('id_number_encrypted')
