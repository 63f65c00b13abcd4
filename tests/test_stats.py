"""Statistics on hand-built data: answer and on-time rates (with the due-date edges), medians in working
days, satisfaction, overdue now, months in the configured zone, and a fixed number of aggregate queries."""

from collections import Counter
from datetime import date, timedelta

import pytest
from tests.stats_support import answered, rated, received
from tests.tracking_support import local

from consult.extensions import db
from consult.stats.services import compute_stats, median_of_histogram, month_starts
from consult.tracking.models import COMMENT, DISCLOSURE, LETTER

pytestmark = pytest.mark.usefixtures("request_ctx")
TODAY = date(2025, 12, 31)


def _kind(stats: dict, kind: str) -> dict:
    return next(row for row in stats["kinds"] if row["kind"] == kind)


def _department(stats: dict, department_id: int) -> dict:
    return next(row for row in stats["departments"] if row["id"] == department_id)


def _month(stats: dict, month: str) -> dict:
    return next(row for row in stats["months"] if row["month"] == month)


def test_answered_on_the_due_date_is_on_time_and_the_day_after_is_late(monkeypatch, world):
    on_due_day = received(world, local(2025, 11, 10))
    day_after = received(world, local(2025, 11, 10))
    due = on_due_day.due_on
    # 23:30 on the due date in Shanghai is still on time; 00:30 the next day (16:30 UTC on the due date) is late.
    answered(monkeypatch, on_due_day, local(due.year, due.month, due.day, 23) + timedelta(minutes=30), world)
    answered(monkeypatch, day_after, local(due.year, due.month, due.day, 0) + timedelta(days=1, minutes=30), world)

    assert (on_due_day.answered_on, day_after.answered_on) == (due, due + timedelta(days=1))
    totals = compute_stats(today=TODAY)["totals"]
    assert (totals["received"], totals["answered"], totals["on_time"]) == (2, 2, 1)
    assert totals["answer_rate"] == 1.0
    assert totals["on_time_rate"] == 0.5


def test_answer_rate_counts_dismissals_but_not_reopened_or_open_submissions(monkeypatch, world):
    answered_one = received(world, local(2025, 11, 3))
    dismissed = received(world, local(2025, 11, 3))
    reopened = received(world, local(2025, 11, 3))
    received(world, local(2025, 11, 3))  # still open
    answered(monkeypatch, answered_one, local(2025, 11, 5), world)
    answered(monkeypatch, dismissed, local(2025, 11, 5), world, action="dismiss")
    answered(monkeypatch, reopened, local(2025, 11, 5), world)
    rated(reopened, "unsatisfied")  # reopened: waiting for a new answer

    totals = compute_stats(today=TODAY)["totals"]
    assert (totals["received"], totals["answered"]) == (4, 2)
    assert totals["answer_rate"] == 0.5


def test_satisfaction_rate_is_satisfied_and_basically_satisfied_over_rated(monkeypatch, world):
    subs = [received(world, local(2025, 11, 3)) for _ in range(5)]
    for submission in subs:
        answered(monkeypatch, submission, local(2025, 11, 6), world)
    rated(subs[0], "satisfied")
    rated(subs[1], "basically_satisfied")
    rated(subs[2], "unsatisfied")
    # subs[3] and subs[4] were never rated: they do not count either way.
    totals = compute_stats(today=TODAY)["totals"]
    assert (totals["rated"], totals["satisfied"]) == (3, 2)
    assert totals["satisfaction_rate"] == round(2 / 3, 4)


def test_working_days_to_answer_skip_weekends_and_holidays_and_give_the_median(monkeypatch, world):
    # Received Tuesday 30 Sep 2025; 1–8 Oct is the National Day holiday: answered Thursday 9 Oct = 1 working day.
    holiday = received(world, local(2025, 9, 30))
    answered(monkeypatch, holiday, local(2025, 10, 9), world)
    # Received Friday 14 Nov, answered Monday 17 Nov = 1; answered Friday 21 Nov = 5; Thursday 27 Nov = 9.
    weekend = received(world, local(2025, 11, 14))
    week = received(world, local(2025, 11, 14))
    longer = received(world, local(2025, 11, 14))
    answered(monkeypatch, weekend, local(2025, 11, 17), world)
    answered(monkeypatch, week, local(2025, 11, 21), world)
    answered(monkeypatch, longer, local(2025, 11, 27), world)

    assert [s.answered_workdays for s in (holiday, weekend, week, longer)] == [1, 1, 5, 9]
    stats = compute_stats(today=TODAY)
    assert stats["totals"]["median_workdays_to_answer"] == 3.0  # (1 + 5) / 2
    assert _month(stats, "2025-11")["median_workdays_to_answer"] == 5.0
    assert _month(stats, "2025-09")["median_workdays_to_answer"] == 1.0
    assert _month(stats, "2025-10")["median_workdays_to_answer"] is None


@pytest.mark.parametrize(("values", "median"), [
    ([], None), ([4], 4.0), ([1, 9], 5.0), ([3, 1, 2], 2.0), ([1, 1, 1, 10], 1.0), ([0, 2, 2, 7, 7, 7], 4.5),
])
def test_median_of_a_histogram_matches_percentile_cont(values, median):
    assert median_of_histogram(Counter(values)) == median


def test_overdue_now_counts_open_submissions_past_their_due_date_whenever_received(monkeypatch, world):
    old = received(world, local(2024, 1, 8))  # before the period, still open
    fresh = received(world, local(2025, 12, 29))  # not due yet
    done = received(world, local(2024, 6, 3))  # answered late, but answered: not overdue
    answered(monkeypatch, done, local(2024, 9, 2), world)

    stats = compute_stats(today=TODAY)
    assert stats["totals"]["overdue_now"] == 1
    assert stats["totals"]["received"] == 1  # only `fresh` was received in the last 12 months
    assert _department(stats, world.dept.id)["overdue_now"] == 1
    assert _kind(stats, LETTER)["overdue_now"] == 1
    assert "overdue_now" not in stats["months"][0]
    # On its due date it is not overdue yet; the day after it is.
    assert compute_stats(today=old.due_on)["totals"]["overdue_now"] == 0
    assert compute_stats(today=old.due_on + timedelta(days=1))["totals"]["overdue_now"] == 1
    assert fresh.status == "assigned"


def test_months_are_counted_in_the_configured_zone(world):
    received(world, local(2025, 10, 31, 23))  # 15:00 UTC on 31 October
    received(world, local(2025, 11, 1, 0) + timedelta(minutes=30))  # 16:30 UTC on 31 October, but November here
    stats = compute_stats(today=TODAY)
    assert [m["month"] for m in stats["months"]] == [f"2025-{n:02d}" for n in range(1, 13)]
    assert (_month(stats, "2025-10")["received"], _month(stats, "2025-11")["received"]) == (1, 1)
    assert stats["period"] == {"start": "2025-01-01", "end": "2025-12-31", "months": 12,
                               "timezone": "Asia/Shanghai"}


def test_the_period_starts_on_the_first_day_of_the_oldest_month(world):
    received(world, local(2024, 12, 31, 23))
    received(world, local(2025, 1, 1, 9))
    assert compute_stats(today=TODAY)["totals"]["received"] == 1
    assert compute_stats(months=13, today=TODAY)["totals"]["received"] == 2
    assert month_starts(date(2025, 2, 14), 3) == [date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1)]


def test_figures_per_department_and_kind_and_the_department_filter(monkeypatch, world):
    letter = received(world, local(2025, 11, 3))
    received(world, local(2025, 11, 3), kind=COMMENT)
    other = received(world, local(2025, 11, 3), kind=DISCLOSURE, department=world.other_dept)
    answered(monkeypatch, letter, local(2025, 11, 4), world)
    answered(monkeypatch, other, local(2025, 11, 4), world)

    stats = compute_stats(today=TODAY)
    mine, theirs = _department(stats, world.dept.id), _department(stats, world.other_dept.id)
    assert (mine["received"], mine["answered"], theirs["received"], theirs["answered"]) == (2, 1, 1, 1)
    assert {row["kind"]: row["received"] for row in mine["kinds"]} == {
        "letter": 1, "comment": 1, "disclosure": 0, "event_question": 0, "interview": 0, "hearing_speaker": 0}
    assert (_kind(stats, DISCLOSURE)["received"], _kind(stats, DISCLOSURE)["answer_rate"]) == (1, 1.0)
    assert _kind(stats, "event_question")["answer_rate"] is None

    only_mine = compute_stats(world.dept.id, today=TODAY)
    assert [row["id"] for row in only_mine["departments"]] == [world.dept.id]
    assert only_mine["totals"]["received"] == 2
    assert sum(m["received"] for m in only_mine["months"]) == 2


def test_the_result_is_json_serialisable_and_empty_figures_are_null(world):
    import json

    stats = compute_stats(today=TODAY)
    assert json.loads(json.dumps(stats)) == stats
    assert stats["totals"] == {
        "received": 0, "answered": 0, "answer_rate": None, "on_time": 0, "on_time_rate": None,
        "median_workdays_to_answer": None, "overdue_now": 0, "response_due": 0, "responded_in_time": 0,
        "response_rate": None, "rated": 0, "resolved": 0, "resolution_rate": None, "satisfied": 0,
        "satisfaction_rate": None, "ratings_removed": 0, "rectifications": 0, "rectified": 0,
    }


def test_a_fixed_number_of_aggregate_queries_however_many_submissions(monkeypatch, world, sql):
    def count_queries(months: int = 12) -> tuple[int, list[str]]:
        with sql() as statements:
            compute_stats(months=months, today=TODAY)
        return len(statements.selects), statements.selects

    received(world, local(2025, 11, 3))
    few, _ = count_queries()
    for day in range(3, 28):
        submission = received(world, local(2025, 11, day))
        answered(monkeypatch, submission, local(2025, 12, 1), world)
    many, statements = count_queries()
    # settings, counts, working-days histogram, overdue now, rectifications, the last days' arrivals not yet
    # acted on (whose response time may still run: the only rows read, and only from the last two weeks),
    # departments
    assert few == many == 7
    grouped = [s for s in statements if ("FROM submissions" in s or "FROM (SELECT" in s) and "responded_at IS NULL" not in s]
    assert len(grouped) == 4 and all("GROUP BY" in s.upper() for s in grouped)


def test_stats_refresh_recomputes_backdated_answers(monkeypatch, world, runner):
    submission = received(world, local(2025, 11, 14))
    answered(monkeypatch, submission, local(2025, 11, 17), world)
    submission.answered_at = local(2025, 11, 21)  # backdated by hand, e.g. demo data
    submission.answered_on = submission.answered_workdays = None
    db.session.commit()
    result = runner.invoke(args=["stats-refresh", "--only-missing"])
    assert result.exit_code == 0 and "1 submissions" in result.output
    db.session.refresh(submission)
    assert (submission.answered_on, submission.answered_workdays) == (date(2025, 11, 21), 5)
