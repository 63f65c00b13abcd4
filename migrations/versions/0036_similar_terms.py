"""similar terms: each answered submission's content words by the scope it is answered in

The similar-answer suggestions took each word's newest answered submissions from the full-text index, which
gives them cheaply on neither database (see consult/search/schema.py). The table ``similar_terms`` keyed by
(scope, term, record id) gives them by one backward walk of its key. The upgrade fills it from the index rows
of the answered submissions, in batches, without segmenting any text again.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-04 19:50:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade():
    from consult.search.documents import rewrite_terms

    op.create_table(
        'similar_terms',
        sa.Column('scope', sa.String(length=12), nullable=False),
        sa.Column('term', sa.String(length=60), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['record_id'], ['submissions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('scope', 'term', 'record_id'),
        sqlite_with_rowid=False,
    )
    op.create_index('ix_similar_terms_record_id', 'similar_terms', ['record_id'])
    connection = op.get_bind()
    last_id = 0
    while True:
        ids = list(connection.execute(sa.text(
            "SELECT id FROM submissions WHERE answered_at IS NOT NULL AND id > :last ORDER BY id LIMIT :batch"),
            {"last": last_id, "batch": BATCH}).scalars())
        if not ids:
            break
        rewrite_terms(connection, ids)
        last_id = ids[-1]


def downgrade():
    op.drop_index('ix_similar_terms_record_id', table_name='similar_terms')
    op.drop_table('similar_terms')
