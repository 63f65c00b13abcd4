"""Public holidays fixed by law (全国年节及纪念日放假办法), for years whose arrangement is not published yet.

The law names the days; each year the State Council's notice then moves days around them (bridging days
off, make-up working days, 调休), which nobody can predict. This module computes only what the law fixes,
in the version in force that year, with lunar dates and the 清明 solar term from ``tyme4py`` (no table of
dates is kept here). Holiday names are those ``chinesecalendar`` uses, so both sources read alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from chinese_calendar import Holiday
from tyme4py.lunar import LunarDay
from tyme4py.solar import SolarDay, SolarTerm

NEW_YEAR = Holiday.new_years_day.value
SPRING_FESTIVAL = Holiday.spring_festival.value
TOMB_SWEEPING = Holiday.tomb_sweeping_day.value
LABOUR_DAY = Holiday.labour_day.value
DRAGON_BOAT = Holiday.dragon_boat_festival.value
MID_AUTUMN = Holiday.mid_autumn_festival.value
NATIONAL_DAY = Holiday.national_day.value

# Chinese names as the State Council's notices write them.
CHINESE_NAMES = {
    "元旦": NEW_YEAR,
    "春节": SPRING_FESTIVAL,
    "清明节": TOMB_SWEEPING,
    "清明": TOMB_SWEEPING,
    "劳动节": LABOUR_DAY,
    "五一": LABOUR_DAY,
    "端午节": DRAGON_BOAT,
    "端午": DRAGON_BOAT,
    "中秋节": MID_AUTUMN,
    "中秋": MID_AUTUMN,
    "国庆节": NATIONAL_DAY,
    "国庆": NATIONAL_DAY,
}


@dataclass(frozen=True)
class LawVersion:
    """Which days one version of the law gives, from its first full year."""

    first_year: int
    spring_festival: tuple[int, int]  # first and last day, counted from 正月初一 (-1 is 除夕)
    labour_days: int  # from 1 May
    national_days: int  # from 1 October
    traditional_festivals: bool  # 清明, 端午 and 中秋 are public holidays


# Newest first. 1949 (政务院), 1999 (国务院令第270号), 2007 (第513号, from 2008), 2013 (第644号, from 2014),
# 2024 (第795号, from 2025: 除夕 back, a second day for 劳动节).
LAW_VERSIONS = (
    LawVersion(2025, spring_festival=(-1, 2), labour_days=2, national_days=3, traditional_festivals=True),
    LawVersion(2014, spring_festival=(0, 2), labour_days=1, national_days=3, traditional_festivals=True),
    LawVersion(2008, spring_festival=(-1, 1), labour_days=1, national_days=3, traditional_festivals=True),
    LawVersion(2000, spring_festival=(0, 2), labour_days=3, national_days=3, traditional_festivals=False),
    LawVersion(1950, spring_festival=(0, 2), labour_days=1, national_days=2, traditional_festivals=False),
)


def law_in_force(year: int) -> LawVersion | None:
    """The version of the law that sets the holidays of ``year`` (None before 1950)."""
    return next((law for law in LAW_VERSIONS if year >= law.first_year), None)


def _as_date(day: SolarDay) -> date:
    return date(day.get_year(), day.get_month(), day.get_day())


def lunar_to_solar(year: int, month: int, day: int) -> date:
    """The Gregorian date of a day of the Chinese lunar calendar (a month that is not a leap month)."""
    return _as_date(LunarDay.from_ymd(year, month, day).get_solar_day())


def qingming(year: int) -> date:
    """The day of the 清明 solar term in ``year`` (Beijing time)."""
    return _as_date(SolarTerm.from_name(year, "清明").get_solar_day())


def _span(first: date, days: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(days)]


@lru_cache(maxsize=512)
def statutory_holidays(year: int) -> dict[date, str]:
    """The public holidays the law fixes in ``year``, by date, with their names (``chinesecalendar``'s).

    Where two fall on one date (中秋 on 1 October) the date keeps the first name set: National Day.
    """
    law = law_in_force(year)
    if law is None:
        return {}
    days: dict[date, str] = {date(year, 1, 1): NEW_YEAR}
    days.update((day, LABOUR_DAY) for day in _span(date(year, 5, 1), law.labour_days))
    days.update((day, NATIONAL_DAY) for day in _span(date(year, 10, 1), law.national_days))
    first, last = law.spring_festival
    new_moon = lunar_to_solar(year, 1, 1)
    for day in _span(new_moon + timedelta(days=first), last - first + 1):
        days.setdefault(day, SPRING_FESTIVAL)
    if law.traditional_festivals:
        days.setdefault(qingming(year), TOMB_SWEEPING)
        days.setdefault(lunar_to_solar(year, 5, 5), DRAGON_BOAT)
        days.setdefault(lunar_to_solar(year, 8, 15), MID_AUTUMN)
    return dict(sorted(days.items()))
