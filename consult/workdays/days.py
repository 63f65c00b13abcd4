"""Whether a date is a working day, and the n-th working day after a date (DESIGN.md §3).

Whether a date is a working day comes from, in order:

1. the admin's overrides (:class:`AdminCalendar`, loaded from the database): single dates set by hand, and
   the days of an imported State Council holiday notice;
2. the ``chinesecalendar`` package, which knows public holidays and the make-up working days (调休)
   of the years the State Council has published;
3. for a year whose notice was imported but that package does not know: Monday–Friday without the public
   holidays fixed by law (the notice's own days are in 1.);
4. otherwise an *estimate*: Monday–Friday without the public holidays fixed by law
   (:mod:`consult.workdays.statutory`); make-up working days cannot be predicted and are not guessed.

Counting follows 民法典 Art. 201: the day of receipt is not counted, the first working day after it is
day 1. Every function takes a plain local ``date`` (convert from UTC in the configured zone first) and
never raises for any valid date in any year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal, TypeAlias

import chinese_calendar

from consult.workdays.statutory import statutory_holidays

Source = Literal["override", "notice", "calendar", "estimate"]
Reason = Literal[
    "workday", "weekend", "holiday", "makeup_workday", "override_holiday", "override_workday"
]

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Override:
    """An admin's decision for one date: a working day or not, with the note shown to users.

    ``holiday`` is set on the days of an imported State Council notice: the holiday's name (as
    ``chinesecalendar`` writes it, e.g. "Spring Festival"), for a day off and for its make-up working day.
    """

    is_workday: bool
    note: str | None = None
    holiday: str | None = None


class AdminCalendar(dict[date, Override]):
    """The admin's overrides by date, and the years whose State Council holiday notice was imported."""

    def __init__(self, days: Mapping[date, Override] | Iterable[tuple[date, Override]] = (),
                 notice_years: Iterable[int] = ()) -> None:
        super().__init__(days)
        self.notice_years = frozenset(notice_years)
        self.memo: dict = {}  # results computed from this calendar (e.g. due dates), while it is in use


Overrides: TypeAlias = Mapping[date, Override | bool]
"""Overrides by date; a bare bool is shorthand for ``Override(is_workday=value)`` without a note.
An :class:`AdminCalendar` also says which years' notices were imported."""


@dataclass(frozen=True)
class DayInfo:
    """What one date is, and which source said so."""

    day: date
    is_workday: bool
    source: Source
    reason: Reason
    name: str | None = None  # holiday name ("National Day"), or the override's note

    @property
    def estimated(self) -> bool:
        """Whether this day relies on the estimate (the year's arrangement is not known yet)."""
        return self.source == "estimate"


@dataclass(frozen=True)
class DueExplanation:
    """How a due date was computed: what was skipped, what counted although it was a weekend."""

    start: date
    workdays: int
    due_on: date
    estimated: bool  # some day in (start, due_on] relied on the estimate (arrangement not published)
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


def _override_day(day: date, override: Override) -> DayInfo:
    """Classify a date the admin set, by hand or from a notice."""
    if override.holiday:
        reason: Reason = "makeup_workday" if override.is_workday else "holiday"
        return DayInfo(day, override.is_workday, "notice", reason, override.holiday)
    reason = "override_workday" if override.is_workday else "override_holiday"
    return DayInfo(day, override.is_workday, "override", reason, override.note)


def _by_law(day: date, source: Source) -> DayInfo:
    """Monday–Friday without the public holidays fixed by law."""
    holiday = statutory_holidays(day.year).get(day)
    if holiday:
        return DayInfo(day, False, source, "holiday", holiday)
    weekday = day.weekday() < 5
    return DayInfo(day, weekday, source, "workday" if weekday else "weekend")


def day_kind(day: date, overrides: Overrides | None = None) -> DayInfo:
    """Say whether ``day`` is a working day, why, and from which source."""
    _require_date(day)
    if overrides and day in overrides:
        return _override_day(day, _as_override(overrides[day]))
    if _calendar_covers(day.year):
        return _calendar_day(day)
    if isinstance(overrides, AdminCalendar) and day.year in overrides.notice_years:
        return _by_law(day, "notice")
    return _by_law(day, "estimate")


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
        estimated=any(info.estimated for info in days),
        skipped=[info for info in days if not info.is_workday],
        makeup_days=[info for info in days if info.is_workday and info.day.weekday() >= 5],
    )
