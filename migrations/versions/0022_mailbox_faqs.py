"""mailbox FAQ entries (常见问题), and their full-text index

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 17:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mailbox_faqs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mailbox_id', sa.Integer(), nullable=False),
        sa.Column('question', sa.String(length=300), nullable=False),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('source_letter_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_mailbox_faqs_created_by_id_users')),
        sa.ForeignKeyConstraint(['mailbox_id'], ['mailboxes.id'], name=op.f('fk_mailbox_faqs_mailbox_id_mailboxes')),
        sa.ForeignKeyConstraint(['source_letter_id'], ['letters.id'],
                                name=op.f('fk_mailbox_faqs_source_letter_id_letters')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mailbox_faqs')),
    )
    op.create_index('ix_mailbox_faqs_mailbox', 'mailbox_faqs', ['mailbox_id', 'position', 'id'], unique=False)
    from consult.search import schema

    schema.create(op.get_bind(), ('faqs',))


def downgrade():
    from consult.search import schema

    for statement in schema.drop_statements(('faqs',)):
        op.execute(statement)
    op.drop_index('ix_mailbox_faqs_mailbox', table_name='mailbox_faqs')
    op.drop_table('mailbox_faqs')
