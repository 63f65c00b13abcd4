"""Mailboxes and the letters written to them.

A letter is a tracked submission of kind ``letter`` (consult.tracking) plus a :class:`Letter` detail row
(1:1) saying which mailbox it was written to, its category, the masked name shown in public and the
one-time form token that stops a double submit from creating a second letter.
"""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Department
from consult.database import utcnow
from consult.extensions import db
from consult.tracking.models import Submission
from consult.uploads import Attachment

ENQUIRY, COMPLAINT, SUGGESTION, REPORT, TOPIC = "enquiry", "complaint", "suggestion", "report", "topic"
CATEGORIES = (ENQUIRY, COMPLAINT, SUGGESTION, REPORT, TOPIC)
CATEGORY_LABELS = {
    ENQUIRY: _l("Enquiry"),  # 咨询
    COMPLAINT: _l("Complaint"),  # 投诉
    SUGGESTION: _l("Suggestion"),  # 建议
    REPORT: _l("Report of wrongdoing"),  # 举报 — always private
    TOPIC: _l("Request to make a topic public"),  # 点题公开
}
PRIVATE_CATEGORIES = frozenset({REPORT})
DEFAULT_WINDOW_WORKDAYS = 15
ATTACHMENT_OWNER = "letter"
MAX_ATTACHMENTS = 3


class Mailbox(db.Model):
    """A box citizens write to (e.g. 县长信箱), owned by one department, configured by admins."""

    __tablename__ = "mailboxes"
    __table_args__ = (
        sa.CheckConstraint(sa.column("window_workdays").between(1, 120), name="window_sane"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    categories: Mapped[list[str]] = mapped_column(sa.JSON, default=lambda: list(CATEGORIES))
    window_workdays: Mapped[int] = mapped_column(default=DEFAULT_WINDOW_WORKDAYS)
    allow_publication: Mapped[bool] = mapped_column(default=True)
    allow_attachments: Mapped[bool] = mapped_column(default=True)
    # Letters only from citizens signed in with a phone they proved by SMS code (consult.accounts.phone).
    require_verified_phone: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    active: Mapped[bool] = mapped_column(default=True)
    # Counters kept in columns (never COUNT(*) over the letters): letters currently in this box, and
    # those of them answered or closed (kept in step with the tracking engine by consult.mailbox.counters).
    letter_count: Mapped[int] = mapped_column(default=0, server_default="0")
    answered_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    department: Mapped[Department] = relationship()

    @property
    def category_choices(self) -> list[tuple[str, object]]:
        """(code, label) of the categories this mailbox takes, in the standard order."""
        return [(code, CATEGORY_LABELS[code]) for code in CATEGORIES if code in (self.categories or ())]

    @property
    def offers_publication(self) -> bool:
        """Whether writers may opt in to publication (some category other than 举报 must exist)."""
        return self.allow_publication and any(c not in PRIVATE_CATEGORIES for c in self.categories or ())

    def __repr__(self) -> str:
        return f"<Mailbox {self.id} {self.name}>"


letter_attachments = sa.Table(
    "letter_attachments",
    db.metadata,
    sa.Column("letter_id", sa.ForeignKey("letters.id"), primary_key=True),
    sa.Column("attachment_id", sa.ForeignKey("attachments.id"), primary_key=True, unique=True),
)


class Letter(db.Model):
    """The mailbox detail of a ``letter`` submission."""

    __tablename__ = "letters"
    __table_args__ = (
        sa.CheckConstraint(sa.column("category").in_(CATEGORIES), name="category_known"),
        sa.Index("ix_letters_mailbox", "mailbox_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"), unique=True)
    mailbox_id: Mapped[int] = mapped_column(sa.ForeignKey("mailboxes.id"))
    category: Mapped[str] = mapped_column(sa.String(16))
    public_name: Mapped[str] = mapped_column(sa.String(40), default="")  # masked at creation: 张*
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    submission: Mapped[Submission] = relationship()
    mailbox: Mapped[Mailbox] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(secondary=letter_attachments, order_by=Attachment.id)

    @property
    def is_private_category(self) -> bool:
        return self.category in PRIVATE_CATEGORIES

    def __repr__(self) -> str:
        return f"<Letter {self.id} {self.category}>"


class FaqEntry(db.Model):
    """A question and its answer in a mailbox's 常见问题, kept by the staff of the mailbox's department.

    Shown on the mailbox's page, searched through the full-text index (kind ``faqs``) and offered first to a
    citizen writing a similar letter. ``source_letter_id``: the answered letter it was made from, if any.
    """

    __tablename__ = "mailbox_faqs"
    __table_args__ = (sa.Index("ix_mailbox_faqs_mailbox", "mailbox_id", "position", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(sa.ForeignKey("mailboxes.id"))
    question: Mapped[str] = mapped_column(sa.String(300))
    answer: Mapped[str] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0)  # lower first; ties by id
    source_letter_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("letters.id"))
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    mailbox: Mapped[Mailbox] = relationship()

    def __repr__(self) -> str:
        return f"<FaqEntry {self.id} mailbox={self.mailbox_id}>"
