"""Reading the State Council's yearly notice (国务院办公厅关于YYYY年部分节假日安排的通知).

Each numbered item names one or more holidays and gives the days off and the make-up working days::

    二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。

A line that speaks of days (a date with 放假 or 上班) but does not read exactly so is reported with the
reason, never guessed: a range whose length disagrees with its "共N天", a weekday in brackets that does
not match the date, a date given twice. Other lines (the title, the addressees, the closing paragraph,
the signature) are not about days and are passed over.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import LazyString, format_date
from flask_babel import lazy_gettext as _l

from consult.workdays.statutory import CHINESE_NAMES, statutory_holidays

MAX_SPAN_DAYS = 15  # the longest arrangement so far is 9 days; anything far longer is a misreading

# After NFKC, full-width brackets, colons and commas read as their ASCII forms.
DATE = re.compile(r"(?:(?P<year>\d{4})年)?(?:(?P<month>\d{1,2})月)?(?P<day>\d{1,2})日(?:\((?P<aside>[^)]*)\))?")
ITEM = re.compile(r"^\s*(?:[一二三四五六七八九十]+|\d+)\s*[、.]\s*(?P<names>[^:]{1,60}?)\s*:(?P<rest>.+)$")
TITLE = re.compile(r"关于\s*(?P<year>\d{4})\s*年\s*部分节假日安排的通知")
WEEKDAY = re.compile(r"(?:周|星期)(?P<day>[一二三四五六日天])")
WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
RANGE_WORDS = ("至", "到", "-", "~")
COUNT = re.compile(r"(?:共|放假)(?P<count>\d{1,2})天")
NAME_SEPARATORS = re.compile(r"[、,和及]")
SENTENCE_END = re.compile(r"[。;.]")


@dataclass(frozen=True)
class NoticeDay:
    """One date the notice sets: a day off or a make-up working day, and for which holiday."""

    day: date
    is_workday: bool
    holiday: str  # as chinesecalendar names it ("Spring Festival"), or the notice's own words if unknown
    line: int  # 1-based line of the pasted text


@dataclass(frozen=True)
class UnreadLine:
    """A line about days that could not be read exactly; it is shown to the admin, never guessed."""

    line: int
    text: str
    reason: str  # translated when shown


@dataclass(frozen=True)
class ParsedNotice:
    """What a pasted notice says: its year, the dates it sets, and the lines that could not be read."""

    year: int
    title: str | None
    days: list[NoticeDay] = field(default_factory=list)
    unread: list[UnreadLine] = field(default_factory=list)


def _shown(day: date) -> LazyString:
    """A date for a message, formatted in the reader's language when the message is shown."""
    return LazyString(format_date, day, "long")


def _quoted(text: str) -> str:
    """Part of a line, quoted as the notice writes it (full-width brackets)."""
    return text.replace("(", "（").replace(")", "）")


class UnreadableLine(ValueError):
    """A line about days that does not read exactly as a notice's item; the message says why."""


def notice_title(text: str) -> tuple[str | None, int | None]:
    """The notice's title line and the year it names, if the pasted text contains the title."""
    for line in text.splitlines():
        found = TITLE.search(unicodedata.normalize("NFKC", line))
        if found:
            return line.strip(), int(found["year"])
    return None, None


def _is_about_days(line: str) -> bool:
    return bool(DATE.search(line)) and ("放假" in line or "上班" in line)


def _read_date(match: re.Match, year: int, month: int | None) -> date:
    """The date of one DATE match; the year and month default to the notice's year and the range's month."""
    if match["month"] is None and month is None:
        raise UnreadableLine(_l("A date without its month: %(text)s", text=_quoted(match[0])))
    try:
        day = date(int(match["year"] or year), int(match["month"] or month), int(match["day"]))
    except ValueError:
        raise UnreadableLine(_l("There is no such date: %(text)s", text=_quoted(match[0]))) from None
    weekday = WEEKDAY.search(match["aside"] or "")
    if weekday and WEEKDAYS[weekday["day"]] != day.weekday():
        raise UnreadableLine(_l("%(date)s is not the weekday given in brackets (%(text)s).",
                                date=_shown(day), text=_quoted(match[0])))
    return day


def _only_dates(text: str, separators: str) -> bool:
    """Whether ``text`` holds nothing but dates and the separators between them."""
    return not DATE.sub("", text).strip(separators + " ")


def _days_off(sentence: str, year: int) -> list[date]:
    """The days off of a sentence such as "1月28日（周二）至2月4日（周二）放假调休，共8天"."""
    before = sentence.split("放假", 1)[0]
    matches = list(DATE.finditer(before))
    between = DATE.sub("", before).strip()
    if not (len(matches) == 1 and not between) and not (len(matches) == 2 and between in RANGE_WORDS):
        raise UnreadableLine(_l("The days off must read as one date or as “from … to …”."))
    first = _read_date(matches[0], year, None)
    last = _read_date(matches[-1], first.year, first.month)
    if last < first or (last - first).days >= MAX_SPAN_DAYS:
        raise UnreadableLine(_l("The days off run from %(first)s to %(last)s, which cannot be right.",
                                first=_shown(first), last=_shown(last)))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    count = COUNT.search(sentence)
    if count and int(count["count"]) != len(days):
        raise UnreadableLine(_l("The dates give %(dates)d days but the text says %(count)s.",
                                dates=len(days), count=count["count"]))
    return days


def _working_days(sentence: str, year: int) -> list[date]:
    """The make-up working days of a sentence such as "1月26日（周日）、2月8日（周六）上班"."""
    before = sentence.split("上班", 1)[0]
    matches = list(DATE.finditer(before))
    if not matches or not _only_dates(before, "、,和及"):
        raise UnreadableLine(_l("The working days must read as dates separated by “、”."))
    days, month = [], None
    for match in matches:
        day = _read_date(match, year, month)
        days.append(day)
        month = day.month
    return days


def _holiday_names(names: str) -> list[str]:
    """The holidays an item names, as chinesecalendar names them (unknown names are kept as written)."""
    words = [word.strip() for word in NAME_SEPARATORS.split(names) if word.strip()]
    return [CHINESE_NAMES.get(word, word) for word in words]


def _name_for(day: date, names: list[str]) -> str:
    """Which of an item's holidays a date belongs to: its own festival day, else the longest holiday."""
    by_law = statutory_holidays(day.year)
    if by_law.get(day) in names:
        return by_law[day]
    return max(names, key=lambda name: sum(1 for value in by_law.values() if value == name))


def _read_item(line: str, year: int, number: int) -> list[NoticeDay]:
    """The days one numbered item sets; raises UnreadableLine."""
    item = ITEM.match(line)
    if not item:
        raise UnreadableLine(_l("The line does not start with a numbered holiday name, such as “一、元旦：”."))
    names = _holiday_names(item["names"])
    days: list[NoticeDay] = []
    for sentence in SENTENCE_END.split(item["rest"]):
        off, work = "放假" in sentence, "上班" in sentence
        if off and work:
            raise UnreadableLine(_l("Days off and working days must be in separate sentences."))
        if off:
            days += [NoticeDay(day, False, _name_for(day, names), number) for day in _days_off(sentence, year)]
        elif work:
            days += [NoticeDay(day, True, _name_for(day, names), number) for day in _working_days(sentence, year)]
        elif DATE.search(sentence):
            raise UnreadableLine(_l("A date that is neither a day off (放假) nor a working day (上班)."))
    return days


def _refuse_repeats(found: list[NoticeDay], earlier: dict[date, NoticeDay]) -> None:
    """A date may be set once: twice in one notice is a misreading (or a misprint) to show, not resolve."""
    seen = set(earlier)
    for entry in found:
        if entry.day in seen:
            raise UnreadableLine(_l("A date this notice already gave: %(day)s.", day=_shown(entry.day)))
        seen.add(entry.day)


def parse_notice(text: str, year: int) -> ParsedNotice:
    """Read the days a notice for ``year`` sets, line by line, and the lines that could not be read."""
    title, _ = notice_title(text)
    days: dict[date, NoticeDay] = {}
    unread: list[UnreadLine] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = unicodedata.normalize("NFKC", raw).strip()
        if not _is_about_days(line) or TITLE.search(line):
            continue
        try:
            found = _read_item(line, year, number)
            _refuse_repeats(found, days)
        except UnreadableLine as problem:
            unread.append(UnreadLine(number, raw.strip(), problem.args[0]))
            continue
        days.update((entry.day, entry) for entry in found)
    return ParsedNotice(year=year, title=title, days=sorted(days.values(), key=lambda entry: entry.day),
                        unread=unread)
