"""Working-day calendar for deadlines counted in Chinese working days (DESIGN.md §3).

Whether a date is a working day comes from, in order:

1. the admin's overrides: a mapping ``date -> Override`` (or ``date -> bool``, True = working day),
   loaded from the ``calendar_overrides`` table with :func:`load_overrides`;
2. the ``chinesecalendar`` package, which knows public holidays and the make-up working days (调休)
   of the years the State Council has published;
3. Monday–Friday, as an *estimate*, for years that package does not cover yet (or ever).

Counting follows 民法典 Art. 201: the day of receipt is not counted, the first working day after it is
day 1. Every function takes a plain local ``date`` (convert from UTC in the configured zone first) and
never raises for any valid date in any year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal, TypeAlias

import chinese_calendar
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, scoped_session

from consult.database import utcnow
from consult.extensions import db

Source = Literal["override", "calendar", "weekday_estimate"]
Reason = Literal[
    "workday", "weekend", "holiday", "makeup_workday", "override_holiday", "override_workday"
]

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Override:
    """An admin's decision for one date: a working day or not, with the note shown to users."""

    is_workday: bool
    note: str | None = None


Overrides: TypeAlias = Mapping[date, Override | bool]
"""Overrides by date; a bare bool is shorthand for ``Override(is_workday=value)`` without a note."""


@dataclass(frozen=True)
class DayInfo:
    """What one date is, and which source said so."""

    day: date
    is_workday: bool
    source: Source
    reason: Reason
    name: str | None = None  # holiday name ("National Day"), or the override's note


@dataclass(frozen=True)
class DueExplanation:
    """How a due date was computed: what was skipped, what counted although it was a weekend."""

    start: date
    workdays: int
    due_on: date
    estimated: bool  # some day in (start, due_on] relied on the Monday–Friday estimate
    skipped: list[DayInfo]  # non-working days in (start, due_on]
    makeup_days: list[DayInfo]  # Saturdays and Sundays in (start, due_on] that counted


def _require_date(day: object) -> None:
    """Refuse datetimes: the caller must choose the local date, or deadlines shift near midnight."""
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"expected a date, got {type(day).__name__}")


def _as_override(value: Override | bool) -> Override:
    if isinstance(value, Override):
        return value
    if isinstance(value, bool):
        return Override(is_workday=value)
    raise TypeError(f"override must be an Override or a bool, got {type(value).__name__}")


@lru_cache(maxsize=None)
def _calendar_covers(year: int) -> bool:
    """Whether chinesecalendar has data for ``year`` (it raises NotImplementedError if not)."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=None)  # bounded by the years chinesecalendar covers (a few thousand days)
def _calendar_day(day: date) -> DayInfo:
    """Classify a date of a covered year with chinesecalendar."""
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    is_weekend = day.weekday() >= 5
    reason: Reason
    if on_holiday:
        reason = "holiday" if name else "weekend"
    elif name and is_weekend:
        reason = "makeup_workday"
    else:
        reason, name = "workday", None
    return DayInfo(day, not on_holiday, "calendar", reason, name)


def day_kind(day: date, overrides: Overrides | None = None) -> DayInfo:
    """Say whether ``day`` is a working day, why, and from which source."""
    _require_date(day)
    if overrides and day in overrides:
        override = _as_override(overrides[day])
        reason: Reason = "override_workday" if override.is_workday else "override_holiday"
        return DayInfo(day, override.is_workday, "override", reason, override.note)
    if _calendar_covers(day.year):
        return _calendar_day(day)
    weekday = day.weekday() < 5
    return DayInfo(day, weekday, "weekday_estimate", "workday" if weekday else "weekend")


def is_workday(day: date, overrides: Overrides | None = None) -> bool:
    """Whether government offices work on ``day``."""
    return day_kind(day, overrides).is_workday


def _days_until_due(start: date, n: int, overrides: Overrides | None) -> list[DayInfo]:
    """Every day in (start, due_on], where due_on is the n-th working day after ``start``."""
    _require_date(start)
    if n < 0:
        raise ValueError(f"number of working days must be >= 0, got {n}")
    days: list[DayInfo] = []
    day, counted = start, 0
    while counted < n:
        day += ONE_DAY
        info = day_kind(day, overrides)
        days.append(info)
        counted += info.is_workday
    return days


def add_workdays(start: date, n: int, overrides: Overrides | None = None) -> date:
    """The n-th working day after ``start`` (``start`` itself is not counted; n == 0 gives ``start``).

    Raises ValueError for a negative ``n``.
    """
    days = _days_until_due(start, n, overrides)
    return days[-1].day if days else start


def explain_due(start: date, n: int, overrides: Overrides | None = None) -> DueExplanation:
    """Like :func:`add_workdays`, with the skipped days, the make-up days and whether it is estimated."""
    days = _days_until_due(start, n, overrides)
    return DueExplanation(
        start=start,
        workdays=n,
        due_on=days[-1].day if days else start,
        estimated=any(info.source == "weekday_estimate" for info in days),
        skipped=[info for info in days if not info.is_workday],
        makeup_days=[info for info in days if info.is_workday and info.day.weekday() >= 5],
    )


class CalendarOverride(db.Model):
    """An admin's correction to the calendar: one date declared a working day or a holiday."""

    __tablename__ = "calendar_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    is_workday: Mapped[bool]
    note: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<CalendarOverride {self.day} workday={self.is_workday}>"


def load_overrides(session: Session | scoped_session[Session]) -> dict[date, Override]:
    """All admin overrides, ready to pass as ``overrides`` to the functions above."""
    return {
        row.day: Override(is_workday=row.is_workday, note=row.note or None)
        for row in session.scalars(sa.select(CalendarOverride))
    }
