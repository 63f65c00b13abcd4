"""Read queries of the drafts pages (lists are paginated by the caller with consult.pagination)."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort

from consult.database import escape_like
from consult.drafts.articles import article_label
from consult.drafts.domains import DOMAIN_CODES
from consult.drafts.models import CLOSED, OPEN, PUBLIC_STATUSES, REPORT_PUBLISHED, Article, Draft, DraftVersion
from consult.extensions import db
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
