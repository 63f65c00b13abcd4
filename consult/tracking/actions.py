"""Officer work on a submission: assign, transfer, ask for information, dismiss (and the citizen's
answer to a request for information)."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from consult.accounts.departments import department_ids_with_staff, ordered_departments
from consult.accounts.models import Department, User
from consult.authz import WORKER_ROLES, require_worker
from consult.domain import DomainError
from consult.formats import format_day
from consult.localtime import local_date, local_today
from consult.tracking.deadlines import restart_clock
from consult.tracking.mails import notify_citizen, notify_staff
from consult.tracking.models import ASSIGNED, NEEDS_INFO, RECEIVED, REOPENED, Submission
from consult.tracking.notes import Note, timeline_note
from consult.tracking.policies import policy_for
from consult.tracking.timeline import CITIZEN_ROLE, record_event
from consult.tracking.transitions import transition
from consult.workdays import add_workdays


def _required(text: str, message, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(message, field=field)
    return text


def assign_submission(submission: Submission, assignee: User, *, actor: User, note: str = "") -> None:
    """Give the submission to ``assignee`` (the actor or a colleague of the same department).

    A received submission becomes assigned; one already being worked on just changes hands.
    """
    require_worker(actor, submission.department_id)
    colleague = assignee.role in WORKER_ROLES and assignee.department_id == submission.department_id
    if not (assignee.active and colleague):
        raise DomainError(_l("You can only assign a colleague of the submission's department."), field="assignee")
    if submission.status == RECEIVED:
        transition(submission, "assign", actor=actor, internal_note=handed_to(assignee, note))
    elif submission.status in (ASSIGNED, NEEDS_INFO, REOPENED):
        if submission.assignee_id == assignee.id:
            return
        record_event(submission, "reassign", actor=actor, internal_note=handed_to(assignee, note))
    else:
        transition(submission, "assign", actor=actor)  # raises: closed, answered and dismissed stay so
    submission.assignee = assignee
    if assignee.id != actor.id:
        notify_staff(assignee, submission, "submission_assigned", assigned_by=actor)


def handed_to(assignee: User, note: str = "") -> Note:
    """The staff-only note of an assignment: who handles it now, and why if the assigner said so."""
    note = (note or "").strip()
    if note:
        return timeline_note("Handed to %(name)s to handle: %(note)s", name=assignee.display_name, note=note)
    return timeline_note("Handed to %(name)s to handle.", name=assignee.display_name)


def transfer_targets(submission: Submission) -> list[Department]:
    """Departments the submission may be transferred to: the others with staff, in the official order."""
    staffed = department_ids_with_staff()
    return [d for d in ordered_departments() if d.id != submission.department_id and d.id in staffed]


def transfer_submission(submission: Submission, department: Department, *, actor: User, reason: str) -> None:
    """Hand the submission to another department: back to received, no assignee, due date unchanged."""
    require_worker(actor, submission.department_id)
    reason = _required(reason, _l("Please give the reason for the transfer."), "reason")
    if department.id == submission.department_id:
        raise DomainError(_l("The submission already belongs to this department."), field="department")
    if department.id not in department_ids_with_staff():
        raise DomainError(_l("Nobody works in that department yet, so nobody would see the submission."),
                          field="department")
    transition(
        submission, "transfer", actor=actor, internal_note=reason,
        public_note=timeline_note("Transferred to %(department)s.", department=department.name),
    )
    submission.department = department
    submission.assignee = None


def request_info(submission: Submission, *, actor: User, message: str, today: date | None = None) -> None:
    """Ask the citizen for more information (the message is mailed and shown on the timeline).

    Kinds with a deadline for such requests (disclosure: 7 working days after receipt) refuse late ones.
    """
    require_worker(actor, submission.department_id)
    message = _required(message, _l("Please write what information you need."), "message")
    policy = policy_for(submission.kind)
    today = today or local_today()
    if policy.info_request_within is not None:
        last_day = add_workdays(local_date(submission.received_at), policy.info_request_within)
        if today > last_day:
            raise DomainError(
                _l("A request for more information had to be sent by %(day)s.", day=format_day(last_day)),
                status=409,
            )
    transition(submission, "request_info", actor=actor, public_note=message)
    restarts = policy.info_clock == "restart"
    notify_citizen(submission, "submission_info_request", message=message, restarts_clock=restarts)


def provide_info(submission: Submission, text: str, *, actor: User | None = None, now: datetime | None = None) -> None:
    """Record the citizen's answer to a request for information; the submission is assigned again.

    For kinds whose clock restarts (disclosure), the window counts again from the day it arrives.
    """
    text = _required(text, _l("Please write the information that was asked for."), "text")
    if actor is not None and actor.is_staff:
        require_worker(actor, submission.department_id)  # staff entering what came by post or phone
    role = None if actor is not None and actor.is_staff else CITIZEN_ROLE
    transition(submission, "info_received", actor=actor, actor_role=role, public_note=text)
    policy = policy_for(submission.kind)
    if policy.info_clock == "restart":
        old_due = submission.due_on
        arrived_on = local_date(now) if now is not None else local_today()
        restart_clock(submission, arrived_on, submission.window_workdays)
        record_event(
            submission, "clock_restarted", actor=None,
            public_note=timeline_note("The information arrived on %(day)s; the due date moved from %(old)s to %(new)s.",
                                      day=arrived_on, old=old_due, new=submission.due_on),
        )


def dismiss_submission(submission: Submission, *, actor: User, reason: str) -> None:
    """Close an open submission without a reply (spam, out of scope, merged); the citizen sees ``reason``."""
    require_worker(actor, submission.department_id)
    _dismiss(submission, actor, _required(reason, _l("Please give the reason the citizen will see."), "reason"))


def dismiss_with_its_subject(submission: Submission, *, actor: User | None, reason) -> None:
    """Close an open submission whose subject is gone (a draft withdrawn): the decision was taken
    elsewhere, by ``actor`` (who need not work for the submission's department) or by the daily run."""
    _dismiss(submission, actor, reason)


def _dismiss(submission: Submission, actor: User | None, reason: Note | str) -> None:
    transition(submission, "dismiss", actor=actor, public_note=reason)
    submission.dismissal_reason = reason
    notify_citizen(submission, "submission_dismissed", reason=reason)

