"""Dates and times read the same way on every page and in every mail: Babel's long date in the reader's
language, times without seconds, in the configured zone; machines get ISO 8601."""

import os
import re
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from flask import render_template
from flask_babel import force_locale

from consult import PROJECT_ROOT
from consult.formats import format_day, format_moment, format_month, format_period, group_code, nest_quotes
from tests.tracking_views_support import file

MOMENT = datetime(2026, 11, 29, 6, 26, 5, tzinfo=UTC)  # 14:26:05 in Shanghai


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "zh_CN"}


@pytest.mark.parametrize(("locale", "day", "moment"), [
    ("zh_CN", "2026年11月29日", "2026年11月29日 14:26"),
    ("en", "November 29, 2026", "November 29, 2026, 2:26\u202fPM"),  # Babel puts a narrow space before PM
])
def test_one_family_of_formats_without_seconds(app_ctx, locale, day, moment):
    with force_locale(locale):
        assert format_day(MOMENT.date()) == format_day(MOMENT) == format_day("2026-11-29") == day
        assert format_moment(MOMENT) == moment
        assert format_moment(datetime(2026, 11, 29, 6, 26, 5)) == moment  # SQLite gives naive UTC
        assert format_day(None) == format_moment(None) == ""


def test_months_and_periods_use_babel_patterns(app_ctx):
    with force_locale("zh_CN"):
        assert format_month("2026-01") == "2026年1月"
        assert format_month(date(2026, 1, 1), two_lines=True) == "2026年\n1月"
        start, end = datetime(2026, 12, 12, 1, 30, tzinfo=UTC), datetime(2026, 12, 12, 3, 30, tzinfo=UTC)
        assert format_period(start, end) == "2026年12月12日 09:30–11:30"
        assert format_period(start, datetime(2026, 12, 13, 1, 0, tzinfo=UTC)) == \
            "2026年12月12日 09:30 – 2026年12月13日 09:00"
    with force_locale("en"):
        assert format_month("2026-01") == "January 2026"
        assert format_month("2026-01", two_lines=True) == "Jan\n2026"


def test_codes_and_nested_quotes_read_the_same_everywhere():
    assert group_code("hkrsukjn") == group_code("HKRS-UKJN") == "HKRS-UKJN"
    assert nest_quotes("报名参加“县财政局开放日——“阳光财政”面对面”") == "报名参加“县财政局开放日——‘阳光财政’面对面”"
    assert nest_quotes("“甲”和“乙”") == "“甲”和“乙”"


def test_an_open_day_mail_gives_time_and_place_in_chinese_style(app, app_ctx):
    event = SimpleNamespace(title="县财政局政务开放日", venue="县财政局三楼会议室", address="建设路12号",
                            starts_at=datetime(2026, 12, 12, 1, 30, tzinfo=UTC),
                            ends_at=datetime(2026, 12, 12, 3, 30, tzinfo=UTC))
    with force_locale("zh_CN"):
        text = render_template("email/_registration_facts.txt", event=event)
    assert "时间：2026年12月12日 09:30–11:30" in text
    assert "地点：县财政局三楼会议室（建设路12号）" in text
    with force_locale("en"):
        text = render_template("email/_registration_facts.txt", event=event)
    assert "When: December 12, 2026, 9:30\u202fAM–11:30\u202fAM" in text
    assert "Where: 县财政局三楼会议室, 建设路12号" in text


def test_the_statistics_chart_labels_months_with_babel(app, client, office):
    file(app, office.dept)
    html = client.get("/stats").get_data(as_text=True)
    assert re.search(r"<tspan[^>]*>\d{4}年</tspan><tspan[^>]*>\d{1,2}月</tspan>", html)
    assert not re.search(r">\d{1,2}月</tspan><tspan[^>]*>\d{4}<", html)  # not "1月 2026"


# Templates format dates only through the house filters (``date``, ``datetime``, ``time``, ``month``,
# ``period``); ISO text is for machines, inside an attribute such as <time datetime="…">.
OTHER_FORMATS = re.compile(r"\|\s*(dateformat|datetimeformat|timeformat)\b|strftime\(")


def test_templates_format_dates_only_with_the_house_filters():
    found = []
    for folder, _dirs, names in os.walk(os.path.join(PROJECT_ROOT, "templates")):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as fh:
                for number, line in enumerate(fh, start=1):
                    for iso in re.finditer(r"\{\{[^}]*isoformat\(\)[^}]*\}\}", line):
                        before = line[: iso.start()]
                        if not re.search(r'(datetime|value|content)="$', before):  # machine-readable
                            found.append(f"{path}:{number}: ISO date shown to people")
                    if OTHER_FORMATS.search(line):
                        found.append(f"{path}:{number}: {OTHER_FORMATS.search(line).group(0)}")
    assert found == []
