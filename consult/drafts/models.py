"""Drafts for public comment: the draft, its versions and articles, interpretation, comments, moderation.

Counts shown on public pages (comments per draft and per article) are kept in columns, updated with
``column + 1`` expressions in the same transaction as the change, so no page ever counts rows.
"""

from datetime import UTC, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Department, User
from consult.contacts import redact_text
from consult.database import utcnow
from consult.dispositions import ADOPTED, DISPOSITIONS, NOT_ADOPTED, NOTED, PARTLY_ADOPTED  # noqa: F401
from consult.extensions import db
from consult.uploads import Attachment

# Draft statuses (DESIGN.md §4).
DRAFT, IN_REVIEW, OPEN, CLOSED, REPORT_PUBLISHED, WITHDRAWN = (
    "draft", "in_review", "open", "closed", "report_published", "withdrawn",
)
DRAFT_STATUSES = (DRAFT, IN_REVIEW, OPEN, CLOSED, REPORT_PUBLISHED, WITHDRAWN)
PUBLIC_STATUSES = (OPEN, CLOSED, REPORT_PUBLISHED)

# Feedback report workflow.
REPORT_NONE, REPORT_PENDING, REPORT_APPROVED = "", "pending_review", "approved"

# Comment moderation.
PUBLISHED, HELD, REJECTED = "published", "held", "rejected"
MODERATION_STATES = (PUBLISHED, HELD, REJECTED)

# Dispositions in the feedback report (意见采纳情况): consult.dispositions, shared with hearings.


def _utc(**kwargs) -> Mapped:
    return mapped_column(sa.DateTime(timezone=True), **kwargs)


class Draft(db.Model):
    """A draft decision published for comment during a consultation window."""

    __tablename__ = "drafts"
    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(DRAFT_STATUSES), name="status_known"),
        sa.CheckConstraint(
            sa.column("decision_type").in_(("major_decision", "normative_document", "regulation", "other")),
            name="decision_type_known",
        ),
        sa.CheckConstraint("closes_at > opens_at", name="window_ordered"),
        sa.Index("ix_drafts_status_opens", "status", "opens_at"),
        sa.Index("ix_drafts_status_closes", "status", "closes_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    domain: Mapped[str] = mapped_column(sa.String(32), index=True)
    legal_basis: Mapped[str] = mapped_column(sa.Text, default="")
    opens_at: Mapped[datetime] = _utc()
    closes_at: Mapped[datetime] = _utc()
    short_window_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # The type of decision it prepares, which sets the shortest window (consult.drafts.windows).
    decision_type: Mapped[str] = mapped_column(sa.String(24), default="other", server_default="other")
    market_related: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # 涉及市场主体
    premoderate: Mapped[bool] = mapped_column(default=False)
    # The workflow status as last recorded. Opening and closing on schedule are not written by whoever comes
    # first: ``status`` derives them from the approved window, and ``remind`` records them afterwards.
    recorded_status: Mapped[str] = mapped_column("status", sa.String(20), default=DRAFT)
    # The version shown to the public. A plain column (no FOREIGN KEY) to keep the schema free of cycles;
    # only versions.add_version sets it, always to a version of this draft.
    current_version_id: Mapped[Optional[int]]
    interpretation: Mapped[str] = mapped_column(sa.Text, default="")  # 解读, Markdown

    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = _utc(default=utcnow)
    updated_at: Mapped[datetime] = _utc(default=utcnow)
    review_note: Mapped[str] = mapped_column(sa.Text, default="")  # the reviewer's note when returning it
    approved_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[Optional[datetime]] = _utc()  # set: opens by itself at opens_at
    opened_at: Mapped[Optional[datetime]] = _utc()
    closed_at: Mapped[Optional[datetime]] = _utc()
    withdrawn_reason: Mapped[str] = mapped_column(sa.Text, default="")

    # Counters: public comments (shown), and every comment received (held and rejected too).
    comment_count: Mapped[int] = mapped_column(default=0, server_default="0")
    received_count: Mapped[int] = mapped_column(default=0, server_default="0")

    # Feedback report (意见采纳情况).
    report_summary: Mapped[str] = mapped_column(sa.Text, default="")
    report_state: Mapped[str] = mapped_column(sa.String(16), default=REPORT_NONE, server_default="")
    report_approved_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    report_published_at: Mapped[Optional[datetime]] = _utc()

    department: Mapped[Department] = relationship()
    current_version: Mapped[Optional["DraftVersion"]] = relationship(
        primaryjoin="foreign(Draft.current_version_id) == DraftVersion.id", post_update=True
    )
    versions: Mapped[list["DraftVersion"]] = relationship(
        back_populates="draft", foreign_keys="DraftVersion.draft_id", order_by="DraftVersion.number"
    )
    qa_pairs: Mapped[list["QAPair"]] = relationship(
        back_populates="draft", order_by="QAPair.position", cascade="all, delete-orphan"
    )
    files: Mapped[list["DraftFile"]] = relationship(back_populates="draft", order_by="DraftFile.id")
    created_by: Mapped[Optional[User]] = relationship(foreign_keys=[created_by_id])

    @hybrid_property
    def status(self) -> str:
        """The status now: an approved draft is open from ``opens_at`` and closed from ``closes_at``, whether
        or not that has been recorded yet (so its link works the second it opens, from any page)."""
        return status_at(self.recorded_status, self.approved_at, self.opens_at, self.closes_at, utcnow())

    @status.inplace.setter
    def _status_setter(self, value: str) -> None:
        self.recorded_status = value

    @status.inplace.expression
    @classmethod
    def _status_expression(cls) -> sa.ColumnElement[str]:
        now = utcnow()
        approved = sa.and_(cls.recorded_status == IN_REVIEW, cls.approved_at.is_not(None))
        return sa.case(
            (sa.and_(sa.or_(approved, cls.recorded_status == OPEN), cls.closes_at <= now), CLOSED),
            (sa.and_(approved, cls.opens_at <= now), OPEN),
            else_=cls.recorded_status,
        )

    @property
    def opens_on_schedule(self) -> bool:
        """Approved and waiting for its opening time."""
        return self.status == IN_REVIEW and self.approved_at is not None

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @hybrid_property
    def has_been_published(self) -> bool:
        """Open, closed, reported, or withdrawn after it had opened: its existence is no secret any more."""
        return self.status in PUBLIC_STATUSES or self.opened_at is not None

    @has_been_published.inplace.expression
    @classmethod
    def _has_been_published_expression(cls) -> sa.ColumnElement[bool]:
        return sa.or_(cls.status.in_(PUBLIC_STATUSES), cls.opened_at.is_not(None))

    def __repr__(self) -> str:
        return f"<Draft {self.id} {self.status}>"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def status_at(recorded: str, approved_at: datetime | None, opens_at: datetime, closes_at: datetime,
              now: datetime) -> str:
    """A draft's status at ``now`` from its recorded status and approved window (see ``Draft.status``)."""
    scheduled = recorded == IN_REVIEW and approved_at is not None
    if (scheduled or recorded == OPEN) and _aware(closes_at) <= now:
        return CLOSED
    if scheduled and _aware(opens_at) <= now:
        return OPEN
    return recorded


class DraftEvent(db.Model):
    """A draft's history: opened and closed on schedule (recorded by ``remind`` at the time it happened),
    shown to staff on the draft's office page."""

    __tablename__ = "draft_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(20))  # "opened" | "closed"
    happened_at: Mapped[datetime] = _utc()  # when it took effect (the window's time)
    recorded_at: Mapped[datetime] = _utc(default=utcnow)


class DraftVersion(db.Model):
    """One text of the draft. Version 1 is the text first opened; later ones carry a change note."""

    __tablename__ = "draft_versions"
    __table_args__ = (sa.UniqueConstraint("draft_id", "number", name="uq_draft_versions_draft_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id"))
    number: Mapped[int]
    body: Mapped[str] = mapped_column(sa.Text)  # Markdown
    change_note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = _utc(default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    # The Word file this text was imported from, offered on the public page as 征求意见稿.
    source_attachment_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("attachments.id"))

    draft: Mapped[Draft] = relationship(back_populates="versions", foreign_keys=[draft_id])
    source_attachment: Mapped[Optional[Attachment]] = relationship()
    articles: Mapped[list["Article"]] = relationship(
        back_populates="version", order_by="Article.position", cascade="all, delete-orphan"
    )


class Article(db.Model):
    """One article (第X条) or section (heading) of a version; ``anchor`` is stable across versions."""

    __tablename__ = "draft_articles"
    __table_args__ = (sa.UniqueConstraint("version_id", "anchor", name="uq_draft_articles_version_anchor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("draft_versions.id"))
    anchor: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int]
    heading: Mapped[str] = mapped_column(sa.String(200), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown of this article
    body_html: Mapped[str] = mapped_column(sa.Text, default="")  # rendered and sanitised once
    comment_count: Mapped[int] = mapped_column(default=0, server_default="0")

    version: Mapped[DraftVersion] = relationship(back_populates="articles")


class QAPair(db.Model):
    """A question and answer of the interpretation material (解读问答)."""

    __tablename__ = "draft_qa_pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    question: Mapped[str] = mapped_column(sa.Text)
    answer: Mapped[str] = mapped_column(sa.Text)  # Markdown

    draft: Mapped[Draft] = relationship(back_populates="qa_pairs")


class DraftFile(db.Model):
    """An interpretation attachment or figure of a draft (public once the draft is)."""

    __tablename__ = "draft_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id"), index=True)
    attachment_id: Mapped[int] = mapped_column(sa.ForeignKey("attachments.id"), unique=True)
    caption: Mapped[str] = mapped_column(sa.String(200), default="")

    draft: Mapped[Draft] = relationship(back_populates="files")
    attachment: Mapped[Attachment] = relationship()


class Comment(db.Model):
    """A citizen's comment: the detail row (1:1) of a tracked submission of kind ``comment``."""

    __tablename__ = "draft_comments"
    __table_args__ = (
        sa.CheckConstraint(sa.column("moderation").in_(MODERATION_STATES), name="moderation_known"),
        sa.CheckConstraint(
            sa.or_(sa.column("disposition").is_(None), sa.column("disposition").in_(DISPOSITIONS)),
            name="disposition_known",
        ),
        # Public list, newest first: WHERE draft_id = ? AND moderation = 'published' ORDER BY id DESC.
        sa.Index("ix_draft_comments_public", "draft_id", "moderation", "id"),
        # One article's comments, and all comments by article: (draft_id, moderation[, anchor]) ORDER BY anchor, id.
        sa.Index("ix_draft_comments_article", "draft_id", "moderation", "article_anchor", "id"),
        sa.Index("ix_draft_comments_hash", "draft_id", "text_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"), unique=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id"))
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("draft_versions.id"), index=True)
    article_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("draft_articles.id"), index=True)
    article_anchor: Mapped[str] = mapped_column(sa.String(80), default="")  # "" = the whole draft
    public_name: Mapped[str] = mapped_column(sa.String(40), default="")  # masked, e.g. 张*
    # As written (plain text, escaped when shown), for staff; every public surface reads ``public_body``.
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = _utc(default=utcnow)

    moderation: Mapped[str] = mapped_column(sa.String(12), default=PUBLISHED)
    moderation_reason: Mapped[str] = mapped_column(sa.Text, default="")
    flagged_words: Mapped[str] = mapped_column(sa.String(200), default="")  # why it was held
    report_count: Mapped[int] = mapped_column(default=0, server_default="0")

    text_hash: Mapped[str] = mapped_column(sa.String(64))  # SHA-256 of the normalised text
    minhash: Mapped[bytes] = mapped_column(sa.LargeBinary)  # MinHash signature over character shingles
    group_id: Mapped[Optional[int]] = mapped_column(index=True)  # smallest comment id of its group

    disposition: Mapped[Optional[str]] = mapped_column(sa.String(16))
    disposition_reason: Mapped[str] = mapped_column(sa.Text, default="")

    submission = relationship("Submission")
    draft: Mapped[Draft] = relationship()
    version: Mapped[DraftVersion] = relationship()
    article: Mapped[Optional[Article]] = relationship()

    @property
    def public_body(self) -> str:
        """The text as the public sees it (draft page, API, feedback report, exports): the writer's personal
        data redacted. Load ``submission`` with the comments (``drafts.comments.public_comments_query``)."""
        submission = self.submission
        return public_comment_text(
            self.body, submission.submitter_name, submission.submitter_phone, submission.submitter_email
        )


def public_comment_text(body: str, name: str, phone: str, email: str) -> str:
    """A comment's text with ID-card numbers, phone numbers, e-mail addresses and the writer's own name
    (``name``, ``phone``, ``email`` of its submission) redacted: the one rule for every public surface."""
    return redact_text(body, name=name, phone=phone, email=email)


class CommentReport(db.Model):
    """A visitor's report that a public comment breaks the rules."""

    __tablename__ = "draft_comment_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("draft_comments.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    reporter_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = _utc(default=utcnow)
    resolved_at: Mapped[Optional[datetime]] = _utc()

    comment: Mapped[Comment] = relationship()


class SensitiveWord(db.Model):
    """A word or phrase that holds a comment for moderation (matched case-insensitively, normalised)."""

    __tablename__ = "sensitive_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(sa.String(100), unique=True)
    created_at: Mapped[datetime] = _utc(default=utcnow)


# A feedback report's publication, run as a job (consult.drafts.publishing).
PUBLICATION_QUEUED, PUBLICATION_RUNNING, PUBLICATION_DONE, PUBLICATION_FAILED = "queued", "running", "done", "failed"
PUBLICATION_STATUSES = (PUBLICATION_QUEUED, PUBLICATION_RUNNING, PUBLICATION_DONE, PUBLICATION_FAILED)


class ReportPublication(db.Model):
    """A reviewer's request to publish a draft's feedback report, and how its job went: answering every open
    comment takes minutes on a large draft, so it runs outside the request (``consult.jobs``)."""

    __tablename__ = "report_publications"
    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(PUBLICATION_STATUSES), name="status_known"),
        sa.Index("ix_report_publications_draft_status", "draft_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id"))
    status: Mapped[str] = mapped_column(sa.String(12), default=PUBLICATION_QUEUED)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = _utc(default=utcnow)
    base_url: Mapped[str] = mapped_column(sa.String(300), default="")  # the site as the reviewer reached it
    started_at: Mapped[Optional[datetime]] = _utc()
    finished_at: Mapped[Optional[datetime]] = _utc()
    total_count: Mapped[int] = mapped_column(default=0)  # open comments to answer, counted when the job starts
    answered_count: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(sa.Text, default="")

    draft: Mapped[Draft] = relationship()
    requested_by: Mapped[User] = relationship()
