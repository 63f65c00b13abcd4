"""Deliver the outbox: claim due rows, send them (mail over one SMTP connection, SMS through the gateway of
``consult.notify.sms_gateways``), record the outcome. Mail and SMS are claimed and sent separately, by the
same rules below; an SMS that is not urgent is never retried into quiet hours (``consult.notify.sms``).

Run by ``flask --app consult send-mail`` (once, or ``--loop``) or by an RQ job (``consult.notify.queue``).

Claiming. Several senders may run at once. A sender claims a batch of due rows (``pending``,
``next_attempt_at`` passed, no live lease) by setting ``claimed_until`` — a lease — in one short
transaction that it commits before talking to the mail server. On PostgreSQL the rows are picked
with ``SELECT … FOR UPDATE SKIP LOCKED``, so concurrent senders take different rows without waiting;
on SQLite the transaction starts with ``BEGIN IMMEDIATE``, which serialises claims on the write lock.
The lease value doubles as the claim's identity: outcomes are only recorded while it is unchanged.

Outcome. Each message is marked ``sent`` (``sent_at``) in its own short transaction right after the
server accepted it. A failed attempt adds one to ``attempts`` and pushes ``next_attempt_at`` back
exponentially (``MAIL_RETRY_BASE_SECONDS`` × 2^(attempts−1), at most ``MAIL_RETRY_MAX_SECONDS``);
after ``MAIL_MAX_ATTEMPTS`` attempts, or at once when the server refuses the message permanently
(5xx), the row becomes ``failed`` with ``last_error``, for an admin to see and retry.

Delivery is at least once. If a sender dies after the server accepted a message but before the row
was marked, the row stays ``pending`` with its lease; when the lease runs out another sender sends it
again. Every message therefore carries a stable ``Message-ID`` derived from the row, so receiving
systems can recognise the duplicate. Nothing is lost: a row only leaves ``pending`` once sent or
given up on. A sender stops before its lease runs short and leaves the rest of its batch to expire.

With ``MAIL_SUPPRESS_SEND`` (the default when no ``MAIL_SERVER`` is configured) messages are logged in
full (headers, text and HTML) at INFO instead of sent, and marked sent; ``send-mail`` shows that log.
"""

import base64
import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

import flask_mail
import sqlalchemy as sa
from flask import current_app

from consult.database import utcnow
from consult.extensions import db
from consult.notify import sms
from consult.notify.models import FAILED, MAIL, PENDING, SENT, SMS, OutboxMessage
from consult.notify.sms_gateways import SmsError, gateway

log = logging.getLogger(__name__)

DEFAULTS = {
    "MAIL_MAX_ATTEMPTS": 8,
    "MAIL_RETRY_BASE_SECONDS": 60,
    "MAIL_RETRY_MAX_SECONDS": 6 * 3600,
    "MAIL_LEASE_SECONDS": 300,
    "MAIL_TIMEOUT": 30,
    "MAIL_BATCH_SIZE": 100,
}
outbox = OutboxMessage.__table__


def setting(name: str):
    """A sender setting from the app config, else its default."""
    return current_app.config.get(name, DEFAULTS[name])


@dataclass
class SendResult:
    """What one or more sender passes did."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __iadd__(self, other: "SendResult") -> "SendResult":
        self.claimed += other.claimed
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        return self


def send_due(batch: int | None = None, now: datetime | None = None, channel: str = MAIL) -> SendResult:
    """Claim up to ``batch`` due messages of ``channel`` and try to deliver each once."""
    batch = batch or setting("MAIL_BATCH_SIZE")
    now = now or utcnow()
    lease = now + timedelta(seconds=setting("MAIL_LEASE_SECONDS"))
    ids = claim_batch(batch, now, lease, channel)
    result = SendResult(claimed=len(ids))
    if not ids:
        return result
    rows = _load(ids)
    if channel == SMS:
        return _send_sms(rows, lease, now, result)
    # Stop early enough that the lease cannot run out while the last message is in flight.
    lease_seconds = setting("MAIL_LEASE_SECONDS")
    stop_at = time.monotonic() + max(lease_seconds - 2 * setting("MAIL_TIMEOUT"), lease_seconds / 2)
    with _Smtp() as smtp:
        for row in rows:
            if time.monotonic() >= stop_at:
                break  # the rest stay leased and are picked up again when the lease expires
            # Once the server cannot be reached, the rest of the batch counts a failed attempt too.
            error = smtp.unreachable
            if error is None:
                try:
                    smtp.send(_build_message(row))
                except Exception as caught:  # noqa: BLE001 -- any failure is recorded on the row
                    error = caught
            if error is None:
                _record_sent(row.id)
                result.sent += 1
            elif _record_failure(row, lease, error, now) == FAILED:
                result.failed += 1
            else:
                result.retrying += 1
    return result


def _send_sms(rows, lease: datetime, now: datetime, result: SendResult) -> SendResult:
    try:
        sms_gateway = gateway()
    except SmsError as error:  # e.g. not configured: every message counts a failed attempt
        sms_gateway, unusable = None, error
    for row in rows:
        error = unusable if sms_gateway is None else None
        if error is None:
            try:
                sms_gateway.send(row)
            except Exception as caught:  # noqa: BLE001 -- any failure is recorded on the row
                error = caught
        if error is None:
            _record_sent(row.id, forget_text=sms.TEMPLATES[row.template].requested)
            result.sent += 1
        elif _record_failure(row, lease, error, now) == FAILED:
            result.failed += 1
        else:
            result.retrying += 1
    return result


def drain(batch: int | None = None, now: datetime | None = None) -> SendResult:
    """Send batches of mail, then of SMS, until nothing is due (messages that failed now wait for their
    next attempt)."""
    batch = batch or setting("MAIL_BATCH_SIZE")
    total = SendResult()
    for channel in (MAIL, SMS):
        while True:
            result = send_due(batch, now, channel)
            total += result
            if result.claimed < batch:
                break
    return total


def run_forever(interval: float, batch: int | None = None, echo=print) -> None:
    """Drain the outbox, then sleep ``interval`` seconds, until interrupted."""
    while True:
        try:
            result = drain(batch)
        except Exception:  # noqa: BLE001 -- e.g. the database is briefly away; try again later
            log.exception("Sending mail failed; trying again in %s seconds", interval)
        else:
            if result.claimed:
                echo(describe(result))
        finally:
            db.session.remove()
        time.sleep(interval)


def describe(result: SendResult) -> str:
    return f"Sent {result.sent}, will retry {result.retrying}, failed {result.failed}."


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    seconds = setting("MAIL_RETRY_BASE_SECONDS") * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, setting("MAIL_RETRY_MAX_SECONDS")))


def message_id(row) -> str:
    """A Message-ID that stays the same on every attempt to send this row."""
    default_sender = current_app.config.get("MAIL_DEFAULT_SENDER") or ""
    if isinstance(default_sender, tuple):  # Flask-Mail also takes ("Name", "address")
        default_sender = default_sender[1]
    domain = parseaddr(default_sender)[1].rpartition("@")[2]
    created = row.created_at
    if created.tzinfo is not None:  # PostgreSQL answers in the session's zone; SQLite stores UTC, naive
        created = created.astimezone(UTC)
    stamp = created.strftime("%Y%m%d%H%M%S")
    return f"<outbox.{row.id}.{stamp}@{domain or 'consult.localhost'}>"


def logged_mail(message: flask_mail.Message) -> str:
    """The whole mail as text for the log, when there is no mail server to send it to (development)."""
    lines = [
        f"Mail not sent (MAIL_SUPPRESS_SEND): {message.msgId}",
        f"To: {', '.join(message.recipients)}",
        f"Subject: {message.subject}",
    ]
    if message.attachments:
        lines.append("Attachments: " + ", ".join(f"{a.filename} ({a.content_type})" for a in message.attachments))
    lines += ["", message.body or ""]
    if message.html:
        lines += ["----- HTML part -----", message.html]
    return "\n".join(lines)


def _begin(connection: sa.Connection):
    """Begin a write transaction; on SQLite take the write lock at once (``BEGIN IMMEDIATE``)."""
    if connection.dialect.name == "sqlite":
        connection.info["begin_immediate"] = True
    return connection.begin()


def claim_batch(limit: int, now: datetime, lease: datetime, channel: str = MAIL) -> list[int]:
    """Lease up to ``limit`` due rows of ``channel`` to this sender and commit; returns their ids, oldest
    first."""
    due = (
        sa.select(outbox.c.id)
        .where(
            outbox.c.status == PENDING,
            outbox.c.channel == channel,
            outbox.c.next_attempt_at <= now,
            sa.or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now),
        )
        .order_by(outbox.c.next_attempt_at, outbox.c.id)
        .limit(limit)
    )
    with db.engine.connect() as connection, _begin(connection):
        if connection.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = list(connection.scalars(due))
        if ids:
            connection.execute(sa.update(outbox).where(outbox.c.id.in_(ids)).values(claimed_until=lease))
    return ids


def _load(ids: list[int]) -> list[sa.Row]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            sa.select(outbox).where(outbox.c.id.in_(ids)).order_by(outbox.c.next_attempt_at, outbox.c.id)
        ).all()
        connection.rollback()
    return rows


def _build_message(row) -> flask_mail.Message:
    message = flask_mail.Message(
        subject=row.subject,
        recipients=[row.recipient],
        body=row.body_text,
        html=row.body_html or None,
        attachments=[
            flask_mail.Attachment(
                filename=a["filename"], content_type=a["content_type"], data=base64.b64decode(a["data"])
            )
            for a in row.attachments or ()
        ],
        extra_headers={"Auto-Submitted": "auto-generated"},
    )
    message.msgId = message_id(row)
    return message


def _record_sent(row_id: int, forget_text: bool = False) -> None:
    """Mark a row sent; ``forget_text`` also blanks a code's text, which must not outlive its sending."""
    values = {"status": SENT, "sent_at": utcnow(), "claimed_until": None}
    if forget_text:
        values |= {"body_text": "", "params": None}
    with db.engine.connect() as connection, _begin(connection):
        connection.execute(sa.update(outbox).where(outbox.c.id == row_id, outbox.c.status == PENDING).values(**values))


def _record_failure(row, lease: datetime, error: Exception, now: datetime) -> str:
    """Count a failed attempt: retry later with backoff, or give up. Returns the new status."""
    attempts = row.attempts + 1
    permanent = _is_permanent(error)
    status = FAILED if permanent or attempts >= setting("MAIL_MAX_ATTEMPTS") else PENDING
    reason = f"{type(error).__name__}: {error}"[:2000]
    log.warning("%s %s to %s failed (attempt %s): %s", "SMS" if row.channel == SMS else "Mail", row.id,
                row.recipient, attempts, reason)
    next_attempt = max(now, utcnow()) + retry_delay(attempts)
    if row.channel == SMS and not sms.TEMPLATES[row.template].urgent:
        next_attempt = sms.after_quiet_hours(next_attempt)
    with db.engine.connect() as connection, _begin(connection):
        connection.execute(
            sa.update(outbox)
            # Only while our claim holds: after a lost lease the row belongs to another sender.
            .where(outbox.c.id == row.id, outbox.c.status == PENDING, outbox.c.claimed_until == lease)
            .values(
                status=status,
                attempts=attempts,
                next_attempt_at=next_attempt,
                claimed_until=None,
                last_error=reason,
            )
        )
    return status


def _is_permanent(error: Exception) -> bool:
    """Whether the server refused this message for good (5xx), as opposed to a passing problem."""
    if isinstance(error, SmsError):
        return error.permanent
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    if isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return error.smtp_code >= 500
    return isinstance(error, (flask_mail.BadHeaderError, ValueError, UnicodeError))


class _Smtp:
    """One SMTP connection for a batch, opened on first use and again after an error."""

    def __init__(self):
        self.connection: _Connection | None = None
        self.unreachable: Exception | None = None  # why connecting failed, if it did

    def __enter__(self) -> "_Smtp":
        return self

    def send(self, message: flask_mail.Message) -> None:
        state = current_app.extensions["mail"]
        if state.suppress:
            log.info("%s", logged_mail(message))
        if self.connection is None:
            try:
                self.connection = _Connection(state).__enter__()
            except Exception as error:
                self.unreachable = error
                raise
        try:
            self.connection.send(message)
        except Exception:
            self._close(quit_=False)  # the connection may be broken: the next message opens a new one
            raise

    def _close(self, quit_: bool) -> None:
        connection, self.connection = self.connection, None
        if connection is None or connection.host is None:
            return
        try:
            if quit_:
                connection.host.quit()
            else:
                connection.host.close()
        except (smtplib.SMTPException, OSError):
            connection.host.close()

    def __exit__(self, *exc_info) -> None:
        self._close(quit_=True)


class _Connection(flask_mail.Connection):
    """Flask-Mail's connection with a socket timeout, so a stalled server cannot hang the sender."""

    def configure_host(self):
        smtp_class = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp_class(self.mail.server, self.mail.port, timeout=setting("MAIL_TIMEOUT"))
        host.set_debuglevel(int(self.mail.debug))
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host
