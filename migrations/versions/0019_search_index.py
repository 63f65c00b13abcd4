"""full-text search index: FTS5 tables on SQLite, tsvector columns with GIN indexes on PostgreSQL

The index tables are described in consult/search/schema.py; the upgrade creates them and fills them from
the existing submissions and drafts (the same code as ``flask reindex``).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


SOURCES = {  # the indexed columns as they are at this revision
    'submissions': sa.table('submissions', *(sa.column(name) for name in (
        'id', 'tracking_no', 'subject', 'body', 'submitter_name', 'submitter_phone', 'submitter_email'))),
    'drafts': sa.table('drafts', sa.column('id'), sa.column('title'), sa.column('summary')),
}


def upgrade():
    from consult.search import schema
    from consult.search.documents import Fields, index_rows

    def fields(kind, row):
        if kind == 'drafts':
            return Fields(row.title or '', row.summary or '')
        contact = ' '.join(filter(None, (row.submitter_name, row.submitter_phone, row.submitter_email)))
        return Fields(f"{row.tracking_no} {row.subject or ''}", row.body or '', contact)

    connection = op.get_bind()
    schema.create(connection, tuple(SOURCES))
    for kind, table in SOURCES.items():
        last_id = 0
        while rows := connection.execute(
                sa.select(table).where(table.c.id > last_id).order_by(table.c.id).limit(2000)).all():
            # fresh: the table was just created (and no record is answered in a scope yet: no similar terms)
            index_rows(connection, kind, ((row.id, fields(kind, row)) for row in rows), fresh=True)
            last_id = rows[-1].id


def downgrade():
    from consult.search import schema

    for statement in schema.drop_statements(tuple(SOURCES)):
        op.execute(statement)
