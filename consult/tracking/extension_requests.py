"""Extensions of a due date: an officer asks for N more working days, a reviewer approves or declines."""

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import User
from consult.authz import require_reviewer, require_worker
from consult.database import utcnow
from consult.domain import DomainError
from consult.extensions import db
from consult.tracking.clock import compute_deadlines
from consult.tracking.deadlines import apply_deadlines
from consult.tracking.mails import notify_citizen
from consult.tracking.models import APPROVED, DECLINED, PENDING, ExtensionRequest, Submission
from consult.tracking.notes import timeline_note
from consult.tracking.policies import policy_for
from consult.tracking.timeline import record_event
from consult.workdays import current_overrides


def _approved_count(submission: Submission) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(ExtensionRequest.id)).where(
            ExtensionRequest.submission_id == submission.id, ExtensionRequest.status == APPROVED
        )
    )


def pending_extension(submission: Submission) -> ExtensionRequest | None:
    """The extension request waiting for a reviewer, if any."""
    return db.session.scalar(
        sa.select(ExtensionRequest).where(
            ExtensionRequest.submission_id == submission.id, ExtensionRequest.status == PENDING
        )
    )


def due_dates_if_approved(requests: Iterable[ExtensionRequest]) -> dict[int, date]:
    """For each request (by id), the due date its submission would get if it were approved; nothing is saved."""
    overrides = current_overrides()
    return {
        request.id: compute_deadlines(
            request.submission.clock_start_on, request.submission.window_workdays,
            request.submission.extension_workdays + request.workdays, overrides,
        ).due_on
        for request in requests
    }


def _check_allowed(submission: Submission, workdays: int) -> None:
    """Raise unless the kind's policy still allows an extension of ``workdays``."""
    policy = policy_for(submission.kind)
    if not submission.is_open:
        raise DomainError(_l("Only an open submission can be extended."), status=409)
    if _approved_count(submission) >= policy.max_extensions:
        raise DomainError(_l("This submission cannot be extended again."), status=409)
    if not 1 <= workdays <= policy.max_extension_workdays:
        raise DomainError(
            _l("An extension must be between 1 and %(max)s working days.", max=policy.max_extension_workdays),
            field="workdays",
        )


def request_extension(submission: Submission, *, actor: User, workdays: int, reason: str) -> ExtensionRequest:
    """Ask a reviewer for ``workdays`` more working days; the due date moves only once it is approved."""
    require_worker(actor, submission.department_id)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Please give the reason for the extension."), field="reason")
    if pending_extension(submission) is not None:
        raise DomainError(_l("An extension request is already waiting for review."), status=409)
    _check_allowed(submission, workdays)
    request = ExtensionRequest(submission=submission, requested_by=actor, workdays=workdays, reason=reason)
    db.session.add(request)
    record_event(
        submission, "extension_requested", actor=actor,
        internal_note=timeline_note("%(days)s working days requested: %(reason)s", days=workdays, reason=reason),
    )
    db.session.flush()
    return request


def decide_extension(request: ExtensionRequest, *, reviewer: User, approve: bool, note: str = "") -> None:
    """Approve (due date moves, the citizen is told) or decline a pending extension request.

    The reviewer must belong to the department and may not decide on their own request.
    """
    submission = request.submission
    require_reviewer(reviewer, submission.department_id)
    if request.status != PENDING:
        raise DomainError(_l("This extension request has already been decided."), status=409)
    if request.requested_by_id == reviewer.id:
        raise DomainError(_l("Someone else must review your own extension request."), status=403)
    if approve:
        _check_allowed(submission, request.workdays)
    request.decided_by, request.decided_at, request.decision_note = reviewer, utcnow(), note.strip()
    if not approve:
        request.status = DECLINED
        record_event(submission, "extension_declined", actor=reviewer, internal_note=note)
        return
    request.status = APPROVED
    old_due = submission.due_on
    submission.extension_workdays += request.workdays
    apply_deadlines(submission)
    record_event(
        submission, "extension_approved", actor=reviewer, internal_note=note,
        public_note=timeline_note(
            "The time limit was extended by %(days)s working days (from %(old)s to %(new)s): %(reason)s",
            days=request.workdays, old=old_due, new=submission.due_on, reason=request.reason,
        ),
    )
    notify_citizen(submission, "submission_extended", extension=request, old_due_on=old_due)
