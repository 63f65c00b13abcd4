"""Read queries of the drafts pages (lists are paginated by the caller with consult.pagination)."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import abort

from consult.database import escape_like, utcnow
from consult.drafts.articles import article_label
from consult.drafts.domains import DOMAIN_CODES
from consult.drafts.models import CLOSED, OPEN, PUBLIC_STATUSES, REPORT_PUBLISHED, Article, Draft, DraftVersion
from consult.extensions import db
from consult.localtime import as_utc, time_left
from consult.urls import int_arg

# Open drafts first, then closed, then those with a published report; newest first inside each.
STATUS_RANK = sa.case({OPEN: 0, CLOSED: 1, REPORT_PUBLISHED: 2}, value=Draft.status, else_=3)
PUBLIC_ORDER = (STATUS_RANK, Draft.opens_at.desc(), Draft.id.desc())


@dataclass(frozen=True)
class DraftFilters:
    text: str = ""
    domain: str = ""
    department_id: int | None = None
    status: str = ""

    @classmethod
    def from_args(cls, args) -> "DraftFilters":
        """Read the list's GET parameters, ignoring values that are not valid."""
        domain = args.get("domain", "")
        status = args.get("status", "")
        department = int_arg("department", args=args)
        return cls(
            text=(args.get("q") or "").strip()[:100],
            domain=domain if domain in DOMAIN_CODES else "",
            department_id=department or None,
            status=status if status in PUBLIC_STATUSES else "",
        )


def public_drafts_query(filters: DraftFilters) -> sa.Select:
    """Drafts the public may see, filtered; order with :data:`PUBLIC_ORDER`."""
    stmt = sa.select(Draft).where(Draft.status.in_(PUBLIC_STATUSES))
    if filters.status:
        stmt = stmt.where(Draft.status == filters.status)
    if filters.domain:
        stmt = stmt.where(Draft.domain == filters.domain)
    if filters.department_id:
        stmt = stmt.where(Draft.department_id == filters.department_id)
    if filters.text:
        pattern = f"%{escape_like(filters.text)}%"
        stmt = stmt.where(sa.or_(Draft.title.ilike(pattern, escape="\\"), Draft.summary.ilike(pattern, escape="\\")))
    return stmt


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
    """A draft the public may see (open, closed, reported or withdrawn after opening)."""
    draft = db.get_or_404(Draft, draft_id)
    if not draft.is_public and not (draft.status == "withdrawn" and draft.opened_at is not None):
        abort(404)
    return draft
STAMP_SQL = ("SELECT status, updated_at, comment_count, current_version_id, approved_at, opened_at, opens_at, "
             "closes_at FROM drafts WHERE id = {}")


def page_stamp(engine: sa.Engine, draft_id: int) -> tuple | None:
    """What decides a draft's public page besides its address and the reader's preferences (consult.public_pages):
    its change time (bumped by every comment shown or hidden, edit, file and status change), status, counts,
    version, window, and the countdown as the page shows it. None: no such draft.

    It runs before every answer from the page cache, so it is one indexed query on a pooled driver
    connection, without the ORM: a tenth of a millisecond rather than the page's own few.
    """
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(STAMP_SQL.format("?" if engine.dialect.paramstyle == "qmark" else "%s"), (draft_id,))
        row = cursor.fetchone()
        cursor.close()
    finally:
        connection.close()
    if row is None:
        return None
    opens_at, closes_at, now = _moment(row[6]), _moment(row[7]), utcnow()
    return (*row, opens_at <= now, closes_at <= now, time_left(closes_at, now))


def _moment(value) -> datetime:
    """A stored time as the driver returns it (SQLite: ISO text), as an aware UTC datetime."""
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)
