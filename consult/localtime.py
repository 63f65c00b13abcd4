"""Local time: the configured zone, and moments converted between stored UTC and local dates and times.

Times are stored in UTC (SQLite hands them back naive); people see and type them in ``CONSULT_TIMEZONE``
(default Asia/Shanghai). Every package converts through these functions, none keeps its own copy. A leaf
module: it imports only Flask's app config and the database session, so anything may import it.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from consult.database import utcnow
from consult.extensions import db


def zone() -> ZoneInfo:
    """The configured local time zone (``CONSULT_TIMEZONE``, default Asia/Shanghai)."""
    return ZoneInfo(current_app.config["CONSULT_TIMEZONE"])


def as_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (SQLite hands stored values back naive)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    """``moment`` (a stored UTC time, naive or aware) as an aware datetime in the configured zone."""
    return as_utc(moment).astimezone(zone())


def local_date(moment: datetime) -> date:
    """The calendar date of ``moment`` in the configured zone."""
    return to_local(moment).date()


def local_today() -> date:
    """Today in the configured zone."""
    return local_date(utcnow())


def day_start(day: date) -> datetime:
    """The first moment of local ``day``, as aware UTC."""
    return datetime.combine(day, time(), tzinfo=zone()).astimezone(UTC)


def year_start(year: int) -> datetime:
    """The first moment of ``year`` in the configured zone, as UTC."""
    return day_start(date(year, 1, 1))


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first moments of ``year`` and of the next, local time, as UTC."""
    return year_start(year), year_start(year + 1)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first moments of local ``day`` and of the next, as UTC."""
    return day_start(day), day_start(day + timedelta(days=1))


def to_local_naive(moment: datetime | None) -> datetime | None:
    """A stored UTC time as the naive local time a ``datetime-local`` form field shows."""
    return to_local(moment).replace(tzinfo=None) if moment else None


def from_local(moment: datetime | None) -> datetime | None:
    """A time typed in the configured zone (naive, as form fields give it; or aware) as aware UTC."""
    if moment is None:
        return None
    return (moment.replace(tzinfo=zone()) if moment.tzinfo is None else moment).astimezone(UTC)


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


def time_left(closes_at: datetime, now: datetime | None = None) -> tuple[int, int, int] | None:
    """(days, hours, minutes) until ``closes_at``, computed on the server; None when it has passed.

    Minutes count only on the last day (0 before, so a cached page changes once an hour until then).
    """
    seconds = int((as_utc(closes_at) - as_utc(now or utcnow())).total_seconds())
    if seconds <= 0:
        return None
    days, hours = seconds // 86400, (seconds % 86400) // 3600
    return days, hours, 0 if days else (seconds % 3600) // 60
