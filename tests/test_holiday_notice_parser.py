"""Reading the State Council's holiday notices: the real 2025 and 2026 texts agree with chinesecalendar,
and a line that cannot be read exactly is reported, never guessed."""

from datetime import date
from pathlib import Path

import chinese_calendar
import pytest
from chinese_calendar.constants import holidays as published_holidays
from chinese_calendar.constants import workdays as published_workdays
from flask import Flask
from flask_babel import Babel

from consult.workdays.notice import notice_title, parse_notice
from consult.workdays.statutory import LABOUR_DAY, MID_AUTUMN, NATIONAL_DAY, NEW_YEAR, SPRING_FESTIVAL

DATA = Path(__file__).parent / "data"


@pytest.fixture
def english():
    """Reasons are shown in the reader's language: here English, with dates formatted by Babel."""
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context("/"):
        yield


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(("year", "days_off", "working_days"), [(2025, 28, 5), (2026, 33, 6)])
def test_the_published_notices_agree_with_chinesecalendar(year, days_off, working_days):
    text = read(f"holiday_notice_{year}.txt")
    title, title_year = notice_title(text)
    assert title == f"国务院办公厅关于{year}年部分节假日安排的通知" and title_year == year
    notice = parse_notice(text, year)
    assert notice.unread == []
    for entry in notice.days:
        on_holiday, name = chinese_calendar.get_holiday_detail(entry.day)
        assert (entry.is_workday, entry.holiday) == (not on_holiday, name), entry
    assert sum(not entry.is_workday for entry in notice.days) == days_off
    assert sum(entry.is_workday for entry in notice.days) == working_days
    # Nothing the State Council set that year is missing.
    published = {day for day in (*published_holidays, *published_workdays) if day.year == year}
    assert {entry.day for entry in notice.days} == published


def test_an_item_with_days_off_and_make_up_days():
    notice = parse_notice("四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。", 2025)
    assert [(e.day, e.is_workday, e.holiday) for e in notice.days] == [
        (date(2025, 4, 27), True, LABOUR_DAY),
        *[(date(2025, 5, d), False, LABOUR_DAY) for d in range(1, 6)],
    ]
    assert notice.days[0].line == 1


def test_single_days_ranges_across_months_and_older_wording():
    text = "\n".join([
        "一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。",
        "二、中秋节、国庆节：9月29日至10月6日放假调休，共8天。10月7日（星期六）、10月8日（星期日）上班。",
        "三、端午节：6月22日放假，与周末连休。",
    ])
    notice = parse_notice(text, 2023)
    assert notice.unread == []
    got = {e.day: (e.is_workday, e.holiday) for e in notice.days}
    assert got[date(2022, 12, 31)] == got[date(2023, 1, 2)] == (False, NEW_YEAR)
    assert got[date(2023, 9, 29)] == (False, MID_AUTUMN)  # 中秋 itself
    assert got[date(2023, 9, 30)] == got[date(2023, 10, 6)] == (False, NATIONAL_DAY)
    assert got[date(2023, 10, 7)] == got[date(2023, 10, 8)] == (True, NATIONAL_DAY)
    assert got[date(2023, 6, 22)] == (False, "Dragon Boat Festival")
    assert len(notice.days) == 3 + 8 + 2 + 1
    assert all(chinese_calendar.is_holiday(e.day) != e.is_workday for e in notice.days)


def test_a_make_up_day_in_the_previous_year_keeps_its_year():
    notice = parse_notice("一、元旦：2012年1月1日至3日放假调休，共3天。2011年12月31日（星期六）上班。", 2012)
    assert [(e.day, e.is_workday) for e in notice.days] == [
        (date(2011, 12, 31), True), (date(2012, 1, 1), False), (date(2012, 1, 2), False), (date(2012, 1, 3), False)]
    assert {chinese_calendar.is_workday(e.day) for e in notice.days if e.is_workday} == {True}


def test_half_width_punctuation_reads_the_same():
    full = parse_notice("二、春节：1月28日（农历除夕、周二）至2月4日（周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。", 2025)
    half = parse_notice("2. 春节: 1月28日(农历除夕、周二)至2月4日(周二)放假调休, 共8天. 1月26日(周日)、2月8日(周六)上班.", 2025)
    assert full.days and [(e.day, e.is_workday) for e in full.days] == [(e.day, e.is_workday) for e in half.days]
    assert {e.holiday for e in full.days} == {SPRING_FESTIVAL}


@pytest.mark.parametrize(("line", "why"), [
    ("三、清明节：4月4日（周五）至6日（周日）放假，共4天。", "3 days"),
    ("三、清明节：4月4日（周六）至6日（周日）放假，共3天。", "April 4, 2025 is not the weekday given in brackets (4月4日（周六）)."),
    ("清明节4月4日至6日放假，共3天。", "numbered"),
    ("三、清明节：4月4日、5日、6日放假。", "one date"),
    ("三、清明节：4月4日6日放假。", "one date"),
    ("三、清明节：其中4月4日放假。", "one date"),
    ("三、清明节：4月31日放假1天。", "no such date"),
    ("三、清明节：4日至6日放假，共3天。", "month"),
    ("三、清明节：4月6日至4日放假。", "cannot be right"),
    ("三、清明节：4月4日放假，4月7日上班。", "separate sentences"),
    ("三、清明节：4月4日至6日放假，共3天。4月8日调休。", "neither"),
    ("四、劳动节：5月1日至5日放假，共5天。4月27日和下周日上班。", "separated"),
])
def test_lines_that_cannot_be_read_exactly_are_reported_not_guessed(english, line, why):
    notice = parse_notice("国务院办公厅关于2025年部分节假日安排的通知\n" + line, 2025)
    assert notice.days == []
    [unread] = notice.unread
    assert (unread.line, unread.text) == (2, line)
    assert why in str(unread.reason)


def test_a_date_given_twice_is_reported_and_the_other_lines_still_read(english):
    text = "一、元旦：1月1日（周三）放假1天。\n二、春节：1月1日放假1天。\n三、清明节：4月4日至6日放假，共3天。"
    notice = parse_notice(text, 2025)
    assert [u.line for u in notice.unread] == [2]
    assert str(notice.unread[0].reason) == "A date this notice already gave: January 1, 2025."
    assert [e.day for e in notice.days] == [date(2025, 1, 1), date(2025, 4, 4), date(2025, 4, 5), date(2025, 4, 6)]


def test_lines_not_about_days_are_passed_over():
    text = read("holiday_notice_2025.txt")
    notice = parse_notice(text, 2025)
    assert {e.line for e in notice.days} == {6, 7, 8, 9, 10, 11}  # the six numbered items, nothing else
    assert notice_title("一、元旦：1月1日放假1天。") == (None, None)
