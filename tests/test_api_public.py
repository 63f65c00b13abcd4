"""The public JSON API: drafts and comments, mailboxes and letters, following a submission, open days."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from tests.api_support import API, is_problem, letter_json, make_event, outbox
from tests.mailbox_support import form_data

from consult.drafts.models import Comment, SensitiveWord
from consult.extensions import db
from consult.mailbox.models import Letter
from consult.tracking import replies
from consult.tracking.models import Submission


# --- drafts and comments ------------------------------------------------------------------------------

def test_drafts_list_and_detail(client, api_world):
    listed = client.get(f"{API}/drafts").get_json()
    assert [d["id"] for d in listed["items"]] == [api_world.draft_id] and listed["next"] is None
    assert listed["items"][0]["accepting_comments"] is True
    draft = client.get(f"{API}/drafts/{api_world.draft_id}").get_json()
    assert draft["version"] == 1 and draft["department"]["name"] == "县司法局"
    assert [a["anchor"] for a in draft["articles"] if a["body"].strip()][:1]
    assert client.get(f"{API}/drafts/999").status_code == 404


def test_unpublished_drafts_are_invisible(client, api_world):
    from tests.drafts_support import make_draft
    from types import SimpleNamespace

    hidden = make_draft(SimpleNamespace(editor=api_world.world.reviewer, reviewer=api_world.world.reviewer,
                                        dept=api_world.world.dept), status="draft")
    assert is_problem(client.get(f"{API}/drafts/{hidden}"), 404)
    assert hidden not in [d["id"] for d in client.get(f"{API}/drafts").get_json()["items"]]


def test_lists_are_cursor_paginated_with_a_next_link(client, api_world):
    for n in range(3):
        client.post(f"{API}/drafts/{api_world.draft_id}/comments",
                    json={"body": f"意见{n}", "name": "王五", "email": f"w{n}@example.org"})
    first = client.get(f"{API}/drafts/{api_world.draft_id}/comments?limit=2")
    page = first.get_json()
    assert [c["body"] for c in page["items"]] == ["意见2", "意见1"]
    assert page["next"].startswith("http") and "cursor=" in page["next"] and "limit=2" in page["next"]
    assert first.headers["Link"] == f'<{page["next"]}>; rel="next"'
    second = client.get(page["next"]).get_json()
    assert [c["body"] for c in second["items"]] == ["意见0"] and second["next"] is None
    bad = client.get(f"{API}/drafts/{api_world.draft_id}/comments?cursor=nonsense")
    assert is_problem(bad, 400) and "cursor" in bad.get_json()["errors"]


def test_commenting_answers_201_with_the_receipt_and_lists_only_public_comments_masked(client, api_world):
    response = client.post(f"{API}/drafts/{api_world.draft_id}/comments",
                           json={"body": "建议增加公开频次。", "name": "王小明", "email": "wxm@example.org",
                                 "phone": "13800138000"})
    assert response.status_code == 201
    receipt = response.get_json()
    submission = db.session.scalar(sa.select(Submission).where(Submission.tracking_no == receipt["tracking_no"]))
    assert receipt["due_on"] == submission.due_on.isoformat() and receipt["status"] == "received"
    assert receipt["moderation"] == "published" and receipt["query_code"]
    assert response.headers["Location"].endswith(f"/api/v1/submissions/{receipt['tracking_no']}")
    assert [m.recipient for m in outbox("submission_receipt")] == ["wxm@example.org"]
    db.session.add(SensitiveWord(word="敏感"))
    db.session.commit()
    held = client.post(f"{API}/drafts/{api_world.draft_id}/comments",
                       json={"body": "这是敏感内容", "name": "李四", "email": "ls@example.org"}).get_json()
    assert held["moderation"] == "held"
    shown = client.get(f"{API}/drafts/{api_world.draft_id}/comments").get_json()["items"]
    assert [(c["public_name"], c["body"]) for c in shown] == [("王**", "建议增加公开频次。")]
    assert "wxm@example.org" not in str(shown) and "13800138000" not in str(shown)


def test_a_comment_on_one_article(client, api_world):
    articles = client.get(f"{API}/drafts/{api_world.draft_id}").get_json()["articles"]
    article = next(a for a in articles if a["body"].strip())
    response = client.post(f"{API}/drafts/{api_world.draft_id}/comments",
                           json={"body": "本条应细化。", "article_id": article["id"], "name": "王五", "email": "w@example.org"})
    assert response.status_code == 201
    comment = db.session.get(Comment, response.get_json()["comment_id"])
    assert comment.article_anchor == article["anchor"]
    only = client.get(f"{API}/drafts/{api_world.draft_id}/comments?article={article['anchor']}").get_json()["items"]
    assert [c["article_anchor"] for c in only] == [article["anchor"]]
    unknown = client.post(f"{API}/drafts/{api_world.draft_id}/comments",
                          json={"body": "x", "article_id": 999999, "name": "王五", "email": "w@example.org"})
    assert is_problem(unknown, 409) and "article_id" in unknown.get_json()["errors"]


def test_comment_validation_errors_name_the_fields(client, api_world):
    response = client.post(f"{API}/drafts/{api_world.draft_id}/comments",
                           json={"body": "", "name": "王五", "email": "not-an-address"})
    assert is_problem(response, 422)
    errors = response.get_json()["errors"]
    assert set(errors) == {"body", "email"} and all(isinstance(m, list) and m for m in errors.values())
    no_contact = client.post(f"{API}/drafts/{api_world.draft_id}/comments", json={"body": "好", "name": "王五"})
    assert is_problem(no_contact, 422) and "email" in no_contact.get_json()["errors"]  # the service's own rule
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


# --- letters and mailboxes ----------------------------------------------------------------------------

def test_mailboxes_are_listed_with_their_categories(client, api_world):
    boxes = client.get(f"{API}/mailboxes").get_json()["items"]
    policy = next(b for b in boxes if b["name"] == "政策咨询")
    assert [c["code"] for c in policy["categories"]] == ["enquiry", "suggestion"] and policy["window_workdays"] == 10


def test_an_api_letter_gets_the_same_due_date_and_receipt_mail_as_a_form_letter(client, api_world):
    mailbox = api_world.boxes.policy
    form = client.post("/mailboxes/write", data=form_data(mailbox, category="enquiry", email="form@example.org"))
    assert form.status_code == 302
    response = client.post(f"{API}/letters", json=letter_json(mailbox.id, category="enquiry", email="api@example.org"))
    assert response.status_code == 201
    receipt = response.get_json()
    by_form, by_api = db.session.scalars(sa.select(Letter).order_by(Letter.id)).all()
    assert by_api.submission.tracking_no == receipt["tracking_no"] and receipt["status"] == "received"
    assert receipt["due_on"] == by_api.submission.due_on.isoformat() == by_form.submission.due_on.isoformat()
    assert by_api.submission.window_workdays == by_form.submission.window_workdays == 10
    assert by_api.submission.submitter_phone == by_form.submission.submitter_phone == "13800138000"
    mails = {m.recipient: m for m in outbox("submission_receipt")}
    assert set(mails) == {"form@example.org", "api@example.org"}
    assert receipt["tracking_no"] in mails["api@example.org"].body_text
    assert mails["api@example.org"].subject.replace(by_api.submission.tracking_no, "#") == \
        mails["form@example.org"].subject.replace(by_form.submission.tracking_no, "#")


def test_a_comment_and_a_letter_sent_through_the_api_are_stored_whole_and_found_by_officers_at_once(
        client, api_world):
    from consult.localtime import local_today
    from consult.search.query import parse
    from consult.tracking.models import STATUSES
    from consult.tracking.queries import InboxFilters, inbox_listing

    comment = client.post(f"{API}/drafts/{api_world.draft_id}/comments",
                          json={"body": "建议增设夜间公交线路。", "name": "王五", "email": "wang@example.org"})
    letter = client.post(f"{API}/letters", json=letter_json(api_world.boxes.policy.id, category="enquiry",
                                                            body="小区路灯坏了很久，晚上出行不便。"))
    for response, word, address in ((comment, "夜间公交", "wang@example.org"),
                                    (letter, "路灯", "ouyang.nana@example.org")):
        assert response.status_code == 201
        number = response.get_json()["tracking_no"]
        submission = db.session.scalar(sa.select(Submission).where(Submission.tracking_no == number))
        assert [(e.action, e.from_status, e.to_status, e.actor_role) for e in submission.events] == [
            ("received", None, "received", "citizen")]
        stmt, order = inbox_listing(submission.department_id, local_today(),
                                    InboxFilters(statuses=STATUSES, query=parse(word)))
        assert [s.tracking_no for s in db.session.scalars(stmt.order_by(*order))] == [number]
        [mail] = [m for m in outbox("submission_receipt") if m.recipient == address]
        assert number in mail.body_text and mail.status == "pending" and mail.attempts == 0


def test_letter_rules_of_the_service_answer_422_with_the_field(client, api_world):
    box = api_world.boxes.policy
    # Well formed, but this mailbox does not take complaints: the current data says no (409).
    wrong_category = client.post(f"{API}/letters", json=letter_json(box.id, category="complaint"))
    assert is_problem(wrong_category, 409) and "category" in wrong_category.get_json()["errors"]
    bad_phone = client.post(f"{API}/letters", json=letter_json(box.id, category="enquiry", phone="12345"))
    assert is_problem(bad_phone, 422) and "phone" in bad_phone.get_json()["errors"]
    public_report = client.post(f"{API}/letters", json=letter_json(api_world.boxes.county.id, category="report",
                                                                    public=True))
    assert is_problem(public_report, 422) and "public" in public_report.get_json()["errors"]
    unknown = client.post(f"{API}/letters", json=letter_json(999999))
    assert is_problem(unknown, 409) and "mailbox_id" in unknown.get_json()["errors"]
    missing = client.post(f"{API}/letters", json={"mailbox_id": box.id})
    assert {"category", "subject", "body", "name"} <= set(missing.get_json()["errors"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == 0


def test_malformed_wrong_type_and_too_large_bodies(client, api_world):
    url = f"{API}/letters"
    malformed = client.post(url, data="{not json", content_type="application/json")
    assert is_problem(malformed, 400)
    form_encoded = client.post(url, data={"mailbox_id": "1"})
    assert is_problem(form_encoded, 415)
    huge = client.post(url, json=letter_json(api_world.boxes.county.id, body="长" * 100_000))  # 300 KB
    assert is_problem(huge, 413)
    not_an_object = client.post(url, json=[1, 2])
    assert is_problem(not_an_object, 422)
    wrong_types = client.post(url, json=letter_json("1", public="yes"))
    assert set(wrong_types.get_json()["errors"]) == {"mailbox_id", "public"}
    nul = client.post(url, json=letter_json(api_world.boxes.county.id, subject="a\x00b"))
    assert "subject" in nul.get_json()["errors"]


# --- following a submission ---------------------------------------------------------------------------

def _letter(client, api_world, **overrides):
    return client.post(f"{API}/letters", json=letter_json(api_world.boxes.county.id, **overrides)).get_json()


def test_a_submission_is_followed_with_its_code_and_shows_the_answer_and_public_timeline(client, api_world):
    receipt = _letter(client, api_world)
    url = f"{API}/submissions/{receipt['tracking_no']}"
    shown = client.get(f"{url}?code={receipt['query_code']}")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    body = shown.get_json()
    assert body["status"] == "received" and body["due_on"] == receipt["due_on"] and body["answer"] is None
    submission = db.session.scalar(sa.select(Submission).where(Submission.tracking_no == receipt["tracking_no"]))
    w = api_world.world
    reply = replies.create_reply(w.officer, [submission], "已责令整改。")
    replies.submit_reply(reply, actor=w.officer)
    replies.approve_reply(reply, reviewer=w.reviewer, note="内部审核意见")
    db.session.commit()
    body = client.get(f"{url}?code={receipt['query_code'].lower().replace('-', '')}").get_json()
    assert body["status"] == "answered" and body["answer"]["body"] == "已责令整改。"
    assert [e["to_status"] for e in body["timeline"]][-1] == "answered"
    text = str(body)
    assert "officer@example.org" not in text and "内部审核意见" not in text
    assert all(set(e) == {"at", "action", "from_status", "to_status", "actor_role", "note"} for e in body["timeline"])
    assert "13800138000" not in text


def test_a_wrong_code_and_an_unknown_number_answer_the_same_404(client, api_world):
    receipt = _letter(client, api_world)
    wrong = client.get(f"{API}/submissions/{receipt['tracking_no']}?code=AAAA-BBBB-CCCC")
    unknown = client.get(f"{API}/submissions/L-20000101-99999?code={receipt['query_code']}")
    assert is_problem(wrong, 404) and wrong.get_json() == unknown.get_json()
    assert client.get(f"{API}/submissions/{receipt['tracking_no']}").get_json() == wrong.get_json()  # no code


# --- open days ----------------------------------------------------------------------------------------

def test_events_are_listed_and_registration_answers_the_allocation_status(client, api_world):
    events = client.get(f"{API}/events").get_json()["items"]
    assert [e["id"] for e in events] == [api_world.event_id] and events[0]["seats_left"] == 1
    url = f"{API}/events/{api_world.event_id}/registrations"
    first = client.post(url, json={"name": "市民甲", "phone": "13800000001", "email": "a@example.org"})
    second = client.post(url, json={"name": "市民乙", "phone": "13800000002", "email": "b@example.org"})
    assert first.status_code == second.status_code == 201
    assert first.get_json()["status"] == "confirmed" and first.get_json()["waitlist_place"] is None
    assert second.get_json()["status"] == "waitlisted" and second.get_json()["waitlist_place"] == 1
    assert "/events/r/" in first.get_json()["manage_url"]
    assert {m.recipient for m in outbox()} >= {"a@example.org", "b@example.org"}
    again = client.post(url, json={"name": "市民甲", "phone": "13800000001", "email": "a@example.org"})
    assert is_problem(again, 409) and "email" in again.get_json()["errors"]
    approval = make_event(api_world.world.dept.id, mode="approval")
    pending = client.post(f"{API}/events/{approval}/registrations",
                          json={"name": "市民丙", "phone": "13800000003", "email": "c@example.org"})
    assert pending.get_json()["status"] == "pending"


def test_registration_rules(client, api_world):
    url = f"{API}/events/{api_world.event_id}/registrations"
    no_phone = client.post(url, json={"name": "市民甲", "email": "a@example.org"})  # this event needs one
    assert is_problem(no_phone, 409) and "phone" in no_phone.get_json()["errors"]
    hidden = make_event(api_world.world.dept.id, published=False)
    assert is_problem(client.post(f"{API}/events/{hidden}/registrations", json={"name": "x"}), 404)
    from datetime import timedelta

    from consult.database import utcnow

    closed = make_event(api_world.world.dept.id, registration_closes_at=utcnow() - timedelta(hours=1))
    late = client.post(f"{API}/events/{closed}/registrations",
                       json={"name": "市民甲", "phone": "13800000001", "email": "a@example.org"})
    assert is_problem(late, 409)


# --- idempotency --------------------------------------------------------------------------------------

def test_an_idempotency_key_replays_the_first_answer_and_creates_one_letter(client, api_world):
    body = letter_json(api_world.boxes.county.id)
    headers = {"Idempotency-Key": "3f1c7a2e-0b55-4c1e-9d7a-0c2b8e6f1a90"}
    first = client.post(f"{API}/letters", json=body, headers=headers)
    again = client.post(f"{API}/letters", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == {**first.get_json(), "query_code": None}  # the code is shown once
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == 1
    assert len(outbox("submission_receipt")) == 1
    other = client.post(f"{API}/letters", json={**body, "subject": "另一件事"}, headers=headers)
    assert is_problem(other, 422) and "Idempotency-Key" in other.get_json()["errors"]
    without_key = [client.post(f"{API}/letters", json=body).status_code for _ in range(2)]
    assert without_key == [201, 201]  # no key: two deliberate letters are two letters


def test_a_key_replays_for_a_day_and_never_makes_a_second_letter_after(client, runner, api_world):
    body = letter_json(api_world.boxes.county.id)
    headers = {"Idempotency-Key": "kept-for-a-day"}
    first = client.post(f"{API}/letters", json=body, headers=headers)
    today = runner.invoke(args=["remind"])
    assert "API idempotency keys forgotten (older than a day): 0." in today.output
    assert client.post(f"{API}/letters", json=body, headers=headers).get_json()["tracking_no"] == \
        first.get_json()["tracking_no"]
    later = runner.invoke(args=["remind", "--today", (date.today() + timedelta(days=3)).isoformat()])
    assert "API idempotency keys forgotten (older than a day): 1." in later.output
    again = client.post(f"{API}/letters", json=body, headers=headers)
    # No replay of the first answer any more, and still never a second letter.
    assert is_problem(again, 409) and "already received" in again.get_json()["detail"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == 1


def test_a_failed_request_does_not_use_up_its_key(client, api_world):
    headers = {"Idempotency-Key": "retry-after-fixing-1"}
    event_url = f"{API}/events/{api_world.event_id}/registrations"
    assert client.post(event_url, json={"name": "市民甲"}, headers=headers).status_code == 409  # needs a phone
    fixed = client.post(event_url, json={"name": "市民甲", "phone": "13800000001", "email": "a@example.org"},
                        headers={"Idempotency-Key": "retry-after-fixing-2"})
    replay = client.post(event_url, json={"name": "市民甲", "phone": "13800000001", "email": "a@example.org"},
                         headers={"Idempotency-Key": "retry-after-fixing-2"})
    assert fixed.status_code == replay.status_code == 201
    assert replay.get_json() == {**fixed.get_json(), "manage_url": None}  # the registrant's link is shown once
    assert is_problem(client.post(event_url, json={}, headers={"Idempotency-Key": "bad key"}), 400)


# --- CORS, rate limits --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/drafts", "/mailboxes", "/events", "/stats", "/openapi.json"])
def test_public_reads_allow_any_origin(client, api_world, path):
    response = client.get(f"{API}{path}", headers={"Origin": "https://dashboard.example"})
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(f"{API}{path}", headers={"Origin": "https://dashboard.example",
                                                        "Access-Control-Request-Method": "GET"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


def test_writes_and_office_endpoints_never_allow_other_origins(client, api_world):
    origin = {"Origin": "https://evil.example"}
    write = client.post(f"{API}/letters", json=letter_json(api_world.boxes.county.id), headers=origin)
    assert write.status_code == 201 and "Access-Control-Allow-Origin" not in write.headers
    preflight = client.options(f"{API}/drafts/{api_world.draft_id}/comments",
                               headers={**origin, "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    office = client.get(f"{API}/office/inbox", headers=origin)
    assert office.status_code == 401 and "Access-Control-Allow-Origin" not in office.headers
    office_preflight = client.options(f"{API}/office/inbox", headers={**origin, "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in office_preflight.headers


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_writes_are_rate_limited_with_a_problem_and_retry_after(client, api_world):
    from consult.extensions import limiter

    limiter.reset()
    statuses = []
    for n in range(6):
        response = client.post(f"{API}/letters", json=letter_json(api_world.boxes.county.id, subject=f"第{n}封"))
        statuses.append(response.status_code)
    assert statuses == [201] * 5 + [429]
    assert is_problem(response, 429) and int(response.headers["Retry-After"]) > 0
    assert client.get(f"{API}/mailboxes").status_code == 200  # reading is not limited
    limiter.reset()


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_guessing_query_codes_is_rate_limited(client, api_world):
    from consult.extensions import limiter

    limiter.reset()
    statuses = [client.get(f"{API}/submissions/L-20000101-00001?code=AAAA{n}").status_code for n in range(11)]
    assert statuses == [404] * 10 + [429]
    limiter.reset()


def test_api_answers_never_set_cookies(client, api_world):
    responses = [client.get(f"{API}/drafts"),
                 client.post(f"{API}/letters", json=letter_json(api_world.boxes.county.id))]
    assert all("Set-Cookie" not in r.headers for r in responses)


# --- statistics ---------------------------------------------------------------------------------------

def test_stats_are_the_statistics_service_figures(client, api_world):
    from consult.stats.services import compute_stats

    client.post(f"{API}/letters", json=letter_json(api_world.boxes.county.id))
    client.post(f"{API}/letters", json=letter_json(api_world.boxes.finance.id))
    everything = client.get(f"{API}/stats").get_json()
    formulas = everything.pop("formulas")
    assert everything == compute_stats() and everything["totals"]["received"] == 2
    assert set(formulas) == {"response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate"}
    one = client.get(f"{API}/stats?department={api_world.world.dept.id}&months=3").get_json()
    assert one["totals"]["received"] == 1 and one["period"]["months"] == 3
    assert is_problem(client.get(f"{API}/stats?months=99"), 400)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_the_api_needs_no_csrf_token_but_the_token_page_does(client, auth, api_world):
    from tests.mailbox_support import login_as

    assert client.post(f"{API}/letters", json=letter_json(api_world.boxes.county.id)).status_code == 201
    login_as(auth, api_world.world.officer)
    assert client.post("/account/api-tokens", data={"name": "x", "expires_in_days": "30"}).status_code == 400
