"""The 三率: response within working hours, resolution and satisfaction, with the on-time rate, per
department, month and year."""

from datetime import date, timedelta

import pytest

from consult.database import utcnow
from consult.extensions import db
from consult.practice.response import working_minutes
from consult.practice.settings import save_settings
from consult.stats.services import compute_stats
from consult.tracking import actions
from tests.stats_support import answered, received
from tests.tracking_support import file_submission, local

pytestmark = pytest.mark.usefixtures("request_ctx")
TODAY = date(2025, 12, 20)


def test_working_minutes_count_only_hours_on_working_days():
    assert working_minutes(local(2025, 11, 14, 17), local(2025, 11, 17, 10)) == (7 + 10) * 60  # Fri → Mon
    assert working_minutes(local(2025, 11, 17, 10), local(2025, 11, 17, 9)) == 0
    # National Day 2025: 1–8 October off, Sunday 28 September and Saturday 11 October worked.
    assert working_minutes(local(2025, 9, 30, 12), local(2025, 10, 9, 12)) == (12 + 12) * 60


def _received(world, moment, **fields):
    submission = file_submission(world, received_at=moment, **fields).submission
    db.session.commit()
    return submission


def _assign(world, submission, moment, monkeypatch):
    from consult.tracking import transitions

    with monkeypatch.context() as patch:
        patch.setattr(transitions, "utcnow", lambda: moment)
        actions.assign_submission(submission, world.officer, actor=world.officer)
    db.session.commit()


def test_the_first_staff_action_is_stamped_once(world, monkeypatch):
    submission = _received(world, local(2025, 11, 14, 17))
    assert submission.responded_at is None
    _assign(world, submission, local(2025, 11, 17, 10), monkeypatch)
    assert submission.response_minutes == 17 * 60
    answered(monkeypatch, submission, local(2025, 11, 20, 10), world)
    assert submission.response_minutes == 17 * 60  # the answer later does not move the first response


def test_response_rate_counts_responses_within_one_working_day(world, monkeypatch):
    quick = _received(world, local(2025, 11, 14, 17))  # Friday evening, assigned Monday morning: in time
    _assign(world, quick, local(2025, 11, 17, 10), monkeypatch)
    slow = _received(world, local(2025, 11, 17, 9))  # Monday, assigned Wednesday: too late
    _assign(world, slow, local(2025, 11, 19, 10), monkeypatch)
    _received(world, local(2025, 11, 18, 9))  # never acted on: due a response and not given
    totals = compute_stats(today=TODAY)["totals"]
    assert (totals["responded_in_time"], totals["response_due"], totals["response_rate"]) == (1, 3, 0.3333)
    save_settings(response_hours=72)  # the admin allows three working days
    totals = compute_stats(today=TODAY)["totals"]
    assert (totals["responded_in_time"], totals["response_rate"]) == (2, 0.6667)


def test_a_submission_whose_response_time_still_runs_is_not_yet_due(world):
    _received(world, utcnow() - timedelta(minutes=5))
    totals = compute_stats()["totals"]
    assert (totals["received"], totals["response_due"], totals["response_rate"]) == (1, 0, None)


def test_resolution_and_satisfaction_rates_over_rated_submissions(world, monkeypatch):
    verdicts = [("very_satisfied", True), ("satisfied", True), ("basically_satisfied", False), ("unsatisfied", False)]
    for day, (verdict, resolved) in enumerate(verdicts, start=3):
        submission = received(world, local(2025, 11, day + 7))
        answered(monkeypatch, submission, local(2025, 11, day + 8), world)
        from consult.tracking.citizen import rate

        rate(submission, resolved=resolved, satisfaction=verdict)
        db.session.commit()
    totals = compute_stats(today=TODAY)["totals"]
    assert (totals["rated"], totals["satisfied"], totals["satisfaction_rate"]) == (4, 3, 0.75)
    assert (totals["resolved"], totals["resolution_rate"]) == (2, 0.5)
    assert totals["rectifications"] == 1


def test_figures_per_year_add_up_the_months(world, monkeypatch):
    for moment in (local(2024, 12, 10), local(2025, 1, 10), local(2025, 2, 10)):
        submission = received(world, moment)
        answered(monkeypatch, submission, moment + timedelta(days=1), world)
    stats = compute_stats(months=12, today=date(2025, 6, 30))
    years = {row["year"]: row for row in stats["years"]}
    assert set(years) == {2024, 2025}
    assert (years[2024]["received"], years[2025]["received"]) == (1, 2)
    assert years[2025]["on_time_rate"] == 1.0
    assert sum(m["received"] for m in stats["months"]) == 3
