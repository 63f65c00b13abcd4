"""Reminders about deadlines, and the ``flask --app consult remind`` command (run it daily from cron).

Each open submission gets at most one message per threshold (due soon, overdue, very overdue) and due
date, per recipient: the outbox's ``dedup_key`` makes a second run queue nothing new. Only the most
severe threshold reached is sent, so a submission found very overdue is not also reported as due soon.
"""

from dataclasses import dataclass, field
from datetime import date

import click
import sqlalchemy as sa
from flask import Flask

from consult.accounts.models import REVIEWER, User
from consult.extensions import db
from consult.notify.services import queue_mail
from consult.tracking.citizen import auto_close_answered
from consult.tracking.clock import local_today
from consult.tracking.mails import notify_staff
from consult.tracking.models import NEEDS_INFO, OPEN_STATUSES, Submission
from consult.tracking.policies import POLICIES

DUE_SOON, OVERDUE, VERY_OVERDUE = "due_soon", "overdue", "very_overdue"
THRESHOLDS = (DUE_SOON, OVERDUE, VERY_OVERDUE)


@dataclass
class ReminderRun:
    """What one run did."""

    queued: dict[str, int] = field(default_factory=lambda: dict.fromkeys(THRESHOLDS, 0))
    closed: int = 0


def threshold_of(submission: Submission, today: date) -> str | None:
    """The most severe threshold the submission has reached today, if any."""
    if submission.is_very_overdue(today):
        return VERY_OVERDUE
    if submission.is_overdue(today):
        return OVERDUE
    if submission.is_due_soon(today):
        return DUE_SOON
    return None


def _clock_paused():
    """Waiting for a disclosure applicant's information: the clock restarts when it arrives."""
    restarting = [kind for kind, policy in POLICIES.items() if policy.info_clock == "restart"]
    return sa.and_(Submission.status == NEEDS_INFO, Submission.kind.in_(restarting))


def submissions_to_remind(today: date) -> sa.Select:
    """Open submissions that reached at least "due soon" (every threshold starts at due_soon_on)."""
    return (
        sa.select(Submission)
        .where(Submission.status.in_(OPEN_STATUSES), Submission.due_soon_on <= today, sa.not_(_clock_paused()))
        .order_by(Submission.due_on, Submission.id)
    )


def _reviewers(department_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).where(User.department_id == department_id, User.role == REVIEWER, User.active.is_(True))
        )
    )


def _remind(submission: Submission, threshold: str, reviewers: list[User]) -> int:
    """Queue the reminder to the assignee and the reviewers (else the department's address)."""
    recipients = {user.id: user for user in [submission.assignee, *reviewers] if user is not None}
    base_key = f"remind:{submission.id}:{threshold}:{submission.due_on.isoformat()}"
    queued = 0
    for user in recipients.values():
        queued += notify_staff(
            user, submission, "submission_reminder", dedup_key=f"{base_key}:{user.id}", threshold=threshold
        ) is not None
    if not recipients and submission.department.contact_email:
        queued += queue_mail(
            submission.department.contact_email, "submission_reminder", dedup_key=f"{base_key}:department",
            user=None, submission=submission, threshold=threshold, staff_url="",
        ) is not None
    return queued


def send_reminders(today: date | None = None) -> ReminderRun:
    """Queue the reminders due today and auto-close unrated answers. Never queues a reminder twice."""
    today = today or local_today()
    run = ReminderRun()
    reviewers_by_department: dict[int, list[User]] = {}
    for submission in db.session.scalars(submissions_to_remind(today)):
        threshold = threshold_of(submission, today)
        if threshold is None:
            continue
        if submission.department_id not in reviewers_by_department:
            reviewers_by_department[submission.department_id] = _reviewers(submission.department_id)
        run.queued[threshold] += _remind(submission, threshold, reviewers_by_department[submission.department_id])
    run.closed = len(auto_close_answered(today))
    return run


@click.command("remind")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Pretend it is this local date.")
def remind_command(today):
    """Queue due-soon, overdue and very-overdue reminders; close answers nobody rated."""
    run = send_reminders(today.date() if today else None)
    db.session.commit()
    counts = ", ".join(f"{name}: {count}" for name, count in run.queued.items())
    click.echo(f"Reminders queued ({counts}); {run.closed} unrated answers closed.")


def init_cli(app: Flask) -> None:
    """Register ``flask remind`` (called from ``consult.cli.init_app``)."""
    app.cli.add_command(remind_command)
