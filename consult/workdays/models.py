"""The admin's corrections to the calendar, as stored: single dates, and the imported holiday notices."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, Session, mapped_column, scoped_session

from consult.database import Condition, utcnow
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


class CalendarChange(db.Model):
    """A change to the admin's calendar: one row for each day set, changed or withdrawn and each notice
    imported. The greatest id is the calendar's version, by which a process knows whether the calendar it keeps
    is still current (:func:`kept_overrides`). Written by the mapper events below, whoever changes the calendar
    through the ORM; a statement that changes those tables directly must write one too."""

    __tablename__ = "calendar_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


@sa.event.listens_for(CalendarOverride, "after_insert")
@sa.event.listens_for(CalendarOverride, "after_update")
@sa.event.listens_for(CalendarOverride, "after_delete")
@sa.event.listens_for(HolidayNotice, "after_insert")
@sa.event.listens_for(HolidayNotice, "after_update")
@sa.event.listens_for(HolidayNotice, "after_delete")
def _record_change(_mapper, connection, _target) -> None:
    connection.execute(_RECORD_CHANGE, {"changed_at": utcnow()})


def load_overrides(session: Session | scoped_session[Session]) -> AdminCalendar:
    """All admin overrides and notice years, ready to pass as ``overrides`` to :mod:`consult.workdays`."""
    days = {
        row.day: Override(is_workday=row.is_workday, note=row.note or None, holiday=row.holiday)
        for row in session.scalars(sa.select(CalendarOverride))
    }
    return AdminCalendar(days, session.scalars(sa.select(HolidayNotice.year)))


def current_overrides() -> AdminCalendar:
    """The admin's calendar overrides, from the request's database session.

    Read whenever a due date is worked out, so it is one Core query of the few rows and the calendar's version,
    and the calendar built from them is kept in the app while they are unchanged: the same object, with its
    memo of due dates (``consult.tracking.clock.compute_deadlines``), serves every request until an admin
    changes a day. The busiest intakes do not even read it (:func:`kept_overrides`).
    """
    return _read_calendar()[0]


def kept_overrides(fresh: bool = False) -> tuple[AdminCalendar, int]:
    """The calendar this process last read and its version (see :class:`CalendarChange`), without a query when
    it has one (unless ``fresh``); read otherwise. For a write that goes only while the version is still
    current (:func:`calendar_unchanged`): the intake of comments and letters on PostgreSQL, which would
    otherwise read the calendar once per submission to find it unchanged."""
    kept = None if fresh else current_app.extensions.get(_KEPT)
    return (kept[1], kept[2]) if kept is not None else _read_calendar()


def calendar_unchanged(version: int) -> Condition:
    """The condition that the calendar's version is still ``version`` (for ``insert_with_dependents``)."""
    return Condition(_UNCHANGED, {"calendar_version": version})


def _read_calendar() -> tuple[AdminCalendar, int]:
    rows = tuple(tuple(row) for row in db.session.execute(_CALENDAR_ROWS))
    kept = current_app.extensions.get(_KEPT)
    if kept is not None and kept[0] == rows:
        return kept[1], kept[2]
    calendar = AdminCalendar(
        {day: Override(is_workday=is_workday, note=note or None, holiday=holiday)
         for day, is_workday, note, holiday, _year, _version in rows if day is not None},
        (year for *_, year, _version in rows if year is not None),
    )
    version = next(version for *_, version in rows if version is not None)
    current_app.extensions[_KEPT] = (rows, calendar, version)
    return calendar, version


_KEPT = "consult_admin_calendar"  # (rows read, calendar, version) in the app's extensions
_overrides, _notices = CalendarOverride.__table__.c, HolidayNotice.__table__.c
_VERSION = sa.func.coalesce(sa.func.max(CalendarChange.__table__.c.id), 0)
_CALENDAR_ROWS = sa.union_all(  # built once (see current_overrides): the days, the notices' years, the version
    sa.select(_overrides.day, _overrides.is_workday, _overrides.note, _overrides.holiday, sa.null(),
              sa.cast(sa.null(), sa.Integer)),  # typed: PostgreSQL reads two untyped NULLs as text
    sa.select(sa.null(), sa.null(), sa.null(), sa.null(), _notices.year, sa.null()),
    sa.select(sa.null(), sa.null(), sa.null(), sa.null(), sa.null(), _VERSION),
)
_UNCHANGED = sa.select(_VERSION).scalar_subquery() == sa.bindparam("calendar_version")
_RECORD_CHANGE = CalendarChange.__table__.insert()
