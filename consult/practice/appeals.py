"""Appeals against ratings (申诉复核): a department holds a poor rating mistaken or malicious and says why; an
admin outside that department decides. An upheld appeal takes the rating out of every rate (the statistics
say how many were taken out) and withdraws the rectification task it opened."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import ADMIN, User
from consult.authz import require_worker
from consult.database import utcnow
from consult.domain import DomainError, FieldErrors
from consult.extensions import db
from consult.localtime import as_utc
from consult.practice.models import (
    APPEAL_GROUNDS, APPEAL_PENDING, APPEAL_REJECTED, APPEAL_UPHELD, RatingAppeal,
)  # fmt: skip
from consult.practice.rectification import withdraw_tasks_for_removed_rating
from consult.tracking.models import POOR_LEVELS, Submission
from consult.tracking.notes import timeline_note
from consult.tracking.timeline import record_event


def appeal_of_current_rating(submission: Submission) -> RatingAppeal | None:
    """The appeal filed against the submission's current rating, if any."""
    if submission.rated_at is None:
        return None
    return db.session.scalar(sa.select(RatingAppeal).where(
        RatingAppeal.submission_id == submission.id, RatingAppeal.rated_at == as_utc(submission.rated_at)
    ))


def can_appeal(submission: Submission) -> bool:
    """A current poor rating, not taken out, not yet appealed."""
    return (submission.satisfaction in POOR_LEVELS and not submission.rating_removed
            and appeal_of_current_rating(submission) is None)


def file_appeal(submission: Submission, *, actor: User, ground: str, reason: str) -> RatingAppeal:
    """The department appeals the submission's current poor rating (once per rating)."""
    require_worker(actor, submission.department_id)
    if submission.satisfaction not in POOR_LEVELS or submission.rating_removed:
        raise DomainError(_l("Only a poor rating that still counts can be appealed."), status=409)
    if appeal_of_current_rating(submission) is not None:
        raise DomainError(_l("This rating has already been appealed."), status=409)
    errors = FieldErrors()
    reason = (reason or "").strip()
    if ground not in APPEAL_GROUNDS:
        errors.add("ground", _l("Please choose why the rating is wrong."))
    if not reason:
        errors.add("reason", _l("Please give the reason for the appeal."))
    errors.raise_if_any()
    appeal = RatingAppeal(
        submission=submission, department_id=submission.department_id, satisfaction=submission.satisfaction,
        rated_at=as_utc(submission.rated_at), ground=ground, reason=reason, filed_by_id=actor.id,
    )
    db.session.add(appeal)
    record_event(submission, "rating_appealed", actor=actor, internal_note=reason)
    db.session.flush()
    return appeal


def may_decide(user: User | None, appeal: RatingAppeal) -> bool:
    """Only an admin who does not belong to the appealing department decides its appeal."""
    return (user is not None and user.is_authenticated and user.active and user.role == ADMIN
            and user.department_id != appeal.department_id)


def decide_appeal(appeal: RatingAppeal, *, actor: User, uphold: bool, note: str = "") -> None:
    """Uphold or reject a pending appeal, with a note (required when rejecting, so the department knows why)."""
    if not may_decide(actor, appeal):
        raise DomainError(_l("Only an administrator outside the appealing department can decide this appeal."),
                          status=403)
    if appeal.status != APPEAL_PENDING:
        raise DomainError(_l("This appeal has already been decided."), status=409)
    note = (note or "").strip()
    if not uphold and not note:
        raise DomainError(_l("Please say why the appeal is rejected."), field="note")
    appeal.status = APPEAL_UPHELD if uphold else APPEAL_REJECTED
    appeal.decided_by_id, appeal.decided_at, appeal.decision_note = actor.id, utcnow(), note
    submission = appeal.submission
    if uphold:
        if submission.rated_at is not None and as_utc(submission.rated_at) == as_utc(appeal.rated_at):
            submission.rating_removed = True
            withdraw_tasks_for_removed_rating(submission)
        record_event(submission, "appeal_upheld", actor=actor,
                     internal_note=timeline_note("Appeal upheld: the rating no longer counts. %(note)s", note=note))
    else:
        record_event(submission, "appeal_rejected", actor=actor,
                     internal_note=timeline_note("Appeal rejected: %(note)s", note=note))
    db.session.flush()
