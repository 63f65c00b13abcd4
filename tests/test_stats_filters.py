"""Figures pages show what has figures: departments with nothing to count are folded away (one link shows
them), and year filters offer the years that have data."""

import re

import pytest
from tests.disclosure_support import file_request
from tests.mailbox_support import answer, file_letter, login_as
from tests.stats_support import received
from tests.tracking_support import local

from consult.disclosure.figures import report_years
from consult.localtime import local_today

pytestmark = pytest.mark.usefixtures("request_ctx")


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "en", "CONSULT_STATS_CACHE_SECONDS": 0}


def department_table(html: str) -> str:
    return html[html.index('id="departments-heading"'):html.index('id="definitions-heading"')]


def options(html: str, select_id: str) -> list[str]:
    select = re.search(rf'<select id="{select_id}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


def test_departments_with_nothing_to_count_are_folded_away(client, world):
    today = local_today()
    received(world, local(today.year, today.month, 1))
    html = client.get("/stats").get_data(as_text=True)
    table = department_table(html)
    assert "Justice Bureau" in table and "Finance Bureau" not in table
    assert "1 department received nothing in this period and has nothing overdue" in table
    assert set(options(html, "stats-department")) == {"", str(world.dept.id), str(world.other_dept.id)}  # kept

    everything = department_table(client.get("/stats?all=1").get_data(as_text=True))
    assert "Justice Bureau" in everything and "Finance Bureau" in everything
    assert "Show only departments with figures" in everything
    # A department chosen on purpose is shown even with nothing in it.
    assert "Finance Bureau" in department_table(client.get(f"/stats?department={world.other_dept.id}")
                                                .get_data(as_text=True))


def test_an_overdue_submission_keeps_its_department_listed(client, world):
    received(world, local(2020, 3, 2), department=world.other_dept)  # long before the period, still open
    table = department_table(client.get("/stats").get_data(as_text=True))
    assert "Finance Bureau" in table and "Justice Bureau" not in table


def published_letter(boxes, world, year: int, mailbox=None):
    letter = file_letter(mailbox or boxes.county, received_at=local(year, 6, 1), public=True, category="suggestion")
    answer(letter, world)
    return letter


def test_the_letters_year_filter_offers_the_years_with_published_letters(client, world, boxes):
    published_letter(boxes, world, 2023)
    published_letter(boxes, world, 2025)
    published_letter(boxes, world, 2021, mailbox=boxes.finance)
    file_letter(boxes.county, received_at=local(2019, 6, 1), public=True)  # not answered: not published
    file_letter(boxes.county, received_at=local(2018, 6, 1), public=False)  # private
    html = client.get("/mailboxes/letters").get_data(as_text=True)
    assert options(html, "year") == ["", "2025", "2023", "2021"]
    one_box = client.get(f"/mailboxes/{boxes.county.id}").get_data(as_text=True)
    assert options(one_box, "year") == ["", "2025", "2023"]


def test_a_new_years_eve_letter_counts_in_its_local_year(client, world, boxes):
    published_letter(boxes, world, 2024)
    letter = file_letter(boxes.county, received_at=local(2022, 12, 31, 23), public=True)  # 15:00 UTC
    answer(letter, world)
    assert options(client.get("/mailboxes/letters").get_data(as_text=True), "year") == ["", "2024", "2022"]


def test_the_annual_report_offers_the_years_since_the_first_data(client, auth, world):
    today = local_today()
    assert report_years(None, today) == [today.year]  # nothing yet: this year only
    file_request(world, received_at=local(today.year - 2, 5, 6))
    assert report_years(None, today) == [today.year, today.year - 1, today.year - 2]
    assert report_years(world.other_dept.id, today) == [today.year]  # another department has nothing
    login_as(auth, world.admin)
    html = client.get(f"/office/disclosure/report?year={today.year}").get_data(as_text=True)
    assert options(html, "year") == [str(y) for y in (today.year, today.year - 1, today.year - 2)]
