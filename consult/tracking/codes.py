"""A new query code for a citizen who lost theirs, sent only to the contact left with the submission.

The citizen names the submission (tracking number) and the phone number or e-mail address they gave with
it. If both match, a new code replaces the old one, which stops working; it goes to that contact (an SMS to
the phone, else a mail), and the timeline records that a new code was sent. The answer to the visitor is the
same whether or not anything matched, so the form reveals neither submissions nor contacts. A submission
gets at most ``PER_DAY`` new codes a day.
"""

from datetime import timedelta

import sqlalchemy as sa

from consult.contacts import email_key, phone_key
from consult.database import utcnow
from consult.extensions import db
from consult.notify import sms
from consult.notify.services import queue_mail
from consult.tracking import numbers
from consult.tracking.mails import lookup_url, short_url
from consult.tracking.models import Submission, TimelineEvent
from consult.tracking.notes import timeline_note
from consult.tracking.timeline import CITIZEN_ROLE, record_event

ACTION = "code_reissued"
PER_DAY = 3


def _contact_matches(submission: Submission, contact: str) -> str | None:
    """"sms" or "mail" when ``contact`` is the phone or the address left with the submission."""
    phone = phone_key(contact) if "@" not in contact else None
    if phone and phone in (submission.submitter_phone_key, submission.user.phone if submission.user else None):
        return "sms"
    address = email_key(contact) if "@" in contact else None
    if address and address == (submission.contact_email or "").lower():
        return "mail"
    return None


def reissue_query_code(tracking_no: str, contact: str) -> bool:
    """Send a new query code for ``tracking_no`` to ``contact`` if it is the submission's own; True if sent."""
    number = numbers.normalise_tracking_no(tracking_no or "")
    if not (number.isascii() and number.replace("-", "").isalnum()):
        return False
    submission = db.session.scalar(sa.select(Submission).where(Submission.tracking_no == number))
    channel = _contact_matches(submission, (contact or "").strip()) if submission is not None else None
    if channel is None:
        return False
    sent_today = db.session.scalar(
        sa.select(sa.func.count()).select_from(TimelineEvent).where(
            TimelineEvent.submission_id == submission.id, TimelineEvent.action == ACTION,
            TimelineEvent.created_at >= utcnow() - timedelta(days=1))
    )
    if sent_today >= PER_DAY:
        return False
    code = numbers.new_query_code()
    shown = numbers.format_query_code(code)
    if channel == "sms":
        message = sms.queue_sms(contact, "query_code", no=submission.tracking_no, code=shown,
                                url=short_url(submission.tracking_no))
    else:
        message = queue_mail(submission.contact_email, "query_code_reissued", locale=submission.locale,
                             submission=submission, query_code=shown, lookup_url=lookup_url(submission.tracking_no))
    if message is None:  # e.g. the number reached today's SMS cap: the old code keeps working
        return False
    submission.query_code_salt, submission.query_code_hash = numbers.new_code_hash(code)
    record_event(submission, ACTION, actor=None, actor_role=CITIZEN_ROLE, public_note=timeline_note(
        "A new query code was sent to the contact left with the submission; the old code no longer works."))
    db.session.flush()
    return True
