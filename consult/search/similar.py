"""Answers before asking (答复复用): earlier answered submissions similar to a text, found through the index.

The text's content words (jieba precise mode without stop words, the longest first, at most
:data:`MAX_WORDS`) are each looked up among the **answered** submissions only (a scope: ``a12`` for an
officer's department; ``p``, answered public letters, for citizens), in the similar terms table
(:data:`consult.search.schema.similar_terms`, kept with the index), the :data:`RECENT` newest of each word
and no more — one backward walk of its key each — counted and scored in SQL with no ranking function. How
many of the newest answered records hold a word tells how common it is among them, so each word weighs by
its rarity (an inverse document frequency: a word found in every one of them weighs little, one found in
three weighs much), and a record scores the weights of the words it shares with the text. A record must
share at least two of the text's words (when the text has two): one common word shared is no likeness. Only
the best :data:`CANDIDATES` go on to the callers' filters (the department's approved replies, the published
letters).

The cost is bounded by ``words × RECENT`` key entries whatever the size of the tables and however common or
rare the words, on both databases. An older answer is found while it is among the newest answered records
holding one of its words.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from consult.extensions import db
from consult.search.documents import answered_scope_token
from consult.search.query import SearchQuery, Term
from consult.tokens import content_tokens

MAX_WORDS = 12
RECENT = 500  # newest answered records looked at for each word
CANDIDATES = 60  # best-scoring records handed to the callers' filters
MIN_SHARED = 2  # words a record must share with the text (when it has that many)
RELATIVE_SCORE = 0.5  # offered only when scoring at least this share of the best match


def similarity_query(text: str) -> SearchQuery:
    """The content words of ``text`` as a query (empty when it has none)."""
    words = sorted(dict.fromkeys(content_tokens(text)), key=len, reverse=True)[:MAX_WORDS]
    return SearchQuery(text[:20], tuple(Term(w) for w in words))


def newest_per_term(query: SearchQuery, scope: str, limit: int) -> tuple[str, dict]:
    """SQL (and its parameters) of ``(term, id)``: for each term of ``query`` (``term`` is its position), the
    ids of the ``limit`` newest submissions answered in ``scope`` that hold it."""
    params: dict = {"scope": scope, "limit": limit}
    parts = []
    for n, term in enumerate(query.terms):
        params[f"q{n}"] = term.text
        parts.append(f"SELECT * FROM (SELECT {n} AS term, record_id AS id FROM similar_terms "
                     f"WHERE scope = :scope AND term = :q{n} ORDER BY record_id DESC LIMIT :limit) AS t{n}")
    return " UNION ALL ".join(parts), params


def similar_statement(query: SearchQuery, scope: str, candidates: int = CANDIDATES) -> sa.TextClause:
    """The statement of ``(id, score)`` of the submissions answered in ``scope`` most similar to the words of
    ``query`` (which has some), best first (ties newest first); see the module docstring. Each word's newest
    answered records gathered once, counted per word, and the records scored and cut in SQL, so only the
    candidates come back."""
    hits, params = newest_per_term(query, scope, RECENT)
    # Rarity among the newest answered records: ln((2 × RECENT + 1) / (holding it + ½)); a word held by all
    # RECENT looked at (maybe more) still weighs ln 2 ≈ 0.7, a word held by one weighs ~6.5.
    return sa.text(
        f"WITH hits AS MATERIALIZED ({hits}), "
        "held AS (SELECT term, ln((2 * :limit + 1) / (count(*) + 0.5)) AS weight FROM hits GROUP BY term) "
        "SELECT hits.id AS id, sum(held.weight) AS score FROM hits JOIN held ON held.term = hits.term "
        "GROUP BY hits.id HAVING count(*) >= :needed ORDER BY score DESC, hits.id DESC LIMIT :candidates"
    ).bindparams(**params, needed=min(MIN_SHARED, len(query.terms)), candidates=candidates).columns(
        id=sa.Integer, score=sa.Float)


def similar_records(query: SearchQuery, scope: str, candidates: int = CANDIDATES) -> list[tuple[int, float]]:
    """``(id, score)`` of :func:`similar_statement`, best first (none when ``query`` has no words)."""
    if not query.terms:
        return []
    return [(record_id, float(score)) for record_id, score in db.session.execute(
        similar_statement(query, scope, candidates)).all()]


def close_enough(scored: list[tuple[object, float]], shown: int) -> list:
    """The records of ``(record, score)`` pairs (best first) scoring at least :data:`RELATIVE_SCORE` of the
    best one, at most ``shown``: a record sharing fewer, commoner words with the text is not offered to fill
    a place."""
    best = max((score for _record, score in scored), default=0)
    return [record for record, score in scored if score >= best * RELATIVE_SCORE][:shown]


@dataclass(frozen=True)
class SimilarReply:
    """An approved reply of the department to a submission similar to the one being answered."""

    reply_id: int
    tracking_no: str
    subject: str
    body: str


def similar_replies(text: str, department_id: int, exclude_ids: list[int], limit: int = 3) -> list[SimilarReply]:
    """Approved replies of ``department_id`` (never another department's) to the submissions most similar to
    ``text``, best first; the submissions in ``exclude_ids`` (the ones being answered) are left out."""
    from consult.tracking.models import APPROVED, Reply, Submission, reply_submissions

    query = similarity_query(text)
    if not query.terms:
        return []
    excluded = set(exclude_ids or ())
    ranked = [(record_id, score) for record_id, score in
              similar_records(query, answered_scope_token(department_id))
              if record_id not in excluded]
    if not ranked:
        return []
    score = dict(ranked)
    rows = db.session.execute(
        sa.select(Reply.id, Submission.id, Submission.tracking_no, Submission.subject, Reply.body)
        .join(reply_submissions, reply_submissions.c.submission_id == Submission.id)
        .join(Reply, Reply.id == reply_submissions.c.reply_id)
        # "+ 0": from each candidate (by its primary key) to its replies, never from every approved reply of
        # the department to the candidates (SQLite, without statistics, took that index and read ~2,000 × the
        # department's replies), nor from every submission of the department (the inbox index: 4,000 entries
        # read for 60 candidates at 120,000 records, 4.3 ms instead of 1.7).
        .where(Submission.id.in_(list(score)), Submission.department_id + 0 == department_id,
               Reply.department_id + 0 == department_id, Reply.status == APPROVED)
    ).all()
    rows.sort(key=lambda row: (score[row[1]], row[0]), reverse=True)
    seen, scored = set(), []
    for reply_id, submission_id, tracking_no, subject, body in rows:
        if reply_id not in seen:
            seen.add(reply_id)
            scored.append((SimilarReply(reply_id, tracking_no, subject, body), score[submission_id]))
    return close_enough(scored, limit)
