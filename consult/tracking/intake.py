"""Receiving a submission: tracking number, query code, deadlines, timeline and the receipt mail."""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from consult.accounts.models import Department, User
from consult.database import utcnow
from consult.domain import DomainError
from consult.extensions import db
from consult.tracking import numbers
from consult.tracking.clock import as_utc, local_date
from consult.tracking.deadlines import apply_deadlines
from consult.tracking.mails import notify_citizen
from consult.tracking.models import KINDS, RECEIVED, Submission
from consult.tracking.policies import policy_for
from consult.tracking.timeline import CITIZEN_ROLE, record_event


@dataclass(frozen=True)
class NewSubmission:
    """A freshly created submission and its query code — the only time the code exists in clear."""

    submission: Submission
    query_code: str  # grouped for display, e.g. ABCD-EFGH-JKMN


def create_submission(
    *,
    kind: str,
    department: Department,
    body: str,
    subject: str = "",
    user: User | None = None,
    name: str = "",
    email: str = "",
    phone: str = "",
    is_public: bool = False,
    locale: str | None = None,
    received_at: datetime | None = None,
    clock_start_on: date | None = None,
    window_workdays: int | None = None,
) -> NewSubmission:
    """Receive a submission of ``kind`` for ``department`` and queue the receipt mail.

    The clock starts on the local day of receipt unless ``clock_start_on`` is given (comments: the day
    the consultation closes); ``window_workdays`` overrides the kind's default (e.g. a mailbox's own window).
    Kind modules add their detail row pointing at ``result.submission.id``.
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
        is_public=is_public,
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
