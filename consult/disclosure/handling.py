"""Handling rules particular to information requests: the clarification deadlines (条例 Art. 30), pausing
the clock for a third party's opinion (Art. 32: that time is not counted), and closing requests whose
applicant never sent the clarification asked for (其他处理 / 逾期不补正).

The 20-working-day window, the clock restart when the clarification arrives, the 7-working-day limit for
asking and the single extension of at most 20 working days are the tracking engine's DISCLOSURE policy.
"""

from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from consult import workdays
from consult.accounts.models import User
from consult.authz import require_worker
from consult.disclosure.models import DisclosureRequest
from consult.disclosure.outcomes import NO_CLARIFICATION, OTHER
from consult.domain import DomainError
from consult.extensions import db
from consult.localtime import local_date, local_today
from consult.tracking import services as tracking
from consult.tracking.models import ASSIGNED, DISCLOSURE, NEEDS_INFO, RECEIVED, REOPENED, Submission, TimelineEvent
from consult.tracking.notes import timeline_note
from consult.tracking.policies import policy_for
from consult.workdays import current_overrides

DEFAULT_CLARIFY_WORKDAYS = 15  # time the applicant is given to send the clarification


def clarify_workdays() -> int:
    """Working days the applicant has to send a clarification (``CONSULT_DISCLOSURE_CLARIFY_WORKDAYS``)."""
    return int(current_app.config.get("CONSULT_DISCLOSURE_CLARIFY_WORKDAYS", DEFAULT_CLARIFY_WORKDAYS))


def clarification_request_deadline(submission: Submission) -> date:
    """The last day a request for clarification may be sent (7 working days after receipt)."""
    within = policy_for(DISCLOSURE).info_request_within or 0
    return workdays.add_workdays(local_date(submission.received_at), within, current_overrides())


def _last_info_request(submission: Submission) -> TimelineEvent | None:
    return db.session.scalar(
        sa.select(TimelineEvent)
        .where(TimelineEvent.submission_id == submission.id, TimelineEvent.action == "request_info")
        .order_by(TimelineEvent.id.desc())
        .limit(1)
    )


def clarification_due_on(submission: Submission) -> date | None:
    """While the request waits for the applicant: the last day their clarification is awaited."""
    if submission.status != NEEDS_INFO:
        return None
    asked = _last_info_request(submission)
    if asked is None:
        return None
    return workdays.add_workdays(local_date(asked.created_at), clarify_workdays(), current_overrides())


# --- third-party opinion: the clock stops ---------------------------------------------------------------

def pause_request(request: DisclosureRequest, *, actor: User, reason: str, today: date | None = None) -> None:
    """Stop the clock while a third party is asked for its opinion (the days until resumption are not counted)."""
    submission = request.submission
    require_worker(actor, submission.department_id)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Please say whose opinion is asked for and why."), field="reason")
    if request.is_paused:
        raise DomainError(_l("The request is already paused."), status=409)
    if submission.status not in (RECEIVED, ASSIGNED, REOPENED):
        raise DomainError(_l("Only a request being handled can be paused."), status=409)
    today = today or local_today()
    tracking.pause_clock(
        submission, actor=actor, action="disclosure_paused", internal_note=reason, today=today,
        public_note=timeline_note("A third party has been asked for its opinion on %(day)s; the time this takes "
                                  "is not counted towards the time limit.", day=today),
    )
    request.pause_reason = reason
    db.session.flush()


def resume_request(request: DisclosureRequest, *, actor: User, today: date | None = None) -> int:
    """Start the clock again; the due date moves by the working days spent waiting. Returns that number.

    Counted are the working days after the day of pausing up to and including the day of resuming (a
    pause and resumption on the same day move nothing). Days before a clock restart are not counted twice.
    """
    submission = request.submission
    require_worker(actor, submission.department_id)
    if not request.is_paused:
        raise DomainError(_l("The request is not paused."), status=409)
    waited = tracking.resume_clock(
        submission, actor=actor, action="disclosure_resumed", today=today,
        public_note=lambda waited, old_due, new_due: timeline_note(
            "The third party's opinion has arrived (%(days)s working days not counted); the due date moved from "
            "%(old)s to %(new)s.", days=waited, old=old_due, new=new_due),
    )
    request.paused_workdays += waited
    request.pause_reason = ""
    db.session.flush()
    return waited


# --- no clarification in time: closed as 其他处理 -------------------------------------------------------

def close_abandoned_requests(today: date | None = None) -> list[Submission]:
    """Close every request whose applicant did not send the clarification in time (run daily by ``remind``).

    Each becomes dismissed through the state machine, with the reason on its timeline and in a mail to the
    applicant, and counts in the annual report as 其他处理 / 逾期不补正. Returns the closed submissions.
    """
    today = today or local_today()
    waiting = db.session.scalars(
        sa.select(DisclosureRequest)
        .join(Submission, Submission.id == DisclosureRequest.submission_id)
        .where(Submission.kind == DISCLOSURE, Submission.status == NEEDS_INFO)
        .order_by(Submission.id)
    ).all()
    closed = []
    for request in waiting:
        due = clarification_due_on(request.submission)
        if due is not None and today > due:
            close_as_abandoned(request, due)
            closed.append(request.submission)
    db.session.flush()
    return closed


def close_as_abandoned(request: DisclosureRequest, awaited_until: date) -> None:
    """Close one request waiting for a clarification that never came (dismissed, 其他处理 / 逾期不补正)."""
    submission = request.submission
    reason = timeline_note("The clarification asked for did not arrive by %(day)s, so the request is no longer "
                           "processed (政府信息公开条例 Art. 30). You may send a new request.", day=awaited_until)
    tracking.dismiss_with_its_subject(submission, actor=None, reason=reason)
    request.outcome_category, request.outcome_reason = OTHER, NO_CLARIFICATION
    request.outcome_recorded_at = submission.answered_at
