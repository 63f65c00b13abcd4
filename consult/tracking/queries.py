"""Read-only queries for the views: the department inbox, "my submissions", work waiting for review."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from consult.search.matching import EVERYTHING, RELEVANCE, search
from consult.search.query import EMPTY, SearchQuery
from consult.tracking.models import (
    OPEN_STATUSES, PENDING, PENDING_REVIEW, ExtensionRequest, Reply, Submission,
)  # fmt: skip

INBOX_ORDER = (Submission.due_on, Submission.id)  # pass to consult.pagination.paginate


@dataclass(frozen=True)
class InboxFilters:
    """What an officer narrows the inbox to. ``statuses`` defaults to the open ones."""

    statuses: tuple[str, ...] = OPEN_STATUSES
    kind: str | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    due_soon: bool = False
    overdue: bool = False
    very_overdue: bool = False
    query: SearchQuery = EMPTY  # full-text search (see consult.search)
    sort: str = RELEVANCE  # with a query: by relevance, or "date" (the inbox's own order)


def inbox_listing(department_id: int, today: date, filters: InboxFilters = InboxFilters()) -> tuple[sa.Select, tuple]:
    """The department's submissions matching ``filters`` and the order to paginate them by: with a search
    query, by relevance (or :data:`INBOX_ORDER` when ``filters.sort`` is "date"), else :data:`INBOX_ORDER`."""
    stmt = inbox_query(department_id, today, filters)
    if not filters.query:
        return stmt, INBOX_ORDER
    found = search(stmt, kind="submissions", id_column=Submission.id,
                   text_columns=(Submission.tracking_no, Submission.subject, Submission.body),
                   query=filters.query, fields=EVERYTHING, sort=filters.sort, date_order=INBOX_ORDER,
                   department_id=department_id)
    return found.stmt, found.order_by


def inbox_query(department_id: int, today: date, filters: InboxFilters = InboxFilters()) -> sa.Select:
    """The department's submissions matching the filters other than the search query (see
    :func:`inbox_listing`); order with :data:`INBOX_ORDER` (due date, id)."""
    stmt = sa.select(Submission).where(
        Submission.department_id == department_id, Submission.status.in_(filters.statuses)
    )
    if filters.kind:
        stmt = stmt.where(Submission.kind == filters.kind)
    if filters.assignee_id is not None:
        stmt = stmt.where(Submission.assignee_id == filters.assignee_id)
    if filters.unassigned:
        stmt = stmt.where(Submission.assignee_id.is_(None))
    if filters.due_soon:
        stmt = stmt.where(Submission.is_due_soon(today))
    if filters.overdue:
        stmt = stmt.where(Submission.is_overdue(today))
    if filters.very_overdue:
        stmt = stmt.where(Submission.is_very_overdue(today))
    return stmt


def sent_by(user) -> sa.ColumnElement[bool]:
    """Submissions a citizen sent: from their account, or with their verified mobile number, or with their
    account's e-mail address (which they proved when registering)."""
    conditions = [Submission.user_id == user.id]
    if user.phone:
        conditions.append(Submission.submitter_phone_key == user.phone)
    if user.email:
        conditions.append(Submission.submitter_email == user.email)
    return sa.or_(*conditions)


def is_sender(submission: Submission, user) -> bool:
    """``sent_by`` for one loaded submission."""
    return bool(
        submission.user_id == user.id
        or (user.phone and submission.submitter_phone_key == user.phone)
        or (user.email and submission.submitter_email == user.email)
    )


def user_submissions_query(user) -> sa.Select:
    """A logged-in citizen's own submissions (see :func:`sent_by`); order with ``(Submission.id.desc(),)``."""
    return sa.select(Submission).where(sent_by(user))


def replies_awaiting_review(department_id: int) -> sa.Select:
    """Replies of the department waiting for a reviewer, oldest first."""
    return (
        sa.select(Reply)
        .where(Reply.department_id == department_id, Reply.status == PENDING_REVIEW)
        .order_by(Reply.submitted_at, Reply.id)
    )


def extensions_awaiting_review(department_id: int) -> sa.Select:
    """Extension requests of the department waiting for a reviewer, oldest first."""
    return (
        sa.select(ExtensionRequest)
        .join(Submission, ExtensionRequest.submission_id == Submission.id)
        .where(Submission.department_id == department_id, ExtensionRequest.status == PENDING)
        .order_by(ExtensionRequest.created_at, ExtensionRequest.id)
    )
