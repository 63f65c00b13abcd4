"""Online interviews for citizens: the announcement, the list and archive, sending a question (every problem
at once, the text kept, a double submit makes one question, the honeypot, the rate limit), no personal data
on public pages, and the JSON API."""

import pytest
import sqlalchemy as sa

from consult.extensions import db
from consult.interviews.models import Question
from tests.interviews_support import ask, make_interview, question_ids


@pytest.fixture
def department(make_department):
    return make_department(code="JYJ", name="县教育局")


@pytest.fixture
def editor(make_user):
    return make_user(role="editor")


@pytest.fixture
def officer(make_user, department):
    return make_user(role="officer", department=department)


@pytest.fixture
def interview_id(app, department, editor):
    return make_interview(app, department, editor=editor)


def test_the_announcement_shows_topic_time_department_and_officials(client, interview_id):
    page = client.get(f"/interviews/{interview_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "县教育局在线访谈：义务教育招生" in html and "Test Bureau" in html
    assert "张明" in html and "县教育局局长" in html and "李华" in html
    assert "Scheduled" in html and "Ask a question" in html
    assert '<time datetime="' in html and ("AM" in html or "PM" in html)  # the house format, in local time
    listing = client.get("/interviews").get_data(as_text=True)
    assert "县教育局在线访谈：义务教育招生" in listing
    assert "县教育局在线访谈：义务教育招生" not in client.get("/interviews?past=1").get_data(as_text=True)


def test_an_anonymous_reader_gets_a_shared_page_without_a_cookie(client, interview_id):
    page = client.get(f"/interviews/{interview_id}")
    assert "public" in page.headers["Cache-Control"]
    assert "Set-Cookie" not in page.headers


def test_a_missing_interview_is_404_everywhere(client):
    for url in ("/interviews/999", "/interviews/999/ask", "/interviews/999/stream", "/api/v1/interviews/999"):
        assert client.get(url).status_code == 404, url
    assert client.post("/interviews/999/ask", data={"body": "x"}).status_code == 404


def test_every_problem_is_reported_at_once_and_the_text_is_kept(app, client, interview_id):
    response = ask(client, interview_id, name="", phone="12345", email="not-an-address",
                   body="我想问问学区的事情")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please enter your name." in html
    assert "Please enter a mainland China mobile or landline number" in html
    assert "Please enter a valid e-mail address." in html
    assert "我想问问学区的事情" in html  # what was typed is still there
    assert question_ids(app, interview_id) == []


def test_a_question_needs_a_way_to_reach_the_asker(app, client, interview_id):
    response = ask(client, interview_id, phone="", email="")
    assert response.status_code == 422
    assert "Please give a phone number or an e-mail address" in response.get_data(as_text=True)


def test_a_question_is_received_once_however_often_the_form_is_sent(app, client, interview_id):
    first = ask(client, interview_id)
    again = ask(client, interview_id)
    assert first.status_code == again.status_code == 200
    assert "Your question has been sent" in first.get_data(as_text=True)
    assert "tracking number" in first.get_data(as_text=True)
    assert len(question_ids(app, interview_id)) == 1
    ask(client, interview_id, n=2)
    assert len(question_ids(app, interview_id)) == 2


def test_the_honeypot_looks_normal_and_keeps_nothing(app, client, interview_id):
    response = ask(client, interview_id, website="http://spam.example")
    assert response.status_code == 200 and "Your question has been sent" in response.get_data(as_text=True)
    assert question_ids(app, interview_id) == []


def test_an_ended_interview_takes_no_more_questions(app, client, auth, officer, interview_id):
    auth.login(officer)
    client.post(f"/office/interviews/{interview_id}/end")
    auth.logout()
    page = client.get(f"/interviews/{interview_id}/ask")
    assert page.status_code == 409 and "takes no more questions" in page.get_data(as_text=True)
    response = ask(client, interview_id)
    assert response.status_code == 409
    assert question_ids(app, interview_id) == []
    assert "Ask a question" not in client.get(f"/interviews/{interview_id}").get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_over_the_rate_limit_the_form_comes_back_with_the_text(app, client, interview_id):
    statuses = [ask(client, interview_id, n=n).status_code for n in range(1, 7)]
    assert statuses[:5] == [200] * 5
    limited = ask(client, interview_id, n=9, body="第九个问题，文字保留")
    assert limited.status_code == 429
    assert "第九个问题，文字保留" in limited.get_data(as_text=True)
    assert len(question_ids(app, interview_id)) == 5


def test_questions_put_show_the_masked_name_and_never_contact_details(app, client, auth, officer, department,
                                                                     editor):
    interview_id = make_interview(app, department, editor=editor, status="live")
    ask(client, interview_id, name="欧阳娜娜", phone="13912345678", email="nana@example.org",
        body="我家电话13912345678，学区怎么划？")
    auth.login(officer)
    (question_id,) = question_ids(app, interview_id)
    client.post(f"/office/interviews/{interview_id}/questions/{question_id}/select")
    auth.logout()
    public = client.get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert "欧阳**" in public and "学区怎么划" in public
    for personal in ("欧阳娜娜", "13912345678", "nana@example.org"):
        assert personal not in public
    api = client.get(f"/api/v1/interviews/{interview_id}").get_data(as_text=True)
    for personal in ("欧阳娜娜", "13912345678", "nana@example.org"):
        assert personal not in api


def test_questions_waiting_for_the_moderator_are_not_public(app, client, interview_id):
    ask(client, interview_id, body="还没有被选中的问题")
    assert "还没有被选中的问题" not in client.get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert "还没有被选中的问题" not in client.get(f"/api/v1/interviews/{interview_id}").get_data(as_text=True)


def test_the_api_lists_interviews_and_gives_one_with_its_transcript(client, interview_id):
    listed = client.get("/api/v1/interviews").get_json()
    assert [i["id"] for i in listed["items"]] == [interview_id]
    assert listed["items"][0]["officials"][0] == {"name": "张明", "title": "县教育局局长"}
    assert listed["items"][0]["status"] == "scheduled" and listed["items"][0]["accepts_questions"] is True
    assert client.get("/api/v1/interviews?past=1").get_json()["items"] == []
    one = client.get(f"/api/v1/interviews/{interview_id}").get_json()
    assert one["transcript"] == [] and one["description"] == "介绍今年的招生政策。"


def test_the_api_takes_a_question_like_the_form(app, client, interview_id):
    body = {"body": "通过接口提的问题", "name": "刘洋", "email": "liu@example.org"}
    created = client.post(f"/api/v1/interviews/{interview_id}/questions", json=body)
    assert created.status_code == 201 and created.get_json()["status"] == "submitted"
    again = client.post(f"/api/v1/interviews/{interview_id}/questions", json=body,
                        headers={"Idempotency-Key": "same-question-1"})
    replay = client.post(f"/api/v1/interviews/{interview_id}/questions", json=body,
                         headers={"Idempotency-Key": "same-question-1"})
    assert again.status_code == replay.status_code == 201
    assert again.get_json() == replay.get_json()
    assert len(question_ids(app, interview_id)) == 2
    refused = client.post(f"/api/v1/interviews/{interview_id}/questions", json={"body": "x", "name": "刘洋"})
    assert refused.status_code == 422 and "phone" in refused.get_json()["errors"]
    with app.app_context():
        stored = db.session.scalar(sa.select(Question).order_by(Question.id))
        assert (stored.name, stored.email, stored.body) == ("刘洋", "liu@example.org", "通过接口提的问题")


def test_the_api_refuses_a_question_to_an_ended_interview(app, client, auth, officer, interview_id):
    auth.login(officer)
    client.post(f"/office/interviews/{interview_id}/end")
    response = client.post(f"/api/v1/interviews/{interview_id}/questions",
                           json={"body": "晚了", "name": "刘洋", "phone": "13800000001"})
    assert response.status_code == 409
    assert question_ids(app, interview_id) == []


def test_interviews_are_in_the_navigation_and_on_the_home_page(client):
    home = client.get("/").get_data(as_text=True)
    assert 'href="/interviews"' in home
    assert home.count('href="/interviews"') >= 2  # the navigation and the home page's own entry
