"""Deadlines: the stored dates of a submission, computed with :mod:`consult.workdays` (local time is
:mod:`consult.localtime`)."""

from dataclasses import dataclass
from datetime import date

from consult import workdays
from consult.tracking.policies import DUE_SOON_WORKDAYS
from consult.workdays import ONE_DAY, Overrides


def subtract_workdays(end: date, n: int, overrides: Overrides | None = None) -> date:
    """The day from which ``end`` is at most ``n`` working days away (the n-th working day before it)."""
    day, counted = end, 0
    while counted < n:
        day -= ONE_DAY
        counted += workdays.is_workday(day, overrides)
    return day


@dataclass(frozen=True)
class Deadlines:
    """The stored dates of a submission, derived from its clock start, window and extensions."""

    due_on: date
    due_soon_on: date
    very_overdue_on: date
    estimated: bool


def compute_deadlines(start: date, window: int, extension: int, overrides: Overrides | None) -> Deadlines:
    """Due date (window + extension working days after ``start``), due-soon and very-overdue thresholds.

    Very overdue starts the day after one more whole window has passed since the due date. With the admin's
    calendar (:class:`consult.workdays.AdminCalendar`) the result is kept in the calendar's memo: every
    comment on a draft, and every letter of a day, has the same clock.
    """
    memo = getattr(overrides, "memo", None)
    if memo is not None:
        key = ("deadlines", start, window, extension)
        if key not in memo:
            if len(memo) > 4096:
                memo.clear()
            memo[key] = _compute_deadlines(start, window, extension, overrides)
        return memo[key]
    return _compute_deadlines(start, window, extension, overrides)


def _compute_deadlines(start: date, window: int, extension: int, overrides: Overrides | None) -> Deadlines:
    explanation = workdays.explain_due(start, window + extension, overrides)
    very_overdue_after = workdays.explain_due(explanation.due_on, window, overrides)
    return Deadlines(
        due_on=explanation.due_on,
        due_soon_on=subtract_workdays(explanation.due_on, DUE_SOON_WORKDAYS, overrides),
        very_overdue_on=very_overdue_after.due_on + ONE_DAY,
        estimated=explanation.estimated,
    )
