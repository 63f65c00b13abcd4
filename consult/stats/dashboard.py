"""The officer's dashboard: my overdue and due-soon submissions, work awaiting review, my department."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from consult.accounts.models import ADMIN, REVIEWER, User
from consult.extensions import db
from consult.tracking.models import OPEN_STATUSES, PENDING, PENDING_REVIEW, ExtensionRequest, Reply, Submission

LIST_LIMIT = 20


@dataclass(frozen=True)
class Listing:
    """A count and the first :data:`LIST_LIMIT` items it counts."""

    count: int
    items: list


def _listing(stmt: sa.Select, order) -> Listing:
    count = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(db.session.scalars(stmt.order_by(*order).limit(LIST_LIMIT))) if count else []
    return Listing(count, items)


def my_overdue(user: User, today: date) -> Listing:
    """Open submissions assigned to ``user`` and past their due date, the oldest due first."""
    stmt = sa.select(Submission).where(Submission.assignee_id == user.id, Submission.is_overdue(today))
    return _listing(stmt, (Submission.due_on, Submission.id))


def my_due_soon(user: User, today: date) -> Listing:
    """Open submissions assigned to ``user`` due within 3 working days."""
    stmt = sa.select(Submission).where(Submission.assignee_id == user.id, Submission.is_due_soon(today))
    return _listing(stmt, (Submission.due_on, Submission.id))


def awaiting_review(user: User, department_id: int | None) -> Listing:
    """Replies waiting for a reviewer: the department's for reviewers and admins, one's own for officers."""
    stmt = sa.select(Reply).where(Reply.status == PENDING_REVIEW)
    if user.role in (REVIEWER, ADMIN) and department_id is not None:
        stmt = stmt.where(Reply.department_id == department_id)
    else:
        stmt = stmt.where(Reply.author_id == user.id)
    return _listing(stmt, (Reply.submitted_at, Reply.id))


def extensions_awaiting(user: User, department_id: int | None) -> int:
    """Extension requests of the department waiting for a decision (reviewers and admins only)."""
    if user.role not in (REVIEWER, ADMIN) or department_id is None:
        return 0
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(ExtensionRequest)
        .join(Submission, ExtensionRequest.submission_id == Submission.id)
        .where(Submission.department_id == department_id, ExtensionRequest.status == PENDING)
    ) or 0


def department_open_counts(department_id: int, today: date) -> dict[str, int]:
    """The department's open, due-soon and overdue submissions now (one indexed aggregate query)."""
    row = db.session.execute(
        sa.select(
            sa.func.count().label("open"),
            sa.func.sum(sa.case((Submission.is_due_soon(today), 1), else_=0)).label("due_soon"),
            sa.func.sum(sa.case((Submission.due_on < today, 1), else_=0)).label("overdue"),
        ).where(Submission.department_id == department_id, Submission.status.in_(OPEN_STATUSES))
    ).one()
    return {"open": int(row.open or 0), "due_soon": int(row.due_soon or 0), "overdue": int(row.overdue or 0)}
