"""Years nobody has published yet: the public holidays fixed by law are never counted as working days.

The law's days are computed (tyme4py gives the lunar dates and the 清明 solar term), never typed in; they
are checked against every year chinesecalendar knows."""

from datetime import date, timedelta

import chinese_calendar
import pytest

from consult.workdays import add_workdays, day_kind, explain_due, is_workday
from consult.workdays.statutory import (
    DRAGON_BOAT,
    LABOUR_DAY,
    MID_AUTUMN,
    NATIONAL_DAY,
    NEW_YEAR,
    SPRING_FESTIVAL,
    TOMB_SWEEPING,
    law_in_force,
    lunar_to_solar,
    statutory_holidays,
)

KNOWN_YEARS = range(2004, 2027)  # the years chinesecalendar 1.11 covers
UNPUBLISHED = 2027


def _needs_unpublished_year():
    if day_kind(date(UNPUBLISHED, 1, 4)).source == "calendar":
        pytest.skip(f"chinesecalendar now covers {UNPUBLISHED}")


def test_every_holiday_the_law_fixes_was_a_holiday_in_every_published_year():
    checked = 0
    for year in KNOWN_YEARS:
        mid_autumn = lunar_to_solar(year, 8, 15)
        for day, name in statutory_holidays(year).items():
            on_holiday, published_name = chinese_calendar.get_holiday_detail(day)
            assert on_holiday, f"{day} ({name}) was a working day in {year}"
            # Same name, unless the day is a plain weekend there, or 中秋 fell on 1–3 October (either name).
            if published_name and not (day == mid_autumn and day.month == 10):
                assert published_name == name, day
            checked += 1
    # 10 days a year to 2007, 11 from 2008, 13 from 2025, less 2009 and 2020 when 中秋 fell on 1–3 October.
    assert checked == 251


def test_the_laws_in_force_differ_where_the_published_years_differ():
    # 2014–2024: the Spring Festival is 初一 to 初三; the eve was a working day in 2014 (Thursday 30 January).
    assert lunar_to_solar(2014, 1, 1) - timedelta(days=1) == date(2014, 1, 30)
    assert date(2014, 1, 30) not in statutory_holidays(2014)
    assert chinese_calendar.is_workday(date(2014, 1, 30))
    # 2012: 2 May was a working day (Wednesday); the law then gave 劳动节 one day.
    assert date(2012, 5, 2) not in statutory_holidays(2012) and chinese_calendar.is_workday(date(2012, 5, 2))
    # From 2025 (the 2024 amendment): the eve and 2 May are public holidays.
    assert statutory_holidays(2025)[date(2025, 1, 28)] == SPRING_FESTIVAL
    assert statutory_holidays(2025)[date(2025, 5, 2)] == LABOUR_DAY
    assert law_in_force(1949) is None and statutory_holidays(1949) == {}


def test_2027_by_law():
    assert lunar_to_solar(2027, 1, 1) == date(2027, 2, 6)  # 除夕 is 5 February
    assert statutory_holidays(2027) == {
        date(2027, 1, 1): NEW_YEAR,
        date(2027, 2, 5): SPRING_FESTIVAL, date(2027, 2, 6): SPRING_FESTIVAL,
        date(2027, 2, 7): SPRING_FESTIVAL, date(2027, 2, 8): SPRING_FESTIVAL,
        date(2027, 4, 5): TOMB_SWEEPING,
        date(2027, 5, 1): LABOUR_DAY, date(2027, 5, 2): LABOUR_DAY,
        date(2027, 6, 9): DRAGON_BOAT,
        date(2027, 9, 15): MID_AUTUMN,
        date(2027, 10, 1): NATIONAL_DAY, date(2027, 10, 2): NATIONAL_DAY, date(2027, 10, 3): NATIONAL_DAY,
    }


def test_a_due_date_into_2027_skips_new_years_day_and_stays_an_estimate():
    _needs_unpublished_year()
    # Received Wednesday 30 December 2026: day 1 is Thursday 31, Friday 1 January is New Year's Day.
    assert add_workdays(date(2026, 12, 30), 2) == date(2027, 1, 4)
    explanation = explain_due(date(2026, 12, 30), 2)
    assert explanation.estimated
    new_year = explanation.skipped[0]
    assert (new_year.day, new_year.reason, new_year.name, new_year.source) == (
        date(2027, 1, 1), "holiday", NEW_YEAR, "estimate")
    assert new_year.estimated


def test_the_2027_spring_festival_is_skipped_from_its_eve():
    _needs_unpublished_year()
    # Thursday 4 February 2027 + 1 working day: Friday 5 (除夕) to Monday 8 (初三) are off.
    assert add_workdays(date(2027, 2, 4), 1) == date(2027, 2, 9)
    eve = day_kind(date(2027, 2, 5))
    assert (eve.is_workday, eve.name, eve.estimated) == (False, SPRING_FESTIVAL, True)
    assert is_workday(date(2027, 2, 9))


@pytest.mark.parametrize("year", [2027, 2028, 2035])
def test_estimates_never_guess_a_make_up_working_day(year):
    if day_kind(date(year, 1, 4)).source == "calendar":
        pytest.skip(f"chinesecalendar now covers {year}")
    days = [date(year, 1, 1) + timedelta(days=i) for i in range(365)]
    assert not any(is_workday(day) for day in days if day.weekday() >= 5)
    off_on_weekdays = {day for day in days if day.weekday() < 5 and not is_workday(day)}
    assert off_on_weekdays == {day for day in statutory_holidays(year) if day.weekday() < 5}


@pytest.mark.parametrize("year", [1950, 1999, 2100, 3001, 5000, 9998])
def test_any_year_is_answered(year):
    holidays = statutory_holidays(year)
    assert all(day.year == year for day in holidays)
    assert explain_due(date(year, 6, 1), 30).estimated
