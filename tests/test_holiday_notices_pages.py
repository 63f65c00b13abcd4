"""The admin's calendar page: paste the State Council's notice, see the preview, apply it; due-date
explanations name estimated holidays in both languages."""

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult.accounts.models import Department
from consult.extensions import db
from consult.tracking import services
from consult.workdays import CalendarOverride, HolidayNotice
from tests.tracking_support import local
from tests.tracking_views_support import act, get

NOTICE_2027 = (Path(__file__).parent / "data" / "holiday_notice_2027_example.txt").read_text(encoding="utf-8")


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "en"}


def file_on(app, department, received_at) -> int:
    """File a letter received at ``received_at`` (local time); returns its id."""
    def create():
        return services.create_submission(
            kind="letter", department=db.session.get(Department, department.id), received_at=received_at,
            name="张三", email="zhang@example.org", subject="路灯不亮", body="小区东门的路灯坏了两周。",
        ).submission.id
    return act(app, create)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_paste_preview_then_apply(app, client, auth, office):
    letter = file_on(app, office.dept, local(2027, 2, 1))
    assert get(app, letter).due_on == date(2027, 2, 24)
    auth.login(office.admin)
    preview = client.post("/admin/calendar/notice", data={"text": NOTICE_2027, "action": "preview"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Preview: the holiday notice for 2027" in html and "The notice sets 33 dates" in html
    assert "Spring Festival" in html and "Saturday, February 20, 2027" in html
    assert "1 open submission's due date will move." in html
    assert "February 24, 2027" in html and "March 1, 2027" in html
    assert count(app, CalendarOverride) == 0 and get(app, letter).due_on == date(2027, 2, 24)

    digest = html.split('name="digest" type="hidden" value="')[1].split('"')[0]
    applied = client.post("/admin/calendar/notice", data={"text": NOTICE_2027, "digest": digest, "action": "apply"},
                          follow_redirects=True)
    html = applied.get_data(as_text=True)
    assert "The State Council&#39;s holiday notice for 2027 has been applied" in html
    assert "1 open submission" in html
    assert "2027: 国务院办公厅关于2027年部分节假日安排的通知" in html
    assert count(app, CalendarOverride) == 33 and count(app, HolidayNotice) == 1
    assert (get(app, letter).due_on, get(app, letter).estimated_due) == (date(2027, 3, 1), False)

    again = client.post("/admin/calendar/notice", data={"text": NOTICE_2027, "digest": digest, "action": "apply"},
                        follow_redirects=True).get_data(as_text=True)
    assert "0 open submissions" in again and count(app, CalendarOverride) == 33


def test_unread_lines_are_shown_and_there_is_no_apply_button(app, client, auth, office):
    auth.login(office.admin)
    broken = NOTICE_2027.replace("（周三）放假1天。\n六", "（周四）放假1天。\n六")
    html = client.post("/admin/calendar/notice", data={"text": broken}).get_data(as_text=True)
    assert "1 line could not be read" in html and "五、端午节：6月9日（周四）放假1天。" in html
    assert "is not the weekday given in brackets" in html
    assert 'value="apply"' not in html
    refused = client.post("/admin/calendar/notice", data={"text": broken, "action": "apply", "digest": "x"})
    assert refused.status_code == 422 and count(app, HolidayNotice) == 0


def test_bad_input_is_answered_on_the_form(app, client, auth, office):
    auth.login(office.admin)
    empty = client.post("/admin/calendar/notice", data={"text": "  "})
    assert empty.status_code == 422 and "Please paste the text of the notice." in empty.get_data(as_text=True)
    wrong_year = client.post("/admin/calendar/notice", data={"text": NOTICE_2027, "year": "2028"})
    assert wrong_year.status_code == 422 and "speaks of 2027" in wrong_year.get_data(as_text=True)
    changed = client.post("/admin/calendar/notice", data={"text": NOTICE_2027, "action": "apply", "digest": "0"})
    assert changed.status_code == 422 and "changed since the preview" in changed.get_data(as_text=True)
    assert count(app, HolidayNotice) == 0


@pytest.mark.parametrize("role", ["officer", "reviewer", "citizen"])
def test_only_admins_import_notices(client, auth, office, role):
    auth.login({"officer": office.officer, "reviewer": office.reviewer, "citizen": office.citizen}[role])
    assert client.post("/admin/calendar/notice", data={"text": NOTICE_2027}).status_code == 403


@pytest.mark.parametrize(("app_config", "expected"), [
    ({"CONSULT_DEFAULT_LOCALE": "en"}, ["New Year's Day", "estimated", "public holidays fixed by law"]),
    ({"CONSULT_DEFAULT_LOCALE": "zh_CN"}, ["元旦", "预估"]),
])
def test_the_explanation_names_the_estimated_holiday(app, client, auth, office, app_config, expected):
    letter = file_on(app, office.dept, local(2026, 12, 30))
    auth.login(office.admin)
    html = client.get(f"/office/submissions/{letter}").get_data(as_text=True)
    section = html.split('class="due-explanation"')[1].split("</section>")[0]
    assert all(text in section for text in expected), section
