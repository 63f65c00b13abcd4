"""A :class:`~consult.search.query.SearchQuery` → ranked matches any list query can join.

:func:`search` narrows a ``select()`` to the records matching a query and gives the order to paginate by
(with :func:`consult.pagination.paginate`): relevance (BM25 on SQLite, ``ts_rank`` on PostgreSQL; higher is
better, ties newest first) or date. Phrases are checked verbatim against the record's own text, among the
records the index found.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from consult.extensions import db
from consult.search.query import SearchQuery
from consult.search.documents import quoted_lexeme, scope_token
from consult.search.schema import SCOPE_MARK, SCOPED, sqlite_columns, table_name

RELEVANCE, DATE = "relevance", "date"
SORTS = (RELEVANCE, DATE)
# Which indexed texts a search looks in (see consult.search.documents): public searches never look in
# ``contact``; searches among the comments on one draft skip ``title`` (every comment's subject is the draft's).
TITLE, BODY, CONTACT = "title", "body", "contact"
EVERYTHING, PUBLIC = (TITLE, BODY, CONTACT), (TITLE, BODY)
_WEIGHTS = {TITLE: "A", CONTACT: "B", BODY: "D"}  # the tsvector weight of each text
# BM25 weight of each FTS5 column (title, body, contact; scope 0: it says nothing about relevance);
# PostgreSQL weighs A (title), B (contact), D (body).
_BM25_WEIGHTS = {"title": "4.0", "body": "1.0", "contact": "2.0", "scope": "0.0"}


def bm25_weights(kind: str) -> str:
    return ", ".join(_BM25_WEIGHTS[column] for column in sqlite_columns(kind))


def dialect_name() -> str:
    return db.session.get_bind().dialect.name


def _fts5_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts5_expression(query: SearchQuery, fields: tuple[str, ...] = EVERYTHING, any_term: bool = False,
                    scope: str | None = None) -> str:
    """The FTS5 MATCH expression: each term a quoted string (so nothing typed is syntax), all required,
    looked for in the columns ``fields`` (never in ``scope``); with ``scope``, only rows holding that scope
    token."""
    parts = (" OR " if any_term else " ").join(_fts5_string(t.text) + ("*" if t.prefix else "") for t in query.terms)
    expression = f"{{{' '.join(fields)}}} : ({parts})"
    return f"scope : {_fts5_string(scope)} AND ({expression})" if scope else expression


def tsquery_literal(query: SearchQuery, fields: tuple[str, ...] = EVERYTHING, any_term: bool = False,
                    scope: str | None = None) -> str:
    """The ``tsquery`` in PostgreSQL's input syntax: each term a quoted lexeme, all required (``&``),
    restricted to the weights of ``fields``; with ``scope``, only documents holding that scope token (behind
    :data:`~consult.search.schema.SCOPE_MARK`, which no term can hold)."""
    weights = "" if set(fields) == set(EVERYTHING) else "".join(sorted(_WEIGHTS[f] for f in fields))
    parts = []
    for term in query.terms:
        label = ("*" if term.prefix else "") + weights
        parts.append(quoted_lexeme(term.text) + (f":{label}" if label else ""))
    expression = (" | " if any_term else " & ").join(parts)
    return f"{quoted_lexeme(SCOPE_MARK + scope)} & ({expression})" if scope else expression


def matches(kind: str, query: SearchQuery, fields: tuple[str, ...] = EVERYTHING,
            any_term: bool = False, best: int | None = None, scored: bool = True,
            recent: int | None = None, department_id: int | None = None, scope: str | None = None) -> sa.Subquery:
    """``(id, score)`` of the records of ``kind`` whose index matches every term of ``query`` (any term, for
    similarity).

    ``department_id`` (submissions only) narrows the match itself to that department's records through their
    scope token, so the index intersects the department with the words before any row is read or ranked. It
    narrows, it does not authorise: callers still filter on the department's column themselves. ``scope``
    names another scope token to narrow by (the published letters' ``p``).

    For suggestions, which need only the first few, the candidates are bounded: ``recent`` ranks only that
    many of the newest matches (the index gives them in id order and stops there, so a text of common words
    costs the same as one of rare words), and ``best`` keeps only that many of the highest-scoring ones for
    the caller to filter. ``scored=False`` (a list in date order) leaves the ranking out: every score is 0."""
    table = table_name(kind)
    if department_id is not None and kind in SCOPED:
        scope = scope_token(department_id)
    top = " ORDER BY score DESC LIMIT :best" if best else ""
    if dialect_name() == "postgresql":
        # Ranked by the words alone: the scope token is in every candidate and says nothing about relevance.
        rank = "CAST(ts_rank(document, CAST(:ranked AS tsquery), 1) AS double precision)"
        # "+ 0": the newest matches are taken from the GIN index's matches, sorted; never from a walk down the
        # primary key testing every document until enough match, which the planner prefers with a LIMIT and
        # which read 107,000 rows for the 1,000 newest published letters holding a common word (110 ms, 13 ms so).
        source = (f"(SELECT record_id, document FROM {table} WHERE document @@ CAST(:tsquery AS tsquery) "
                  f"ORDER BY record_id + 0 DESC LIMIT :recent) AS recent" if recent else
                  f"{table} WHERE document @@ CAST(:tsquery AS tsquery)")
        stmt = sa.text(
            f"SELECT record_id AS id, {rank if scored else 'CAST(0 AS double precision)'} AS score FROM {source}{top}"
        ).bindparams(tsquery=tsquery_literal(query, fields, any_term, scope))
        if scored:
            stmt = stmt.bindparams(ranked=tsquery_literal(query, fields, any_term))
    else:
        score = f"-bm25({table}, {bm25_weights(kind)})" if scored else "0.0"
        inner = f"SELECT rowid AS id, {score} AS score FROM {table} WHERE {table} MATCH :fts"
        sql = f"SELECT id, score FROM ({inner} ORDER BY rowid DESC LIMIT :recent){top}" if recent else inner + top
        stmt = sa.text(sql).bindparams(fts=fts5_expression(query, fields, any_term, scope))
    if best:
        stmt = stmt.bindparams(best=best)
    if recent:
        stmt = stmt.bindparams(recent=recent)
    return stmt.columns(id=sa.Integer, score=sa.Float).subquery(f"{table}_matches")


def contains_phrase(columns: Sequence[sa.ColumnElement], phrase: str) -> sa.ColumnElement[bool]:
    """Any of ``columns`` contains ``phrase`` (already case-folded) verbatim, ignoring ASCII case."""
    position = sa.func.strpos if dialect_name() == "postgresql" else sa.func.instr
    return sa.or_(*(position(sa.func.lower(column), phrase) > 0 for column in columns))


@dataclass(frozen=True)
class Searched:
    """A statement narrowed to the matches, and the order to paginate it by."""

    stmt: sa.Select
    order_by: tuple
    score: sa.ColumnElement


def search(stmt: sa.Select, *, kind: str, id_column: sa.ColumnElement, text_columns: Sequence[sa.ColumnElement],
           query: SearchQuery, fields: tuple[str, ...], sort: str = RELEVANCE,
           date_order: tuple = (), department_id: int | None = None, scope: str | None = None,
           ranked: int | None = None) -> Searched:
    """Join ``stmt`` to the matches of ``query`` in ``fields`` (``id_column`` is the indexed record's id) and
    say how to order it: by relevance, best first, or by ``date_order`` when ``sort`` is :data:`DATE`.
    ``department_id``: a department's list (see :func:`matches`; ``stmt`` must filter on it too); ``scope``:
    a scope token every listed record holds (``stmt`` filters on what it stands for). ``ranked``: by
    relevance, only the ``ranked`` newest matches are ranked and listed (a common word in a large table costs
    the same as a rare one); by date, every match is listed."""
    if not query.terms:  # only punctuation, symbols or emoji: nothing can match
        empty = sa.select(sa.literal(0).label("id"), sa.literal(0.0).label("score")).where(sa.false()).subquery()
        return Searched(stmt.join(empty, empty.c.id == id_column), (id_column.desc(),), empty.c.score)
    by_date = sort == DATE and bool(date_order)
    found = matches(kind, query, fields, scored=not by_date, department_id=department_id, scope=scope,
                    recent=None if by_date else ranked)
    stmt = stmt.join(found, found.c.id == id_column)
    for phrase in query.phrases:
        stmt = stmt.where(contains_phrase(text_columns, phrase))
    if by_date:
        order = tuple(date_order)
    else:
        order = (found.c.score.desc(), id_column.desc())
    return Searched(stmt, order, found.c.score)
