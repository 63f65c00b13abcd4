"""Rectification tasks (整改): a poor rating (不满意 / 非常不满意) gives the department a task due in working days;
it is completed only with a follow-up record (回访) and a result, which the public answer then shows.

How this fits the older rule that "not satisfied reopens once": the first poor rating of a submission both
reopens it (the department answers again within 10 working days) and opens a task; the task cannot be
completed while the submission waits for that new answer. A poor rating of the new answer closes the
submission and joins the task still open, so one complaint never makes two tasks. A poor rating given after
the task was completed opens a new task.
"""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import User
from consult.authz import require_worker
from consult.database import utcnow
from consult.domain import DomainError, FieldErrors
from consult.extensions import db
from consult.localtime import as_utc, local_today
from consult.practice.models import FOLLOW_UP_METHODS, TASK_DONE, TASK_OPEN, TASK_WITHDRAWN, RectificationTask
from consult.practice.settings import current_settings
from consult.tracking.mails import text_citizen
from consult.tracking.models import POOR_LEVELS, Submission
from consult.tracking.notes import timeline_note
from consult.tracking.timeline import SYSTEM_ROLE, record_event
from consult.workdays import add_workdays, current_overrides


def open_task_of(submission: Submission) -> RectificationTask | None:
    """The submission's rectification task still open, if any."""
    return db.session.scalar(
        sa.select(RectificationTask)
        .where(RectificationTask.submission_id == submission.id, RectificationTask.status == TASK_OPEN)
        .order_by(RectificationTask.id.desc())
        .limit(1)
    )


def tasks_of(submission: Submission) -> list[RectificationTask]:
    """Every rectification task of the submission, oldest first."""
    return list(db.session.scalars(
        sa.select(RectificationTask).where(RectificationTask.submission_id == submission.id)
        .order_by(RectificationTask.id)
    ))


def on_poor_rating(submission: Submission, today: date | None = None) -> RectificationTask:
    """Open a task for the poor rating just given, or join the task still open for this submission."""
    if submission.satisfaction not in POOR_LEVELS:
        raise ValueError("only a poor rating opens a rectification task")
    task = open_task_of(submission)
    if task is not None:
        task.satisfaction = submission.satisfaction
        if submission.satisfaction_comment:
            task.complaint = "\n\n".join(part for part in (task.complaint, submission.satisfaction_comment) if part)
        record_event(submission, "rectification_joined", actor=None, actor_role=SYSTEM_ROLE,
                     internal_note=timeline_note("The new poor rating was added to the open rectification task."))
        return task
    workdays = current_settings().rectification_workdays
    due_on = add_workdays(today or local_today(), workdays, current_overrides())
    task = RectificationTask(
        submission=submission, department_id=submission.department_id, satisfaction=submission.satisfaction,
        complaint=submission.satisfaction_comment or "", due_on=due_on,
    )
    db.session.add(task)
    record_event(
        submission, "rectification_opened", actor=None, actor_role=SYSTEM_ROLE,
        internal_note=timeline_note("Rectification task opened, due %(due)s.", due=due_on),
    )
    db.session.flush()
    # A citizen told by SMS learns that the department will follow up, and by when.
    text_citizen(submission, "rating_followup", dedup_key=f"rating-followup:{task.id}", due=due_on)
    return task


def record_follow_up(
    task: RectificationTask, *, actor: User, contacted_by: str, contacted_at: datetime | None, method: str,
    outcome: str,
) -> None:
    """Record the follow-up (回访): who contacted the citizen, when, how (phone, in person, in writing), outcome."""
    require_worker(actor, task.department_id)
    if task.status != TASK_OPEN:
        raise DomainError(_l("This rectification task is no longer open."), status=409)
    errors = FieldErrors()
    contacted_by, outcome = (contacted_by or "").strip(), (outcome or "").strip()
    if not contacted_by:
        errors.add("contacted_by", _l("Please say who contacted the citizen."))
    if contacted_at is None:
        errors.add("contacted_at", _l("Please give the date and time of the follow-up."))
    elif as_utc(contacted_at) > utcnow():
        errors.add("contacted_at", _l("The follow-up cannot be in the future."))
    if method not in FOLLOW_UP_METHODS:
        errors.add("method", _l("Please choose how the citizen was contacted."))
    if not outcome:
        errors.add("outcome", _l("Please describe the outcome of the follow-up."))
    errors.raise_if_any()
    task.follow_up_by, task.follow_up_at, task.follow_up_method = contacted_by, as_utc(contacted_at), method
    task.follow_up_outcome, task.follow_up_recorded_by_id = outcome, actor.id
    record_event(task.submission, "follow_up_recorded", actor=actor,
                 internal_note=timeline_note("Follow-up recorded: %(outcome)s", outcome=outcome))
    db.session.flush()


def complete_task(task: RectificationTask, *, actor: User, result: str) -> None:
    """Close the task with what the department changed; refused without a follow-up record, or while the
    submission (reopened by the rating) still waits for its new answer."""
    require_worker(actor, task.department_id)
    if task.status != TASK_OPEN:
        raise DomainError(_l("This rectification task is no longer open."), status=409)
    if not task.has_follow_up:
        raise DomainError(_l("A rectification task cannot be completed without a follow-up record (回访)."),
                          status=409)
    if task.submission.is_open:
        raise DomainError(_l("The submission was reopened: answer it again before completing the rectification."),
                          status=409)
    result = (result or "").strip()
    if not result:
        raise DomainError(_l("Please describe what was rectified."), field="result")
    task.result, task.status, task.closed_at, task.closed_by_id = result, TASK_DONE, utcnow(), actor.id
    record_event(task.submission, "rectification_done", actor=actor,
                 public_note=timeline_note("Rectification completed: %(result)s", result=result))
    db.session.flush()


def withdraw_tasks_for_removed_rating(submission: Submission) -> int:
    """An upheld appeal took the rating out: its open task is withdrawn. Returns how many were."""
    count = 0
    for task in db.session.scalars(sa.select(RectificationTask).where(
        RectificationTask.submission_id == submission.id, RectificationTask.status == TASK_OPEN
    )):
        task.status, task.closed_at = TASK_WITHDRAWN, utcnow()
        count += 1
    return count


def overdue_tasks(today: date, department_id: int | None = None) -> sa.Select:
    """Open tasks past their due date (the compliance board and the department's list)."""
    stmt = sa.select(RectificationTask).where(RectificationTask.status == TASK_OPEN, RectificationTask.due_on < today)
    if department_id is not None:
        stmt = stmt.where(RectificationTask.department_id == department_id)
    return stmt


def public_results(submission: Submission) -> list[RectificationTask]:
    """Completed rectifications shown with the public answer."""
    return [task for task in tasks_of(submission) if task.status == TASK_DONE]


def department_task_counts(department_id: int, today: date) -> dict[str, int]:
    """The department's open rectification tasks and how many of them are past due (one aggregate query)."""
    row = db.session.execute(
        sa.select(sa.func.count().label("open"),
                  sa.func.sum(sa.case((RectificationTask.due_on < today, 1), else_=0)).label("overdue"))
        .where(RectificationTask.department_id == department_id, RectificationTask.status == TASK_OPEN)
    ).one()
    return {"open": int(row.open or 0), "overdue": int(row.overdue or 0)}
