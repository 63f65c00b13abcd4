"""The pages of 好差评 rectification and appeals: officers' task list and follow-up, appeals, the admin's
decisions and settings, and the rectification result shown with a published letter."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from tests.mailbox_support import answer, file_letter, login_as

from consult.database import utcnow
from consult.extensions import db
from consult.practice import rectification
from consult.practice.models import PracticeSettings, RatingAppeal, RectificationTask
from consult.tracking.citizen import rate
from consult.localtime import zone

pytestmark = pytest.mark.usefixtures("request_ctx")


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "en"}


def _text(response, status=200) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def _poorly_rated(boxes, world, subject="路灯不亮", public=True):
    letter = file_letter(boxes.county, public=public, subject=subject, received_at=utcnow() - timedelta(days=3))
    answer(letter, world)
    rate(letter.submission, resolved=False, satisfaction="very_unsatisfied", comment="还是不亮")
    answer(letter, world)
    rate(letter.submission, resolved=False, satisfaction="unsatisfied")
    db.session.commit()
    task = db.session.scalar(sa.select(RectificationTask).where(RectificationTask.submission_id == letter.submission_id))
    return letter, task


@pytest.mark.parametrize("path", ["/office/rectifications", "/office/appeals", "/admin/appeals", "/admin/practice"])
def test_citizens_may_not_open_the_pages(client, auth, world, path):
    login_as(auth, world.citizen)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/admin/appeals", "/admin/practice"])
def test_officers_may_not_open_the_admin_pages(client, auth, world, path):
    login_as(auth, world.officer)
    assert client.get(path).status_code == 403


def test_the_officer_records_the_follow_up_and_completes_the_task(client, auth, boxes, world):
    letter, task = _poorly_rated(boxes, world)
    login_as(auth, world.officer)
    listing = _text(client.get("/office/rectifications"))
    assert letter.submission.tracking_no in listing and "Very dissatisfied" not in listing  # the latest: unsatisfied
    page = _text(client.get(f"/office/rectifications/{task.id}"))
    assert "还是不亮" in page and "Record the follow-up first" in page
    refused = client.post(f"/office/rectifications/{task.id}/complete", data={"result": "已修复"})
    assert refused.status_code == 409 and "follow-up record" in refused.get_data(as_text=True)
    when = (utcnow() - timedelta(hours=2)).astimezone(zone()).strftime("%Y-%m-%dT%H:%M")
    incomplete = client.post(f"/office/rectifications/{task.id}/follow-up",
                             data={"contacted_by": "钱经办", "contacted_at": when, "outcome": ""})
    assert incomplete.status_code == 422 and "Please choose how the citizen was contacted." in incomplete.get_data(
        as_text=True)
    done = client.post(f"/office/rectifications/{task.id}/follow-up", data={
        "contacted_by": "钱经办", "contacted_at": when, "method": "phone", "outcome": "市民确认已修复"})
    assert done.status_code == 303
    assert client.post(f"/office/rectifications/{task.id}/complete", data={"result": "更换了路灯"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(RectificationTask, task.id).status == "done"
    published = _text(client.get(f"/mailboxes/letters/{letter.id}"))
    assert "Rectification after a poor rating" in published and "更换了路灯" in published
    assert "Answering department" in published and "Date accepted" in published


def test_another_departments_officer_gets_404_for_the_task(client, auth, boxes, world):
    _letter, task = _poorly_rated(boxes, world)
    login_as(auth, world.other_officer)
    assert client.get(f"/office/rectifications/{task.id}").status_code == 404
    assert client.post(f"/office/rectifications/{task.id}/complete", data={"result": "x"}).status_code == 404
    assert task.submission.tracking_no not in _text(client.get("/office/rectifications"))


def test_the_department_appeals_and_an_admin_upholds(client, auth, boxes, world):
    letter, task = _poorly_rated(boxes, world)
    login_as(auth, world.officer)
    form = _text(client.get(f"/office/submissions/{letter.submission_id}/appeal"))
    assert "Malicious" in form
    empty = client.post(f"/office/submissions/{letter.submission_id}/appeal", data={"ground": "malicious"})
    assert empty.status_code == 422 and "Please give the reason for the appeal." in empty.get_data(as_text=True)
    sent = client.post(f"/office/submissions/{letter.submission_id}/appeal",
                       data={"ground": "malicious", "reason": "评价内容与答复无关"})
    assert sent.status_code == 303
    again = client.post(f"/office/submissions/{letter.submission_id}/appeal",
                        data={"ground": "mistaken", "reason": "再来一次"})
    assert again.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RatingAppeal)) == 1
    assert "评价内容与答复无关" in _text(client.get("/office/appeals"))
    appeal = db.session.scalar(sa.select(RatingAppeal))
    assert client.post(f"/admin/appeals/{appeal.id}/decide", data={"decision": "uphold"}).status_code == 403
    login_as(auth, world.admin)
    assert "评价内容与答复无关" in _text(client.get("/admin/appeals"))
    assert client.post(f"/admin/appeals/{appeal.id}/decide", data={"decision": "reject"}).status_code == 422
    assert client.post(f"/admin/appeals/{appeal.id}/decide", data={"decision": "uphold"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(RatingAppeal, appeal.id).status == "upheld"
    assert db.session.get(RectificationTask, task.id).status == "withdrawn"
    stats = _text(client.get("/stats"))
    assert "Ratings taken out by upheld appeals: 1" in stats


def test_the_admin_changes_the_settings_with_clear_errors(client, auth, world):
    login_as(auth, world.admin)
    bad = client.post("/admin/practice", data={"rectification_workdays": "0", "response_hours": "24",
                                               "feedback_report_days": "30"})
    assert bad.status_code == 422 and "Please enter a whole number from 1 to 120." in bad.get_data(as_text=True)
    good = client.post("/admin/practice", data={"rectification_workdays": "10", "response_hours": "8",
                                                "feedback_report_days": "20"})
    assert good.status_code == 303
    saved = db.session.get(PracticeSettings, 1)
    assert (saved.rectification_workdays, saved.response_hours, saved.feedback_report_days) == (10, 8, 20)


def test_the_rating_form_asks_whether_the_problem_was_solved_on_five_levels(client, boxes, world):
    from consult.tracking.citizen import rating_token

    letter = file_letter(boxes.county, public=True)
    answer(letter, world)
    db.session.commit()
    page = _text(client.get(f"/track/rate/{rating_token(letter.submission)}"))
    assert "Was your problem solved?" in page
    for label in ("Very satisfied", "Satisfied", "Basically satisfied", "Not satisfied", "Very dissatisfied"):
        assert f"> {label}</label>" in page or f">{label}</label>" in page
    token = rating_token(letter.submission)
    assert client.post(f"/track/rate/{token}", data={"resolved": "no", "satisfaction": "very_unsatisfied"}
                       ).status_code in (200, 303)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RectificationTask)) == 1
    assert rectification  # the module the pages use


def test_the_statistics_print_each_formula_beside_its_figure(client, auth, boxes, world):
    _poorly_rated(boxes, world)
    page = _text(client.get("/stats"))
    for label in ("Response rate", "Resolution rate", "Satisfaction rate", "On-time rate"):
        assert f"<dt>{label}</dt>" in page
    assert "within 24 hours of working days" in page
    assert "(very satisfied + satisfied + basically satisfied) ÷ rated submissions" in page
    assert 'id="chart-handling"' in page and 'id="chart-ratings"' in page
    csv_text = _text(client.get("/stats.csv"))
    assert "formula" in csv_text and "Resolution rate = " in csv_text
    api = client.get("/api/v1/stats").get_json()
    assert api["formulas"]["satisfaction_rate"].startswith("Satisfaction rate = ")
    assert api["totals"]["rated"] == 1 and api["totals"]["rectifications"] == 1
    login_as(auth, world.officer)
    dashboard = _text(client.get("/office/dashboard"))
    assert "My department's three rates" in dashboard and "Resolution rate = " in dashboard
    assert 'id="chart-ratings"' in dashboard
    assert 'id="department-rectifications">1' in dashboard and "Open rectification tasks" in dashboard


@pytest.mark.parametrize("app_config", [{"CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_a_published_letter_shows_the_dates_the_department_and_the_answer_in_chinese(client, boxes, world,
                                                                                     app_config):
    from consult.localtime import local_date

    letter = file_letter(boxes.county, public=True, subject="路灯不亮", received_at=utcnow() - timedelta(days=3))
    answer(letter, world, body="您好，路灯已于本周更换。")
    db.session.commit()
    received, answered = local_date(letter.submission.received_at), local_date(letter.submission.answered_at)
    for page in (f"/mailboxes/letters/{letter.id}", "/mailboxes/letters"):
        html = _text(client.get(page))
        facts = html.split('class="facts letter-dates"')[1].split("</dl>")[0]
        for label, value in (("受理日期", f"{received.year}年{received.month}月{received.day}日"),
                             ("答复日期", f"{answered.year}年{answered.month}月{answered.day}日"),
                             ("答复部门", world.dept.name)):
            assert f"<dt>{label}</dt><dd>{value}" in facts, (page, label, facts)
    detail = _text(client.get(f"/mailboxes/letters/{letter.id}"))
    assert "答复内容" in detail and "路灯已于本周更换" in detail
