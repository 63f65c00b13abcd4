"""Importing the State Council's yearly holiday notice: a preview of what it changes, then applying it.

The notice's days become calendar overrides (linked to the stored notice, with the holiday's name), its
year stops being an estimate, and the due dates of open submissions are recomputed as for any calendar
change. Applying the same notice again changes nothing; applying a corrected notice of the same year
drops the days the earlier one set and the new one no longer does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import User
from consult.domain import DomainError
from consult.extensions import db
from consult.tracking.clock import compute_deadlines
from consult.tracking.deadlines import recompute_due_dates, require_calendar_admin
from consult.tracking.models import OPEN_STATUSES, Submission
from consult.tracking.notes import timeline_note
from consult.workdays import (
    AdminCalendar, CalendarOverride, DayInfo, HolidayNotice, Override, current_overrides, day_kind,
)  # fmt: skip
from consult.workdays.notice import NoticeDay, ParsedNotice, UnreadLine, notice_title, parse_notice
from consult.workdays.statutory import law_in_force

PREVIEW_MOVES = 20  # due-date changes listed one by one in the preview
NOTE_MAX = 200  # CalendarOverride.note


@dataclass(frozen=True)
class PlannedDay:
    """A date the notice sets, next to what the calendar says about it now."""

    day: date
    is_workday: bool
    holiday: str
    now: DayInfo

    @property
    def changes(self) -> bool:
        """Whether applying the notice changes this date (kind, holiday or source)."""
        return (self.now.source, self.now.is_workday, self.now.name) != ("notice", self.is_workday, self.holiday)


@dataclass(frozen=True)
class MovedDueDate:
    """An open submission whose due date the notice would move."""

    submission: Submission
    old: date
    new: date


@dataclass(frozen=True)
class NoticePreview:
    """What applying a notice would do; nothing is written while previewing."""

    year: int
    title: str | None
    days: list[PlannedDay]
    dropped: list[date]  # days an earlier import of this year set that this notice no longer does
    unread: list[UnreadLine]
    moved_count: int
    moved: list[MovedDueDate]  # the first PREVIEW_MOVES, by due date
    no_longer_estimated: int  # open submissions whose due date stops being an estimate
    digest: str  # identifies the previewed text and year, so only what was previewed is applied

    @property
    def already_applied(self) -> bool:
        """Whether the calendar already says exactly what the notice says."""
        return not self.dropped and not any(day.changes for day in self.days)


def notice_digest(text: str, year: int) -> str:
    """A fingerprint of the text and year an admin previewed (the apply step must match it)."""
    return hashlib.sha256(f"{year}\n{text.strip()}".encode()).hexdigest()


def read_notice(text: str, year: int | None) -> ParsedNotice:
    """Parse a pasted notice; its year comes from the title or, failing that, from ``year``."""
    text = text.strip()
    if not text:
        raise DomainError(_l("Please paste the text of the notice."), field="text")
    _, title_year = notice_title(text)
    if title_year and year and title_year != year:
        raise DomainError(_l("The title speaks of %(title)d but the year given is %(year)d.",
                             title=title_year, year=year), field="year")
    year = title_year or year
    if not year:
        raise DomainError(_l("Give the year of the notice: its title was not found in the text."), field="year")
    if law_in_force(year) is None or year > 9998:
        raise DomainError(_l("There is no holiday notice for %(year)d.", year=year), field="year")
    parsed = parse_notice(text, year)
    if not parsed.days and not parsed.unread:
        raise DomainError(_l("No holiday dates were found in the text."), field="text")
    return parsed


def _open_submissions() -> Iterable[Submission]:
    return db.session.scalars(sa.select(Submission).where(Submission.status.in_(OPEN_STATUSES)).order_by(Submission.id))


def _earlier_days(year: int) -> dict[date, CalendarOverride]:
    """The overrides an earlier import of ``year``'s notice set."""
    rows = db.session.scalars(
        sa.select(CalendarOverride).join(HolidayNotice, CalendarOverride.notice_id == HolidayNotice.id)
        .where(HolidayNotice.year == year)
    )
    return {row.day: row for row in rows}


def _planned_calendar(current: AdminCalendar, parsed: ParsedNotice, dropped: Iterable[date]) -> AdminCalendar:
    """The calendar as it would be with the notice applied."""
    days = dict(current)
    for stale in dropped:
        days.pop(stale, None)
    for entry in parsed.days:
        days[entry.day] = Override(is_workday=entry.is_workday, holiday=entry.holiday)
    return AdminCalendar(days, current.notice_years | {parsed.year})


def preview_notice(text: str, year: int | None, actor: User | None) -> NoticePreview:
    """Read a notice and say what applying it would do: the days it sets and the due dates that move."""
    require_calendar_admin(actor)
    parsed = read_notice(text, year)
    current = current_overrides()
    notice_days = {entry.day for entry in parsed.days}
    dropped = sorted(set(_earlier_days(parsed.year)) - notice_days)
    planned = _planned_calendar(current, parsed, dropped)
    moved, estimates_ended = [], 0
    for submission in _open_submissions():
        new = compute_deadlines(submission.clock_start_on, submission.window_workdays,
                                submission.extension_workdays, planned)
        estimates_ended += submission.estimated_due and not new.estimated
        if new.due_on != submission.due_on:
            moved.append(MovedDueDate(submission, submission.due_on, new.due_on))
    moved.sort(key=lambda change: (change.old, change.submission.id))
    return NoticePreview(
        year=parsed.year, title=parsed.title,
        days=[PlannedDay(entry.day, entry.is_workday, entry.holiday, day_kind(entry.day, current))
              for entry in parsed.days],
        dropped=dropped, unread=parsed.unread, moved_count=len(moved), moved=moved[:PREVIEW_MOVES],
        no_longer_estimated=estimates_ended, digest=notice_digest(text, parsed.year),
    )


def _store_notice(parsed: ParsedNotice, text: str, actor: User) -> HolidayNotice:
    notice = db.session.scalar(sa.select(HolidayNotice).where(HolidayNotice.year == parsed.year))
    title = (parsed.title or f"国务院办公厅关于{parsed.year}年部分节假日安排的通知")[:NOTE_MAX]
    if notice is None:
        notice = HolidayNotice(year=parsed.year, title=title, text=text.strip(), applied_by_id=actor.id)
        db.session.add(notice)
    elif (notice.title, notice.text) != (title, text.strip()):
        notice.title, notice.text, notice.applied_by_id = title, text.strip(), actor.id
    db.session.flush()
    return notice


def _set_day(entry: NoticeDay, notice: HolidayNotice, existing: CalendarOverride | None) -> None:
    if existing is None:
        db.session.add(CalendarOverride(day=entry.day, is_workday=entry.is_workday, note=notice.title,
                                        holiday=entry.holiday, notice_id=notice.id))
        return
    wanted = (entry.is_workday, notice.title, entry.holiday, notice.id)
    if (existing.is_workday, existing.note, existing.holiday, existing.notice_id) != wanted:
        existing.is_workday, existing.note, existing.holiday, existing.notice_id = wanted


def apply_notice(text: str, year: int | None, actor: User | None, digest: str) -> list[Submission]:
    """Apply a previewed notice as calendar overrides and recompute open due dates (returns those moved).

    Refused while any line about days could not be read, or when the text is not the one previewed.
    """
    require_calendar_admin(actor)
    parsed = read_notice(text, year)
    if parsed.unread:
        raise DomainError(_l("Some lines of the notice could not be read. Correct them, or remove them and add "
                             "those dates one by one, then preview again."), field="text")
    if digest != notice_digest(text, parsed.year):
        raise DomainError(_l("The text changed since the preview: check the new preview, then apply it."),
                          field="text")
    notice = _store_notice(parsed, text, actor)
    earlier = _earlier_days(parsed.year)
    notice_days = {entry.day for entry in parsed.days}
    for stale in set(earlier) - notice_days:
        db.session.delete(earlier[stale])
    rows = {row.day: row for row in db.session.scalars(
        sa.select(CalendarOverride).where(CalendarOverride.day.in_(notice_days)))}
    for entry in parsed.days:
        _set_day(entry, notice, rows.get(entry.day))
    db.session.flush()
    return recompute_due_dates(actor, timeline_note("State Council holiday notice for %(year)d", year=parsed.year))
