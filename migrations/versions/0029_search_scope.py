"""search index: the department of each submission as a scope token in its index row

A department's inbox search then asks the index for the words *and* the department at once, instead of
reading (and ranking) every match of a common word in every department and dropping the others' afterwards.
SQLite: the FTS5 table of submissions gets a fourth column, ``scope`` (``d<department id>``), rebuilt from
the existing index rows (no text is segmented again). PostgreSQL: each document gets the lexeme
``§d<department id>`` (weight C). See consult/search/documents.py.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 08:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

FTS5 = "CREATE VIRTUAL TABLE search_submissions USING fts5({columns}, tokenize = 'unicode61')"


def _rebuild_sqlite(columns: str, scope: str | None) -> None:
    op.execute("ALTER TABLE search_submissions RENAME TO search_submissions_before")
    op.execute(FTS5.format(columns=columns))
    if scope:
        op.execute(
            f"INSERT INTO search_submissions (rowid, {columns}) "
            f"SELECT old.rowid, old.title, old.body, old.contact, {scope} "
            "FROM search_submissions_before AS old LEFT JOIN submissions ON submissions.id = old.rowid")
    else:
        op.execute(f"INSERT INTO search_submissions (rowid, {columns}) "
                   "SELECT rowid, title, body, contact FROM search_submissions_before")
    op.execute("DROP TABLE search_submissions_before")


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild_sqlite("title, body, contact, scope", "COALESCE('d' || submissions.department_id, '')")
    else:
        op.execute(
            "UPDATE search_submissions AS found SET document = found.document "
            "|| CAST('''§d' || submissions.department_id || '''\\:1C' AS tsvector) "
            "FROM submissions WHERE submissions.id = found.record_id AND submissions.department_id IS NOT NULL")


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild_sqlite("title, body, contact", None)
    else:
        op.execute(
            "UPDATE search_submissions SET document = ts_delete(document, "
            "ARRAY(SELECT lexeme FROM unnest(document) WHERE lexeme LIKE '§%'))")
