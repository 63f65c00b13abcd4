"""The submission state machine (DESIGN.md §2). :func:`transition` is the only code that sets a status.

Statuses: received → assigned → (needs_info ⇄ assigned) → answered → closed; answered → reopened (once)
→ answered; any open status → dismissed. A transfer to another department sends an open submission
(except one waiting for the citizen's information) back to ``received`` without an assignee, so the new
department's inbox shows it as new work; its due date is kept.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from consult.accounts.models import User
from consult.database import utcnow
from consult.domain import DomainError
from consult.localtime import local_date
from consult.practice.response import stamp_response
from consult.tracking.models import (
    ANSWERED,
    ASSIGNED,
    CLOSED,
    DISMISSED,
    NEEDS_INFO,
    OPEN_STATUSES,
    RECEIVED,
    REOPENED,
    Submission,
    TimelineEvent,
)
from consult.tracking.notes import Note
from consult.tracking.timeline import record_event
from consult.workdays import current_overrides, is_workday

STATUS_LABELS = {
    RECEIVED: _l("Received"),
    ASSIGNED: _l("Being handled"),
    NEEDS_INFO: _l("Waiting for more information"),
    ANSWERED: _l("Answered"),
    REOPENED: _l("Reopened"),
    CLOSED: _l("Closed"),
    DISMISSED: _l("Dismissed"),
}


@dataclass(frozen=True)
class Transition:
    """An action allowed from ``sources``, leading to ``target``."""

    sources: frozenset[str]
    target: str
    label: object  # lazy string naming the action for users
    by_hand: bool = True  # offered to staff on the submission page (``allowed_actions``)


def _rule(sources, target: str, label, *, by_hand: bool = True) -> Transition:
    return Transition(frozenset(sources), target, label, by_hand)


TRANSITIONS: dict[str, Transition] = {
    "assign": _rule({RECEIVED}, ASSIGNED, _l("assign")),
    "request_info": _rule({ASSIGNED}, NEEDS_INFO, _l("ask for more information")),
    "info_received": _rule({NEEDS_INFO}, ASSIGNED, _l("add the requested information")),
    "answer": _rule({ASSIGNED, REOPENED}, ANSWERED, _l("answer")),
    # A published decision answers every submission it covers that is still open, whatever its step
    # (a feedback report answers each comment with its disposition): consult.tracking.bulk.
    "answer_by_publication": _rule(OPEN_STATUSES, ANSWERED, _l("answer through a published decision"),
                                   by_hand=False),
    "reopen": _rule({ANSWERED}, REOPENED, _l("reopen")),
    "close": _rule({ANSWERED}, CLOSED, _l("close")),
    "dismiss": _rule(OPEN_STATUSES, DISMISSED, _l("dismiss")),
    "transfer": _rule({RECEIVED, ASSIGNED, REOPENED}, RECEIVED, _l("transfer")),
}


def can_transition(submission: Submission, action: str) -> bool:
    """Whether ``action`` is allowed in the submission's current status."""
    rule = TRANSITIONS.get(action)
    return rule is not None and submission.status in rule.sources


def allowed_actions(submission: Submission) -> list[str]:
    """The actions the state machine allows staff now (views use it to show buttons)."""
    return [action for action, rule in TRANSITIONS.items() if rule.by_hand and submission.status in rule.sources]


def transition(
    submission: Submission,
    action: str,
    *,
    actor: User | None,
    public_note: Note | str = "",
    internal_note: Note | str = "",
    actor_role: str | None = None,
) -> TimelineEvent:
    """Apply ``action``: check the table, set the status and its timestamps, append the timeline event.

    Raises DomainError (status 409) and changes nothing if the action is not allowed in the current status.
    """
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise ValueError(f"unknown action {action!r}")
    if submission.status not in rule.sources:
        raise DomainError(
            _l(
                "You cannot do this while the submission's status is “%(status)s”: %(action)s.",
                action=rule.label,
                status=STATUS_LABELS[submission.status],
            ),
            status=409,
        )
    event = record_event(
        submission, action, actor=actor, to_status=rule.target,
        public_note=public_note, internal_note=internal_note, actor_role=actor_role,
    )
    submission.status = rule.target
    _stamp(submission, rule.target)
    if submission.responded_at is None:
        stamp_response(submission, action, event.actor_role, utcnow(), current_overrides())
    return event


def _stamp(submission: Submission, status: str) -> None:
    now = utcnow()
    if status in (ANSWERED, DISMISSED):  # a dismissal is an answer too
        submission.answered_at = now
        stamp_answer_dates(submission)
    if status in (CLOSED, DISMISSED):
        submission.closed_at = now


def stamp_answer_dates(submission: Submission, overrides=None) -> None:
    """Store the local answer date and the working days in (received date, answer date] for statistics
    (call it again after changing ``answered_at`` by hand, e.g. backdated demo data)."""
    received_on, answered_on = local_date(submission.received_at), local_date(submission.answered_at)
    overrides = current_overrides() if overrides is None else overrides
    submission.answered_on = answered_on
    submission.answered_workdays = workdays_taken(received_on, answered_on, overrides)


def workdays_taken(received_on: date, answered_on: date, overrides) -> int:
    """The working days in (``received_on``, ``answered_on``]: how long an answer took, for statistics."""
    return sum(
        is_workday(date.fromordinal(n), overrides)
        for n in range(received_on.toordinal() + 1, answered_on.toordinal() + 1)
    )
