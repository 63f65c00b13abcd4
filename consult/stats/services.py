"""Statistics of tracked submissions, per department, per kind and per month of receipt.

Everything is computed with a few aggregate queries (GROUP BY department, kind, month) over the stored
dates of ``submissions`` — ``received_at``, ``answered_on``, ``answered_workdays``, ``due_on``, ``status``,
``satisfaction`` — and rolled up in Python over the small grouped results; rows are never loaded.

Definitions (the same on the page, in the CSV and at ``GET /api/v1/stats``):

* the period is the last ``months`` calendar months in the configured zone, the current one included;
  a submission belongs to the month it was received in;
* ``answered``: answered, closed or dismissed (a dismissal is an answer too); a reopened one is open again;
* ``on_time``: answered on or before its due date (local date of the answer ``<= due_on``);
* ``median_workdays_to_answer``: median of the working days from the day of receipt to the day of the
  answer (the day of receipt not counted);
* ``satisfaction_rate``: (满意 + 基本满意) over the answers the citizens rated;
* ``overdue_now``: still open after its due date today, whenever it was received (not limited to the period;
  not given per month).

Rates are fractions between 0 and 1 rounded to 4 places, or None when nothing was there to count.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from flask import current_app

from consult.accounts.departments import in_official_order
from consult.accounts.models import Department
from consult.cache import worker_cache
from consult.extensions import db
from consult.tracking.clock import local_today, zone
from consult.tracking.models import (
    ANSWERED, BASICALLY_SATISFIED, CLOSED, DISMISSED, KINDS, SATISFIED, Submission,
)  # fmt: skip

ANSWERED_STATUSES = (ANSWERED, CLOSED, DISMISSED)
MAX_MONTHS = 36
COUNTS = ("received", "answered", "on_time", "rated", "satisfied")
FIGURES = (
    "received", "answered", "answer_rate", "on_time", "on_time_rate", "median_workdays_to_answer",
    "overdue_now", "rated", "satisfied", "satisfaction_rate",
)  # fmt: skip


@dataclass
class Tally:
    """Counts of one group (a department, a kind, a month…) and its histogram of working days taken."""

    counts: Counter = field(default_factory=Counter)
    workdays: Counter = field(default_factory=Counter)  # working days taken -> number of answers
    overdue_now: int = 0

    def add(self, other: "Tally") -> None:
        self.counts.update(other.counts)
        self.workdays.update(other.workdays)
        self.overdue_now += other.overdue_now

    def figures(self, *, with_overdue: bool = True) -> dict:
        """The published figures of this group (JSON-serialisable)."""
        received, answered = self.counts["received"], self.counts["answered"]
        result = {
            "received": received,
            "answered": answered,
            "answer_rate": rate(answered, received),
            "on_time": self.counts["on_time"],
            "on_time_rate": rate(self.counts["on_time"], answered),
            "median_workdays_to_answer": median_of_histogram(self.workdays),
            "overdue_now": self.overdue_now,
            "rated": self.counts["rated"],
            "satisfied": self.counts["satisfied"],
            "satisfaction_rate": rate(self.counts["satisfied"], self.counts["rated"]),
        }
        if not with_overdue:
            del result["overdue_now"]
        return result


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 places; None when ``whole`` is 0."""
    return round(part / whole, 4) if whole else None


def median_of_histogram(histogram: Counter) -> float | None:
    """The median of the values counted in ``histogram`` (value -> count); the mean of the two middle ones
    for an even total, like PostgreSQL's ``percentile_cont(0.5)``. None when empty."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # 0-based positions of the middle value(s)
    found, seen = [], 0
    for value in sorted(histogram):
        count = histogram[value]
        while wanted and wanted[0] < seen + count:
            found.append(value)
            wanted.pop(0)
        seen += count
    return float(sum(found)) / len(found)


# --- the period -------------------------------------------------------------------------------------

def month_starts(today: date, months: int) -> list[date]:
    """The first days of the last ``months`` months, oldest first, ending with ``today``'s month."""
    starts = []
    year, month = today.year, today.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone()).astimezone(UTC)


def _month_bucket(starts: list[date]) -> sa.ColumnElement[int]:
    """SQL: the index (0 = oldest) of the month a submission was received in, from UTC boundaries computed
    in the configured zone, so month buckets are right whatever the database's own time zone."""
    whens = [
        (Submission.received_at >= _local_midnight_utc(start), index)
        for index, start in reversed(list(enumerate(starts)))
    ]
    return sa.case(*whens, else_=-1)


# --- the queries ------------------------------------------------------------------------------------

def _grouped(starts: list[date], department_id: int | None) -> sa.Subquery:
    """One row per submission received in the period: department, kind, month index and the flags."""
    on_time = sa.and_(Submission.status.in_(ANSWERED_STATUSES), Submission.answered_on <= Submission.due_on)
    stmt = sa.select(
        Submission.department_id.label("department_id"),
        Submission.kind.label("kind"),
        _month_bucket(starts).label("month"),
        sa.case((Submission.status.in_(ANSWERED_STATUSES), 1), else_=0).label("answered"),
        sa.case((on_time, 1), else_=0).label("on_time"),
        sa.case((Submission.satisfaction.is_not(None), 1), else_=0).label("rated"),
        sa.case((Submission.satisfaction.in_((SATISFIED, BASICALLY_SATISFIED)), 1), else_=0).label("satisfied"),
        sa.case((Submission.status.in_(ANSWERED_STATUSES), Submission.answered_workdays), else_=None)
        .label("workdays"),
    ).where(Submission.received_at >= _local_midnight_utc(starts[0]))
    if department_id is not None:
        stmt = stmt.where(Submission.department_id == department_id)
    return stmt.subquery("received")


def _tallies(starts: list[date], department_id: int | None, today: date) -> dict[tuple, Tally]:
    """Tallies keyed by (department_id, kind, month index); overdue counts under month None."""
    tallies: dict[tuple, Tally] = defaultdict(Tally)
    rows = _grouped(starts, department_id)
    keys = (rows.c.department_id, rows.c.kind, rows.c.month)
    counts = db.session.execute(
        sa.select(
            *keys, sa.func.count().label("received"),
            *(sa.func.sum(getattr(rows.c, name)).label(name) for name in COUNTS[1:]),
        ).group_by(*keys)
    )
    for row in counts:
        tally = tallies[(row.department_id, row.kind, row.month)]
        tally.counts.update({name: int(getattr(row, name) or 0) for name in COUNTS})
    histogram = db.session.execute(
        sa.select(*keys, rows.c.workdays, sa.func.count().label("n"))
        .where(rows.c.workdays.is_not(None))
        .group_by(*keys, rows.c.workdays)
    )
    for row in histogram:
        tallies[(row.department_id, row.kind, row.month)].workdays[int(row.workdays)] += int(row.n)
    overdue = sa.select(Submission.department_id, Submission.kind, sa.func.count().label("n")).where(
        Submission.is_overdue(today)
    )
    if department_id is not None:
        overdue = overdue.where(Submission.department_id == department_id)
    for row in db.session.execute(overdue.group_by(Submission.department_id, Submission.kind)):
        tallies[(row.department_id, row.kind, None)].overdue_now += int(row.n)
    return tallies


def _roll_up(tallies: dict[tuple, Tally], key) -> dict:
    """Sum the tallies by ``key(department_id, kind, month)``."""
    result: dict = defaultdict(Tally)
    for (department_id, kind, month), tally in tallies.items():
        result[key(department_id, kind, month)].add(tally)
    return result


def _department_row(department: Department, by_department: dict, by_department_kind: dict) -> dict:
    return {
        "id": department.id,
        "code": department.code,
        "name": department.name,
        "name_en": department.name_en,
        **by_department[department.id].figures(),
        "kinds": [{"kind": kind, **by_department_kind[(department.id, kind)].figures()} for kind in KINDS],
    }


def compute_stats(department_id: int | None = None, months: int = 12, today: date | None = None) -> dict:
    """The published statistics, for one department or all, over the last ``months`` months.

    Returns a JSON-serialisable dict: ``period`` (first and last day, months, time zone), ``totals``,
    ``departments`` (each with its figures and ``kinds``), ``kinds`` and ``months`` (oldest first, figures
    of the submissions received that month, without ``overdue_now``). See the module docstring for the
    definitions. An unknown ``department_id`` gives empty ``departments`` and zero figures.
    """
    months = max(1, min(int(months), MAX_MONTHS))
    today = today or local_today()
    starts = month_starts(today, months)
    tallies = _tallies(starts, department_id, today)
    by_department = _roll_up(tallies, lambda d, k, m: d)
    by_department_kind = _roll_up(tallies, lambda d, k, m: (d, k))
    by_kind = _roll_up(tallies, lambda d, k, m: k)
    by_month = _roll_up(tallies, lambda d, k, m: m)
    totals = _roll_up(tallies, lambda d, k, m: None)[None]
    departments = db.session.scalars(in_official_order(
        sa.select(Department).where(Department.id == department_id) if department_id is not None else None
    ))
    return {
        "period": {
            "start": starts[0].isoformat(),
            "end": today.isoformat(),
            "months": months,
            "timezone": current_app.config["CONSULT_TIMEZONE"],
        },
        "department_id": department_id,
        "totals": totals.figures(),
        "departments": [
            _department_row(department, by_department, by_department_kind)
            for department in departments
        ],
        "kinds": [{"kind": kind, **by_kind[kind].figures()} for kind in KINDS],
        "months": [
            {"month": start.strftime("%Y-%m"), **by_month[index].figures(with_overdue=False)}
            for index, start in enumerate(starts)
        ],
    }


def published_stats(department_id: int | None = None, months: int = 12) -> dict:
    """``compute_stats`` for the public pages, cached per worker for ``CONSULT_STATS_CACHE_SECONDS``.

    The figures are aggregates over a year of submissions: recomputing them on every page view would
    cost a scan per request, while a few minutes' delay changes nothing for a transparency page.
    """
    ttl = current_app.config["CONSULT_STATS_CACHE_SECONDS"]
    return worker_cache("stats", ttl).get_or_compute(
        (department_id, months, local_today()), lambda: compute_stats(department_id, months))
