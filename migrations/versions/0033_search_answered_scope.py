"""search index: answered submissions get the scope token ``a<department id>``, answered public letters ``p``

The similar-answer suggestions (officers' earlier replies, citizens' published letters) then look among
answered submissions only, word by word, instead of ranking the newest matches of any of a dozen words,
which are mostly unanswered; a search of the published letters ranks the newest published matches only.
SQLite: the FTS5 column ``scope`` of each answered submission gets the tokens; PostgreSQL: its document gets
the lexemes ``§a<department id>`` and ``§p`` (weight C). No text is segmented again. See
consult/search/documents.py.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-03 13:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None

ANSWERED = "SELECT id FROM submissions WHERE answered_at IS NOT NULL"
PUBLIC_LETTER = "s.kind = 'letter' AND s.is_public"
# The tokens added to an answered submission's row (submissions aliased s). On PostgreSQL a tsvector literal
# ('§a12':1C '§p':1C); the colons escaped for SQLAlchemy's text().
SQLITE_TOKENS = f"COALESCE(' a' || s.department_id, '') || CASE WHEN {PUBLIC_LETTER} THEN ' p' ELSE '' END"
PG_TOKENS = (r"COALESCE('''§a' || s.department_id || '''\:1C ', '') "
             rf"|| CASE WHEN {PUBLIC_LETTER} THEN '''§p''\:1C' ELSE '' END")


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(
            f"UPDATE search_submissions SET scope = trim(scope || (SELECT {SQLITE_TOKENS} "
            f"FROM submissions AS s WHERE s.id = search_submissions.rowid)) WHERE rowid IN ({ANSWERED})")
    else:
        op.execute(
            f"UPDATE search_submissions AS found SET document = found.document || CAST({PG_TOKENS} AS tsvector) "
            "FROM submissions AS s WHERE s.id = found.record_id AND s.answered_at IS NOT NULL")


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(
            "UPDATE search_submissions SET scope = COALESCE((SELECT 'd' || department_id FROM submissions "
            f"WHERE submissions.id = search_submissions.rowid), '') WHERE rowid IN ({ANSWERED})")
    else:
        op.execute(
            "UPDATE search_submissions SET document = ts_delete(document, "
            "ARRAY(SELECT lexeme FROM unnest(document) WHERE lexeme LIKE '§a%' OR lexeme = '§p'))")
