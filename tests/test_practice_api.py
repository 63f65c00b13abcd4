"""好差评 through the JSON API: the citizen rates with the query code; officers work rectification tasks and
appeal ratings with their token, scoped to their department."""

from datetime import timedelta

import pytest
from tests.api_support import API, bearer, is_problem, letter_json, token_for
from tests.mailbox_support import answer

from consult.database import utcnow
from consult.extensions import db
from consult.mailbox.models import Letter

pytestmark = pytest.mark.usefixtures("request_ctx")


@pytest.fixture
def answered_letter(client, api_world):
    """A letter written through the API and answered by the department: (tracking number, query code, letter)."""
    created = client.post(f"{API}/letters", json=letter_json(api_world.boxes.county.id)).get_json()
    letter = db.session.query(Letter).join(Letter.submission).filter_by(tracking_no=created["tracking_no"]).one()
    answer(letter, api_world.world)
    db.session.commit()
    return created["tracking_no"], created["query_code"], letter


def _rate(client, tracking_no, code, **body):
    return client.post(f"{API}/submissions/{tracking_no}/rating", headers={"X-Query-Code": code}, json=body)


def test_the_citizen_rates_once_and_a_poor_rating_opens_a_task(client, answered_letter):
    tracking_no, code, _letter = answered_letter
    assert is_problem(_rate(client, tracking_no, "WRONG-CODE", resolved=False, satisfaction="unsatisfied"), 404)
    bad = _rate(client, tracking_no, code, resolved="no", satisfaction="meh")
    assert bad.status_code == 422
    rated = _rate(client, tracking_no, code, resolved=False, satisfaction="very_unsatisfied", comment="没人来修")
    body = rated.get_json()
    assert rated.status_code == 200 and body["status"] == "reopened" and body["rectification_due_on"]
    assert is_problem(_rate(client, tracking_no, code, resolved=True, satisfaction="satisfied"), 409)


def test_officers_record_the_follow_up_and_complete_through_the_api(client, api_world, answered_letter):
    tracking_no, code, letter = answered_letter
    w = api_world.world
    _rate(client, tracking_no, code, resolved=False, satisfaction="unsatisfied")
    answer(letter, w)
    db.session.commit()
    _rate(client, tracking_no, code, resolved=False, satisfaction="unsatisfied")
    mine = bearer(token_for(w.officer))
    [task] = client.get(f"{API}/office/rectifications", headers=mine).get_json()["items"]
    assert task["tracking_no"] == tracking_no and task["follow_up"] is None
    other = bearer(token_for(w.other_officer))
    assert is_problem(client.get(f"{API}/office/rectifications/{task['id']}", headers=other), 404)
    assert client.get(f"{API}/office/rectifications", headers=other).get_json()["items"] == []
    early = client.post(f"{API}/office/rectifications/{task['id']}/complete", headers=mine, json={"result": "已修"})
    assert is_problem(early, 409)
    future = (utcnow() + timedelta(days=2)).isoformat()
    refused = client.post(f"{API}/office/rectifications/{task['id']}/follow-up", headers=mine, json={
        "contacted_by": "钱经办", "contacted_at": future, "method": "phone", "outcome": "已回访"})
    assert is_problem(refused, 409) and "contacted_at" in refused.get_json()["errors"]
    past = (utcnow() - timedelta(hours=1)).isoformat()
    recorded = client.post(f"{API}/office/rectifications/{task['id']}/follow-up", headers=mine, json={
        "contacted_by": "钱经办", "contacted_at": past, "method": "in_person", "outcome": "市民满意"})
    assert recorded.status_code == 200 and recorded.get_json()["follow_up"]["method"] == "in_person"
    done = client.post(f"{API}/office/rectifications/{task['id']}/complete", headers=mine, json={"result": "已修复路灯"})
    assert done.status_code == 200 and done.get_json()["status"] == "done"


def test_the_department_appeals_a_rating_once(client, api_world, answered_letter):
    tracking_no, code, letter = answered_letter
    w = api_world.world
    _rate(client, tracking_no, code, resolved=False, satisfaction="unsatisfied")
    mine = bearer(token_for(w.officer))
    url = f"{API}/office/submissions/{letter.submission_id}/appeal"
    assert is_problem(client.post(url, headers=bearer(token_for(w.other_officer)),
                                  json={"ground": "mistaken", "reason": "x"}), 404)
    filed = client.post(url, headers=mine, json={"ground": "mistaken", "reason": "市民评价的是另一件事"})
    assert filed.status_code == 201 and filed.get_json()["status"] == "pending"
    assert is_problem(client.post(url, headers=mine, json={"ground": "malicious", "reason": "again"}), 409)


OFFICE_CALLS = [
    ("GET", "/office/rectifications", None),
    ("GET", "/office/rectifications/{task}", None),
    ("POST", "/office/rectifications/{task}/follow-up", {"contacted_by": "x", "contacted_at": "2026-01-05T10:00:00+08:00",
                                                         "method": "phone", "outcome": "y"}),
    ("POST", "/office/rectifications/{task}/complete", {"result": "z"}),
    ("POST", "/office/submissions/{submission}/appeal", {"ground": "mistaken", "reason": "r"}),
    ("GET", "/office/appeals", None),
]


@pytest.fixture
def open_task(client, answered_letter):
    tracking_no, code, letter = answered_letter
    _rate(client, tracking_no, code, resolved=False, satisfaction="unsatisfied")
    from consult.practice.rectification import open_task_of

    return open_task_of(letter.submission)


@pytest.mark.parametrize("method,path,body", OFFICE_CALLS)
def test_every_office_endpoint_needs_a_token_of_staff_who_handle_submissions(client, api_world, open_task, method,
                                                                              path, body):
    from consult.accounts.models import EDITOR, User

    url = f"{API}{path.format(task=open_task.id, submission=open_task.submission_id)}"
    assert is_problem(client.open(url, method=method, json=body), 401)
    editor = User(email="editor.api@example.org", display_name="editor", role=EDITOR)
    editor.set_password("correct horse 42")
    db.session.add(editor)
    db.session.commit()
    assert is_problem(client.open(url, method=method, json=body, headers=bearer(token_for(editor))), 403)


# --- appeals: listing and deciding (申诉复核) ------------------------------------------------------------

def _appealed(client, answered_letter, officer) -> dict:
    tracking_no, code, letter = answered_letter
    _rate(client, tracking_no, code, resolved=False, satisfaction="very_unsatisfied")
    filed = client.post(f"{API}/office/submissions/{letter.submission_id}/appeal", headers=bearer(token_for(officer)),
                        json={"ground": "malicious", "reason": "评价与答复无关"})
    assert filed.status_code == 201
    return filed.get_json()


def test_the_department_lists_its_own_appeals_only(client, api_world, answered_letter):
    w = api_world.world
    appeal = _appealed(client, answered_letter, w.officer)
    assert appeal["tracking_no"] == answered_letter[0] and appeal["rating_counts"] and not appeal["may_decide"]
    mine = client.get(f"{API}/office/appeals", headers=bearer(token_for(w.reviewer))).get_json()["items"]
    assert [a["id"] for a in mine] == [appeal["id"]]
    other = bearer(token_for(w.other_officer))
    assert client.get(f"{API}/office/appeals", headers=other).get_json()["items"] == []
    assert is_problem(client.get(f"{API}/office/appeals/{appeal['id']}", headers=other), 404)
    assert is_problem(client.get(f"{API}/office/appeals?department={w.dept.id}", headers=other), 403)
    assert client.get(f"{API}/office/appeals/{appeal['id']}", headers=bearer(token_for(w.officer))).status_code == 200


def test_an_admin_outside_the_department_upholds_and_the_rating_leaves_the_rates(client, api_world, answered_letter):
    from consult.practice.rectification import open_task_of

    w = api_world.world
    appeal = _appealed(client, answered_letter, w.officer)
    admin = bearer(token_for(w.admin))
    [pending] = client.get(f"{API}/admin/appeals", headers=admin).get_json()["items"]
    assert pending["id"] == appeal["id"] and pending["may_decide"] and pending["department"]["id"] == w.dept.id
    before = client.get(f"{API}/stats?department={w.dept.id}").get_json()["totals"]
    assert (before["rated"], before["ratings_removed"], before["satisfaction_rate"]) == (1, 0, 0.0)
    url = f"{API}/admin/appeals/{appeal['id']}/decision"
    key = {**admin, "Idempotency-Key": "3b1f4f0e-decide-1"}
    upheld = client.post(url, headers=key, json={"decision": "uphold", "note": "评价针对的是其他事项"})
    body = upheld.get_json()
    assert upheld.status_code == 200 and body["status"] == "upheld" and not body["rating_counts"]
    again = client.post(url, headers=key, json={"decision": "uphold", "note": "评价针对的是其他事项"})
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert is_problem(client.post(url, headers=admin, json={"decision": "reject", "note": "再议"}), 409)
    letter = answered_letter[2]
    db.session.expire_all()
    assert [e.action for e in letter.submission.events].count("appeal_upheld") == 1
    assert open_task_of(letter.submission) is None  # the task the rating opened is withdrawn
    after = client.get(f"{API}/stats?department={w.dept.id}").get_json()
    assert (after["totals"]["rated"], after["totals"]["ratings_removed"], after["totals"]["satisfaction_rate"]) == (
        0, 1, None)
    assert after["months"][-1]["ratings_removed"] == 1 and after["years"][-1]["ratings_removed"] == 1
    assert client.get(f"{API}/admin/appeals?status=upheld", headers=admin).get_json()["items"][0]["id"] == appeal["id"]


def test_deciding_an_appeal_is_refused_to_the_department_and_without_a_reason(client, api_world, answered_letter):
    from consult.accounts.models import ADMIN, User

    w = api_world.world
    appeal = _appealed(client, answered_letter, w.officer)
    url = f"{API}/admin/appeals/{appeal['id']}/decision"
    department_admin = User(email="admin.sfj@example.org", display_name="admin sfj", role=ADMIN, department=w.dept)
    department_admin.set_password("correct horse 42")
    db.session.add(department_admin)
    db.session.commit()
    own_admin = bearer(token_for(department_admin))
    refused = client.post(url, headers=own_admin, json={"decision": "uphold"})
    assert is_problem(refused, 403) and "outside the appealing department" in refused.get_json()["detail"]
    assert client.get(f"{API}/admin/appeals", headers=own_admin).get_json()["items"][0]["may_decide"] is False
    admin = bearer(token_for(w.admin))
    unexplained = client.post(url, headers=admin, json={"decision": "reject", "note": "  "})
    assert is_problem(unexplained, 422) and list(unexplained.get_json()["errors"]) == ["note"]
    assert is_problem(client.post(url, headers=admin, json={"decision": "maybe"}), 422)
    assert is_problem(client.post(f"{API}/admin/appeals/999999/decision", headers=admin, json={"decision": "uphold"}),
                      404)
    assert is_problem(client.get(f"{API}/admin/appeals?status=later", headers=admin), 400)
    rejected = client.post(url, headers=admin, json={"decision": "reject", "note": "市民评价属实"})
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    assert rejected.get_json()["rating_counts"] and rejected.get_json()["decision_note"] == "市民评价属实"


# --- the compliance self-check and the monthly summary ---------------------------------------------------

def test_the_compliance_board_lists_each_rule_with_its_items(client, api_world):
    from tests.tracking_support import file_submission, local

    w = api_world.world
    old = file_submission(w, received_at=local(2026, 1, 5)).submission  # open for months
    admin = bearer(token_for(w.admin))
    board = client.get(f"{API}/admin/compliance", headers=admin).get_json()
    rules = {rule["code"]: rule for rule in board["rules"]}
    assert list(rules) == ["unanswered_3_months", "unanswered_1_month", "silent_mailboxes", "feedback_reports",
                           "short_windows", "annual_report", "rectifications_overdue", "disclosure_overdue"]
    assert board["total"] == sum(rule["count"] for rule in board["rules"]) >= 3
    unanswered = rules["unanswered_3_months"]
    assert unanswered["severity"] == "veto" and unanswered["count"] == 1 and unanswered["basis"]
    [item] = unanswered["items"]
    assert (item["kind"], item["id"], item["department"]) == ("submission", old.id, w.dept.name)
    assert item["url"].endswith(f"/office/submissions/{old.id}")
    assert item["api_url"].endswith(f"{API}/office/submissions/{old.id}")
    assert client.get(item["api_url"], headers=admin).status_code == 200
    mailboxes = rules["silent_mailboxes"]
    assert mailboxes["count"] == len(mailboxes["items"]) >= 1
    assert {i["kind"] for i in mailboxes["items"]} == {"mailbox"} and mailboxes["items"][0]["api_url"] is None
    annual = rules["annual_report"]["items"]
    assert [(i["kind"], i["id"]) for i in annual] == [("annual_report", 2025)]
    full = client.get(unanswered["items_url"], headers=admin).get_json()
    assert full["code"] == "unanswered_3_months" and [i["id"] for i in full["items"]] == [old.id]
    assert [len(r["items"]) for r in client.get(f"{API}/admin/compliance?limit=1", headers=admin).get_json()["rules"]
            ] == [min(1, r["count"]) for r in board["rules"]]
    assert is_problem(client.get(f"{API}/admin/compliance/rules/nothing", headers=admin), 404)


def test_a_rules_items_come_a_page_at_a_time(client, api_world):
    from tests.tracking_support import file_submission, local

    w = api_world.world
    old = [file_submission(w, received_at=local(2026, 1, day)).submission.id for day in (7, 5, 6)]
    admin = bearer(token_for(w.admin))
    first = client.get(f"{API}/admin/compliance/rules/unanswered_1_month?limit=2", headers=admin)
    body = first.get_json()
    assert body["count"] == 3 and len(body["items"]) == 2 and first.headers["Link"].startswith(f"<{body['next']}>")
    second = client.get(body["next"], headers=admin).get_json()
    assert second["next"] is None
    assert [i["id"] for i in body["items"] + second["items"]] == [old[1], old[2], old[0]]  # the oldest first
    assert is_problem(client.get(f"{API}/admin/compliance/rules/unanswered_1_month?cursor=xyz", headers=admin), 400)
    annual = client.get(f"{API}/admin/compliance/rules/annual_report?limit=1", headers=admin).get_json()
    assert [(i["kind"], i["id"]) for i in annual["items"]] == [("annual_report", 2025)] and annual["next"] is None
    assert is_problem(client.get(f"{API}/admin/compliance?limit=0", headers=admin), 400)


def test_the_monthly_summary_as_json_and_csv(client, api_world, answered_letter):
    from consult.localtime import local_today

    w = api_world.world
    tracking_no, code, _letter = answered_letter
    _rate(client, tracking_no, code, resolved=True, satisfaction="basically_satisfied")
    admin = bearer(token_for(w.admin))
    month = f"{local_today():%Y-%m}"
    summary = client.get(f"{API}/admin/compliance/summary?month={month}", headers=admin).get_json()
    assert summary["month"] == month and summary["as_of"] == local_today().isoformat()
    assert [r["code"] for r in summary["rules"]][0] == "unanswered_3_months"
    assert summary["total"] == sum(r["count"] for r in summary["rules"])
    figures = summary["figures"]
    assert (figures["received"], figures["rated"], figures["satisfaction_rate"], figures["resolution_rate"]) == (
        1, 1, 1.0, 1.0)
    assert figures["response_rate"] is not None and figures["on_time_rate"] == 1.0
    assert set(summary["formulas"]) == {"response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate"}
    assert {d["name"] for d in summary["departments"]} == {w.dept.name, w.other_dept.name}
    csv_answer = client.get(summary["csv_url"], headers=admin)
    assert csv_answer.status_code == 200 and csv_answer.mimetype == "text/csv"
    text = csv_answer.get_data(as_text=True)
    assert text.splitlines()[0].lstrip("\ufeff").startswith("section,rule,severity,count")
    assert f"figure,satisfaction_rate,,1.0,,,,{month}" in text
    default = client.get(f"{API}/admin/compliance/summary", headers=admin).get_json()
    assert default["month"] < month
    for wrong in ("2026-13", "next", "1999-12", "2999-01"):
        refused = client.get(f"{API}/admin/compliance/summary?month={wrong}", headers=admin)
        assert is_problem(refused, 400) and "month" in refused.get_json()["errors"]


# --- the State Council's holiday notice -----------------------------------------------------------------

def _notice(name: str) -> str:
    from pathlib import Path

    return (Path(__file__).parent / "data" / name).read_text(encoding="utf-8")


def test_a_notice_is_previewed_then_applied_once(client, api_world):
    from datetime import date

    from tests.tracking_support import file_submission, local

    w = api_world.world
    letter = file_submission(w, received_at=local(2027, 2, 1)).submission  # estimated due 24 February 2027
    admin = bearer(token_for(w.admin))
    text = _notice("holiday_notice_2027_example.txt")
    preview = client.post(f"{API}/admin/calendar/notice/preview", headers=admin, json={"text": text}).get_json()
    assert preview["year"] == 2027 and preview["unread"] == [] and len(preview["days"]) == 33
    eve = next(day for day in preview["days"] if day["date"] == "2027-02-05")
    assert (eve["is_workday"], eve["holiday"], eve["now"]["source"], eve["now"]["estimated"]) == (
        False, "Spring Festival", "estimate", True)
    assert any(day["is_workday"] for day in preview["days"])  # make-up working days (调休)
    assert preview["moved"] == [{"submission_id": letter.id, "tracking_no": letter.tracking_no,
                                 "old_due_on": "2027-02-24", "new_due_on": "2027-03-01",
                                 "api_url": preview["moved"][0]["api_url"]}]
    db.session.expire_all()
    assert letter.due_on == date(2027, 2, 24)  # the preview wrote nothing
    wrong = client.post(f"{API}/admin/calendar/notice", headers=admin,
                        json={"text": text, "digest": "0" * 64})
    assert is_problem(wrong, 409) and "text" in wrong.get_json()["errors"]
    applied = client.post(f"{API}/admin/calendar/notice", headers=admin,
                          json={"text": text, "digest": preview["digest"]})
    assert applied.status_code == 200 and applied.get_json()["moved_count"] == 1
    assert applied.get_json()["moved"][0]["new_due_on"] == "2027-03-01"
    twice = client.post(f"{API}/admin/calendar/notice", headers=admin, json={"text": text, "digest": preview["digest"]})
    assert twice.status_code == 200 and twice.get_json()["moved_count"] == 0
    db.session.expire_all()
    assert (letter.due_on, letter.estimated_due) == (date(2027, 3, 1), False)
    assert [e.action for e in letter.events].count("due_date_recomputed") == 1
    again = client.post(f"{API}/admin/calendar/notice/preview", headers=admin, json={"text": text}).get_json()
    assert again["already_applied"] and again["moved_count"] == 0


def test_unreadable_lines_are_shown_and_block_applying(client, api_world):
    admin = bearer(token_for(api_world.world.admin))
    text = _notice("holiday_notice_2026.txt") + "\n十、国庆节：10月1日（周五）至10月8日（周四）放假调休，共8天。"
    preview = client.post(f"{API}/admin/calendar/notice/preview", headers=admin, json={"text": text}).get_json()
    [unread] = preview["unread"]
    assert unread["text"].startswith("十、国庆节") and unread["reason"]
    refused = client.post(f"{API}/admin/calendar/notice", headers=admin, json={"text": text, "digest": preview["digest"]})
    assert is_problem(refused, 409) and "text" in refused.get_json()["errors"]
    assert is_problem(client.post(f"{API}/admin/calendar/notice/preview", headers=admin, json={"text": " "}), 422)
    assert is_problem(client.post(f"{API}/admin/calendar/notice/preview", headers=admin,
                                  json={"text": "放假通知", "year": 2027}), 409)
    assert is_problem(client.post(f"{API}/admin/calendar/notice/preview", headers=admin, json={"txt": text}), 422)


# --- the rates in the dashboard and the statistics -------------------------------------------------------

RATE_NAMES = {"response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate"}


def test_the_dashboard_gives_the_four_rates_with_formulas_for_the_department(client, api_world, answered_letter):
    w = api_world.world
    tracking_no, code, _letter = answered_letter
    _rate(client, tracking_no, code, resolved=False, satisfaction="unsatisfied")
    board = client.get(f"{API}/office/dashboard", headers=bearer(token_for(w.officer))).get_json()
    assert board["department"]["id"] == w.dept.id and board["rectifications"] == {"open": 1, "overdue": 0}
    stats = board["stats"]
    assert set(stats["formulas"]) == RATE_NAMES and [d["id"] for d in stats["departments"]] == [w.dept.id]
    for figures in (stats["totals"], stats["months"][-1], stats["years"][-1], stats["departments"][0]):
        assert RATE_NAMES <= set(figures)
        assert (figures["rated"], figures["resolution_rate"], figures["satisfaction_rate"]) == (1, 0.0, 0.0)
    other = bearer(token_for(w.other_officer))
    assert client.get(f"{API}/office/dashboard", headers=other).get_json()["stats"]["totals"]["rated"] == 0
    assert is_problem(client.get(f"{API}/office/dashboard?department={w.dept.id}", headers=other), 403)
    chosen = client.get(f"{API}/office/dashboard?department={w.other_dept.id}", headers=bearer(token_for(w.admin)))
    assert chosen.get_json()["department"]["id"] == w.other_dept.id
    assert is_problem(client.get(f"{API}/office/dashboard?department=999999", headers=bearer(token_for(w.admin))), 404)


def test_the_public_statistics_give_the_four_rates_overall_and_per_department_month_and_year(client, api_world):
    stats = client.get(f"{API}/stats").get_json()
    assert set(stats["formulas"]) == RATE_NAMES and all(stats["formulas"].values())
    for figures in (stats["totals"], *stats["departments"], *stats["months"], *stats["years"]):
        assert RATE_NAMES <= set(figures)
    assert len(stats["departments"]) == 2 and len(stats["months"]) == 12


def test_a_due_date_into_2027_skips_new_years_day_and_stays_an_estimate(client, api_world):
    from datetime import date

    from tests.tracking_support import file_submission, local

    from consult.tracking.deadlines import explain_due

    # Received Wednesday 30 December 2026: the count starts on Thursday 31; Friday 1 January 2027 is New Year's
    # Day by law, though nobody has published 2027 yet: 15 working days end on Thursday 21 January, not 20.
    created = file_submission(api_world.world, received_at=local(2026, 12, 30, 10))
    status = client.get(f"{API}/submissions/{created.submission.tracking_no}",
                        headers={"X-Query-Code": created.query_code}).get_json()
    assert (status["due_on"], status["due_estimated"]) == ("2027-01-21", True)
    new_year = next(day for day in explain_due(created.submission).skipped if day.day == date(2027, 1, 1))
    assert (new_year.reason, new_year.source, new_year.estimated) == ("holiday", "estimate", True)


# --- every administrators' endpoint: a token, of an admin ------------------------------------------------

ADMIN_CALLS = [
    ("GET", "/admin/appeals", None),
    ("POST", "/admin/appeals/{appeal}/decision", {"decision": "uphold"}),
    ("GET", "/admin/compliance", None),
    ("GET", "/admin/compliance/rules/annual_report", None),
    ("GET", "/admin/compliance/summary", None),
    ("GET", "/admin/compliance/summary.csv", None),
    ("POST", "/admin/calendar/notice/preview", {"text": "x"}),
    ("POST", "/admin/calendar/notice", {"text": "x", "digest": "0" * 64}),
]


@pytest.mark.parametrize("method,path,body", ADMIN_CALLS)
def test_every_admin_endpoint_needs_an_admin_token(client, api_world, answered_letter, method, path, body):
    from consult.accounts.models import EDITOR, User

    w = api_world.world
    appeal = _appealed(client, answered_letter, w.officer)
    url = f"{API}{path.format(appeal=appeal['id'])}"
    assert is_problem(client.open(url, method=method, json=body), 401)
    editor = User(email="editor.admin-api@example.org", display_name="editor", role=EDITOR)
    editor.set_password("correct horse 42")
    db.session.add(editor)
    db.session.commit()
    for user in (w.officer, w.reviewer, editor):
        assert is_problem(client.open(url, method=method, json=body, headers=bearer(token_for(user))), 403)
