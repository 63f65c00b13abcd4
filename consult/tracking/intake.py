"""Receiving a submission: tracking number, query code, deadlines, timeline and the receipt mail; and
recognising the same submission sent twice (e.g. after going back in the browser: the form is new, the
text is not)."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import Department, User
from consult.contacts import phone_key
from consult.database import utcnow
from consult.domain import DomainError
from consult.extensions import db
from consult.localtime import as_utc, local_date
from consult.text import normalize_text
from consult.tracking import numbers
from consult.tracking.deadlines import apply_deadlines
from consult.tracking.mails import notify_citizen
from consult.tracking.models import KINDS, RECEIVED, Submission
from consult.tracking.policies import policy_for
from consult.tracking.timeline import CITIZEN_ROLE, record_event

NOTIFY_CHANNELS = ("mail", "sms")
# The same text from the same person to the same target within this time is the same submission.
DUPLICATE_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class NewSubmission:
    """A freshly created submission and its query code — the only time the code exists in clear."""

    submission: Submission
    query_code: str  # grouped for display, e.g. ABCD-EFGH-JKMN


def content_key(kind: str, target: str, subject: str, body: str) -> str:
    """SHA-256 (hex) of what makes two submissions the same: the kind, the target (``draft:12``,
    ``mailbox:3``, ``department:5``, ``event:7``) and the normalised subject and text."""
    text = "\n".join((kind, target, normalize_text(subject), normalize_text(body)))
    return hashlib.sha256(text.encode()).hexdigest()


def _same_sender(submission: Submission, user: User | None, email: str, phone: str) -> bool:
    if user is not None and submission.user_id == user.id:
        return True
    if email and submission.submitter_email == email.strip().lower():
        return True
    return phone_key(phone) is not None and phone_key(submission.submitter_phone) == phone_key(phone)


def find_duplicate(
    *,
    kind: str,
    target: str,
    body: str,
    subject: str = "",
    user: User | None = None,
    email: str = "",
    phone: str = "",
    received_at: datetime | None = None,
) -> Submission | None:
    """The submission with the same text that the same person (account, e-mail or phone) sent to the same
    target less than ``DUPLICATE_WINDOW`` ago, if any: the kinds return its receipt instead of a new one."""
    if user is None and not (email or "").strip() and not phone_key(phone):
        return None  # nobody to recognise
    received_at = as_utc(received_at) if received_at is not None else utcnow()
    candidates = db.session.scalars(
        sa.select(Submission)
        .where(Submission.content_key == content_key(kind, target, subject, body),
               Submission.received_at > received_at - DUPLICATE_WINDOW, Submission.received_at <= received_at)
        .order_by(Submission.id)
    )
    return next((c for c in candidates if _same_sender(c, user, email or "", phone or "")), None)


def create_submission(
    *,
    kind: str,
    department: Department,
    body: str,
    subject: str = "",
    target: str = "",
    user: User | None = None,
    name: str = "",
    email: str = "",
    phone: str = "",
    is_public: bool = False,
    locale: str | None = None,
    received_at: datetime | None = None,
    clock_start_on: date | None = None,
    window_workdays: int | None = None,
    notify_by: str | None = None,
) -> NewSubmission:
    """Receive a submission of ``kind`` for ``department`` and queue the receipt mail.

    The clock starts on the local day of receipt unless ``clock_start_on`` is given (comments: the day
    the consultation closes); ``window_workdays`` overrides the kind's default (e.g. a mailbox's own window).
    ``notify_by`` is the channel the citizen chose for news ("mail" or "sms"; None: e-mail if they left
    an address, else SMS to a mobile number). Kind modules add their detail row pointing at ``result.submission.id``; ``target`` names what the
    submission is sent to (see :func:`content_key`), so :func:`find_duplicate` can recognise it later.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown submission kind {kind!r}")
    if not body.strip():
        raise DomainError(_l("Please write your message."), field="body")
    policy = policy_for(kind)
    received_at = as_utc(received_at) if received_at is not None else utcnow()
    received_on = local_date(received_at)
    code = numbers.new_query_code()
    salt, code_hash = numbers.new_code_hash(code)
    submission = Submission(
        tracking_no=numbers.new_tracking_no(policy.prefix, received_on),
        query_code_salt=salt,
        query_code_hash=code_hash,
        kind=kind,
        department=department,
        user=user,
        submitter_name=(name or (user.display_name if user else "")).strip(),
        submitter_email=(email or "").strip().lower(),
        submitter_phone=(phone or "").strip(),
        locale=locale or (user.locale if user else None),
        subject=subject.strip(),
        body=body,
        content_key=content_key(kind, target, subject, body),
        is_public=is_public,
        notify_by=notify_by if notify_by in NOTIFY_CHANNELS else None,
        received_at=received_at,
        clock_start_on=clock_start_on or received_on,
        window_workdays=window_workdays if window_workdays is not None else policy.window_workdays,
        extension_workdays=0,
    )
    apply_deadlines(submission)
    record_event(submission, "received", actor=user, actor_role=CITIZEN_ROLE, to_status=RECEIVED)
    submission.status = RECEIVED  # the initial status; every later change goes through transition()
    db.session.add(submission)
    db.session.flush()
    display_code = numbers.format_query_code(code)
    notify_citizen(submission, "submission_receipt", query_code=display_code)
    return NewSubmission(submission, display_code)
