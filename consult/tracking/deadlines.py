"""Due dates of submissions: setting them, explaining them, and recomputing them when the calendar changes."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult import workdays
from consult.accounts.models import ADMIN, User
from consult.domain import DomainError
from consult.extensions import db
from consult.localtime import local_today
from consult.tracking.clock import Deadlines, compute_deadlines
from consult.tracking.models import OPEN_STATUSES, Submission
from consult.tracking.notes import Note, timeline_note
from consult.tracking.timeline import SYSTEM_ROLE, record_event, record_kind_event
from consult.workdays import CalendarOverride, DayInfo, Overrides, current_overrides


def apply_deadlines(submission: Submission, overrides: Overrides | None = None) -> Deadlines:
    """Set due_on, due_soon_on, very_overdue_on and estimated_due from the submission's clock."""
    if overrides is None:
        overrides = current_overrides()
    deadlines = compute_deadlines(
        submission.clock_start_on, submission.window_workdays, submission.extension_workdays, overrides
    )
    submission.due_on = deadlines.due_on
    submission.due_soon_on = deadlines.due_soon_on
    submission.very_overdue_on = deadlines.very_overdue_on
    submission.estimated_due = deadlines.estimated
    return deadlines


def restart_clock(submission: Submission, start: date, window: int, *, keep_extensions: bool = True) -> None:
    """Count a new window from ``start`` (information arrived for a disclosure request, or a reopening)."""
    submission.clock_start_on = start
    submission.window_workdays = window
    if not keep_extensions:
        submission.extension_workdays = 0
    apply_deadlines(submission)


def pause_clock(submission: Submission, *, actor: User | None, action: str, public_note: Note,
                internal_note: str = "", today: date | None = None) -> date:
    """Stop the submission's clock from ``today``: the working days until :func:`resume_clock` are not
    counted (a disclosure request waiting for a third party's opinion). ``action`` is the kind's own timeline
    action, registered with its label. Returns the day the clock stopped."""
    if submission.clock_paused_since is not None:
        raise DomainError(_l("The clock is already stopped."), status=409)
    today = today or local_today()
    submission.clock_paused_since = today
    record_kind_event(submission, action, actor=actor, internal_note=internal_note, public_note=public_note)
    return today


def resume_clock(submission: Submission, *, actor: User | None, action: str,
                 public_note: Callable[[int, date, date], Note], today: date | None = None) -> int:
    """Start the stopped clock again; the due date moves by the working days it stood still. Returns them.

    Counted are the working days after the day of stopping up to and including ``today`` (stopping and
    starting on the same day moves nothing); days before a clock restart are not counted twice.
    ``public_note(waited, old_due, new_due)`` is the timeline's note of ``action``.
    """
    if submission.clock_paused_since is None:
        raise DomainError(_l("The clock is not stopped."), status=409)
    today = today or local_today()
    overrides = current_overrides()
    day = max(submission.clock_paused_since, submission.clock_start_on)
    waited = 0
    while day < today:
        day = day + workdays.ONE_DAY
        waited += workdays.is_workday(day, overrides)
    old_due = submission.due_on
    if waited and submission.is_open:
        # Counting starts ``waited`` working days later: due = clock start + stopped days + window + extension.
        submission.clock_start_on = workdays.add_workdays(submission.clock_start_on, waited, overrides)
        apply_deadlines(submission, overrides)
    submission.clock_paused_since = None
    record_kind_event(submission, action, actor=actor, public_note=public_note(waited, old_due, submission.due_on))
    return waited


@dataclass(frozen=True)
class DueDateExplanation:
    """How a submission's due date was computed, for the citizen's and the officer's pages."""

    clock_start_on: date  # counting starts the day after this date
    window_workdays: int
    extension_workdays: int
    due_on: date
    estimated: bool  # part of the count relies on the estimate (the year's arrangement is not published)
    skipped: list[DayInfo]  # holidays and weekends that did not count, with the reason and name
    makeup_days: list[DayInfo]  # weekend days that counted as make-up working days (调休)


def explain_due(submission: Submission) -> DueDateExplanation:
    """Which days were counted, skipped (and why), and whether the due date is an estimate."""
    explanation = workdays.explain_due(
        submission.clock_start_on,
        submission.window_workdays + submission.extension_workdays,
        current_overrides(),
    )
    return DueDateExplanation(
        clock_start_on=submission.clock_start_on,
        window_workdays=submission.window_workdays,
        extension_workdays=submission.extension_workdays,
        due_on=explanation.due_on,
        estimated=explanation.estimated,
        skipped=explanation.skipped,
        makeup_days=explanation.makeup_days,
    )


def recompute_due_dates(actor: User | None, note) -> list[Submission]:
    """Recompute the deadlines of every open submission with the current calendar.

    Each submission whose due date moves gets a timeline event (old → new, with ``note``). Answered,
    closed and dismissed submissions are left alone. Returns the submissions whose due date changed.
    """
    overrides = current_overrides()
    changed = []
    open_submissions = sa.select(Submission).where(Submission.status.in_(OPEN_STATUSES)).order_by(Submission.id)
    for submission in db.session.scalars(open_submissions):
        old_due = submission.due_on
        new = apply_deadlines(submission, overrides)
        if new.due_on != old_due:
            changed.append(submission)
            # The calendar moved the date, not the department: the citizen sees it as the system's doing,
            # with the admin's note; staff still see which admin changed the calendar.
            record_event(
                submission, "due_date_recomputed", actor=actor, actor_role=SYSTEM_ROLE,
                public_note=timeline_note(
                    "The working-day calendar changed (%(note)s): the due date moved from %(old)s to %(new)s.",
                    note=note, old=old_due, new=new.due_on,
                ),
            )
    db.session.flush()
    return changed


def require_calendar_admin(actor: User | None) -> None:
    """Only an administrator changes the calendar."""
    if actor is None or actor.role != ADMIN:
        raise DomainError(_l("Only an administrator can change the calendar."), status=403)


def set_calendar_override(day: date, is_workday: bool, note: str, actor: User) -> list[Submission]:
    """Declare ``day`` a working day or a holiday, then recompute open due dates (returns those moved)."""
    require_calendar_admin(actor)
    note = note.strip()
    if not note:
        raise DomainError(_l("Please say why the calendar changes (e.g. the State Council notice)."), field="note")
    override = db.session.scalar(sa.select(CalendarOverride).where(CalendarOverride.day == day))
    if override is None:
        override = CalendarOverride(day=day, is_workday=is_workday, note=note)
        db.session.add(override)
    else:  # a date set by hand is no longer the imported notice's
        override.is_workday, override.note, override.holiday, override.notice_id = is_workday, note, None, None
    db.session.flush()
    return recompute_due_dates(actor, timeline_note("%(day)s: %(note)s", day=day, note=note))


def remove_calendar_override(day: date, actor: User) -> list[Submission]:
    """Drop the override of ``day`` (back to the published calendar) and recompute open due dates."""
    require_calendar_admin(actor)
    override = db.session.scalar(sa.select(CalendarOverride).where(CalendarOverride.day == day))
    if override is None:
        return []
    note = override.note
    db.session.delete(override)
    db.session.flush()
    return recompute_due_dates(actor, timeline_note("%(day)s: %(note)s (withdrawn)", day=day, note=note))
