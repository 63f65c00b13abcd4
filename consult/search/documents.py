"""What is indexed, and the index kept in step with the records in the same transaction.

Each indexed record gives three texts:

* ``title`` — a submission's tracking number and subject, a draft's title, a FAQ entry's question: ranks highest;
* ``body`` — a submission's text, a draft's summary, a FAQ entry's answer;
* ``contact`` — who wrote it (name, phone, e-mail) and every number of seven digits or more found in the
  text (phone and ID numbers): searched by officers only, never by public searches, so a public search for
  a phone number cannot tell which published letter it belongs to.

A submission's index row also holds **scope tokens**: its department (``d12``: in the FTS5 column ``scope`` on
SQLite, the lexeme ``§d12`` on PostgreSQL, which no query term can hold), so that a search in a department's
inbox is narrowed by the index itself: a common word in 150,000 submissions is intersected with the
department's before any row is read or ranked. Once answered (``answered_at`` set), also ``a12`` (answered,
in department 12), and an answered public letter ``p``: officers' similar-reply suggestions look among their
department's answered submissions, the citizens' suggestions and the published letters' search among the
answered public letters, so the newest matches they rank are ones that can be offered, not the day's
unanswered comments. Tokens narrow, they do not authorise: the lists still filter on the department's column
and on publication. A transfer, an answer or a change of publicity rewrites the row (``department_id``,
``answered_at``, ``kind`` and ``is_public`` are watched).

The suggestions read an answered submission's words from the **similar terms** table
(:data:`consult.search.schema.similar_terms`): a row for each of its answered scopes (``a12``, ``p``) and each
content word (:func:`consult.tokens.is_content_word`) of its indexed texts — for ``p`` its title and body only,
what the public may search. Those rows are written with its index row, from the same tokens, and rewritten
with it.

**How the index keeps up.** A session event (``after_flush``) looks at the submissions and drafts that the
flush inserted, changed (in an indexed field) or deleted, and writes their index rows on the same connection,
inside the same transaction: a rolled-back request leaves no index row behind, and a committed one is
searchable at once. The event was chosen over explicit calls in the services because a record is written by
many services (every kind's intake, corrections, moderation, seeding) and any future one would have to
remember the call; the event cannot be forgotten. Code that inserts rows with Core statements instead of the
ORM calls :func:`index_rows` itself (bulk loads) or :func:`index_record` (the intake of comments and letters,
``consult.tracking.intake.write_submission``), or runs ``flask reindex`` afterwards.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from operator import itemgetter

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Session

from consult.database import Dependent, insert_rows
from consult.search.schema import SCOPE_MARK, SCOPED, similar_terms, sqlite_columns, table_name
from consult.tokens import is_content_word, search_tokens

_LONG_NUMBER = re.compile(r"\d{7,}")
_DIGIT_RUN = re.compile(r"\d+")
MAX_TOKEN_LENGTH = 60  # longer "words" (base64, URLs glued together) are noise and bloat the index
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position


@dataclass(frozen=True)
class Fields:
    """The three texts of one record to index (see the module docstring)."""

    title: str = ""
    body: str = ""
    contact: str = ""
    scope: tuple[str, ...] = ()  # scope tokens (see scope_token): which department's inbox holds it


@dataclass(frozen=True)
class Tokens:
    """The three texts as index tokens."""

    title: list[str]
    body: list[str]
    contact: list[str]
    scope: tuple[str, ...] = ()


def _with_tails(tokens: list[str]) -> list[str]:
    """Add the digits of a number written in groups (138-1234-5678 → 13812345678) and the last four digits
    of every long number, so "1381234…" and "尾号5678" find it."""
    out = list(tokens)
    if not _DIGIT_RUN.search(" ".join(tokens)):  # most texts: one scan in C instead of one per token
        return out
    for token in tokens:
        runs = _DIGIT_RUN.findall(token)
        digits = "".join(runs)
        if len(runs) > 1 and len(digits) >= 7 and re.fullmatch(r"[\d\-. ]+", token):
            out.append(digits)
            runs.append(digits)
        out.extend(run[-4:] for run in runs if len(run) >= 7)
    return out


def _keep(tokens: list[str]) -> list[str]:
    """``tokens`` without the over-long ones (checked in C first: there seldom are any)."""
    if max(map(len, tokens), default=0) <= MAX_TOKEN_LENGTH:
        return tokens
    return [t for t in tokens if len(t) <= MAX_TOKEN_LENGTH]


def index_tokens(fields: Fields) -> Tokens:
    """Tokens of each text: jieba search mode (see :func:`consult.tokens.search_tokens`); long numbers of the
    body move to the contact tokens; over-long tokens are dropped."""
    body, moved = search_tokens(fields.body), []
    if _LONG_NUMBER.search(" ".join(body)):  # the spaces keep numbers of different tokens apart
        body, moved = [t for t in body if not _LONG_NUMBER.search(t)], [t for t in body if _LONG_NUMBER.search(t)]
    contact = _with_tails(search_tokens(fields.contact) + moved)
    return Tokens(title_tokens(fields.title), _keep(body), _keep(contact), fields.scope)


def title_tokens(title: str) -> list[str]:
    """The tokens of a title (they depend on nothing else of the record): a submission's title holds its
    tracking number, so its intake tokenises the rest of the record before it takes the number."""
    return _keep(_with_tails(search_tokens(title)))


def tokens_but_title(record) -> Tokens:
    """:func:`index_tokens` of ``record``'s fields without the title's (see :func:`title_tokens`)."""
    return index_tokens(replace(indexed_for(type(record)).fields(record), title=""))


def with_title_tokens(tokens: Tokens, record) -> Tokens:
    """``tokens`` from :func:`tokens_but_title` with ``record``'s title tokens: its :func:`index_tokens`."""
    return replace(tokens, title=title_tokens(indexed_for(type(record)).fields(record).title))


def scope_token(department_id: int) -> str:
    """The scope token of a department's submissions (see the module docstring): ``d12``."""
    return f"d{department_id}"


PUBLISHED_SCOPE = "p"  # the scope token of every answered public letter (what the published letters are among)


def answered_scope_token(department_id: int) -> str:
    """The scope token of a department's answered submissions: ``a12`` (what officers' suggestions look in)."""
    return f"a{department_id}"


def is_answered_scope(token: str) -> bool:
    """Whether a scope token says answered (``a12``, ``p``): what the suggestions look among."""
    return token == PUBLISHED_SCOPE or token.startswith("a")


def submission_scope(submission) -> tuple[str, ...]:
    """The scope tokens of a submission: its department's; once answered ``a<department>``; an answered
    public letter also ``p``."""
    department_id, answered = submission.department_id, submission.answered_at is not None
    scope = []
    if department_id:
        scope.append(scope_token(department_id))
        if answered:
            scope.append(answered_scope_token(department_id))
    if answered and submission.kind == "letter" and submission.is_public:
        scope.append(PUBLISHED_SCOPE)
    return tuple(scope)


def _submission_fields(submission) -> Fields:
    contact = " ".join(filter(None, (submission.submitter_name, submission.submitter_phone,
                                     submission.submitter_email)))
    scope = submission_scope(submission)
    return Fields(f"{submission.tracking_no} {submission.subject or ''}", submission.body or "", contact, scope)


def _draft_fields(draft) -> Fields:
    return Fields(draft.title or "", draft.summary or "")


def _faq_fields(entry) -> Fields:
    return Fields(entry.question or "", entry.answer or "")


@dataclass(frozen=True)
class Indexed:
    """One kind of indexed record."""

    kind: str  # "submissions" / "drafts": names the index table
    watched: tuple[str, ...]  # attributes whose change rewrites the index row
    fields: callable

    @property
    def table(self) -> str:
        return table_name(self.kind)


def _registry() -> dict[type, Indexed]:
    from consult.drafts.models import Draft
    from consult.mailbox.models import FaqEntry
    from consult.tracking.models import Submission

    return {
        Submission: Indexed("submissions", ("tracking_no", "subject", "body", "submitter_name",
                                            "submitter_phone", "submitter_email", "department_id", "answered_at",
                                            "kind", "is_public"),
                            _submission_fields),
        Draft: Indexed("drafts", ("title", "summary"), _draft_fields),
        FaqEntry: Indexed("faqs", ("question", "answer"), _faq_fields),
    }


_INDEXED: dict[type, Indexed] = {}


def indexed_for(model: type) -> Indexed | None:
    if not _INDEXED:
        _INDEXED.update(_registry())
    return _INDEXED.get(model)


# --- writing index rows --------------------------------------------------------------------------------

def quoted_lexeme(token: str) -> str:
    """``token`` as one lexeme in PostgreSQL's ``tsvector``/``tsquery`` input syntax, quoted and escaped."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(tokens: Tokens) -> str:
    """The ``tsvector`` of a record as PostgreSQL's input syntax: each token a quoted lexeme with its
    positions and the weight of its text (title A, contact B, body D; the scope tokens C, each behind
    :data:`SCOPE_MARK`)."""
    positions: dict[str, list[str]] = {}
    at = 0
    scope = [SCOPE_MARK + token for token in tokens.scope]
    for weight, part in (("A", tokens.title), ("B", tokens.contact), ("D", tokens.body), ("C", scope)):
        for token in part:
            at = min(at + 1, MAX_POSITION)
            spots = positions.setdefault(token, [])
            if len(spots) < 256:  # PostgreSQL keeps at most 256 positions of a lexeme
                spots.append(f"{at}{weight}")
    return " ".join(f"{quoted_lexeme(token)}:{','.join(spots)}" for token, spots in positions.items())


def similarity_terms(record_id: int, tokens: Tokens) -> list[dict]:
    """The rows of ``similar_terms`` for a record of ``tokens`` (see the module docstring): none unless it is
    answered."""
    answered = [token for token in tokens.scope if is_answered_scope(token)]
    if not answered:
        return []
    public = {token for token in (*tokens.title, *tokens.body) if is_content_word(token)}
    everything = public | {token for token in tokens.contact if is_content_word(token)}
    return [{"scope": scope, "term": term, "record_id": record_id}
            for scope in answered for term in sorted(public if scope == PUBLISHED_SCOPE else everything)]


TERM_ORDER = itemgetter("scope", "term", "record_id")  # the similar terms' key


@dataclass
class RowParams:
    """The index rows of some records ready to insert, and their ``similar_terms`` rows."""

    rows: list[dict]
    terms: list[dict]


def row_params(dialect: str, rows: Iterable[tuple[int, Fields | Tokens]]) -> RowParams:
    """The index rows of ``rows`` — (record id, fields, or their tokens worked out already) — ready to insert
    on ``dialect``: the tokenising, which is the costly part (jieba), and needs no database, so a rebuild can
    run it in several processes."""
    params, terms = [], []
    for record_id, fields in rows:
        tokens = fields if isinstance(fields, Tokens) else index_tokens(fields)
        terms.extend(similarity_terms(record_id, tokens))
        if dialect == "postgresql":
            params.append({"id": record_id, "document": tsvector_literal(tokens)})
        else:
            params.append({"id": record_id, "title": " ".join(tokens.title), "body": " ".join(tokens.body),
                           "contact": " ".join(tokens.contact), "scope": " ".join(tokens.scope)})
    terms.sort(key=TERM_ORDER)  # the key's order: a rebuild writes them in fewer b-tree pages
    return RowParams(params, terms)


def write_params(connection: sa.Connection, kind: str, params: list[dict]) -> int:
    """Write (or rewrite) index rows made by :func:`row_params` in one statement (an upsert on PostgreSQL,
    ``INSERT OR REPLACE``, which FTS5 supports by rowid, on SQLite). Returns how many were written."""
    if not params:
        return 0
    table = table_name(kind)
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(
            f"INSERT INTO {table} (record_id, document) VALUES (:id, CAST(:document AS tsvector)) "
            "ON CONFLICT (record_id) DO UPDATE SET document = excluded.document"), params)
    else:  # plain text values: the driver's own execution, without SQLAlchemy's per-statement work
        columns = sqlite_columns(kind)
        connection.exec_driver_sql(
            f"INSERT OR REPLACE INTO {table} (rowid, {', '.join(columns)}) VALUES (?{', ?' * len(columns)})",
            [(row["id"], *(row[column] for column in columns)) for row in params])
    return len(params)


def write_terms(connection: sa.Connection, terms: list[dict], replaced: Iterable[int] = ()) -> None:
    """Write ``similar_terms`` rows (see :func:`similarity_terms`), first removing those of the records
    ``replaced`` (records indexed before, whose rows these replace)."""
    replaced = list(replaced)
    if replaced:
        connection.execute(similar_terms.delete().where(similar_terms.c.record_id.in_(replaced)))
    if connection.dialect.name == "postgresql":
        insert_rows(connection, similar_terms, terms)
    elif terms:  # plain values: the driver's executemany, without SQLAlchemy's per-row processing
        connection.exec_driver_sql("INSERT INTO similar_terms (scope, term, record_id) VALUES (?, ?, ?)",
                                   [(row["scope"], row["term"], row["record_id"]) for row in terms])


def index_rows(connection: sa.Connection, kind: str, rows: Iterable[tuple[int, Fields | Tokens]],
               fresh: bool = False) -> int:
    """Write (or rewrite) the index rows of ``rows`` — (record id, fields or tokens) — on ``connection``, and their
    similar terms; returns how many were written. Runs in the caller's transaction. ``fresh``: the records were
    never indexed (just inserted), so they have no rows to replace."""
    rows = list(rows)
    made = row_params(connection.dialect.name, rows)
    written = write_params(connection, kind, made.rows)
    if kind in SCOPED:
        write_terms(connection, made.terms, () if fresh else [record_id for record_id, _fields in rows])
    return written


def index_dependent(record, tokens: Tokens) -> Dependent:
    """PostgreSQL: the index row of a record about to be inserted, from its :func:`index_tokens`, as a row
    written with it (``consult.database.insert_with_dependents``). A new record has no similar terms: it is
    not answered yet."""
    indexed = indexed_for(type(record))
    if any(is_answered_scope(token) for token in tokens.scope):  # it would have similar terms to write too
        raise ValueError("a new record is not answered")
    return Dependent(_pg_index_table(indexed.table), {"document": tsvector_literal(tokens)}, key="record_id",
                     casts={"document": TSVECTOR})


@cache
def _pg_index_table(name: str) -> sa.TableClause:
    """An index table on PostgreSQL, for statements (always the same object: statements are kept by it)."""
    return sa.table(name, sa.column("record_id"), sa.column("document"))


def index_record(connection: sa.Connection, record, tokens: Tokens | None = None) -> None:
    """Write the index row of one record just inserted with Core (``consult.database.insert_object``), which
    the flush hook below does not see; from ``tokens`` if they were worked out already (:func:`index_tokens`
    of its fields)."""
    indexed = indexed_for(type(record))
    index_rows(connection, indexed.kind, [(record.id, tokens or indexed.fields(record))], fresh=True)


# The scope tokens of a submission (aliased s) in SQL, as submission_scope gives them, for rows whose text is
# indexed already: on SQLite the FTS5 ``scope`` column ("d12 a12 p"); on PostgreSQL the scope lexemes a row
# may hold (removed first) and a tsvector literal of those it holds now (weight C, numbered from 1: appended
# with ``||``, they follow the words' last position, as tsvector_literal writes them).
_PUBLIC_LETTER = "s.kind = 'letter' AND s.is_public"
_SQLITE_SCOPE = ("trim(COALESCE('d' || s.department_id || CASE WHEN s.answered_at IS NOT NULL "
                 "THEN ' a' || s.department_id ELSE '' END, '') "
                 f"|| CASE WHEN s.answered_at IS NOT NULL AND {_PUBLIC_LETTER} THEN ' p' ELSE '' END)")
_DEPARTMENT = "COALESCE(CAST(s.department_id AS text), '')"
_PG_HELD_SCOPE = f"ARRAY['{SCOPE_MARK}d' || {_DEPARTMENT}, '{SCOPE_MARK}a' || {_DEPARTMENT}, '{SCOPE_MARK}p']"
_PG_SCOPE = ("CAST(COALESCE('''" + SCOPE_MARK + r"d' || s.department_id || '''\:1C', '') "
             "|| CASE WHEN s.answered_at IS NOT NULL "
             "THEN COALESCE(' ''" + SCOPE_MARK + r"a' || s.department_id || '''\:2C', '') ELSE '' END "
             f"|| CASE WHEN s.answered_at IS NOT NULL AND {_PUBLIC_LETTER} "
             "THEN ' ''" + SCOPE_MARK + r"p''\:' || CASE WHEN s.department_id IS NULL THEN '1' ELSE '3' END || 'C' "
             "ELSE '' END AS tsvector)")


def rescope_submissions(connection: sa.Connection, ids: list[int]) -> int:
    """Rewrite only the scope tokens of the index rows of submissions ``ids`` (from their department, answer
    and publicity), in one statement, leaving their words as they are, and their similar terms from those
    rows: for a change that touches no indexed text, such as a report or hearing record answering thousands
    of submissions at once, so no text is segmented again. Returns how many index rows were rewritten."""
    if not ids:
        return 0
    table = table_name("submissions")
    if connection.dialect.name == "postgresql":
        # The words keep their positions and weights; the scope lexemes (weight C) rank nothing.
        stmt = sa.text(
            f"UPDATE {table} AS found SET document = ts_delete(found.document, {_PG_HELD_SCOPE}) || {_PG_SCOPE} "
            "FROM submissions AS s WHERE s.id = found.record_id AND found.record_id IN :ids")
    else:
        # FTS5 re-reads the row's stored columns and re-tokenises them with its own tokenizer (C, on the
        # stored space-separated tokens): no jieba.
        stmt = sa.text(f"UPDATE {table} SET scope = (SELECT {_SQLITE_SCOPE} FROM submissions AS s "
                       f"WHERE s.id = {table}.rowid) WHERE rowid IN :ids")
    rewritten = connection.execute(stmt.bindparams(sa.bindparam("ids", expanding=True)), {"ids": list(ids)}).rowcount
    rewrite_terms(connection, ids)
    return rewritten


def stored_tokens(connection: sa.Connection, ids: list[int]) -> dict[int, Tokens]:
    """The tokens the index rows of submissions ``ids`` hold, read back without segmenting anything: the FTS5
    columns on SQLite; on PostgreSQL each lexeme by its weights (title A, contact B, body D; the scope tokens
    behind :data:`SCOPE_MARK`)."""
    table = table_name("submissions")
    ids_param = sa.bindparam("ids", expanding=True)
    if connection.dialect.name != "postgresql":
        rows = connection.execute(sa.text(f"SELECT rowid, title, body, contact, scope FROM {table} "
                                          "WHERE rowid IN :ids").bindparams(ids_param), {"ids": ids})
        return {row[0]: Tokens(row[1].split(), row[2].split(), row[3].split(), tuple(row[4].split()))
                for row in rows}
    found: dict[int, dict[str, list[str]]] = {}
    rows = connection.execute(sa.text(f"SELECT record_id, lexeme, weights FROM {table}, unnest(document) "
                                      "WHERE record_id IN :ids").bindparams(ids_param), {"ids": ids})
    for record_id, lexeme, weights in rows:
        parts = found.setdefault(record_id, {"A": [], "B": [], "D": [], "scope": []})
        if lexeme.startswith(SCOPE_MARK):
            parts["scope"].append(lexeme[len(SCOPE_MARK):])
            continue
        for weight in weights:
            if weight in parts:  # A, B, D: the texts (C is the scope tokens' weight)
                parts[weight].append(lexeme)
    return {record_id: Tokens(parts["A"], parts["D"], parts["B"], tuple(parts["scope"]))
            for record_id, parts in found.items()}


def rewrite_terms(connection: sa.Connection, ids: list[int]) -> None:
    """Rewrite the similar terms of submissions ``ids`` from their index rows (as they are now)."""
    terms = [term for record_id, tokens in stored_tokens(connection, list(ids)).items()
             for term in similarity_terms(record_id, tokens)]
    write_terms(connection, terms, ids)


def remove_rows(connection: sa.Connection, kind: str, ids: Iterable[int]) -> None:
    """Delete the index rows of records ``ids``."""
    key = "record_id" if connection.dialect.name == "postgresql" else "rowid"
    params = [{"id": record_id} for record_id in ids]
    if params:
        connection.execute(sa.text(f"DELETE FROM {table_name(kind)} WHERE {key} = :id"), params)


def _changed(obj, indexed: Indexed) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in indexed.watched)


def _pending(session: Session) -> Iterator[tuple[str, Indexed, object]]:
    for obj in session.new:
        if (indexed := indexed_for(type(obj))) is not None:
            yield "insert", indexed, obj
    for obj in session.dirty:
        if (indexed := indexed_for(type(obj))) is not None and _changed(obj, indexed):
            yield "rewrite", indexed, obj
    for obj in session.deleted:
        if (indexed := indexed_for(type(obj))) is not None:
            yield "remove", indexed, obj


def _after_flush(session: Session, flush_context) -> None:
    """Write the index rows of what this flush inserted, changed or deleted (see the module docstring)."""
    writes: dict[tuple[str, bool], list[tuple[int, Fields]]] = {}
    removals: dict[str, list[int]] = {}
    for action, indexed, obj in _pending(session):
        if action == "remove":
            removals.setdefault(indexed.kind, []).append(obj.id)
        else:
            writes.setdefault((indexed.kind, action == "insert"), []).append((obj.id, indexed.fields(obj)))
    if not writes and not removals:
        return
    connection = session.connection()
    for kind, ids in removals.items():
        remove_rows(connection, kind, ids)
    for (kind, fresh), rows in writes.items():
        index_rows(connection, kind, rows, fresh=fresh)


sa.event.listen(Session, "after_flush", _after_flush)

