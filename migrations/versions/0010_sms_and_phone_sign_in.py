"""SMS in the outbox, opt-outs, phone verification codes, phone sign-in, submissions found by phone

The outbox gains a channel (mail or sms) and an SMS template's parameters; numbers that replied T are kept
in sms_opt_outs; phone_codes holds the hashes of verification codes. Users may have a verified phone and no
e-mail address. Submissions keep the digits of the phone they were sent with (filled in here for the
existing ones) and the channel the citizen chose for news of them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 13:40:00

"""
from alembic import op
import sqlalchemy as sa

from consult.contacts import phone_key


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=8), server_default='mail', nullable=False))
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))
        batch_op.create_check_constraint('channel_known', sa.column('channel').in_(('mail', 'sms')))
        batch_op.create_index('ix_outbox_messages_recipient', ['channel', 'recipient', 'created_at'], unique=False)
    op.create_table(
        'sms_opt_outs',
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('phone', name=op.f('pk_sms_opt_outs')),
    )
    op.create_table(
        'phone_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('ip', sa.String(length=45), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_codes')),
    )
    op.create_index('ix_phone_codes_phone', 'phone_codes', ['phone', 'created_at'], unique=False)
    op.create_index('ix_phone_codes_ip', 'phone_codes', ['ip', 'created_at'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=True)
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('phone_verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_phone'), ['phone'])
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitter_phone_key', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('notify_by', sa.String(length=8), nullable=True))
        batch_op.create_index(batch_op.f('ix_submissions_submitter_phone_key'), ['submitter_phone_key'], unique=False)
    submissions = sa.table('submissions', sa.column('id', sa.Integer), sa.column('submitter_phone', sa.String),
                           sa.column('submitter_phone_key', sa.String))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(submissions.c.id, submissions.c.submitter_phone).where(submissions.c.submitter_phone != '')
    ).all()
    for submission_id, phone in rows:
        connection.execute(submissions.update().where(submissions.c.id == submission_id)
                           .values(submitter_phone_key=phone_key(phone)))


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_submitter_phone_key'))
        batch_op.drop_column('notify_by')
        batch_op.drop_column('submitter_phone_key')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_phone'), type_='unique')
        batch_op.drop_column('phone_verified_at')
        batch_op.drop_column('phone')
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=False)
    op.drop_index('ix_phone_codes_ip', table_name='phone_codes')
    op.drop_index('ix_phone_codes_phone', table_name='phone_codes')
    op.drop_table('phone_codes')
    op.drop_table('sms_opt_outs')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_recipient')
        batch_op.drop_constraint('channel_known', type_='check')
        batch_op.drop_column('params')
        batch_op.drop_column('channel')
