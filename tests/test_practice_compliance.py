"""The compliance self-check: each rule finds what it should and nothing else; the board links every row to
its items; the monthly summary is built from it (HTML and CSV); drafts carry a type that sets their window."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from tests.mailbox_support import answer, file_letter, login_as
from tests.tracking_support import file_submission, local

from consult.database import utcnow
from consult.domain import DomainError
from consult.drafts import services as drafts
from consult.drafts.models import Draft
from consult.drafts.windows import window_is_short
from consult.extensions import db
from consult.practice import compliance
from consult.practice.settings import save_settings
from consult.practice.summary import monthly_summary, parse_month
from consult.tracking.citizen import rate

pytestmark = pytest.mark.usefixtures("request_ctx")
TODAY = date(2026, 6, 15)


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "en"}


def _codes(finding) -> list:
    return [item.args for item in finding.items]


def _check(code, today=TODAY):
    return compliance.finding(code, today)


def test_months_before_keeps_the_day_or_the_end_of_a_shorter_month():
    assert compliance.months_before(date(2026, 6, 15), 3) == date(2026, 3, 15)
    assert compliance.months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)
    assert compliance.months_before(date(2026, 1, 10), 1) == date(2025, 12, 10)


def test_unanswered_submissions_by_age(world):
    old = file_submission(world, received_at=local(2026, 3, 1)).submission  # > 3 months
    middle = file_submission(world, received_at=local(2026, 5, 1)).submission  # > 1 month
    file_submission(world, received_at=local(2026, 6, 1))  # recent
    answered = file_submission(world, received_at=local(2026, 1, 5)).submission
    answered.status = "answered"
    db.session.commit()
    assert _codes(_check("unanswered_3_months")) == [{"submission_id": old.id}]
    assert _codes(_check("unanswered_1_month")) == [{"submission_id": old.id}, {"submission_id": middle.id}]


def test_mailboxes_without_an_answered_letter_in_a_year(world, boxes):
    letter = file_letter(boxes.county, received_at=utcnow() - timedelta(days=20))
    answer(letter, world)
    today = date.today() + timedelta(days=1)
    silent = {item.args["mailbox_id"] for item in compliance.finding("silent_mailboxes", today).items}
    assert boxes.county.id not in silent
    assert {boxes.policy.id, boxes.finance.id, boxes.private.id} <= silent
    boxes.private.active = False  # a closed mailbox is not expected to answer
    db.session.commit()
    assert boxes.private.id not in {i.args["mailbox_id"] for i in compliance.finding("silent_mailboxes", today).items}


def _draft(world, *, days, closes_ago=None, decision_type="other", market_related=False, reason="", status="open"):
    opens_at = utcnow() - timedelta(days=(closes_ago or 0) + days) if closes_ago is not None else utcnow()
    draft = Draft(title=f"草案{days}", department_id=world.dept.id, domain="government_affairs", opens_at=opens_at,
                  closes_at=opens_at + timedelta(days=days), short_window_reason=reason, decision_type=decision_type,
                  market_related=market_related, status=status)
    db.session.add(draft)
    db.session.commit()
    return draft


def test_closed_consultations_without_a_feedback_report_after_the_configured_days(world):
    late = _draft(world, days=30, closes_ago=40)
    recent = _draft(world, days=30, closes_ago=10)
    reported = _draft(world, days=30, closes_ago=60)
    reported.report_state = "approved"
    db.session.commit()
    today = date.today()
    assert [i.args["draft_id"] for i in compliance.finding("feedback_reports", today).items] == [late.id]
    save_settings(feedback_report_days=5)
    db.session.commit()
    found = [i.args["draft_id"] for i in compliance.finding("feedback_reports", today).items]
    assert found == [late.id, recent.id] and reported.id not in found


def test_windows_shorter_than_the_rule_for_the_type_without_a_reason(world):
    normative = _draft(world, days=12, decision_type="normative_document")  # ≥ 7 working days: fine
    market = _draft(world, days=12, decision_type="normative_document", market_related=True)  # needs 30 days
    major = _draft(world, days=20, decision_type="major_decision")
    explained = _draft(world, days=20, decision_type="regulation", reason="上级部署，时间紧急")
    found = [i.args["draft_id"] for i in _check("short_windows").items]
    assert found == [market.id, major.id] or sorted(found) == sorted([market.id, major.id])
    assert normative.id not in found and explained.id not in found


def test_seven_working_days_are_counted_on_the_calendar():
    opens = datetime(2025, 9, 29, 9, tzinfo=local(2025, 1, 1).tzinfo)  # Monday before National Day
    # 30 Sep, then 1–8 October off; 9, 10, 11 (make-up Saturday), 13, 14, 15 October: the 7th is the 15th.
    assert window_is_short(opens, datetime(2025, 10, 14, 18, tzinfo=opens.tzinfo), "normative_document")
    assert not window_is_short(opens, datetime(2025, 10, 15, 9, tzinfo=opens.tzinfo), "normative_document")
    assert window_is_short(opens, datetime(2025, 10, 15, 9, tzinfo=opens.tzinfo), "normative_document",
                           market_related=True)


def test_the_editor_is_held_to_the_rule_of_the_drafts_type(world):
    from tests.drafts_support import fields

    editor = world.admin
    with pytest.raises(DomainError) as error:
        drafts.create_draft(editor, body="第一条 内容。", **fields(world.dept.id, days=12, decision_type="major_decision"))
    assert error.value.field == "short_window_reason" and "at least 30 days" in str(error.value)
    draft = drafts.create_draft(editor, body="第一条 内容。",
                                **fields(world.dept.id, days=12, decision_type="normative_document"))
    assert draft.decision_type == "normative_document"
    with pytest.raises(DomainError) as error:
        drafts.create_draft(editor, body="第一条 内容。", **fields(world.dept.id, decision_type="ordinance"))
    assert error.value.field == "decision_type"


def test_the_annual_report_is_due_by_31_january(world):
    assert compliance.annual_report_due(date(2026, 1, 31)) is None
    assert compliance.annual_report_due(date(2026, 2, 1)) == 2025
    [item] = compliance.finding("annual_report", date(2026, 2, 1)).items
    assert item.args == {"year": 2025}
    compliance.record_annual_report(2025, date(2026, 1, 20), "https://www.example.gov.cn/2025.html", world.admin)
    assert compliance.finding("annual_report", date(2026, 2, 1)).count == 0
    with pytest.raises(DomainError):
        compliance.record_annual_report(2025, date(2020, 1, 1), "", world.admin)


def test_overdue_rectification_tasks_and_information_requests(world, boxes):
    from tests.disclosure_support import file_request

    letter = file_letter(boxes.county)
    answer(letter, world)
    rate(letter.submission, resolved=False, satisfaction="unsatisfied")
    db.session.commit()
    [task] = compliance.finding("rectifications_overdue", date(2030, 1, 1)).items
    assert task.endpoint == "practice.task_detail"
    assert compliance.finding("rectifications_overdue", date(2025, 11, 11)).count == 0
    request = file_request(world, received_at=local(2026, 1, 5)).request
    due = request.submission.due_on
    assert _codes(compliance.finding("disclosure_overdue", due + timedelta(days=1))) == [
        {"submission_id": request.submission.id}]
    assert compliance.finding("disclosure_overdue", due).count == 0


def test_the_board_and_its_rule_pages_are_for_admins(client, auth, world):
    file_submission(world, received_at=local(2025, 1, 5))
    login_as(auth, world.officer)
    assert client.get("/admin/compliance").status_code == 403
    assert client.get("/admin/compliance/summary").status_code == 403
    login_as(auth, world.admin)
    board = client.get("/admin/compliance").get_data(as_text=True)
    assert "Submissions unanswered for more than 3 months" in board
    assert 'href="/admin/compliance/rules/unanswered_3_months"' in board
    rule = client.get("/admin/compliance/rules/unanswered_3_months")
    assert rule.status_code == 200 and "路灯不亮" in rule.get_data(as_text=True)
    assert client.get("/admin/compliance/rules/nonsense").status_code == 404
    bad = client.post("/admin/compliance/annual-report", data={"year": "2025", "published_on": ""})
    assert bad.status_code == 422 and "Please give the date of publication." in bad.get_data(as_text=True)
    good = client.post("/admin/compliance/annual-report",
                       data={"year": "2025", "published_on": "2026-01-28", "url": "https://example.gov.cn/r"})
    assert good.status_code == 303


def test_the_monthly_summary_is_data_first_then_html_and_csv(client, auth, world):
    old = file_submission(world, received_at=local(2026, 1, 5)).submission
    summary = monthly_summary(2026, 5, today=TODAY)
    assert summary.as_of == date(2026, 5, 31) and summary.label == "2026-05"
    by_code = {f.code: f for f in summary.findings}
    assert by_code["unanswered_3_months"].count == 1 and by_code["unanswered_3_months"].items[0].args == {
        "submission_id": old.id}
    assert set(summary.figures) >= {"response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate"}
    assert parse_month("2099-01", TODAY) == (2026, 5) and parse_month("2026-02", TODAY) == (2026, 2)
    login_as(auth, world.admin)
    month = f"{date.today():%Y-%m}"
    page = client.get(f"/admin/compliance/summary?month={month}").get_data(as_text=True)
    assert "Monthly summary" in page and old.tracking_no in page and "Response rate = " in page
    response = client.get(f"/admin/compliance/summary.csv?month={month}")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    rule_rows = [r for r in rows if r["section"] == "rule"]
    assert len(rule_rows) == len(compliance.RULES)
    assert any(r["section"] == "item" and old.tracking_no in r["item"] for r in rows)
    assert any(r["section"] == "figure" and r["rule"] == "satisfaction_rate" for r in rows)


@pytest.mark.demo_data  # the database starts as a first seed-demo leaves it
def test_the_demo_data_shows_a_row_for_every_rule(app, backend):
    from consult import seed
    from consult.localtime import local_today

    today = local_today()
    counts = {f.code: f.count for f in compliance.check(today)}
    expected = set(counts) if today > date(today.year, 1, 31) else set(counts) - {"annual_report"}
    assert {code for code, count in counts.items() if count} >= expected, counts
    seed.seed_demo()  # a second run adds nothing
    db.session.commit()
    assert {f.code: f.count for f in compliance.check(today)} == counts


def test_the_editor_form_warns_about_a_saved_window_shorter_than_the_rule(client, auth, world):
    from consult.drafts import versions

    draft = _draft(world, days=10, decision_type="regulation", status="draft")
    versions.add_version(draft, "第一条 内容。", author=world.admin)
    db.session.commit()
    login_as(auth, world.admin)
    page = client.get(f"/office/drafts/{draft.id}/edit").get_data(as_text=True)
    assert "shorter than the rule for its type (at least 30 days)" in page
    assert "Type of decision" in page and "Closely tied to market actors" in page
