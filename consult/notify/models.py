"""The mail outbox."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from consult.database import utcnow
from consult.extensions import db

PENDING, SENT, FAILED = "pending", "sent", "failed"
STATUSES = (PENDING, SENT, FAILED)


class OutboxMessage(db.Model):
    """One e-mail waiting to be sent, sent, or given up on.

    ``attachments`` holds small files (e.g. an .ics invitation) as a JSON list of
    ``{"filename", "content_type", "data"}`` with ``data`` in base64, so sending needs no file system.
    ``claimed_until`` is a sender's lease on a pending row; see ``consult.notify.sender``.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(STATUSES), name="status_known"),
        sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(8))
    template: Mapped[str] = mapped_column(sa.String(64))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    attachments: Mapped[Optional[list]] = mapped_column(sa.JSON)
    # Essential mail (receipt, answer, password reset) ignores the recipient's opt-out of optional mail.
    essential: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Set when a message must never go out twice (e.g. one reminder per submission and threshold).
    dedup_key: Mapped[Optional[str]] = mapped_column(sa.String(200), unique=True)
    status: Mapped[str] = mapped_column(sa.String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    claimed_until: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.template} {self.status}>"
