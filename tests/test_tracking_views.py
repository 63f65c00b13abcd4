"""The officers' pages: inbox, submission page and its actions, replies with review, the calendar."""

from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from consult.accounts.models import Department
from consult.extensions import db
from consult.tracking import services
from consult.tracking.models import ANSWERED, ASSIGNED, NEEDS_INFO, PENDING_REVIEW, RECEIVED, Reply
from tests.tracking_views_support import act, answer, assign, file, get, staff, submission


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "en"}


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


# --- inbox -----------------------------------------------------------------------------------------


def test_inbox_lists_own_department_by_due_date_with_text_badges(app, client, auth, office):
    overdue = file(app, office.dept, days_ago=30, subject="Old broken lamp")
    very_overdue = file(app, office.dept, days_ago=120, subject="Ancient pothole")
    soon = file(app, office.dept, days_ago=0, window_workdays=2, subject="Quick question")
    fresh = file(app, office.dept, subject="New letter")
    foreign = file(app, office.other_dept, subject="Finance matter")
    assign(app, overdue, office.officer)
    auth.login(office.officer)

    html = page(client, "/office/inbox")

    order = [html.index(f.tracking_no) for f in (very_overdue, overdue, soon, fresh)]
    assert order == sorted(order)  # earliest due date first
    assert foreign.tracking_no not in html
    assert "Very overdue" in html and "Overdue" in html and "Due soon" in html
    assert office.officer.display_name in html  # the assignee column
    assert 'name="submission" value="%d"' % fresh.id in html  # select for a bulk reply


@pytest.mark.parametrize("role", ["reviewer", "admin"])
def test_reviewers_and_admins_work_the_inbox_too(app, client, auth, office, role):
    filed = file(app, office.dept)
    auth.login(office.reviewer if role == "reviewer" else office.admin)
    html = page(client, f"/office/inbox?department={office.dept.id}")
    assert filed.tracking_no in html


def test_admin_picks_any_department(app, client, auth, office):
    own, foreign = file(app, office.dept), file(app, office.other_dept)
    auth.login(office.admin)
    html = page(client, f"/office/inbox?department={office.other_dept.id}")
    assert foreign.tracking_no in html and own.tracking_no not in html
    assert 'name="department"' in html


def test_officers_cannot_pick_another_department(app, client, auth, office):
    foreign = file(app, office.other_dept)
    auth.login(office.officer)
    assert foreign.tracking_no not in page(client, f"/office/inbox?department={office.other_dept.id}")


def test_editors_have_no_inbox(client, auth, office):
    auth.login(office.editor)
    assert client.get("/office/inbox").status_code == 403


def test_inbox_filters(app, client, auth, office):
    mine = file(app, office.dept, subject="Mine")
    theirs = file(app, office.dept, subject="Colleague's")
    nobody = file(app, office.dept, subject="100% unassigned", body="路灯")
    overdue = file(app, office.dept, days_ago=30, subject="Late one")
    assign(app, mine, office.officer)
    assign(app, theirs, office.colleague)
    assign(app, overdue, office.colleague)
    auth.login(office.officer)

    html = page(client, "/office/inbox?assignee=me")
    assert mine.tracking_no in html and theirs.tracking_no not in html
    html = page(client, "/office/inbox?assignee=unassigned")
    assert nobody.tracking_no in html and mine.tracking_no not in html
    html = page(client, "/office/inbox?due=overdue")
    assert overdue.tracking_no in html and mine.tracking_no not in html
    html = page(client, "/office/inbox?q=100%25")  # a literal percent sign, not a wildcard
    assert nobody.tracking_no in html and mine.tracking_no not in html
    html = page(client, "/office/inbox?q=%25")  # punctuation alone has no word to search for: nothing matches
    assert nobody.tracking_no not in html and "No submissions match these filters." in html
    html = page(client, f"/office/inbox?q={mine.tracking_no}")
    assert mine.tracking_no in html and theirs.tracking_no not in html
    html = page(client, "/office/inbox?kind=disclosure")
    assert "No submissions match these filters." in html
    html = page(client, "/office/inbox?status=assigned")
    assert mine.tracking_no in html and nobody.tracking_no not in html


def test_inbox_pages_with_a_cursor(app, client, auth, office):
    filed = [file(app, office.dept, subject=f"Letter {i}") for i in range(53)]
    auth.login(office.officer)
    first = page(client, "/office/inbox?assignee=anyone")
    assert 'rel="next"' in first
    next_url = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = page(client, next_url)
    seen = [f.tracking_no for f in filed if f.tracking_no in first or f.tracking_no in second]
    assert len(seen) == 53
    assert sum(f.tracking_no in first and f.tracking_no in second for f in filed) == 0
    assert client.get("/office/inbox?cursor=garbage").status_code == 400


def test_inbox_issues_a_constant_number_of_queries(app, client, auth, office, sql):
    """No N+1: the page costs the same number of queries for 5 rows as for 25."""
    auth.login(office.officer)

    def queries_for_page() -> int:
        with sql() as statements:
            assert client.get("/office/inbox").status_code == 200
        return len(statements)

    for i in range(5):
        assign(app, file(app, office.dept, subject=f"Five {i}"), office.officer if i % 2 else office.colleague)
    five = queries_for_page()
    for i in range(20):
        assign(app, file(app, office.dept, subject=f"More {i}"), office.officer if i % 2 else office.colleague)
    twenty_five = queries_for_page()
    assert 0 < five == twenty_five


# --- the submission page -----------------------------------------------------------------------


def transfer(app, filed, officer, department, reason="Belongs to finance (secret internal reason)"):
    act(app, lambda: services.transfer_submission(
        submission(filed.id), db.session.get(Department, department.id), actor=staff(officer), reason=reason))


def test_submission_page_shows_contact_due_date_explanation_and_full_timeline(app, client, auth, office):
    filed = file(app, office.dept)
    transfer(app, filed, office.officer, office.other_dept)
    auth.login(office.other_officer)
    html = page(client, f"/office/submissions/{filed.id}")
    assert "zhang@example.org" in html and "13800000000" in html and "张三" in html
    assert "How the due date was computed" in html
    assert "Belongs to finance (secret internal reason)" in html  # internal notes are shown to staff
    assert "Internal note (staff only)" in html
    assert office.officer.display_name in html  # who did it


def test_assign_to_me_then_to_a_colleague(app, client, auth, office):
    filed = file(app, office.dept)
    auth.login(office.officer)
    html = page(client, f"/office/submissions/{filed.id}")
    assert "Assign to me" in html and office.colleague.display_name in html
    response = client.post(f"/office/submissions/{filed.id}/assign", data={"assignee_id": office.officer.id})
    assert response.status_code == 303
    assert get(app, filed.id).status == ASSIGNED and get(app, filed.id).assignee_id == office.officer.id
    client.post(f"/office/submissions/{filed.id}/assign", data={"assignee_id": office.colleague.id})
    assert get(app, filed.id).assignee_id == office.colleague.id


def test_cannot_assign_someone_outside_the_department(app, client, auth, office):
    filed = file(app, office.dept)
    auth.login(office.officer)
    response = client.post(f"/office/submissions/{filed.id}/assign", data={"assignee_id": office.other_officer.id})
    assert response.status_code == 422
    assert get(app, filed.id).status == RECEIVED


def test_transfer_needs_a_reason_and_keeps_the_due_date(app, client, auth, office):
    filed = file(app, office.dept)
    due = get(app, filed.id).due_on
    auth.login(office.officer)
    html = page(client, f"/office/submissions/{filed.id}")
    assert "a transfer does not restart the clock" in html

    response = client.post(f"/office/submissions/{filed.id}/transfer",
                           data={"department_id": office.other_dept.id, "reason": "  "})
    assert response.status_code == 422
    assert "Please give the reason for the transfer." in response.get_data(as_text=True)
    assert get(app, filed.id).department_id == office.dept.id

    response = client.post(f"/office/submissions/{filed.id}/transfer",
                           data={"department_id": office.other_dept.id, "reason": "Finance handles subsidies"})
    assert response.status_code == 303 and response.location.endswith("/office/inbox")
    moved = get(app, filed.id)
    assert moved.department_id == office.other_dept.id and moved.due_on == due
    assert client.get(f"/office/submissions/{filed.id}").status_code == 404  # no longer ours

    auth.login(office.other_officer)
    html = page(client, f"/office/submissions/{filed.id}")
    assert f'datetime="{due.isoformat()}"' in html


def test_an_action_the_state_machine_refuses_shows_its_message(app, client, auth, office):
    filed = file(app, office.dept)  # received: asking for information needs an assignee first
    auth.login(office.officer)
    html = page(client, f"/office/submissions/{filed.id}")
    assert "Ask the citizen for more information" not in html  # the form is not offered
    response = client.post(f"/office/submissions/{filed.id}/request-info", data={"message": "Which lamp?"})
    assert response.status_code == 409
    assert "status is “Received”" in response.get_data(as_text=True)
    assert get(app, filed.id).status == RECEIVED


def test_request_information_and_record_the_answer(app, client, auth, office):
    filed = file(app, office.dept)
    assign(app, filed, office.officer)
    auth.login(office.officer)
    assert "Ask the citizen for more information" in page(client, f"/office/submissions/{filed.id}")
    response = client.post(f"/office/submissions/{filed.id}/request-info", data={"message": "Which gate exactly?"})
    assert response.status_code == 303
    assert get(app, filed.id).status == NEEDS_INFO
    response = client.post(f"/office/submissions/{filed.id}/info", data={"text": "East gate, by phone"})
    assert response.status_code == 303
    assert get(app, filed.id).status == ASSIGNED


def test_dismiss_with_a_reason(app, client, auth, office):
    filed = file(app, office.dept)
    auth.login(office.officer)
    assert client.post(f"/office/submissions/{filed.id}/dismiss", data={"reason": ""}).status_code == 422
    assert client.post(f"/office/submissions/{filed.id}/dismiss", data={"reason": "Advertising"}).status_code == 303
    dismissed = get(app, filed.id)
    assert dismissed.status == "dismissed" and dismissed.dismissal_reason == "Advertising"
    html = page(client, f"/office/submissions/{filed.id}")
    assert "Dismiss the submission" not in html and "Assign to me" not in html


def test_extension_is_requested_by_an_officer_and_approved_by_a_reviewer(app, client, auth, office):
    filed = file(app, office.dept)
    assign(app, filed, office.officer)
    due = get(app, filed.id).due_on
    auth.login(office.officer)
    response = client.post(f"/office/submissions/{filed.id}/extension", data={"workdays": 5, "reason": "Site visit"})
    assert response.status_code == 303
    assert "waiting for a reviewer" in page(client, f"/office/submissions/{filed.id}")
    again = client.post(f"/office/submissions/{filed.id}/extension", data={"workdays": 5, "reason": "Again"})
    assert again.status_code == 409
    assert client.get("/office/review/extensions").status_code == 403  # officers do not decide

    auth.login(office.reviewer)
    html = page(client, "/office/review/extensions")
    assert filed.tracking_no in html and "Site visit" in html
    request_id = int(html.split("/office/extensions/")[1].split("/")[0])
    response = client.post(f"/office/extensions/{request_id}/decide", data={"decision": "approve", "note": "OK"})
    assert response.status_code == 303
    assert get(app, filed.id).due_on > due
    assert "No extension requests are waiting" in page(client, "/office/review/extensions")
    again = client.post(f"/office/extensions/{request_id}/decide", data={"decision": "approve"})
    assert again.status_code == 409
    assert "already been decided" in again.get_data(as_text=True)


# --- replies ---------------------------------------------------------------------------------------


def test_bulk_reply_from_the_inbox_answers_every_selected_submission(app, client, auth, office):
    filed = [file(app, office.dept, subject=f"Same question {i}") for i in range(3)]
    left_alone = file(app, office.dept, subject="Different")
    act(app, lambda: services.create_reply_template(
        staff(office.officer), office.dept.id, "Lamps", "The lamp is **fixed**."))
    auth.login(office.officer)
    query = "&".join(f"submission={f.id}" for f in filed)
    html = page(client, f"/office/replies/new?{query}")
    assert all(f.tracking_no in html for f in filed) and "Lamps" in html
    template_id = html.split("template=")[1].split('"')[0]
    assert "The lamp is **fixed**." in page(client, f"/office/replies/new?{query}&template={template_id}")

    response = client.post(f"/office/replies/new?{query}", data={"body": "All fixed, thank you."})
    assert response.status_code == 303
    reply_url = response.location
    assert "All fixed, thank you." in page(client, reply_url)  # the preview
    assert client.post(reply_url + "/submit").status_code == 303
    with app.app_context():
        reply = db.session.scalar(sa.select(Reply))
        assert reply.status == PENDING_REVIEW

    auth.login(office.reviewer)
    assert "Reply #" in page(client, "/office/review/replies")
    assert client.post(reply_url + "/approve", data={"note": ""}).status_code == 303
    assert [get(app, f.id).status for f in filed] == [ANSWERED] * 3
    assert get(app, left_alone.id).status == RECEIVED


def test_a_double_submitted_reply_is_refused_the_second_time(app, client, auth, office):
    filed = file(app, office.dept)
    auth.login(office.officer)
    assert client.post(f"/office/replies/new?submission={filed.id}", data={"body": "Answer"}).status_code == 303
    second = client.post(f"/office/replies/new?submission={filed.id}", data={"body": "Answer"})
    assert second.status_code == 422
    assert "already has a reply in preparation" in second.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Reply.id))) == 1


def test_reviewer_returns_a_reply_with_a_note(app, client, auth, office):
    filed = file(app, office.dept)
    auth.login(office.officer)
    reply_url = client.post(f"/office/replies/new?submission={filed.id}", data={"body": "Draft"}).location
    client.post(reply_url + "/submit")
    auth.login(office.reviewer)
    assert client.post(reply_url + "/return", data={"note": ""}).status_code == 422
    assert client.post(reply_url + "/return", data={"note": "Cite the regulation"}).status_code == 303
    auth.login(office.officer)
    html = page(client, reply_url)
    assert "Cite the regulation" in html and "Submit for review" in html
    assert client.post(reply_url, data={"body": "Per Art. 5, fixed."}).status_code == 303
    assert "Per Art. 5, fixed." in page(client, reply_url)


def test_authors_cannot_approve_their_own_reply(app, client, auth, office):
    filed = file(app, office.dept)
    auth.login(office.reviewer)
    reply_url = client.post(f"/office/replies/new?submission={filed.id}", data={"body": "Mine"}).location
    client.post(reply_url + "/submit")
    assert "Approve and send" not in page(client, reply_url)
    assert client.post(reply_url + "/approve").status_code == 403
    assert get(app, filed.id).status == ASSIGNED


HOSTILE = (
    "Hello <script>alert('x')</script> [click](javascript:alert(1)) <img src=x onerror=alert(1)> "
    '<a href="javascript:alert(2)">y</a>'
)


def test_hostile_markdown_in_a_reply_never_renders_script(app, client, auth, office):
    filed = file(app, office.dept)
    reply_id = answer(app, filed, office.officer, office.reviewer, body=HOSTILE)
    auth.login(office.officer)
    staff_html = page(client, f"/office/replies/{reply_id}")
    client.post("/track", data={"tracking_no": filed.tracking_no, "code": filed.code})
    public_html = page(client, f"/track/{filed.tracking_no}")
    for html in (staff_html, public_html):
        preview = html.split('<div class="markdown">')[1].split("</div>")[0]
        assert "Hello" in preview
        for tag, attrs in elements(preview):
            assert tag not in {"script", "img", "iframe", "svg"}, preview
            assert not any(name.startswith("on") or name == "style" for name in attrs), preview
            assert not attrs.get("href", "").lower().startswith(("javascript", "data")), preview
        assert "<script" not in html  # nowhere on the page (CSP forbids inline script anyway)


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list:
    parser = _Elements()
    parser.feed(html)
    return parser.found


# --- the calendar ------------------------------------------------------------------------------


def test_admin_calendar_moves_open_due_dates_and_says_how_many(app, client, auth, office):
    filed = file(app, office.dept)
    other = file(app, office.dept)
    answer(app, other, office.officer, office.reviewer)  # answered: its due date stays
    due = get(app, filed.id).due_on
    auth.login(office.admin)
    assert "No changes: the published calendar applies." in page(client, "/admin/calendar")
    holiday = due  # make the due date itself a holiday: it must move one working day later
    response = client.post("/admin/calendar", data={"day": holiday.isoformat(), "is_workday": "holiday",
                                                     "note": "Local festival"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "1 open submission" in html and "Local festival" in html
    assert get(app, filed.id).due_on > due

    html = client.post("/admin/calendar/remove", data={"day": holiday.isoformat()},
                       follow_redirects=True).get_data(as_text=True)
    assert "1 open submission" in html
    assert get(app, filed.id).due_on == due
    bad_day = {"day": "2026-13-01", "is_workday": "holiday", "note": "x"}
    assert client.post("/admin/calendar", data=bad_day).status_code == 422
    no_note = {"day": "2026-10-01", "is_workday": "holiday", "note": ""}
    assert client.post("/admin/calendar", data=no_note).status_code == 422


@pytest.mark.parametrize("role", ["officer", "reviewer", "citizen"])
def test_only_admins_change_the_calendar(client, auth, office, role):
    auth.login({"officer": office.officer, "reviewer": office.reviewer, "citizen": office.citizen}[role])
    assert client.get("/admin/calendar").status_code == 403
    holiday = {"day": "2026-10-01", "is_workday": "holiday", "note": "x"}
    assert client.post("/admin/calendar", data=holiday).status_code == 403


def test_admin_nav_links_to_the_calendar(client, auth, office):
    auth.login(office.admin)
    assert "/admin/calendar" in page(client, "/admin/")


# --- CLI and CSRF ------------------------------------------------------------------------------


def test_remind_command_queues_reminders_and_prints_counts(app, runner, office):
    filed = file(app, office.dept, days_ago=30)
    assign(app, filed, office.officer)
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert "Submission reminders queued" in result.output and "overdue: " in result.output
    assert "Drafts opened" in result.output and "Open-day reminders queued" in result.output


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True, "CONSULT_DEFAULT_LOCALE": "en"}])
def test_actions_need_a_csrf_token(app, client, auth, office):
    filed = file(app, office.dept)
    auth.login(office.officer)
    response = client.post(f"/office/submissions/{filed.id}/assign", data={"assignee_id": office.officer.id})
    assert response.status_code == 400
    assert get(app, filed.id).status == RECEIVED
    assert 'name="csrf_token"' in page(client, f"/office/submissions/{filed.id}")
