"""A new draft starts from sensible proposals: the editor's own department leads, the consultation closes
on a working day, and a lead department where nobody can approve is pointed out."""

import re
from datetime import UTC, date, datetime

import pytest
from tests.drafts_support import BODY, fields

from consult import workdays
from consult.accounts.models import EDITOR, Department, User
from consult.drafts import services
from consult.drafts.models import Draft
from consult.extensions import db
from consult.localtime import zone
from consult.workdays import CalendarOverride

pytestmark = pytest.mark.usefixtures("request_ctx")


def local(moment: datetime) -> datetime:
    return moment.astimezone(zone())


@pytest.mark.parametrize(("now", "closing_day"), [
    (datetime(2026, 9, 2, 2, tzinfo=UTC), date(2026, 10, 8)),  # 30 days → Sat 3 Oct, in the National Day holiday
    (datetime(2026, 9, 9, 2, tzinfo=UTC), date(2026, 10, 10)),  # → Sat 10 Oct, a make-up working day (调休): kept
    (datetime(2026, 9, 7, 2, tzinfo=UTC), date(2026, 10, 8)),  # → Thu 8 Oct, a working day: kept
])
def test_the_proposed_window_closes_on_a_working_day(app, now, closing_day):
    opens_at, closes_at = services.proposed_window(now)
    assert local(opens_at) == datetime(now.year, now.month, now.day + 1, 10, tzinfo=zone())
    assert local(closes_at).date() == closing_day and local(closes_at).hour == 10
    assert workdays.is_workday(local(closes_at).date())
    assert closes_at - opens_at >= services.MIN_WINDOW  # moving it on never shortens the window


def test_a_holiday_set_by_the_administrator_is_skipped_too(app):
    db.session.add(CalendarOverride(day=date(2026, 10, 8), is_workday=False, note="县庆"))
    db.session.flush()
    _opens_at, closes_at = services.proposed_window(datetime(2026, 9, 7, 2, tzinfo=UTC))
    assert local(closes_at).date() == date(2026, 10, 9)


def make_editor(world, department_id: int | None) -> User:
    editor = User(email="own.editor@example.org", display_name="本部门编辑", role=EDITOR, department_id=department_id)
    editor.set_password("correct horse 42")
    db.session.add(editor)
    db.session.commit()
    return editor


def test_the_new_draft_form_proposes_the_editors_department_and_a_working_closing_day(world, client, auth):
    editor = make_editor(world, world.dept.id)
    auth.login(editor)
    html = client.get("/office/drafts/new").get_data(as_text=True)
    chosen = re.search(r'<option[^>]*value="(\d+)"[^>]*selected|<option[^>]*selected[^>]*value="(\d+)"', html)
    assert int(next(g for g in chosen.groups() if g)) == world.dept.id
    closes = re.search(r'<input[^>]*name="closes_at"[^>]*>', html).group(0)
    closing_day = date.fromisoformat(re.search(r'value="(\d{4}-\d\d-\d\d)T', closes).group(1))
    assert workdays.is_workday(closing_day)


def test_an_editor_without_a_department_chooses_one(world, client, auth):
    auth.login(world.editor)  # no department of their own
    html = client.get("/office/drafts/new").get_data(as_text=True)
    select = re.search(r'name="department_id".*?</select>', html, re.S).group(0)
    assert re.search(r"<option[^>]*selected", select) is None


def test_a_lead_department_without_reviewers_is_pointed_out(world, client, auth):
    lonely = Department(code="TJJ", name="县统计局", name_en="Statistics Bureau")
    db.session.add(lonely)
    db.session.commit()
    auth.login(world.editor)
    html = client.get("/office/drafts/new").get_data(as_text=True)
    assert "Statistics Bureau (no reviewer)" in html and "Justice Bureau (no reviewer)" not in html

    values = {**fields(lonely.id), "body": BODY}
    values["opens_at"] = values["opens_at"].astimezone(zone()).strftime("%Y-%m-%dT%H:%M")
    values["closes_at"] = values["closes_at"].astimezone(zone()).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/office/drafts/new", data=values, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("No reviewer works in Statistics Bureau") == 2  # said once on saving, and on the page
    draft = db.session.scalar(db.select(Draft).where(Draft.department_id == lonely.id))
    assert draft is not None  # a warning, not a refusal: an administrator can still approve

    values["department_id"] = world.dept.id
    response = client.post(f"/office/drafts/{draft.id}/edit", data=values, follow_redirects=True)
    assert "No reviewer works in" not in response.get_data(as_text=True)
