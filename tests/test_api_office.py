"""Officer endpoints with personal API tokens: the token page, bearer authentication, department scoping,
the inbox, reply drafts and transfers."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from tests.api_support import API, bearer, is_problem, letter_json, token_for
from tests.mailbox_support import login_as

from consult.accounts.models import ROLES, User
from consult.api.models import ApiToken
from consult.api.tokens import hash_token
from consult.database import utcnow
from consult.domain import DomainError
from consult.extensions import db
from consult.tracking.models import Reply, Submission

OFFICE_CALLS = [
    ("GET", "/office/inbox", None),
    ("GET", "/office/submissions/{id}", None),
    ("POST", "/office/submissions/{id}/replies", {"body": "您好。"}),
    ("POST", "/office/submissions/{id}/transfer", {"department_id": 1, "reason": "职责"}),
]


@pytest.fixture
def letter(client, api_world) -> Submission:
    """A letter to the county mailbox (owned by world.dept), written through the API."""
    receipt = client.post(f"{API}/letters", json=letter_json(api_world.boxes.county.id)).get_json()
    return db.session.scalar(sa.select(Submission).where(Submission.tracking_no == receipt["tracking_no"]))


# --- the token page -----------------------------------------------------------------------------------

def test_staff_create_a_token_shown_once_and_stored_hashed(client, auth, api_world):
    officer = api_world.world.officer
    login_as(auth, officer)
    assert client.get("/account/api-tokens").status_code == 200
    response = client.post("/account/api-tokens", data={"name": "收件箱脚本", "expires_in_days": "90"})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'value="(cst_[A-Za-z0-9_-]+)"', response.get_data(as_text=True)).group(1)
    token = db.session.scalar(sa.select(ApiToken))
    assert token.token_hash == hash_token(secret) and secret not in (token.prefix + token.token_hash)
    assert secret.startswith(token.prefix) and token.role == "officer" and token.department_id == officer.department_id
    later = client.get("/account/api-tokens").get_data(as_text=True)
    assert secret not in later and token.prefix in later and "收件箱脚本" in later
    assert client.get(f"{API}/office/inbox", headers=bearer(secret)).status_code == 200


def test_a_revoked_token_answers_401(client, auth, api_world):
    officer = api_world.world.officer
    secret = token_for(officer)
    assert client.get(f"{API}/office/inbox", headers=bearer(secret)).status_code == 200
    login_as(auth, officer)
    token = db.session.scalar(sa.select(ApiToken))
    assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 302
    db.session.expire_all()
    assert token.revoked_at is not None
    response = client.get(f"{API}/office/inbox", headers=bearer(secret))
    assert is_problem(response, 401) and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_nobody_revokes_someone_elses_token(client, auth, api_world):
    token_for(api_world.world.colleague)
    login_as(auth, api_world.world.officer)
    token = db.session.scalar(sa.select(ApiToken))
    assert client.post(f"/account/api-tokens/{token.id}/revoke").status_code == 404
    db.session.expire_all()
    assert token.revoked_at is None


def test_citizens_cannot_have_tokens(client, auth, api_world):
    citizen = api_world.world.citizen
    login_as(auth, citizen)
    assert client.get("/account/api-tokens").status_code == 403
    assert client.post("/account/api-tokens", data={"name": "x", "expires_in_days": "30"}).status_code == 403
    with pytest.raises(DomainError):
        token_for(citizen)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_a_token_of_an_account_that_became_a_citizen_stops_working(client, api_world):
    officer = api_world.world.officer
    secret = token_for(officer)
    user = db.session.get(User, officer.id)
    user.role, user.department_id = "citizen", None
    db.session.commit()
    assert is_problem(client.get(f"{API}/office/inbox", headers=bearer(secret)), 401)


def test_a_token_stops_working_when_its_owner_changes_department(client, api_world):
    secret = token_for(api_world.world.officer)
    user = db.session.get(User, api_world.world.officer.id)
    user.department_id = api_world.world.other_dept.id
    db.session.commit()
    assert is_problem(client.get(f"{API}/office/inbox", headers=bearer(secret)), 401)


def test_expired_and_unknown_tokens_answer_401_and_cookies_grant_nothing(client, auth, api_world):
    officer = api_world.world.officer
    secret = token_for(officer, expires_in_days=30)
    token = db.session.scalar(sa.select(ApiToken))
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert is_problem(client.get(f"{API}/office/inbox", headers=bearer(secret)), 401)
    assert is_problem(client.get(f"{API}/office/inbox", headers=bearer("cst_made-up")), 401)
    assert is_problem(client.get(f"{API}/office/inbox", headers={"Authorization": f"Basic {secret}"}), 401)
    login_as(auth, officer)  # a logged-in browser session is no credential for the API
    assert is_problem(client.get(f"{API}/office/inbox"), 401)


def test_last_use_is_recorded(client, api_world):
    secret = token_for(api_world.world.officer)
    client.get(f"{API}/office/inbox", headers=bearer(secret))
    db.session.expire_all()
    assert db.session.scalar(sa.select(ApiToken)).last_used_at is not None


# --- scoping ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_office_endpoints_by_role(client, api_world, letter, role):
    """Officers, reviewers and admins reach them; editors are refused (403); citizens cannot hold a token."""
    w = api_world.world
    user = {"officer": w.officer, "reviewer": w.reviewer, "admin": w.admin, "citizen": w.citizen}.get(role)
    if user is None:
        user = User(email=f"{role}.api@example.org", display_name=role, role=role)
        user.set_password("correct horse 42")
        db.session.add(user)
        db.session.commit()
    if role == "citizen":
        with pytest.raises(DomainError):
            token_for(user)
        return
    headers = bearer(token_for(user))
    for method, path, body in OFFICE_CALLS[:2]:
        response = client.open(f"{API}{path.format(id=letter.id)}", method=method, json=body, headers=headers)
        assert response.status_code == (403 if role == "editor" else 200), (method, path)


@pytest.mark.parametrize("method,path,body", OFFICE_CALLS)
def test_every_office_endpoint_needs_a_token(client, api_world, letter, method, path, body):
    response = client.open(f"{API}{path.format(id=letter.id)}", method=method, json=body)
    assert is_problem(response, 401)


@pytest.mark.parametrize("method,path,body", OFFICE_CALLS[1:])
def test_another_departments_submission_answers_404(client, api_world, letter, method, path, body):
    headers = bearer(token_for(api_world.world.other_officer))
    response = client.open(f"{API}{path.format(id=letter.id)}", method=method, json=body, headers=headers)
    assert is_problem(response, 404)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reply)) == 0


def test_the_inbox_lists_only_the_department_with_the_page_filters(client, api_world, letter):
    w = api_world.world
    client.post(f"{API}/letters", json=letter_json(api_world.boxes.finance.id))  # the other department's
    mine = client.get(f"{API}/office/inbox", headers=bearer(token_for(w.officer))).get_json()["items"]
    assert [i["tracking_no"] for i in mine] == [letter.tracking_no] and mine[0]["department"]["id"] == w.dept.id
    headers = bearer(token_for(w.colleague))
    assert client.get(f"{API}/office/inbox?assignee=me", headers=headers).get_json()["items"] == []
    assert len(client.get(f"{API}/office/inbox?assignee=unassigned", headers=headers).get_json()["items"]) == 1
    assert client.get(f"{API}/office/inbox?status=closed", headers=headers).get_json()["items"] == []
    assert len(client.get(f"{API}/office/inbox?q={letter.tracking_no}", headers=headers).get_json()["items"]) == 1
    bad = client.get(f"{API}/office/inbox?due=tomorrow", headers=headers)
    assert is_problem(bad, 400) and "due" in bad.get_json()["errors"]
    other = client.get(f"{API}/office/inbox?department={w.other_dept.id}", headers=headers)
    assert is_problem(other, 403)
    admin = bearer(token_for(w.admin))
    assert len(client.get(f"{API}/office/inbox?department={w.other_dept.id}", headers=admin).get_json()["items"]) == 1


def test_one_submission_shows_contacts_and_the_full_timeline_to_its_department(client, api_world, letter):
    shown = client.get(f"{API}/office/submissions/{letter.id}", headers=bearer(token_for(api_world.world.officer)))
    body = shown.get_json()
    assert body["submitter"]["phone"] == "13800138000" and body["timeline"][0]["action"] == "received"


def test_drafting_a_reply_goes_through_the_tracking_engine(client, api_world, letter):
    officer = api_world.world.officer
    headers = bearer(token_for(officer))
    response = client.post(f"{API}/office/submissions/{letter.id}/replies", headers=headers,
                           json={"body": "您好，已转交施工单位整改。", "submit_for_review": True})
    assert response.status_code == 201
    reply = db.session.get(Reply, response.get_json()["id"])
    assert reply.status == "pending_review" and reply.author_id == officer.id
    db.session.expire_all()
    assert letter.status == "assigned" and letter.assignee_id == officer.id
    twice = client.post(f"{API}/office/submissions/{letter.id}/replies", headers=headers, json={"body": "再答"})
    assert is_problem(twice, 409) and "submission_id" in twice.get_json()["errors"]
    empty = client.post(f"{API}/office/submissions/{letter.id}/replies", headers=headers, json={"body": " "})
    assert is_problem(empty, 422) and "body" in empty.get_json()["errors"]


def test_transferring_keeps_the_due_date_and_leaves_the_inbox(client, api_world, letter):
    w = api_world.world
    headers = bearer(token_for(w.officer))
    due = letter.due_on
    response = client.post(f"{API}/office/submissions/{letter.id}/transfer", headers=headers,
                           json={"department_id": w.other_dept.id, "reason": "属财政局职责"})
    assert response.status_code == 200 and response.get_json()["department"]["id"] == w.other_dept.id
    db.session.expire_all()
    assert letter.department_id == w.other_dept.id and letter.due_on == due
    assert is_problem(client.get(f"{API}/office/submissions/{letter.id}", headers=headers), 404)
    other = bearer(token_for(w.other_officer))
    assert client.get(f"{API}/office/submissions/{letter.id}", headers=other).status_code == 200
    same = client.post(f"{API}/office/submissions/{letter.id}/transfer", headers=other,
                       json={"department_id": w.other_dept.id, "reason": "x"})
    assert is_problem(same, 409) and "department_id" in same.get_json()["errors"]
    missing = client.post(f"{API}/office/submissions/{letter.id}/transfer", headers=other,
                          json={"department_id": 999999, "reason": "x"})
    assert is_problem(missing, 409) and "department_id" in missing.get_json()["errors"]


def test_a_retried_reply_is_drafted_once_and_a_key_is_never_replayed_to_someone_else(client, api_world, letter):
    w = api_world.world
    url = f"{API}/office/submissions/{letter.id}/replies"
    key = {"Idempotency-Key": "reply-7d1e"}
    first = client.post(url, json={"body": "您好。"}, headers={**bearer(token_for(w.officer)), **key})
    again = client.post(url, json={"body": "您好。"}, headers={**bearer(token_for(w.officer)), **key})
    assert first.status_code == again.status_code == 201 and again.get_json() == first.get_json()
    # The same key from a colleague is the colleague's own key: no replay of the officer's reply; the request
    # runs for itself and meets the reply already in preparation.
    colleague = client.post(url, json={"body": "您好。"}, headers={**bearer(token_for(w.colleague)), **key})
    assert is_problem(colleague, 409) and "Idempotent-Replayed" not in colleague.headers
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reply)) == 1
