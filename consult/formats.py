"""How dates and times, lists, quotes and codes read for people: one family of Babel formats in the
reader's language.

A day is Babel's long date (2026年11月29日 / November 29, 2026); a moment is that day and the short time,
without seconds (2026年11月29日 14:26 / November 29, 2026, 2:26 PM), in the configured zone; a month is
2026年1月 / January 2026. Machines get ISO 8601 instead (API JSON, CSV, iCal, ``<time datetime>``).
Templates use the filters registered by ``init_app``: ``date``, ``weekday_date``, ``short_date``, ``datetime``, ``time``, ``month``, ``listing``,
``nest_quotes`` and ``grouped_code``, and the global ``period(start, end)``.
"""

from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_skeleton, get_datetime_format
from flask_babel import format_date, format_time, get_locale, pgettext, to_user_timezone
from markupsafe import Markup

from consult.contacts import mask_phone
from consult.localtime import local_today

CODE_GROUP = 4
_SPAN_DASH = "–"


def format_day_with_weekday(value: date) -> str:
    """A day with its weekday, where the weekday matters (a holiday notice): 2027年1月1日星期五."""
    return format_date(value, "full")


def format_day(value: date | datetime | str | None) -> str:
    """A day in the reader's language: 2026年11月29日 (a datetime is taken in the configured zone).

    An ISO date string (as kept in a session or a stored note) is read first; other text is returned as it is.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return format_date(value, "long")


def format_clock(value: datetime | None) -> str:
    """The time of day without seconds, in the configured zone: 14:26 / 2:26 PM."""
    return "" if value is None else format_time(value, "short")


def format_moment(value: datetime | None) -> str:
    """A day and its time without seconds, in the configured zone: 2026年11月29日 14:26."""
    if value is None:
        return ""
    return _day_and_clock(format_day(value), format_clock(value))


def format_period(start: datetime, end: datetime) -> str:
    """From ``start`` to ``end``: 2026年12月12日 09:30–11:30 on one day, both moments in full otherwise."""
    if to_user_timezone(start).date() == to_user_timezone(end).date():
        return _day_and_clock(format_day(start), f"{format_clock(start)}{_SPAN_DASH}{format_clock(end)}")
    return f"{format_moment(start)} {_SPAN_DASH} {format_moment(end)}"


def format_short_day(value: date | datetime) -> str:
    """A day in a table column, in the same family: 11月29日 this year, 2025年11月29日 before (Nov 29 / Nov 29, 2025)."""
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    return _short_day(value, local_today().year, get_locale())


@lru_cache(maxsize=4096)
def _short_day(value: date, this_year: int, locale) -> str:
    """Kept: a list shows the same few days on many rows."""
    return format_skeleton("MMMd" if value.year == this_year else "yMMMd", value, locale=locale)


def format_month(value: date | str, *, two_lines: bool = False) -> str:
    """A month: 2026年1月 / January 2026 (``2026-01`` is read too); ``two_lines`` gives a short chart label
    split between the year and the month, in the order the language reads them (2026年 / 1月, Jan / 2026)."""
    if isinstance(value, str):
        year, number = (int(part) for part in value.split("-")[:2])
        value = date(year, number, 1)
    locale = get_locale()
    if not two_lines:
        return format_skeleton("yMMMM", value, locale=locale)
    year, month = format_skeleton("y", value, locale=locale), format_skeleton("MMM", value, locale=locale)
    pattern = locale.datetime_skeletons.get("yMMM")
    year_first = pattern is not None and str(pattern).find("y") < str(pattern).find("M")
    return f"{year}\n{month}" if year_first else f"{month}\n{year}"


def format_listing(items) -> str:
    """Items one after another the way the reader's language lists them: 咨询、投诉、建议 / enquiry, complaint."""
    return pgettext("list separator", ", ").join(str(item) for item in items)


def nest_quotes(text: str) -> str:
    """Quotes inside quotes become single: “报名参加“阳光财政”开放日”→“报名参加‘阳光财政’开放日” (a title
    that has quotes of its own, put into a message that quotes it). Markup stays Markup."""
    out, depth = [], 0
    for ch in text:
        if ch == "“":
            out.append("“" if depth % 2 == 0 else "‘")
            depth += 1
        elif ch == "”" and depth:
            depth -= 1
            out.append("”" if depth % 2 == 0 else "’")
        else:
            out.append(ch)
    nested = "".join(out)
    return type(text)(nested) if isinstance(text, Markup) else nested


def group_code(code: str) -> str:
    """A code as people read and type it: ``HKRSUKJN`` → ``HKRS-UKJN`` (the same in mails and on pages)."""
    code = "".join(ch for ch in code if ch.isalnum()).upper()
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def _day_and_clock(day: str, clock: str) -> str:
    """Join a day and a time the way the reader's language does (2026年11月29日 14:26 / …, 2026, 2:26 PM)."""
    pattern = str(get_datetime_format("medium", locale=get_locale())).replace("'", "")
    return pattern.replace("{1}", day).replace("{0}", clock)


def init_app(app) -> None:

    app.jinja_env.filters.update(
        date=format_day,
        weekday_date=format_day_with_weekday,
        short_date=format_short_day,
        isodate=format_day,  # the older name, for a date kept as an ISO string
        datetime=format_moment,
        time=format_clock,
        month=format_month,
        grouped_code=group_code,
        listing=format_listing,
        nest_quotes=nest_quotes,
        mask_phone=mask_phone,
    )
    app.jinja_env.globals["period"] = format_period
