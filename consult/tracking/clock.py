"""Local dates and deadlines: the stored dates of a submission, computed with :mod:`consult.workdays`."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from consult import workdays
from consult.database import utcnow
from consult.extensions import db
from consult.tracking.policies import DUE_SOON_WORKDAYS
from consult.workdays import ONE_DAY, Overrides


def zone() -> ZoneInfo:
    """The configured local time zone (``CONSULT_TIMEZONE``, default Asia/Shanghai)."""
    return ZoneInfo(current_app.config["CONSULT_TIMEZONE"])


def as_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (SQLite hands stored values back naive)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The calendar date of ``moment`` in the configured zone."""
    return as_utc(moment).astimezone(zone()).date()


def local_today() -> date:
    """Today in the configured zone."""
    return local_date(utcnow())


def year_start(year: int) -> datetime:
    """The first moment of ``year`` in the configured zone, as UTC."""
    return datetime.combine(date(year, 1, 1), time(), tzinfo=zone()).astimezone(UTC)


def local_years(stmt: sa.Select, column: sa.ColumnElement) -> list[int]:
    """The years (in the configured zone) in which ``column``, a UTC time, has a value among the rows
    ``stmt`` selects, newest first. Two small queries: the first and last value, then one bucket per year."""
    first, last = db.session.execute(stmt.with_only_columns(sa.func.min(column), sa.func.max(column))).one()
    if first is None:
        return []
    years = range(local_date(first).year, local_date(last).year + 1)
    bucket = sa.case(*((column >= year_start(year), year) for year in reversed(years)), else_=years[0])
    return sorted(set(db.session.scalars(stmt.with_only_columns(bucket).where(column.is_not(None)).distinct())),
                  reverse=True)


def current_overrides() -> dict:
    """The admin's calendar overrides, from the database."""
    return workdays.load_overrides(db.session)


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

    Very overdue starts the day after one more whole window has passed since the due date.
    """
    explanation = workdays.explain_due(start, window + extension, overrides)
    very_overdue_after = workdays.explain_due(explanation.due_on, window, overrides)
    return Deadlines(
        due_on=explanation.due_on,
        due_soon_on=subtract_workdays(explanation.due_on, DUE_SOON_WORKDAYS, overrides),
        very_overdue_on=very_overdue_after.due_on + ONE_DAY,
        estimated=explanation.estimated,
    )
