"""The live page of an online interview: without JavaScript a short-lived page with a refresh link, with
JavaScript a stream of server-sent events carrying each new transcript entry. The stream only reads, sends
what follows the id the browser has, notices entries recorded while it is open, and ends (the tests give it
a lifetime of a fraction of a second)."""

import threading
import time

import pytest

from consult.accounts.models import User
from consult.extensions import db
from consult.interviews import services
from consult.interviews.models import Interview, Question
from tests.interviews_support import ask, make_interview, officials_of, question_ids


@pytest.fixture
def app_config():
    return {"CONSULT_INTERVIEW_STREAM_SECONDS": 0, "CONSULT_INTERVIEW_POLL_SECONDS": 0.05}


@pytest.fixture
def department(make_department):
    return make_department(code="JYJ", name="县教育局")


@pytest.fixture
def editor(make_user):
    return make_user(role="editor")


@pytest.fixture
def live_id(app, department, editor):
    return make_interview(app, department, editor=editor, status="live")


def _record(app, interview_id, editor, body, *, question_id=None):
    """An answer recorded by the moderator (through the service, as the console does)."""
    with app.app_context():
        interview = db.session.get(Interview, interview_id)
        question = db.session.get(Question, question_id) if question_id else None
        actor = db.session.get(User, editor.id)
        if question is not None:
            services.select_question(question, actor=actor)
        entry = services.record_answer(interview, question=question, official_id=officials_of(app, interview_id)[0],
                                       body=body, actor=actor)
        db.session.commit()
        return entry.id


def _events(body: str) -> list[dict]:
    found = []
    for block in body.split("\n\n"):
        fields = {}
        for line in block.splitlines():
            name, _sep, value = line.partition(": ")
            fields[name] = fields[name] + "\n" + value if name in fields else value
        if "event" in fields:
            found.append(fields)
    return found


def test_the_live_page_works_without_javascript(app, client, live_id, editor):
    page = client.get(f"/interviews/{live_id}")
    html = page.get_data(as_text=True)
    assert "Refresh for the latest answers" in html and 'http-equiv="refresh"' not in html
    assert page.headers["Cache-Control"] == "public, max-age=10, s-maxage=10"
    assert "/static/js/interview-live.js" in html  # the enhancement, from a file (no inline script)
    _record(app, live_id, editor, "第一条回答")
    assert "第一条回答" in client.get(f"/interviews/{live_id}").get_data(as_text=True)  # the page is not stale


def test_the_stream_sends_the_entries_after_the_given_id(app, client, live_id, editor):
    first = _record(app, live_id, editor, "第一条回答")
    second = _record(app, live_id, editor, "第二条回答")
    response = client.get(f"/interviews/{live_id}/stream?after={first}")
    assert response.mimetype == "text/event-stream"
    assert response.headers["X-Accel-Buffering"] == "no" and response.headers["Cache-Control"] == "no-store"
    events = _events(response.get_data(as_text=True))
    assert [(e["event"], e["id"]) for e in events] == [("entry", str(second))]
    assert "第二条回答" in events[0]["data"] and "第一条回答" not in events[0]["data"]
    resumed = client.get(f"/interviews/{live_id}/stream", headers={"Last-Event-ID": str(second)})
    assert _events(resumed.get_data(as_text=True)) == []  # the browser's reconnection misses nothing, repeats nothing


@pytest.mark.parametrize("app_config", [{"CONSULT_INTERVIEW_STREAM_SECONDS": 3,
                                         "CONSULT_INTERVIEW_POLL_SECONDS": 0.05}])
def test_an_answer_recorded_while_the_stream_is_open_arrives(app, client, live_id, editor):
    ask(client, live_id, name="王小明", body="学区什么时候公布？")
    (question_id,) = question_ids(app, live_id)
    response = client.get(f"/interviews/{live_id}/stream", buffered=False)
    chunks = iter(response.response)
    assert next(chunks).startswith(b"retry:")
    recorder = threading.Timer(0.2, _record, (app, live_id, editor, "五月公布。"), {"question_id": question_id})
    recorder.start()
    started, received = time.monotonic(), b""
    while received.count(b"event: entry") < 2:
        received += next(chunks)
    recorder.join()
    response.close()
    events = _events(received.decode())
    assert [e["event"] for e in events] == ["entry", "entry"]
    assert "王*" in events[0]["data"] and "王小明" not in events[0]["data"]
    assert "五月公布。" in events[1]["data"]
    assert time.monotonic() - started < 3  # it came while the stream was open, not at its end


def test_the_stream_of_an_ended_interview_says_so_and_ends(app, client, auth, live_id, editor):
    _record(app, live_id, editor, "最后一条回答")
    auth.login(editor)
    client.post(f"/office/interviews/{live_id}/end")
    events = _events(app.test_client().get(f"/interviews/{live_id}/stream").get_data(as_text=True))
    assert [e["event"] for e in events] == ["entry", "status"] and events[-1]["data"] == "ended"


def test_the_stream_writes_nothing(app, client, live_id, editor, sql):
    _record(app, live_id, editor, "一条回答")
    with sql() as statements:
        client.get(f"/interviews/{live_id}/stream").get_data()
        client.get(f"/interviews/{live_id}").get_data()
    assert statements.writes == []


def test_the_transcript_costs_the_same_queries_however_long_it_is(app, client, live_id, editor, sql):
    _record(app, live_id, editor, "第一条回答")
    with sql() as short:
        client.get(f"/interviews/{live_id}").get_data()
    for n in range(8):
        ask(client, live_id, n=n + 10)
    for question_id in question_ids(app, live_id):
        _record(app, live_id, editor, f"回答{question_id}", question_id=question_id)
    with sql() as long:
        html = client.get(f"/interviews/{live_id}").get_data(as_text=True)
    assert html.count("transcript-entry transcript-") == 17
    assert len(long.selects) == len(short.selects)


def test_hostile_questions_and_answers_never_run_on_the_live_page(app, client, live_id, editor):
    from tests.drafts_support import assert_safe_html
    from tests.hostile_payloads import FORM_PAYLOADS, MARKERS, TEXT_PAYLOADS

    for n, payload in enumerate(FORM_PAYLOADS):
        response = ask(client, live_id, n=n + 100, body=payload, name=payload[:40])
        assert response.status_code < 500, payload[:40]
        assert all(marker not in response.get_data(as_text=True) for marker in MARKERS)
        api = client.post(f"/api/v1/interviews/{live_id}/questions",
                          json={"body": payload, "name": "王五", "phone": "13800138000"})
        assert api.status_code in (201, 422), (payload[:40], api.status_code)
    for question_id in question_ids(app, live_id):
        _record(app, live_id, editor, "回答：" + TEXT_PAYLOADS[question_id % 8], question_id=question_id)
    page = client.get(f"/interviews/{live_id}").get_data(as_text=True)
    stream = client.get(f"/interviews/{live_id}/stream").get_data(as_text=True)
    assert page.count("transcript-entry transcript-") >= 10
    assert_safe_html(page)
    for marker in MARKERS:
        assert marker not in page and marker not in stream
