"""analysis members: a campaign copy with no changes has SQL NULL edits, not the JSON value ``null``

The campaign page lists only the copies whose senders changed something (``edits IS NOT NULL``). Members
written before this revision stored ``null`` as JSON for a word-for-word copy, so every copy was listed. The
model now writes SQL NULL (``sa.JSON(none_as_null=True)``); this rewrites the rows already kept.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-04 16:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade():
    text = "edits" if op.get_bind().dialect.name == 'sqlite' else "CAST(edits AS TEXT)"
    op.execute(f"UPDATE analysis_members SET edits = NULL WHERE {text} = 'null'")


def downgrade():
    pass  # SQL NULL reads as no changes either way
