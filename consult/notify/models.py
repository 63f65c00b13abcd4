"""The outbox (e-mail and SMS), and the numbers that asked for no more SMS."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from consult.database import utcnow
from consult.extensions import db

PENDING, SENT, FAILED = "pending", "sent", "failed"
STATUSES = (PENDING, SENT, FAILED)
MAIL, SMS = "mail", "sms"
CHANNELS = (MAIL, SMS)


class OutboxMessage(db.Model):
    """One e-mail or text message waiting to be sent, sent, or given up on.

    ``channel`` says which: an e-mail goes to an address over SMTP; an SMS goes to a mobile number through
    the SMS gateway, with ``template`` naming one of the templates registered with the provider
    (``consult.notify.sms.TEMPLATES``), ``params`` its parameters and ``body_text`` the text as it will
    read on the phone, signature included.

    ``attachments`` holds small files (e.g. an .ics invitation) as a JSON list of
    ``{"filename", "content_type", "data"}`` with ``data`` in base64, so sending needs no file system.
    ``claimed_until`` is a sender's lease on a pending row; see ``consult.notify.sender``.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(STATUSES), name="status_known"),
        sa.CheckConstraint(sa.column("channel").in_(CHANNELS), name="channel_known"),
        sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        sa.Index("ix_outbox_messages_recipient", "channel", "recipient", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(8), default=MAIL, server_default=MAIL)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(8))
    template: Mapped[str] = mapped_column(sa.String(64))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    attachments: Mapped[Optional[list]] = mapped_column(sa.JSON)
    params: Mapped[Optional[dict]] = mapped_column(sa.JSON)  # an SMS template's parameters
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
        return f"<OutboxMessage {self.id} {self.channel} {self.template} {self.status}>"


class SmsOptOut(db.Model):
    """A mobile number whose owner replied T (回复T退订): no SMS goes to it, except a code they ask for."""

    __tablename__ = "sms_opt_outs"

    phone: Mapped[str] = mapped_column(sa.String(20), primary_key=True)  # 11 digits, no +86
    source: Mapped[str] = mapped_column(sa.String(16))  # "reply" (from the gateway) or "admin"
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<SmsOptOut {self.phone}>"
