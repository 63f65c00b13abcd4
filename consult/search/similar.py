"""Answers before asking (答复复用): earlier answered submissions similar to a text, found through the index.

The text's content words (jieba precise mode without stop words, the longest first, at most
:data:`MAX_WORDS`) are searched with *any* of them matching, ranked by relevance, so the submissions sharing
the most (and the rarest) words come first. Only the :data:`RECENT` newest matches are ranked; an officer's
suggestions are looked for among their department's submissions only (the scope token in the index, and
the department filter on the rows).
"""

from dataclasses import dataclass

import sqlalchemy as sa

from consult.extensions import db
from consult.search.matching import EVERYTHING, matches
from consult.search.query import SearchQuery, Term
from consult.tokens import content_tokens

MAX_WORDS = 12
RECENT = 2000  # newest index matches ranked: a text of common words costs the same as one of rare words


def similarity_query(text: str) -> SearchQuery:
    """The content words of ``text`` as a query (empty when it has none)."""
    words = sorted(dict.fromkeys(content_tokens(text)), key=len, reverse=True)[:MAX_WORDS]
    return SearchQuery(text[:20], tuple(Term(w) for w in words))


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
    found = matches("submissions", query, EVERYTHING, any_term=True, recent=RECENT, department_id=department_id)
    rows = db.session.execute(
        sa.select(Reply.id, Submission.tracking_no, Submission.subject, Reply.body, found.c.score)
        .join(found, found.c.id == Submission.id)
        .join(reply_submissions, reply_submissions.c.submission_id == Submission.id)
        .join(Reply, Reply.id == reply_submissions.c.reply_id)
        # "+ 0": from each candidate to its replies, never from every approved reply of the department to
        # the candidates (SQLite, without statistics, took that index and read ~2,000 × the department's replies).
        .where(Submission.department_id == department_id, Reply.department_id + 0 == department_id,
               Reply.status == APPROVED, Submission.id.not_in(exclude_ids or [0]))
        .order_by(found.c.score.desc(), Reply.id.desc())
        .limit(limit * 4)
    ).all()
    seen, out = set(), []
    for reply_id, tracking_no, subject, body, _score in rows:
        if reply_id not in seen:
            seen.add(reply_id)
            out.append(SimilarReply(reply_id, tracking_no, subject, body))
    return out[:limit]

