"""Deadline alerts for staff as one daily digest per person, and ``flask --app consult remind`` (run it
daily from cron).

Every open submission that reaches a stage (due soon, overdue, very overdue) is listed once per stage
and due date: the stage is recorded in ``deadline_alerts`` (:mod:`consult.tracking.alerts`) and a later
run never lists it again. Only the most severe stage reached is listed, so a submission found very
overdue is not also reported as due soon. Its recipients are the assignee and the department's
reviewers (else the department's address); each recipient gets **one** digest a day listing all their
newly reached stages, with the outbox key ``digest:<user id>:<day>`` (``digest:department:<id>:<day>``).

Running twice on one day: a stage first reached after a recipient's digest for that day was queued
(e.g. a new due date set in the afternoon) is left unrecorded for every recipient of that submission
and listed in the next day's digest, so nothing is lost and nobody gets a second digest that day.
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.accounts.models import REVIEWER, Department, User
from consult.extensions import db
from consult.localtime import local_today
from consult.notify.models import OutboxMessage
from consult.notify.services import queue_mail
from consult.tracking.alerts import DUE_SOON, OVERDUE, THRESHOLDS, VERY_OVERDUE, DeadlineAlert, record_alerts
from consult.tracking.citizen import auto_close_answered
from consult.tracking.mails import staff_url
from consult.tracking.models import OPEN_STATUSES, Submission

__all__ = ["DUE_SOON", "OVERDUE", "THRESHOLDS", "VERY_OVERDUE", "ReminderRun", "send_reminders"]
DIGEST_TEMPLATE = "staff_digest"
# Most severe first: the order of the sections in a digest.
DIGEST_ORDER = (VERY_OVERDUE, OVERDUE, DUE_SOON)


@dataclass
class ReminderRun:
    """What one run did: submissions newly listed per stage, digests queued, stages left for tomorrow
    (see the module docstring), and unrated answers closed."""

    queued: dict[str, int] = field(default_factory=lambda: dict.fromkeys(THRESHOLDS, 0))
    digests: int = 0
    deferred: int = 0
    closed: int = 0


@dataclass(frozen=True)
class DigestEntry:
    """One line of a digest: a submission, the stage it reached and the link to it."""

    submission: Submission
    threshold: str
    url: str


def threshold_of(submission: Submission, today: date) -> str | None:
    """The most severe threshold the submission has reached today, if any."""
    if submission.is_very_overdue(today):
        return VERY_OVERDUE
    if submission.is_overdue(today):
        return OVERDUE
    if submission.is_due_soon(today):
        return DUE_SOON
    return None


def submissions_to_remind(today: date) -> sa.Select:
    """Open submissions that reached at least "due soon" (every threshold starts at due_soon_on)."""
    return (
        sa.select(Submission)
        .where(Submission.status.in_(OPEN_STATUSES), Submission.due_soon_on <= today, sa.not_(Submission.clock_stopped))
        .order_by(Submission.due_on, Submission.id)
    )


def _new_stages(today: date) -> list[tuple[Submission, str]]:
    """Submissions with the stage they reached today, leaving out stages already alerted."""
    reached = []
    query = submissions_to_remind(today).options(
        selectinload(Submission.assignee), selectinload(Submission.department)
    )
    for submission in db.session.scalars(query):
        threshold = threshold_of(submission, today)
        if threshold is not None:
            reached.append((submission, threshold))
    alerted: set[tuple[int, str, date]] = set()
    ids = [submission.id for submission, _threshold in reached]
    for start in range(0, len(ids), 1000):
        alerted.update(
            (row.submission_id, row.threshold, row.due_on)
            for row in db.session.execute(
                sa.select(DeadlineAlert.submission_id, DeadlineAlert.threshold, DeadlineAlert.due_on).where(
                    DeadlineAlert.submission_id.in_(ids[start:start + 1000])
                )
            )
        )
    return [(s, threshold) for s, threshold in reached if (s.id, threshold, s.due_on) not in alerted]


def _recipients(submission: Submission, reviewers: dict[int, list[User]]) -> list[User | Department]:
    """The active assignee and the department's active reviewers, else the department (its address)."""
    if submission.department_id not in reviewers:
        reviewers[submission.department_id] = list(
            db.session.scalars(
                sa.select(User)
                .where(User.department_id == submission.department_id, User.role == REVIEWER, User.active.is_(True))
                .order_by(User.id)
            )
        )
    people = {user.id: user for user in [submission.assignee, *reviewers[submission.department_id]]
              if user is not None and user.active}
    if people:
        return list(people.values())
    return [submission.department] if submission.department.contact_email else []


def digest_key(recipient: User | Department, day: date) -> str:
    """The outbox key that allows one digest per recipient and day."""
    if isinstance(recipient, Department):
        return f"digest:department:{recipient.id}:{day.isoformat()}"
    return f"digest:{recipient.id}:{day.isoformat()}"


def _queued_already(keys: set[str]) -> set[str]:
    """Which of these digest keys are in the outbox already (a run earlier the same day)."""
    found: set[str] = set()
    listed = sorted(keys)
    for start in range(0, len(listed), 1000):
        found.update(
            db.session.scalars(sa.select(OutboxMessage.dedup_key).where(
                OutboxMessage.dedup_key.in_(listed[start:start + 1000])
            ))
        )
    return found


def _queue_digest(recipient: User | Department, entries: list[DigestEntry], day: date) -> bool:
    """Queue one digest listing ``entries`` by stage, in the recipient's language. Operational mail for
    staff: essential, so it goes out even to someone who turned optional mail off."""
    sections = [(t, [entry for entry in entries if entry.threshold == t]) for t in DIGEST_ORDER]
    sections = [(threshold, listed) for threshold, listed in sections if listed]
    if isinstance(recipient, Department):
        address, user, department, assigned = recipient.contact_email, None, recipient, False
    else:
        address, user, department = recipient.email, recipient, recipient.department
        assigned = any(entry.submission.assignee_id == recipient.id for entry in entries)
    return queue_mail(
        address, DIGEST_TEMPLATE, locale=user.locale if user else None, user=user,
        dedup_key=digest_key(recipient, day), essential=True,
        day=day, sections=sections, department=department, assigned_to_recipient=assigned,
    ) is not None


def send_reminders(today: date | None = None) -> ReminderRun:
    """Record the deadline stages reached today, queue one digest per recipient listing them, and
    auto-close unrated answers. Never lists a stage twice nor queues two digests for one person a day."""
    today = today or local_today()
    run = ReminderRun()
    reviewers: dict[int, list[User]] = {}
    reached = [(s, threshold, _recipients(s, reviewers)) for s, threshold in _new_stages(today)]
    reached = [item for item in reached if item[2]]  # nobody to tell: not recorded, tried again tomorrow
    digested = _queued_already({digest_key(r, today) for _s, _t, recipients in reached for r in recipients})
    fresh = [item for item in reached if all(digest_key(r, today) not in digested for r in item[2])]
    run.deferred = len(reached) - len(fresh)

    recorded = record_alerts(((s.id, threshold, s.due_on) for s, threshold, _r in fresh), today)
    digests: dict[tuple[str, int], tuple[User | Department, list[DigestEntry]]] = {}
    for submission, threshold, recipients in fresh:
        if (submission.id, threshold) not in recorded:
            continue  # a concurrent run listed it
        run.queued[threshold] += 1
        entry = DigestEntry(submission, threshold, staff_url(submission))
        for recipient in recipients:
            digests.setdefault((type(recipient).__name__, recipient.id), (recipient, []))[1].append(entry)
    for recipient, entries in digests.values():
        run.digests += _queue_digest(recipient, entries, today)
    run.closed = len(auto_close_answered(today))
    return run


def describe(run: ReminderRun) -> str:
    """One line for the ``remind`` command's output."""
    counts = ", ".join(f"{name}: {count}" for name, count in run.queued.items())
    later = f"; {run.deferred} left for tomorrow's digest" if run.deferred else ""
    return (f"Submission reminders queued ({counts}) in {run.digests} digests{later}; "
            f"{run.closed} unrated answers closed.")
