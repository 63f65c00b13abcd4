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
