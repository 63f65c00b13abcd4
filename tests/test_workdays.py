"""Working-day deadlines: real Chinese calendars, admin overrides, and years nobody has published yet."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from consult.workdays import (
    CalendarChange,
    CalendarOverride,
    HolidayNotice,
    Override,
    add_workdays,
    day_kind,
    explain_due,
    is_workday,
    load_overrides,
)

CALENDAR_KNOWS_2027 = day_kind(date(2027, 1, 4)).source == "calendar"


def test_national_day_and_mid_autumn_2025():
    # 2025-10-01..08 off; make-up working days Sun 2025-09-28 and Sat 2025-10-11.
    assert add_workdays(date(2025, 9, 26), 20) == date(2025, 10, 30)


def test_spring_festival_2026():
    # 2026-02-15..23 off; make-up working days Sat 2026-02-14 and Sat 2026-02-28.
    assert add_workdays(date(2026, 2, 10), 20) == date(2026, 3, 16)


def test_one_working_day_after_a_friday_is_monday():
    assert add_workdays(date(2025, 11, 14), 1) == date(2025, 11, 17)


def test_counting_starts_the_day_after_receipt():
    # Received on a Monday: day 1 is Tuesday, day 15 is three weeks later on Monday.
    assert add_workdays(date(2025, 11, 10), 1) == date(2025, 11, 11)
    assert add_workdays(date(2025, 11, 10), 15) == date(2025, 12, 1)


def test_received_on_a_holiday_counts_from_the_first_working_day_after():
    assert add_workdays(date(2025, 10, 3), 1) == date(2025, 10, 9)


def test_zero_days_is_the_start_and_negative_is_refused():
    assert add_workdays(date(2025, 10, 4), 0) == date(2025, 10, 4)
    with pytest.raises(ValueError):
        add_workdays(date(2025, 10, 4), -1)


def test_datetimes_are_refused_so_callers_pick_the_local_date():
    with pytest.raises(TypeError):
        add_workdays(datetime(2025, 10, 4, 23, 30), 1)


def test_day_kinds_from_the_calendar():
    assert day_kind(date(2025, 10, 1)) == day_kind(date(2025, 10, 1))
    national_day = day_kind(date(2025, 10, 1))
    assert (national_day.is_workday, national_day.source) == (False, "calendar")
    assert (national_day.reason, national_day.name) == ("holiday", "National Day")
    makeup = day_kind(date(2025, 9, 28))
    assert (makeup.is_workday, makeup.reason, makeup.name) == (True, "makeup_workday", "National Day")
    weekend = day_kind(date(2025, 11, 15))
    assert (weekend.is_workday, weekend.reason, weekend.name) == (False, "weekend", None)
    weekday = day_kind(date(2025, 11, 12))
    assert (weekday.is_workday, weekday.reason, weekday.name) == (True, "workday", None)


def test_explanation_lists_national_day_as_skipped_and_the_makeup_sunday():
    explanation = explain_due(date(2025, 9, 26), 20)
    assert explanation.due_on == date(2025, 10, 30)
    assert explanation.workdays == 20
    assert not explanation.estimated
    holidays = [info.day for info in explanation.skipped if info.reason == "holiday"]
    assert holidays == [date(2025, 10, d) for d in range(1, 9)]
    assert {info.name for info in explanation.skipped if info.reason == "holiday"} == {
        "National Day",
        "Mid-autumn Festival",
    }
    assert all(info.day.weekday() >= 5 for info in explanation.skipped if info.reason == "weekend")
    assert [(info.day, info.reason) for info in explanation.makeup_days] == [
        (date(2025, 9, 28), "makeup_workday"),
        (date(2025, 10, 11), "makeup_workday"),
    ]


@pytest.mark.skipif(CALENDAR_KNOWS_2027, reason="chinesecalendar now covers 2027")
def test_running_into_an_unpublished_year_is_estimated():
    explanation = explain_due(date(2026, 12, 15), 20)
    assert explanation.due_on.year == 2027
    assert explanation.due_on.weekday() < 5
    assert explanation.estimated
    assert add_workdays(date(2026, 12, 15), 20) == explanation.due_on
    assert day_kind(date(2027, 1, 2)).source == "estimate"


def test_a_deadline_inside_a_published_year_is_not_estimated():
    assert not explain_due(date(2026, 12, 1), 5).estimated


@pytest.mark.parametrize("start", [date(1950, 6, 1), date(2100, 12, 20), date(1, 1, 1)])
def test_far_past_and_future_do_not_raise(start):
    explanation = explain_due(start, 30)
    assert explanation.estimated
    assert explanation.due_on.weekday() < 5
    assert is_workday(explanation.due_on)


def test_override_holiday_on_a_wednesday_pushes_the_due_date():
    wednesday = date(2025, 11, 12)
    overrides = {wednesday: Override(is_workday=False, note="Typhoon closure")}
    assert add_workdays(date(2025, 11, 10), 5) == date(2025, 11, 17)
    explanation = explain_due(date(2025, 11, 10), 5, overrides)
    assert explanation.due_on == date(2025, 11, 18)
    skipped = [info for info in explanation.skipped if info.day == wednesday]
    assert len(skipped) == 1
    assert (skipped[0].source, skipped[0].reason) == ("override", "override_holiday")
    assert skipped[0].name == "Typhoon closure"


def test_override_workday_on_a_saturday_counts_as_makeup():
    saturday = date(2025, 11, 15)
    overrides = {saturday: Override(is_workday=True, note="Local make-up day")}
    explanation = explain_due(date(2025, 11, 14), 1, overrides)
    assert explanation.due_on == saturday
    assert [(i.day, i.reason, i.name) for i in explanation.makeup_days] == [
        (saturday, "override_workday", "Local make-up day")
    ]


def test_plain_bool_overrides_and_overrides_in_unpublished_years():
    assert not is_workday(date(2030, 1, 2), {date(2030, 1, 2): False})
    assert day_kind(date(2030, 1, 5), {date(2030, 1, 5): True}).reason == "override_workday"
    with pytest.raises(TypeError):
        is_workday(date(2030, 1, 2), {date(2030, 1, 2): "no"})  # type: ignore[dict-item]


def test_long_spans_are_counted():
    due = add_workdays(date(2004, 1, 1), 6000)
    assert due.year in range(2027, 2029)
    assert is_workday(due)


def test_load_overrides_reads_the_admin_table():
    engine = sa.create_engine("sqlite://")
    CalendarOverride.metadata.create_all(
        engine, tables=[HolidayNotice.__table__, CalendarOverride.__table__, CalendarChange.__table__])
    with Session(engine) as session:
        session.add_all(
            [
                CalendarOverride(day=date(2025, 11, 12), is_workday=False, note="Typhoon closure"),
                CalendarOverride(day=date(2025, 11, 15), is_workday=True, note=""),
            ]
        )
        session.flush()
        overrides = load_overrides(session)
    assert overrides == {
        date(2025, 11, 12): Override(is_workday=False, note="Typhoon closure"),
        date(2025, 11, 15): Override(is_workday=True, note=None),
    }
    assert add_workdays(date(2025, 11, 14), 1, overrides) == date(2025, 11, 15)
    engine.dispose()


@settings(database=None, deadline=None)
@given(
    start=st.dates(min_value=date(2004, 1, 1), max_value=date(2030, 12, 31)),
    n=st.integers(min_value=1, max_value=60),
)
def test_due_date_is_the_nth_working_day_after_start(start, n):
    due = add_workdays(start, n)
    assert due > start
    assert is_workday(due)
    days = [start + timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(is_workday(day) for day in days) == n
    explanation = explain_due(start, n)
    assert explanation.due_on == due
    assert len(explanation.skipped) == len(days) - n
