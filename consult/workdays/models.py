"""The admin's corrections to the calendar, as stored: single dates, and the imported holiday notices."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, Session, mapped_column, scoped_session

from consult.database import utcnow
from consult.extensions import db
from consult.workdays.days import AdminCalendar, Override


class CalendarOverride(db.Model):
    """An admin's correction to the calendar: one date declared a working day or a holiday.

    Days that came from a State Council notice carry that notice and the holiday's name (``holiday``).
    """

    __tablename__ = "calendar_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    is_workday: Mapped[bool]
    note: Mapped[str] = mapped_column(sa.String(200))
    holiday: Mapped[Optional[str]] = mapped_column(sa.String(60))
    notice_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("holiday_notices.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<CalendarOverride {self.day} workday={self.is_workday}>"


class HolidayNotice(db.Model):
    """A State Council holiday notice (部分节假日安排的通知) an admin imported: the year is then known."""

    __tablename__ = "holiday_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text)
    applied_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    applied_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<HolidayNotice {self.year}>"


def load_overrides(session: Session | scoped_session[Session]) -> AdminCalendar:
    """All admin overrides and notice years, ready to pass as ``overrides`` to :mod:`consult.workdays`."""
    days = {
        row.day: Override(is_workday=row.is_workday, note=row.note or None, holiday=row.holiday)
        for row in session.scalars(sa.select(CalendarOverride))
    }
    return AdminCalendar(days, session.scalars(sa.select(HolidayNotice.year)))


def current_overrides() -> AdminCalendar:
    """The admin's calendar overrides, from the request's database session.

    Read on every submission (its due date), so it is one Core query of the few rows, and the calendar built
    from them is kept in the app while they are unchanged: the same object, with its memo of due dates
    (``consult.tracking.clock.compute_deadlines``), serves every request until an admin changes a day.
    """
    rows = tuple(tuple(row) for row in db.session.execute(_CALENDAR_ROWS))
    kept = current_app.extensions.get("consult_admin_calendar")
    if kept is not None and kept[0] == rows:
        return kept[1]
    calendar = AdminCalendar(
        {day: Override(is_workday=is_workday, note=note or None, holiday=holiday)
         for day, is_workday, note, holiday, _year in rows if day is not None},
        (year for *_, year in rows if year is not None),
    )
    current_app.extensions["consult_admin_calendar"] = (rows, calendar)
    return calendar


_overrides, _notices = CalendarOverride.__table__.c, HolidayNotice.__table__.c
_CALENDAR_ROWS = sa.union_all(  # built once (see current_overrides)
    sa.select(_overrides.day, _overrides.is_workday, _overrides.note, _overrides.holiday, sa.null()),
    sa.select(sa.null(), sa.null(), sa.null(), sa.null(), _notices.year),
)
