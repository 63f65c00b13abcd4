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
* ``rated``: the submissions whose current rating counts; a rating taken out by an upheld appeal
  (申诉复核) does not, and is counted in ``ratings_removed`` instead;
* ``satisfaction_rate`` (满意率): (非常满意 + 满意 + 基本满意) over ``rated``;
* ``resolution_rate`` (解决率): ``resolved`` (the citizen answered "问题是否得到解决？" with yes) over ``rated``;
* ``response_rate`` (响应率): ``responded_in_time`` — first acted on by staff (assigned, transferred, asked
  for information, answered or dismissed) within the configured hours of receipt, counting only hours that
  fall on working days (default 24, i.e. one working day) — over ``response_due``: the submissions received
  less those not yet acted on whose time has not yet run out;
* ``rectifications`` / ``rectified``: rectification tasks (整改) opened by poor ratings of the submissions
  (withdrawn ones not counted), and those completed with a follow-up record;
* ``overdue_now``: still open after its due date today, whenever it was received (not limited to the period;
  not given per month).

Rates are fractions between 0 and 1 rounded to 4 places, or None when nothing was there to count.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from consult.accounts.departments import in_official_order
from consult.accounts.models import Department
from consult.cache import worker_cache
from consult.database import utcnow
from consult.extensions import db
from consult.localtime import day_start, local_today
from consult.practice.models import TASK_DONE, TASK_WITHDRAWN, RectificationTask
from consult.practice.response import working_minutes
from consult.practice.settings import current_settings
from consult.tracking.models import ANSWERED, CLOSED, DISMISSED, GOOD_LEVELS, KINDS, Submission
from consult.workdays import current_overrides

ANSWERED_STATUSES = (ANSWERED, CLOSED, DISMISSED)
MAX_MONTHS = 36
COUNTS = (
    "received", "answered", "on_time", "rated", "satisfied", "resolved", "ratings_removed", "responded_in_time",
)  # fmt: skip
FIGURES = (
    "received", "answered", "answer_rate", "on_time", "on_time_rate", "median_workdays_to_answer",
    "overdue_now", "response_due", "responded_in_time", "response_rate", "rated", "resolved", "resolution_rate",
    "satisfied", "satisfaction_rate", "ratings_removed", "rectifications", "rectified",
)  # fmt: skip
RATES = ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate")  # the 三率 + 按期答复率


@dataclass
class Tally:
    """Counts of one group (a department, a kind, a month…) and its histogram of working days taken."""

    counts: Counter = field(default_factory=Counter)
    workdays: Counter = field(default_factory=Counter)  # working days taken -> number of answers
    overdue_now: int = 0
    awaiting_response: int = 0  # received, not yet acted on, and still within the response time

    def add(self, other: "Tally") -> None:
        self.counts.update(other.counts)
        self.workdays.update(other.workdays)
        self.overdue_now += other.overdue_now
        self.awaiting_response += other.awaiting_response

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
            "response_due": received - self.awaiting_response,
            "responded_in_time": self.counts["responded_in_time"],
            "response_rate": rate(self.counts["responded_in_time"], received - self.awaiting_response),
            "rated": self.counts["rated"],
            "resolved": self.counts["resolved"],
            "resolution_rate": rate(self.counts["resolved"], self.counts["rated"]),
            "satisfied": self.counts["satisfied"],
            "satisfaction_rate": rate(self.counts["satisfied"], self.counts["rated"]),
            "ratings_removed": self.counts["ratings_removed"],
            "rectifications": self.counts["rectifications"],
            "rectified": self.counts["rectified"],
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


def _month_bucket(starts: list[date]) -> sa.ColumnElement[int]:
    """SQL: the index (0 = oldest) of the month a submission was received in, from UTC boundaries computed
    in the configured zone, so month buckets are right whatever the database's own time zone."""
    whens = [
        (Submission.received_at >= day_start(start), index)
        for index, start in reversed(list(enumerate(starts)))
    ]
    return sa.case(*whens, else_=-1)


# --- the queries ------------------------------------------------------------------------------------

def _grouped(starts: list[date], department_id: int | None, response_minutes: int) -> sa.Subquery:
    """One row per submission received in the period: department, kind, month index and the flags."""
    on_time = sa.and_(Submission.status.in_(ANSWERED_STATUSES), Submission.answered_on <= Submission.due_on)
    counted = sa.and_(Submission.satisfaction.is_not(None), sa.not_(Submission.rating_removed))
    stmt = sa.select(
        Submission.department_id.label("department_id"),
        Submission.kind.label("kind"),
        _month_bucket(starts).label("month"),
        sa.case((Submission.status.in_(ANSWERED_STATUSES), 1), else_=0).label("answered"),
        sa.case((on_time, 1), else_=0).label("on_time"),
        sa.case((counted, 1), else_=0).label("rated"),
        sa.case((sa.and_(counted, Submission.satisfaction.in_(GOOD_LEVELS)), 1), else_=0).label("satisfied"),
        sa.case((sa.and_(counted, Submission.resolved.is_(True)), 1), else_=0).label("resolved"),
        sa.case((sa.and_(Submission.satisfaction.is_not(None), Submission.rating_removed), 1), else_=0)
        .label("ratings_removed"),
        sa.case((Submission.response_minutes <= response_minutes, 1), else_=0).label("responded_in_time"),
        sa.case((Submission.status.in_(ANSWERED_STATUSES), Submission.answered_workdays), else_=None)
        .label("workdays"),
    ).where(Submission.received_at >= day_start(starts[0]))
    if department_id is not None:
        stmt = stmt.where(Submission.department_id == department_id)
    return stmt.subquery("received")


def _tallies(starts: list[date], department_id: int | None, today: date, response_hours: int) -> dict[tuple, Tally]:
    """Tallies keyed by (department_id, kind, month index); overdue counts under month None."""
    tallies: dict[tuple, Tally] = defaultdict(Tally)
    response_minutes = response_hours * 60
    rows = _grouped(starts, department_id, response_minutes)
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
    _tally_rectifications(tallies, starts, department_id)
    _tally_awaiting_response(tallies, starts, department_id, response_minutes)
    return tallies


def _tally_rectifications(tallies: dict[tuple, Tally], starts: list[date], department_id: int | None) -> None:
    """Rectification tasks (not withdrawn) of the submissions received in the period, and those completed."""
    month = _month_bucket(starts)
    stmt = (
        sa.select(
            Submission.department_id, Submission.kind, month.label("month"), sa.func.count().label("opened"),
            sa.func.sum(sa.case((RectificationTask.status == TASK_DONE, 1), else_=0)).label("done"),
        )
        .join(RectificationTask, RectificationTask.submission_id == Submission.id)
        .where(Submission.received_at >= day_start(starts[0]), RectificationTask.status != TASK_WITHDRAWN)
        .group_by(Submission.department_id, Submission.kind, month)
    )
    if department_id is not None:
        stmt = stmt.where(Submission.department_id == department_id)
    for row in db.session.execute(stmt):
        tally = tallies[(row.department_id, row.kind, row.month)]
        tally.counts["rectifications"] += int(row.opened)
        tally.counts["rectified"] += int(row.done or 0)


# The longest run of days off in the calendar (春节 with its weekends) is under two weeks.
LONGEST_BREAK_DAYS = 14


def _tally_awaiting_response(tallies: dict[tuple, Tally], starts: list[date], department_id: int | None,
                             response_minutes: int) -> None:
    """Submissions not yet acted on whose response time is still running: left out of ``response_due``.
    Only the last few days' unanswered arrivals can be such, so only those are read (indexed on received_at)."""
    now = utcnow()
    since = max(day_start(starts[0]),
                now - timedelta(days=response_minutes // (24 * 60) + 1 + LONGEST_BREAK_DAYS))
    stmt = sa.select(
        Submission.department_id, Submission.kind, _month_bucket(starts).label("month"), Submission.received_at,
    ).where(Submission.received_at >= since, Submission.responded_at.is_(None))
    if department_id is not None:
        stmt = stmt.where(Submission.department_id == department_id)
    overrides = None
    for row in db.session.execute(stmt):
        overrides = current_overrides() if overrides is None else overrides
        if working_minutes(row.received_at, now, overrides) < response_minutes:
            tallies[(row.department_id, row.kind, row.month)].awaiting_response += 1


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
    ``departments`` (each with its figures and ``kinds``), ``kinds``, ``months`` and ``years`` (oldest first,
    figures of the submissions received that month or year, without ``overdue_now``) and ``response_hours``. See the module docstring for the
    definitions. An unknown ``department_id`` gives empty ``departments`` and zero figures.
    """
    months = max(1, min(int(months), MAX_MONTHS))
    today = today or local_today()
    starts = month_starts(today, months)
    response_hours = current_settings().response_hours
    tallies = _tallies(starts, department_id, today, response_hours)
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
        "years": _years(starts, by_month),
        "response_hours": response_hours,
    }


def _years(starts: list[date], by_month: dict) -> list[dict]:
    """The figures per calendar year of receipt (the part of each year inside the period), oldest first."""
    years: dict[int, Tally] = {}
    for index, start in enumerate(starts):
        years.setdefault(start.year, Tally()).add(by_month[index])
    return [{"year": year, **tally.figures(with_overdue=False)} for year, tally in years.items()]


def published_stats(department_id: int | None = None, months: int = 12) -> dict:
    """``compute_stats`` for the public pages, cached per worker for ``CONSULT_STATS_CACHE_SECONDS``.

    The figures are aggregates over a year of submissions: recomputing them on every page view would
    cost a scan per request, while a few minutes' delay changes nothing for a transparency page.
    """
    ttl = current_app.config["CONSULT_STATS_CACHE_SECONDS"]
    return worker_cache("stats", ttl).get_or_compute(
        (department_id, months, local_today()), lambda: compute_stats(department_id, months))
