"""Open days as a registrant meets them: every missing detail at once, a second registration refused on the
field that matched, cancelling only after a confirmation page, the calendar file only while registered,
questions after the event (errors, rate limit, the same question sent again) and the shared receipt."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.database import utcnow
from consult.events.models import Event, Registration
from consult.extensions import db
from consult.notify.models import OutboxMessage
from consult.tracking.models import Submission


@pytest.fixture
def make_event(app, make_department):
    department = make_department(code="SFJ", name="县司法局")

    def make(**fields) -> int:
        now = utcnow()
        values = dict(
            title="县司法局政务开放日", description="", department_id=department.id, venue="县公共法律服务中心",
            starts_at=now + timedelta(days=5), ends_at=now + timedelta(days=5, hours=2),
            registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=4),
            capacity=2, mode="first_come", require_phone=True, require_email=True,
        )
        values.update(fields)
        with app.app_context():
            event = Event(**values)
            db.session.add(event)
            db.session.commit()
            return event.id

    return make


def _register(client, event_id, name="市民1", phone="13800000001", email="p1@example.org"):
    return client.post(f"/events/{event_id}/register", data={"name": name, "phone": phone, "email": email})


def _token(response) -> str:
    return re.search(r"/events/r/([0-9a-f]+)", response.location).group(1)


def _after_the_event(app, event_id) -> None:
    with app.app_context():
        event = db.session.get(Event, event_id)
        event.starts_at, event.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1)
        event.registration_opens_at = utcnow() - timedelta(days=5)
        event.registration_closes_at = utcnow() - timedelta(days=1)
        db.session.commit()


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- registering ---------------------------------------------------------------------------------------------

def test_every_missing_detail_is_reported_at_once(app, client, make_event):
    event_id = make_event(ask_id_card=True)
    response = _register(client, event_id, name="", phone="", email="")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("name", "phone", "email", "id_card"):
        assert f'id="{field}-error"' in page and f'<a href="#{field}">' in page, field
    assert "Fields marked * are required." in page
    for field in ("name", "phone", "email", "id_card"):
        assert re.search(rf'<input[^>]*id="{field}"[^>]*required', page), field
    assert _count(app, Registration) == 0


@pytest.mark.parametrize("phone, email, field", [
    ("13800000001", "other@example.org", "phone"),
    ("13900000009", "p1@example.org", "email"),
])
def test_a_second_registration_is_refused_on_the_field_that_matched(client, make_event, phone, email, field):
    event_id = make_event()
    _register(client, event_id)
    page = _register(client, event_id, name="市民2", phone=phone, email=email).get_data(as_text=True)
    other = {"phone": "email", "email": "phone"}[field]
    assert f'id="{field}-error"' in page and f'id="{other}-error"' not in page
    assert "already registered for this event" in page


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_over_the_rate_limit_the_registration_form_comes_back_filled_in(app, client, make_event):
    event_id = make_event(capacity=20)
    for n in range(10):
        assert _register(client, event_id, name=f"市民{n}", phone=f"1380000{n:04d}",
                         email=f"p{n}@example.org").status_code == 302
    response = _register(client, event_id, name="最后一位", phone="13912345678", email="last@example.org")
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "您在短时间内多次提交本表单" in page and 'value="最后一位"' in page and 'value="last@example.org"' in page
    assert _count(app, Registration) == 10


# --- the registration's page and cancelling ---------------------------------------------------------------

def test_cancelling_asks_for_confirmation_first(app, client, make_event):
    event_id = make_event(capacity=1)
    token = _token(_register(client, event_id))
    _register(client, event_id, name="市民2", phone="13800000002", email="p2@example.org")  # waiting list
    page = client.get(f"/events/r/{token}").get_data(as_text=True)
    assert f'href="/events/r/{token}/cancel"' in page and f'action="/events/r/{token}/cancel"' not in page
    confirm = client.get(f"/events/r/{token}/cancel")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Cancel your registration?" in text
    assert "the first person on the waiting list" in text and "cannot be undone" in text
    assert re.search(r'<form method="post"[^>]*>\s*(<input[^>]*csrf_token[^>]*>)?\s*<button type="submit"', text)
    with app.app_context():
        assert db.session.scalar(sa.select(Registration.status).where(Registration.name == "市民1")) == "confirmed"
    assert client.post(f"/events/r/{token}/cancel").status_code == 302
    with app.app_context():
        statuses = dict(db.session.execute(sa.select(Registration.name, Registration.status)).all())
    assert statuses == {"市民1": "cancelled", "市民2": "confirmed"}
    assert client.get(f"/events/r/{token}/cancel").status_code == 302  # nothing left to cancel


def test_a_cancelled_registration_offers_no_calendar_file(client, make_event):
    event_id = make_event()
    token = _token(_register(client, event_id))
    assert f"/events/{event_id}/event.ics" in client.get(f"/events/r/{token}").get_data(as_text=True)
    client.post(f"/events/r/{token}/cancel")
    page = client.get(f"/events/r/{token}").get_data(as_text=True)
    assert "Cancelled" in page and "event.ics" not in page and "/cancel" not in page


def test_my_registrations_cancel_through_the_same_confirmation(app, client, auth, make_user, make_event):
    event_id = make_event()
    citizen = make_user()
    auth.login(citizen)
    client.post(f"/events/{event_id}/register", data={"name": "张三", "phone": "13800000000"})
    with app.app_context():
        reg_id = db.session.scalar(sa.select(Registration.id))
    assert f'href="/events/mine/{reg_id}/cancel"' in client.get(f"/events/mine/{reg_id}").get_data(as_text=True)
    assert "Yes, cancel my registration" in client.get(f"/events/mine/{reg_id}/cancel").get_data(as_text=True)
    auth.login(make_user())
    assert client.get(f"/events/mine/{reg_id}/cancel").status_code == 404


def test_the_registration_page_is_a_receipt_with_the_code_as_in_the_mail(app, client, make_event):
    event_id = make_event()
    token = _token(_register(client, event_id))
    page = client.get(f"/events/r/{token}").get_data(as_text=True)
    with app.app_context():
        code = db.session.scalar(sa.select(Registration.checkin_code))
        mail = db.session.scalar(sa.select(OutboxMessage.body_text).where(OutboxMessage.template == "registration_received"))
    grouped = f"{code[:4]}-{code[4:]}"
    assert 'class="panel receipt"' in page and f'<span class="receipt-code">{grouped}</span>' in page
    assert grouped in mail and "What happens next" in page and f'href="/events/r/{token}"' in page


# --- questions after the event --------------------------------------------------------------------------------

def test_a_question_sent_again_after_going_back_is_one_question(app, client, make_event):
    event_id = make_event()
    token = _token(_register(client, event_id))
    _after_the_event(app, event_id)
    empty = client.post(f"/events/r/{token}/question", data={"body": "", "form_token": "a" * 32})
    assert empty.status_code == 422 and 'id="body-error"' in empty.get_data(as_text=True)
    data = {"subject": "法律援助", "body": "请问法律援助申请需要哪些材料？", "form_token": "b" * 32}
    first = client.post(f"/events/r/{token}/question", data=data, follow_redirects=True).get_data(as_text=True)
    again = client.post(f"/events/r/{token}/question", data={**data, "form_token": "c" * 32},
                        follow_redirects=True).get_data(as_text=True)
    assert _count(app, Submission) == 1
    with app.app_context():
        submission = db.session.scalar(sa.select(Submission))
        tracking_no, due = submission.tracking_no, submission.due_on
    assert 'class="panel receipt"' in first and '<span class="query-code">' in first
    assert tracking_no in again and '<span class="query-code">' not in again
    assert f'href="/track?tracking_no={tracking_no}"' in first and due.isoformat() in first


def test_the_same_question_form_sent_twice_at_once_is_one_question_and_both_get_it(app, client, make_event):
    """Like every kind: a simultaneous double send returns the first record to both (never a 409)."""
    import threading

    from consult.events import services

    event_id = make_event()
    token = _token(_register(client, event_id))
    _after_the_event(app, event_id)
    with app.app_context():
        registration_id = services.registration_by_token(token).id
    barrier, answers, errors = threading.Barrier(2), [], []

    def send():
        try:
            barrier.wait(timeout=30)
            with app.test_request_context("/events/question", method="POST"):
                registration = db.session.get(Registration, registration_id)
                result = services.ask_question(registration, subject="法律援助", body="请问需要哪些材料？",
                                               form_token="d" * 32)
                db.session.commit()
                answers.append(result)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(answers) == 2
    assert answers[0].submission_id == answers[1].submission_id
    assert sorted(a.query_code is None for a in answers) == [False, True]  # the code is shown once
    assert _count(app, Submission) == 1


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_over_the_rate_limit_the_question_comes_back_on_the_form(app, client, make_event):
    event_id = make_event()
    token = _token(_register(client, event_id))
    _after_the_event(app, event_id)
    for n in range(10):
        client.post(f"/events/r/{token}/question", data={"body": f"问题{n}", "form_token": f"{n:032d}"})
    response = client.post(f"/events/r/{token}/question", data={"body": "这个问题不能丢。", "form_token": "z" * 32})
    assert response.status_code == 429
    assert "这个问题不能丢。" in response.get_data(as_text=True)


def test_the_status_page_of_a_question_names_the_event(app, client, make_event):
    event_id = make_event()
    token = _token(_register(client, event_id))
    _after_the_event(app, event_id)
    page = client.post(f"/events/r/{token}/question", data={"body": "请问下次何时举办？", "form_token": "d" * 32},
                       follow_redirects=True).get_data(as_text=True)
    tracking_no, code = re.search(r'<span class="receipt-code">(Q-[^<]+)</span>.*?<span class="query-code">([^<]+)<',
                                  page, re.S).groups()
    client.post("/track", data={"tracking_no": tracking_no, "code": code})
    status = client.get(f"/track/{tracking_no}").get_data(as_text=True)
    assert f'<dt>Event</dt><dd><a href="/events/{event_id}">县司法局政务开放日</a></dd>' in status
    assert "请问下次何时举办？" in status
