"""The countdown of an open consultation never reads "0 days 0 hours": on the last day it counts minutes."""

from datetime import UTC, datetime, timedelta

import pytest
from tests.drafts_support import make_draft

from consult.localtime import time_left

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(("left", "expected"), [
    (timedelta(days=2, hours=3, minutes=20), (2, 3, 0)),
    (timedelta(hours=5, minutes=3, seconds=30), (0, 5, 3)),
    (timedelta(minutes=25), (0, 0, 25)),
    (timedelta(seconds=40), (0, 0, 0)),
    (timedelta(0), None),
    (-timedelta(minutes=1), None),
])
def test_time_left_counts_minutes_on_the_last_day(left, expected):
    assert time_left(NOW + left, now=NOW) == expected


@pytest.mark.usefixtures("request_ctx")
@pytest.mark.parametrize(("closes_in", "shown"), [
    (timedelta(minutes=25, seconds=30), "25 minutes left"),
    (timedelta(hours=3, minutes=10, seconds=30), "3 hours 10 minutes left"),
    (timedelta(days=3, hours=2, minutes=30), "3 days 2 hours left"),
])
def test_the_draft_page_shows_minutes_at_the_end(world, client, closes_in, shown):
    draft_id = make_draft(world, days=30, starts_in=closes_in - timedelta(days=30))
    for url in (f"/drafts/{draft_id}", "/drafts"):
        html = client.get(url).get_data(as_text=True)
        assert f'<strong class="countdown">{shown}</strong>' in html
        assert "0 days" not in html
