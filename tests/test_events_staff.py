"""Open days, staff side: creating and editing events, the registrations list and CSV, manual adds,
check-in at the door with the QR token or the short code, questions after the event, and the demo seed."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeSerializer

from consult.database import utcnow
from consult.events import checkin
from consult.events.models import Event, EventQuestion, Registration
from consult.extensions import db
from consult.tracking.models import Submission


@pytest.fixture
def department(make_department):
    return make_department(code="SFJ", name="县司法局")


@pytest.fixture
def officer(make_user, department):
    return make_user(role="officer", department=department)


@pytest.fixture
def make_event(app, department):
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


def register(client, event_id, n):
    response = client.post(f"/events/{event_id}/register",
                           data={"name": f"市民{n}", "phone": f"1380000{n:04d}", "email": f"p{n}@example.org"})
    return re.search(r"/events/r/([0-9a-f]+)", response.location).group(1)


def registration(app, name):
    with app.app_context():
        r = db.session.scalar(sa.select(Registration).where(Registration.name == name))
        db.session.expunge(r)
        return r


def token_of(app, name):
    with app.app_context():
        return checkin.checkin_token(db.session.scalar(sa.select(Registration).where(Registration.name == name)))


def form_times(days: int) -> dict:
    base = (utcnow() + timedelta(days=days)).replace(hour=10, minute=0)  # local time, Asia/Shanghai
    fmt = "%Y-%m-%dT%H:%M"
    return {
        "starts_at": base.strftime(fmt), "ends_at": (base + timedelta(hours=2)).strftime(fmt),
        "registration_opens_at": (base - timedelta(days=20)).strftime(fmt),
        "registration_closes_at": (base - timedelta(days=1)).strftime(fmt),
    }


def test_editor_creates_and_edits_an_event(app, client, auth, make_user, department):
    editor = make_user(role="editor")
    auth.login(editor)
    data = {"title": "县财政局开放日", "description": "**预算**公开", "department_id": department.id,
            "venue": "财政局会议室", "capacity": 2, "mode": "first_come", "require_phone": "y",
            "published": "y", **form_times(10)}
    response = client.post("/events/manage/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(sa.select(Event))
        event_id = event.id
        assert event.starts_at.hour == 2  # 10:00 in Asia/Shanghai is stored as 02:00 UTC
    bad = client.post(f"/events/manage/{event_id}/edit", data={**data, "ends_at": data["registration_opens_at"]})
    assert bad.status_code == 422
    assert client.post(f"/events/manage/{event_id}/edit", data={**data, "capacity": 5}).status_code == 302
    with app.app_context():
        assert db.session.get(Event, event_id).capacity == 5


def test_only_editors_create_events(client, auth, officer):
    auth.login(officer)
    assert client.get("/events/manage/new").status_code == 403


def test_capacity_edit_through_the_form_rebalances(app, client, auth, make_user, department, make_event):
    event_id = make_event(capacity=2)
    for n in (1, 2, 3):
        register(client, event_id, n)
    auth.login(make_user(role="editor"))
    page = client.get(f"/events/manage/{event_id}/edit").get_data(as_text=True)
    assert 'name="capacity"' in page
    with app.app_context():
        event = db.session.get(Event, event_id)
        data = {"title": event.title, "description": "", "department_id": department.id, "venue": event.venue,
                "capacity": 1, "mode": "first_come", "require_phone": "y", "require_email": "y", "published": "y"}
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            from consult.localtime import as_utc, zone
            data[name] = as_utc(getattr(event, name)).astimezone(zone()).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/events/manage/{event_id}/edit", data=data).status_code == 302
    assert registration(app, "市民2").status == "waitlisted"
    assert registration(app, "市民2").waitlist_position < registration(app, "市民3").waitlist_position


def test_registrations_list_filters_and_department_scope(app, client, auth, make_user, make_department, officer,
                                                         make_event):
    event_id = make_event(capacity=1)
    register(client, event_id, 1)
    register(client, event_id, 2)
    auth.login(make_user(role="reviewer", department=make_department()))
    assert client.get(f"/events/manage/{event_id}").status_code == 403
    assert client.get(f"/events/manage/{event_id}/registrations.csv").status_code == 403
    auth.login(officer)
    everyone = client.get(f"/events/manage/{event_id}").get_data(as_text=True)
    assert "市民1" in everyone and "市民2" in everyone
    waiting = client.get(f"/events/manage/{event_id}?status=waitlisted").get_data(as_text=True)
    assert "市民2" in waiting and "市民1" not in waiting
    assert client.get(f"/events/manage/{event_id}?status=bogus").status_code == 400
    assert "县司法局政务开放日" in client.get("/events/manage").get_data(as_text=True)


def test_csv_export_streams_every_registration(app, client, auth, officer, make_event):
    event_id = make_event(capacity=1)
    register(client, event_id, 1)
    client.post(f"/events/{event_id}/register", data={"name": "=HYPERLINK(1)", "phone": "13900000000",
                                                     "email": "x@example.org"})
    auth.login(officer)
    response = client.get(f"/events/manage/{event_id}/registrations.csv")
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffid,name,phone,email")
    assert "市民1" in text and "p1@example.org" in text
    assert "'=HYPERLINK(1)" in text


def test_officer_adds_a_registration_by_hand_after_the_window(app, client, auth, officer, make_event):
    now = utcnow()
    event_id = make_event(registration_opens_at=now - timedelta(days=3), registration_closes_at=now - timedelta(days=1),
                          mode="approval")
    auth.login(officer)
    response = client.post(f"/events/manage/{event_id}/add", data={"name": "电话报名", "phone": "13700000000",
                                                                  "email": "t@example.org"})
    assert response.status_code == 302
    assert registration(app, "电话报名").status == "confirmed"
    assert registration(app, "电话报名").added_by_id == officer.id


def test_check_in_with_token_twice_is_idempotent(app, client, auth, officer, make_event):
    event_id = make_event()
    register(client, event_id, 1)
    token = token_of(app, "市民1")
    auth.login(officer)
    first = client.post(f"/events/manage/{event_id}/check-in", data={"code": token})
    assert first.status_code == 200
    assert "市民1" in first.get_data(as_text=True)
    checked_at = registration(app, "市民1").checked_in_at
    second = client.post(f"/events/manage/{event_id}/check-in", data={"code": token}).get_data(as_text=True)
    assert "already" in second or "已" in second
    assert registration(app, "市民1").checked_in_at == checked_at
    with app.app_context():
        assert db.session.get(Event, event_id).checked_in_count == 1


def test_check_in_with_the_short_code(app, client, auth, officer, make_event):
    event_id = make_event()
    register(client, event_id, 1)
    code = registration(app, "市民1").checkin_code
    auth.login(officer)
    client.post(f"/events/manage/{event_id}/check-in", data={"code": f"{code[:4].lower()}-{code[4:]}"})
    assert registration(app, "市民1").checked_in_at is not None


def test_forged_wrong_event_and_waitlisted_tokens_are_refused(app, client, auth, officer, make_event):
    event_id = make_event(capacity=1)
    other_event = make_event()
    register(client, event_id, 1)
    register(client, event_id, 2)  # waiting list
    auth.login(officer)
    r1 = registration(app, "市民1")
    forged = URLSafeSerializer("not-the-key", salt="consult.checkin").dumps({"r": r1.id, "e": event_id})
    tampered = token_of(app, "市民1")[:-2] + "xx"
    for code in (forged, tampered, "NOPE-NOPE", token_of(app, "市民2")):
        response = client.post(f"/events/manage/{event_id}/check-in", data={"code": code})
        assert response.status_code == 422, code
    assert client.post(f"/events/manage/{other_event}/check-in", data={"code": token_of(app, "市民1")}).status_code == 422
    assert registration(app, "市民1").checked_in_at is None
    assert client.get(f"/events/qr/{forged}").status_code == 404
    qr = client.get(f"/events/qr/{token_of(app, '市民1')}")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data


def test_question_after_the_event_becomes_a_tracked_submission(app, client, make_event):
    event_id = make_event()
    token = register(client, event_id, 1)
    assert client.post(f"/events/r/{token}/question", data={"body": "太早了", "form_token": "a" * 32}).status_code == 302
    with app.app_context():
        event = db.session.get(Event, event_id)
        event.starts_at = utcnow() - timedelta(hours=3)
        event.ends_at = utcnow() - timedelta(hours=1)
        event.registration_opens_at = utcnow() - timedelta(days=5)
        event.registration_closes_at = utcnow() - timedelta(days=1)
        db.session.commit()
    assert "question" in client.get(f"/events/r/{token}").get_data(as_text=True)
    data = {"subject": "法律援助", "body": "请问法律援助申请需要哪些材料？", "form_token": "b" * 32}
    page = client.post(f"/events/r/{token}/question", data=data, follow_redirects=True).get_data(as_text=True)
    assert re.search(r"Q-\d{8}-\d+", page)
    client.post(f"/events/r/{token}/question", data=data)  # sent twice: still one submission
    with app.app_context():
        submissions = db.session.scalars(sa.select(Submission)).all()
        assert len(submissions) == 1
        assert submissions[0].kind == "event_question" and submissions[0].status == "received"
        assert submissions[0].department_id == db.session.get(Event, event_id).department_id
        assert db.session.scalar(sa.select(EventQuestion)).registration_id == registration(app, "市民1").id


def test_the_officer_sees_the_event_and_registration_of_a_question(app, client, auth, make_event, officer):
    event_id = make_event()
    token = register(client, event_id, 1)
    with app.app_context():
        event = db.session.get(Event, event_id)
        event.starts_at, event.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1)
        event.registration_closes_at = utcnow() - timedelta(days=1)
        event.registration_opens_at = utcnow() - timedelta(days=5)
        db.session.commit()
    client.post(f"/events/r/{token}/question", data={"subject": "材料", "body": "需要哪些材料？", "form_token": "c" * 32})
    with app.app_context():
        submission_id = db.session.scalar(sa.select(EventQuestion.submission_id))
    auth.login(officer)
    page = client.get(f"/office/submissions/{submission_id}").get_data(as_text=True)
    assert "县司法局政务开放日" in page and f"/events/manage/{event_id}" in page
    assert "市民1" in page and "Confirmed" in page


@pytest.mark.demo_data  # the database starts as a first seed-demo leaves it
def test_seed_demo_adds_events_in_every_mode_once(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # a second run
    with app.app_context():
        events = db.session.scalars(sa.select(Event).where(Event.event_type == "open_day").order_by(Event.id)).all()
        assert sorted(e.mode for e in events) == ["approval", "first_come", "first_come", "lottery"]
        past = next(e for e in events if e.ends_at.replace(tzinfo=None) < utcnow().replace(tzinfo=None))
        assert past.checked_in_count > 0 and past.confirmed_count == past.capacity


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_page_renders(app, client, auth, make_user, make_event, locale):
    event_id = make_event(mode="lottery", ask_id_card=True, description="# 议程\n\n- 参观")
    approval_id = make_event(mode="approval")
    client.post("/preferences/language", data={"locale": locale})
    token = register(client, approval_id, 1)
    auth.login(make_user(role="admin"))
    reg_id = registration(app, "市民1").id
    pages = [
        "/events", "/events?past=1", f"/events/{event_id}", f"/events/{event_id}/register", f"/events/r/{token}",
        "/events/manage", "/events/manage/new", f"/events/manage/{event_id}/edit", f"/events/manage/{event_id}",
        f"/events/manage/{event_id}/add", f"/events/manage/{event_id}/draw", f"/events/manage/{event_id}/check-in",
        f"/events/manage/{approval_id}/registrations/{reg_id}/decline", "/events/mine", f"/events/r/{token}/question",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<h1" in response.get_data(as_text=True), path
    assert client.get("/events?cursor=!!!").status_code == 400


@pytest.mark.parametrize("action", ["decide", "draw", "check_in", "add"])
def test_staff_of_another_department_are_refused_by_the_services_too(app, client, make_user, make_department,
                                                                     officer, make_event, action):
    """Deciding, the draw, check-in and adding by hand are scoped in the services, not only in the pages
    (the JSON API and commands call the same functions)."""
    from consult.domain import DomainError
    from consult.events import allocation, lottery

    mode = {"decide": "approval", "draw": "lottery"}.get(action, "first_come")
    event_id = make_event(mode=mode)
    register(client, event_id, 1)
    outsider = make_user(role="officer", department=make_department())
    with app.test_request_context("/"):
        event = db.session.get(Event, event_id)
        entrant = db.session.scalar(sa.select(Registration).where(Registration.name == "市民1"))
        if action == "draw":
            event.registration_closes_at = utcnow() - timedelta(minutes=1)
        calls = {
            "decide": lambda who: allocation.decide(entrant, approve=True, reason="", officer=who),
            "draw": lambda who: lottery.run_draw(event_id, officer=who),
            "check_in": lambda who: checkin.check_in(event, checkin.checkin_token(entrant), who),
            "add": lambda who: allocation.register(event_id, name="王五", phone="13800001111",
                                                   email="w5@example.org", added_by=who),
        }
        with pytest.raises(DomainError) as refused:
            calls[action](db.session.get(type(officer), outsider.id))
        assert refused.value.status == 403
        db.session.rollback()
        if action == "draw":
            db.session.get(Event, event_id).registration_closes_at = utcnow() - timedelta(minutes=1)
        if action == "check_in":
            entrant = db.session.scalar(sa.select(Registration).where(Registration.name == "市民1"))
            event = db.session.get(Event, event_id)
        calls[action](db.session.get(type(officer), officer.id))  # the event's own department may


def test_staff_of_another_department_get_403_on_the_decision_pages(app, client, auth, make_user, make_department,
                                                                    make_event):
    approval_id, lottery_id = make_event(mode="approval"), make_event(mode="lottery")
    register(client, approval_id, 1)
    entrant = registration(app, "市民1")
    auth.login(make_user(role="officer", department=make_department()))
    assert client.post(f"/events/manage/{approval_id}/registrations/{entrant.id}/approve").status_code == 403
    assert client.post(f"/events/manage/{lottery_id}/draw", data={"seed": ""}).status_code == 403
    assert client.post(f"/events/manage/{approval_id}/check-in", data={"code": "x"}).status_code == 403
