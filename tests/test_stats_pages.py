"""The public statistics page (accessible SVG charts with a table beside each, CSV) and the officers'
dashboard (my overdue / due soon / awaiting review, scoped to the officer and the department)."""

import csv
import io
import re
from xml.etree import ElementTree

import pytest
from tests.mailbox_support import login_as
from tests.stats_support import answered, rated, received
from tests.tracking_support import local

from consult.extensions import db
from consult.localtime import local_today
from consult.tracking import replies

pytestmark = pytest.mark.usefixtures("request_ctx")


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "en"}


def _text(response, status: int = 200) -> str:
    assert response.status_code == status
    return response.get_data(as_text=True)


def _recent(world, monkeypatch):
    """Two letters this month: one answered and rated satisfied, one still open."""
    today = local_today()
    first = received(world, local(today.year, today.month, 1, 0))
    received(world, local(today.year, today.month, 1, 1))
    answered(monkeypatch, first, local(today.year, today.month, 1, 2), world)
    rated(first, "satisfied")
    return first


def test_the_statistics_page_shows_accessible_charts_each_with_a_table(client, world, monkeypatch):
    _recent(world, monkeypatch)
    page = _text(client.get("/stats"))
    svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert len(svgs) == 3  # volumes; response and on-time rates; resolution and satisfaction rates
    for svg in svgs:
        root = ElementTree.fromstring(svg)  # well-formed
        ns = "{http://www.w3.org/2000/svg}"
        assert root.get("role") == "img"
        title, desc = root.find(f"{ns}title"), root.find(f"{ns}desc")
        assert title is not None and desc is not None and title.text and desc.text
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert len(root.findall(f".//{ns}pattern")) == 3  # series told apart by pattern, not colour only
        assert root.findall(f".//{ns}text")  # values and months written out
        assert "style=" not in svg
    assert page.count('class="chart-with-table"') == 3
    assert "Submissions received and answered per month" in page
    assert page.count("<caption>") >= 4
    assert "100.0%" in page  # satisfaction of the one rated answer
    assert "Justice Bureau" in page


def test_the_statistics_page_has_an_empty_state_and_a_department_filter(client, world):
    page = _text(client.get("/stats"))
    assert "Nothing was received in this period yet." in page
    assert "<svg" not in page
    assert "Justice Bureau" in _text(client.get(f"/stats?department={world.dept.id}"))
    assert client.get("/stats?department=999999").status_code == 404


def test_csv_download_has_every_figure(client, world, monkeypatch):
    _recent(world, monkeypatch)
    response = client.get("/stats.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    total = next(row for row in rows if row["scope"] == "total")
    assert (total["received"], total["answered"], total["answer_rate"], total["satisfaction_rate"]) == (
        "2", "1", "0.5", "1.0")
    assert total["median_workdays_to_answer"] == "0.0"
    assert {row["scope"] for row in rows} == {"total", "kind", "department", "department_kind", "month", "year",
                                              "formula"}
    assert len([row for row in rows if row["scope"] == "month"]) == 12
    dept = next(row for row in rows if row["scope"] == "department" and row["department_code"] == "SFJ")
    assert dept["department"] == "Justice Bureau"
    assert client.get(f"/stats.csv?department={world.dept.id}").status_code == 200




def test_the_dashboard_lists_my_overdue_and_links_to_the_submission(client, auth, world):
    overdue = received(world, local(2024, 1, 8), subject="逾期的信")
    other = received(world, local(2024, 1, 8), subject="别的部门的信", department=world.other_dept)
    login_as(auth, world.officer)
    page = _text(client.get("/office/dashboard"))
    assert re.search(r'id="count-overdue">1<', page)
    assert f"/office/submissions/{overdue.id}" in page
    assert other.tracking_no not in page
    assert re.search(r'id="department-overdue">1<', page)
    assert "Dashboard" in page  # in the navigation for staff


def test_a_colleague_does_not_see_my_submissions_as_his(client, auth, world):
    received(world, local(2024, 1, 8))
    login_as(auth, world.colleague)
    page = _text(client.get("/office/dashboard"))
    assert re.search(r'id="count-overdue">0<', page)
    assert "Nothing assigned to you is overdue." in page
    assert re.search(r'id="department-overdue">1<', page)  # but it is the department's


def test_replies_awaiting_review_for_the_author_and_the_reviewer(client, auth, world, monkeypatch):
    submission = received(world, local(2025, 11, 3))
    reply = replies.create_reply(world.officer, [submission], "已处理。")
    replies.submit_reply(reply, actor=world.officer)
    db.session.commit()
    for user, count in ((world.officer, 1), (world.reviewer, 1), (world.colleague, 0), (world.other_reviewer, 0)):
        login_as(auth, user)
        page = _text(client.get("/office/dashboard"))
        assert re.search(rf'id="count-review">{count}<', page), user
        assert (f"/office/replies/{reply.id}" in page) == bool(count)


def test_the_dashboard_is_for_staff_only(client, auth, world):
    assert client.get("/office/dashboard").status_code == 302
    login_as(auth, world.citizen)
    assert client.get("/office/dashboard").status_code == 403


def test_an_admin_picks_the_department(client, auth, world):
    received(world, local(2024, 1, 8), department=world.other_dept)
    login_as(auth, world.admin)
    page = _text(client.get(f"/office/dashboard?department={world.other_dept.id}"))
    assert "Finance Bureau" in page
    assert re.search(r'id="department-overdue">1<', page)
