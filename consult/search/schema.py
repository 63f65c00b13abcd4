"""The index tables, one per indexed kind of record, outside the models' metadata.

SQLite: an FTS5 virtual table ``search_<kind>`` whose rowid is the record's id, with three columns of
space-separated jieba tokens (``title``, ``body``, ``contact``; see :mod:`consult.search.documents`).

PostgreSQL: a table ``search_<kind>`` (``record_id`` → the record, ``document tsvector``) with a GIN index.
The ``tsvector`` is built from the same jieba tokens as literal lexemes with their positions (see
:func:`consult.search.documents.tsvector_literal`): what the ``simple`` configuration would make of them, but
without running PostgreSQL's own word parser over them, whose idea of a letter depends on the database's
``lc_ctype`` and which would split or drop Chinese characters on some servers.

**Similar terms** (``similar_terms``, an ordinary table of the models' metadata): for each answered submission,
one row per scope it is answered in (``a12``, ``p``; see :mod:`consult.search.documents`) and per content word
of its indexed texts. Its key (scope, term, record id) gives a word's newest answered records in a scope by
walking one b-tree range backwards, ``LIMIT`` rows and no more, on both databases: what the suggestions need
(:mod:`consult.search.similar`), and what neither index above gives cheaply (FTS5 intersects the word with
the scope's whole list when the word is rare among them; a GIN index gives matches unordered, so the newest
means visiting every match).

The index tables are not models: SQLAlchemy cannot describe a virtual table, and no query needs them as objects.
They are created by migrations 0019 (submissions, drafts) and 0022 (FAQ entries) and, for
``db.create_all()`` (tests, ``seed-demo``), by the metadata's ``after_create`` event; the schema comparison of the migrations test leaves them out by :func:`is_index_table`.
"""

import sqlalchemy as sa

from consult.extensions import db

KINDS = ("submissions", "drafts", "faqs")
SCOPED = ("submissions",)  # kinds whose index rows also hold scope tokens (their department)
# Put before a scope token in a tsvector: no query term can hold it (the query tokeniser drops symbols).
SCOPE_MARK = "§"
REFERENCED = {"submissions": "submissions", "drafts": "drafts", "faqs": "mailbox_faqs"}
# FTS5 keeps its data in shadow tables named after the virtual table.
_FTS5_SHADOWS = ("_data", "_idx", "_content", "_docsize", "_config")


similar_terms = sa.Table(
    "similar_terms", db.metadata,
    sa.Column("scope", sa.String(12), primary_key=True),
    sa.Column("term", sa.String(60), primary_key=True),
    sa.Column("record_id", sa.Integer, sa.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_similar_terms_record_id", "record_id"),  # a record's rows, rewritten when it changes
    sqlite_with_rowid=False,  # the key is the table: one b-tree, not a table and an index beside it
)


def table_name(kind: str) -> str:
    return f"search_{kind}"


def is_index_table(name: str | None) -> bool:
    """True for an index table or one of its FTS5 shadow tables (for schema comparison)."""
    if not name:
        return False
    names = {table_name(kind) for kind in KINDS}
    return name in names or any(name == base + suffix for base in names for suffix in _FTS5_SHADOWS)


def sqlite_columns(kind: str) -> tuple[str, ...]:
    """The FTS5 columns of ``kind``'s index table: the three texts, and ``scope`` for a scoped kind."""
    return ("title", "body", "contact", "scope") if kind in SCOPED else ("title", "body", "contact")


def create_statements(dialect: str, kinds: tuple[str, ...] = KINDS) -> list[str]:
    """The DDL that creates the index tables of ``kinds`` on ``dialect`` (``sqlite`` or ``postgresql``)."""
    statements = []
    for kind in kinds:
        table = table_name(kind)
        if dialect == "sqlite":
            statements.append(f"CREATE VIRTUAL TABLE {table} USING fts5({', '.join(sqlite_columns(kind))}, "
                              "tokenize = 'unicode61')")
        else:
            statements.append(
                f"CREATE TABLE {table} (record_id INTEGER NOT NULL PRIMARY KEY "
                f"REFERENCES {REFERENCED[kind]} (id) ON DELETE CASCADE, document TSVECTOR NOT NULL)"
            )
            statements.append(f"CREATE INDEX ix_{table}_document ON {table} USING gin (document)")
    return statements


def drop_statements(kinds: tuple[str, ...] = KINDS) -> list[str]:
    return [f"DROP TABLE IF EXISTS {table_name(kind)}" for kind in kinds]


def create(connection: sa.Connection, kinds: tuple[str, ...] = KINDS) -> None:
    """Create the index tables of ``kinds`` (empty) on ``connection``'s database (a migration names the
    kinds that exist at its revision)."""
    for statement in create_statements(connection.dialect.name, kinds):
        connection.exec_driver_sql(statement)


def empty(connection: sa.Connection) -> None:
    """Remove every index row (tests empty the database between tests)."""
    for kind in KINDS:
        connection.exec_driver_sql(f"DELETE FROM {table_name(kind)}")


def _after_create(metadata, connection, **kwargs) -> None:
    existing = set(sa.inspect(connection).get_table_names())
    missing = tuple(kind for kind in KINDS if table_name(kind) not in existing)
    if missing:
        create(connection, missing)


def _before_drop(metadata, connection, **kwargs) -> None:
    for statement in drop_statements():
        connection.exec_driver_sql(statement)


sa.event.listen(db.metadata, "after_create", _after_create)
sa.event.listen(db.metadata, "before_drop", _before_drop)
