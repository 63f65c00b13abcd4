"""Read queries of the drafts pages (lists are paginated by the caller with consult.pagination)."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from consult.database import read_row, utcnow
from consult.drafts.articles import article_label
from consult.drafts.comments import draft_to_comment
from consult.drafts.domains import DOMAIN_CODES
from consult.drafts.models import (
    CLOSED, OPEN, PUBLIC_STATUSES, REPORT_PUBLISHED, Article, Comment, Draft, DraftVersion,
)  # fmt: skip
from consult.extensions import db
from consult.localtime import as_utc, time_left
from consult.search.matching import BODY, CONTACT, DATE, PUBLIC, RELEVANCE, search
from consult.search.query import EMPTY, SearchQuery, parse_or_empty
from consult.urls import int_arg


def public_order() -> tuple:
    """Open drafts first, then closed, then those with a published report; newest first inside each. Built for
    each query: a draft's status depends on the time of asking (:attr:`Draft.status`)."""
    rank = sa.case({OPEN: 0, CLOSED: 1, REPORT_PUBLISHED: 2}, value=Draft.status, else_=3)
    return rank, Draft.opens_at.desc(), Draft.id.desc()


@dataclass(frozen=True)
class DraftFilters:
    """The public list's filters (``error``: why the search text was refused)."""

    query: SearchQuery = EMPTY
    domain: str = ""
    department_id: int | None = None
    status: str = ""
    sort: str = RELEVANCE
    error: str = ""

    @property
    def text(self) -> str:
        return self.query.text

    @classmethod
    def from_args(cls, args) -> "DraftFilters":
        """Read the list's GET parameters, ignoring values that are not valid."""
        domain = args.get("domain", "")
        status = args.get("status", "")
        department = int_arg("department", args=args)
        query, error = parse_or_empty(args.get("q"))
        return cls(
            query=query,
            sort=DATE if args.get("sort") == DATE else RELEVANCE,
            error=str(error.message) if error else "",
            domain=domain if domain in DOMAIN_CODES else "",
            department_id=department or None,
            status=status if status in PUBLIC_STATUSES else "",
        )


def public_drafts_query(filters: DraftFilters) -> sa.Select:
    """Drafts the public may see, filtered; order with :func:`public_order`."""
    stmt = sa.select(Draft).where(Draft.status.in_(PUBLIC_STATUSES))
    if filters.status:
        stmt = stmt.where(Draft.status == filters.status)
    if filters.domain:
        stmt = stmt.where(Draft.domain == filters.domain)
    if filters.department_id:
        stmt = stmt.where(Draft.department_id == filters.department_id)
    return stmt


def public_drafts_listing(filters: DraftFilters) -> tuple[sa.Select, tuple]:
    """:func:`public_drafts_query` with the search query applied (title and summary), and the order to
    paginate by: relevance when searching (unless ``filters.sort`` is "date"), else :func:`public_order`."""
    stmt = public_drafts_query(filters)
    if not filters.query:
        return stmt, public_order()
    found = search(stmt, kind="drafts", id_column=Draft.id, text_columns=(Draft.title, Draft.summary),
                   query=filters.query, fields=PUBLIC, sort=filters.sort, date_order=public_order())
    return found.stmt, found.order_by


def search_comments(stmt: sa.Select, query: SearchQuery, *, public: bool, order_by: tuple,
                    by_relevance: bool = True) -> tuple[sa.Select, tuple]:
    """Narrow a ``select(Comment)`` to the comments matching ``query`` in their text (their submissions'
    index; staff also in the writer's name, phone and e-mail, the public never) and say how to order them:
    best match first, or ``order_by``. The subject is left out: it is the draft's title, on every comment."""
    if not query:
        return stmt, order_by
    found = search(stmt, kind="submissions", id_column=Comment.submission_id, text_columns=(Comment.body,),
                   query=query, fields=(BODY,) if public else (BODY, CONTACT), sort=RELEVANCE if by_relevance else DATE, date_order=order_by)
    return found.stmt, found.order_by


def article_labels(draft_id: int) -> dict[str, str]:
    """Every anchor the draft's versions ever had (and ``""``, the whole draft) → the label a person reads,
    in the wording of the latest version that has it. One query, for lists of comments on any version."""
    rows = db.session.execute(
        sa.select(Article.anchor, Article.heading).join(DraftVersion, DraftVersion.id == Article.version_id)
        .where(DraftVersion.draft_id == draft_id).order_by(DraftVersion.number, Article.position)
    )
    labels = {"": article_label("", "")}
    labels.update({anchor: article_label(anchor, heading) for anchor, heading in rows})
    return labels


def get_public_draft_or_404(draft_id: int) -> Draft:
    """A draft the public may see (open, closed, reported or withdrawn after opening), with its department
    (every page and every comment shows or needs it) in the same query."""
    return _public_or_404(db.session.get(Draft, draft_id, options=(joinedload(Draft.department),)))


def get_draft_to_comment_or_404(draft_id: int) -> Draft:
    """:func:`get_public_draft_or_404` for the comment API, with only the columns receiving a comment reads
    (:func:`consult.drafts.comments.draft_to_comment`)."""
    return _public_or_404(draft_to_comment(draft_id))


def _public_or_404(draft: Draft | None) -> Draft:
    if draft is None or not (draft.is_public or (draft.status == "withdrawn" and draft.opened_at is not None)):
        abort(404)
    return draft


# The questionnaires approved for the draft decide its links to them (consult.surveys.queries.on_draft):
# how many, when the first and last open and close, how many publish their results. Not their response
# counts, which move with every answer and change nothing on the draft's page.
_APPROVED = "FROM questionnaires q WHERE q.draft_id = drafts.id AND q.status = 'approved'"
STAMP_SQL = ("SELECT status, updated_at, comment_count, current_version_id, approved_at, opened_at, opens_at, "
             f"closes_at, (SELECT COUNT(*) {_APPROVED}), (SELECT COUNT(*) {_APPROVED} "
             f"AND q.results_visibility = 'public'), (SELECT MIN(q.opens_at) {_APPROVED}), "
             f"(SELECT MAX(q.opens_at) {_APPROVED}), (SELECT MIN(q.closes_at) {_APPROVED}), "
             f"(SELECT MAX(q.closes_at) {_APPROVED}) FROM drafts WHERE id = ?")


def page_stamp(engine: sa.Engine, draft_id: int) -> tuple | None:
    """What decides a draft's public page besides its address and the reader's preferences (consult.public_pages):
    its change time (bumped by every comment shown or hidden, edit, file and status change), status, counts,
    version, window, the countdown as the page shows it, and whether the questionnaires attached to it have
    opened or closed (exact for one questionnaire; with several, a change between the first and the last
    shows within ``CONSULT_PAGE_CACHE_SECONDS``). None: no such draft.

    It runs before every answer from the page cache, so it is one indexed query on the worker's own driver
    connection (consult.database.read_row), without the ORM: one round trip rather than the page's work.
    """
    row = read_row(engine, STAMP_SQL, (draft_id,))
    if row is None:
        return None
    opens_at, closes_at, now = _moment(row[6]), _moment(row[7]), utcnow()
    questionnaires = tuple(value is not None and _moment(value) <= now for value in row[10:])
    return (*row, opens_at <= now, closes_at <= now, time_left(closes_at, now), questionnaires)


def _moment(value) -> datetime:
    """A stored time as the driver returns it (SQLite: ISO text), as an aware UTC datetime."""
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)
