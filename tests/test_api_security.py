"""The API against hostile or careless clients: deeply nested JSON, replayed Idempotency-Keys, query codes kept
out of URLs, unknown members in bodies, and problems that speak of requests in the client's language."""

import pytest
import sqlalchemy as sa
from flask_babel import refresh
from tests.api_support import API, bearer, is_problem, letter_json, token_for
from tests.hostile_payloads import DEEP_JSON

from consult.api.models import IdempotencyRecord
from consult.drafts.models import Comment
from consult.events.models import Registration
from consult.extensions import db
from consult.mailbox.models import Letter
from consult.tracking.models import Reply, Submission


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _letter(client, api_world, **headers):
    return client.post(f"{API}/letters", json=letter_json(api_world.boxes.county.id), headers=headers)


# --- deeply nested JSON ---------------------------------------------------------------------------------

def test_deeply_nested_json_answers_400_on_every_json_post(client, api_world):
    officer = bearer(token_for(api_world.world.officer))
    _letter(client, api_world)
    submission_id = db.session.scalar(sa.select(Submission.id))
    posts = [(f"{API}/letters", {}), (f"{API}/drafts/{api_world.draft_id}/comments", {}),
             (f"{API}/events/{api_world.event_id}/registrations", {}),
             (f"{API}/office/submissions/{submission_id}/replies", officer),
             (f"{API}/office/submissions/{submission_id}/transfer", officer)]
    for url, headers in posts:
        for raw in DEEP_JSON:
            response = client.post(url, data=raw, content_type="application/json", headers=headers)
            assert is_problem(response, 400), (url, len(raw), response.status_code)
            assert "nested too deeply" in response.get_json()["detail"]
    assert _count(Letter) == 1 and _count(Comment) == _count(Registration) == _count(Reply) == 0


def test_a_body_nested_a_little_is_refused_by_field(client, api_world):
    response = client.post(f"{API}/letters", json=letter_json(api_world.boxes.county.id, subject=[[["x"]]]))
    assert is_problem(response, 422) and "subject" in response.get_json()["errors"]


# --- Idempotency-Key replays ----------------------------------------------------------------------------

def test_an_attackers_replay_never_hands_over_the_query_code(client, api_world):
    """Someone who copied a client's key and body (from a log, say) gets the receipt without the code."""
    key = {"Idempotency-Key": "order-1"}  # a guessable key: the worst case
    first = _letter(client, api_world, **key)
    code = first.get_json()["query_code"]
    assert first.status_code == 201 and code
    replay = _letter(client, api_world, **key)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json()["query_code"] is None and code not in replay.get_data(as_text=True)
    assert replay.get_json()["tracking_no"] == first.get_json()["tracking_no"] and _count(Letter) == 1
    stored = db.session.scalar(sa.select(IdempotencyRecord))
    assert code not in stored.response_body and stored.key != "order-1"  # neither the code nor the key is kept


def test_a_replayed_registration_never_hands_over_the_registrants_link(client, api_world):
    url = f"{API}/events/{api_world.event_id}/registrations"
    body = {"name": "市民甲", "phone": "13800000001", "email": "a@example.org"}
    first = client.post(url, json=body, headers={"Idempotency-Key": "reg-1"})
    link = first.get_json()["manage_url"]
    assert first.status_code == 201 and first.headers["Location"] == link
    replay = client.post(url, json=body, headers={"Idempotency-Key": "reg-1"})
    assert replay.status_code == 201 and replay.get_json()["manage_url"] is None
    assert link not in replay.get_data(as_text=True) and "Location" not in replay.headers
    assert _count(Registration) == 1


def test_an_officers_key_is_the_officers_own(client, api_world):
    w = api_world.world
    letter = _letter(client, api_world).get_json()
    submission = db.session.scalar(sa.select(Submission).where(Submission.tracking_no == letter["tracking_no"]))
    key = {"Idempotency-Key": "transfer-1"}
    url = f"{API}/office/submissions/{submission.id}/transfer"
    body = {"department_id": w.other_dept.id, "reason": "属财政局职责"}
    first = client.post(url, json=body, headers={**bearer(token_for(w.officer)), **key})
    assert first.status_code == 200
    colleague = client.post(url, json=body, headers={**bearer(token_for(w.colleague)), **key})
    assert "Idempotent-Replayed" not in colleague.headers and is_problem(colleague, 404)  # now another department's


# --- the query code in a header -------------------------------------------------------------------------

def test_the_query_code_travels_best_in_a_header(client, api_world):
    receipt = _letter(client, api_world).get_json()
    url = f"{API}/submissions/{receipt['tracking_no']}"
    shown = client.get(url, headers={"X-Query-Code": receipt["query_code"]})
    assert shown.status_code == 200 and shown.get_json()["tracking_no"] == receipt["tracking_no"]
    assert client.get(url, query_string={"code": receipt["query_code"]}).status_code == 200  # still works
    wrong = client.get(url, headers={"X-Query-Code": "AAAA-BBBB-CCCC"})
    assert is_problem(wrong, 404)
    preflight = client.options(url, headers={"Origin": "https://dashboard.example",
                                             "Access-Control-Request-Method": "GET",
                                             "Access-Control-Request-Headers": "X-Query-Code"})
    assert "X-Query-Code" in preflight.headers["Access-Control-Allow-Headers"]


# --- unknown members, the article anchor ----------------------------------------------------------------

def test_a_comment_names_its_article_by_anchor_and_unknown_members_are_refused(client, api_world):
    url = f"{API}/drafts/{api_world.draft_id}/comments"
    anchor = next(a for a in client.get(f"{API}/drafts/{api_world.draft_id}").get_json()["articles"]
                  if a["body"].strip())["anchor"]
    person = {"name": "王五", "email": "w@example.org"}
    response = client.post(url, json={"body": "本条应细化。", "article": anchor, **person})
    assert response.status_code == 201
    assert db.session.get(Comment, response.get_json()["comment_id"]).article_anchor == anchor
    missing = client.post(url, json={"body": "本条应细化。", "article": "art-999", **person})
    assert is_problem(missing, 409) and "article" in missing.get_json()["errors"]
    both = client.post(url, json={"body": "x", "article": anchor, "article_id": 1, **person})
    assert is_problem(both, 422) and "article" in both.get_json()["errors"]
    typo = client.post(url, json={"body": "x", "articel": anchor, **person})
    assert is_problem(typo, 422) and typo.get_json()["errors"] == {"articel": ["Not a field of this request."]}
    assert _count(Comment) == 1


@pytest.mark.parametrize("path,body", [
    ("/letters", lambda w: {**letter_json(w.boxes.county.id), "priority": "high"}),
    ("/events/{event}/registrations",
     lambda w: {"name": "市民甲", "phone": "13800000001", "email": "a@example.org", "seats": 2}),
])
def test_every_body_refuses_members_it_does_not_know(client, api_world, path, body):
    response = client.post(f"{API}{path.format(event=api_world.event_id)}", json=body(api_world))
    assert is_problem(response, 422) and len(response.get_json()["errors"]) == 1


def test_an_id_beyond_what_a_column_holds_names_nothing(client, api_world):
    assert is_problem(client.post(f"{API}/drafts/2147483648/comments", json={}), 404)
    assert is_problem(client.get(f"{API}/drafts/99999999999999999999"), 404)


# --- problems in the client's language ------------------------------------------------------------------

def test_problems_speak_of_requests_and_resources(client, api_world):
    missing = client.get(f"{API}/drafts/999").get_json()
    assert missing["title"] == "Resource not found" and "page" not in missing["detail"].lower()
    not_json = client.post(f"{API}/letters", data={"x": "1"}).get_json()
    assert not_json["status"] == 415 and not_json["title"] == "The request body is not JSON"
    closed = client.post(f"{API}/letters", json=letter_json(api_world.boxes.policy.id, category="complaint"))
    assert closed.status_code == 409 and "form" not in str(closed.get_json()).lower()
    assert client.get("/nowhere", headers={"Accept": "application/json"}).get_json()["title"] == "Page not found"


def test_field_messages_and_titles_follow_accept_language(client, api_world):
    bad = letter_json(api_world.boxes.county.id, subject="  ", phone="12345", email="")
    chinese = client.post(f"{API}/letters", json=bad, headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_json()
    assert chinese["title"] == "请求与接口说明不符"
    assert chinese["errors"] == {"subject": ["此项为必填项。"],
                                 "phone": ["请输入中国大陆手机或固定电话号码，如13800138000。"]}
    refresh()  # the test's own app context outlives each request (in production every request has its own)
    english = client.post(f"{API}/letters", json=bad, headers={"Accept-Language": "en"}).get_json()
    assert english["errors"]["subject"] == ["This field is required."]
    refresh()
    missing = client.get(f"{API}/drafts/999", headers={"Accept-Language": "zh-CN"}).get_json()
    assert missing["title"] == "资源不存在"
