"""Open days: registering in each mode, waiting list, cancelling, capacity changes, the lottery, mails."""

import base64
import re
from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from consult.database import utcnow
from consult.domain import DomainError
from consult.events import allocation, lottery, mails, waitlist
from consult.events.models import Event, Registration
from consult.extensions import db
from consult.notify.models import OutboxMessage


@pytest.fixture
def department(make_department):
    return make_department(code="SFJ", name="县司法局")


@pytest.fixture
def make_event(app, department):
    def make(**fields) -> int:
        now = utcnow()
        values = dict(
            title="县司法局政务开放日——走进公共法律服务中心",
            description="欢迎参加。\n\n<script>alert(1)</script>",
            department_id=department.id,
            venue="县公共法律服务中心",
            address="人民路 88 号",
            starts_at=now + timedelta(days=5),
            ends_at=now + timedelta(days=5, hours=2),
            registration_opens_at=now - timedelta(days=1),
            registration_closes_at=now + timedelta(days=4),
            capacity=2,
            mode="first_come",
            require_phone=True,
            require_email=True,
        )
        values.update(fields)
        with app.app_context():
            event = Event(**values)
            db.session.add(event)
            db.session.commit()
            return event.id

    return make


def register_via_form(client, event_id, n, **extra):
    data = {"name": f"市民{n}", "phone": f"1380000{n:04d}", "email": f"p{n}@example.org", **extra}
    return client.post(f"/events/{event_id}/register", data=data)


def statuses(app, event_id):
    with app.app_context():
        rows = db.session.execute(
            sa.select(Registration.name, Registration.status).where(Registration.event_id == event_id)
            .order_by(Registration.id)
        ).all()
        return {name: status for name, status in rows}


def counters(app, event_id):
    with app.app_context():
        e = db.session.get(Event, event_id)
        return e.confirmed_count, e.waitlist_count, e.pending_count


def mails_to(app, recipient):
    with app.app_context():
        return db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
        ).all()


def token_from(response) -> str:
    return re.search(r"/events/r/([0-9a-f]+)", response.location).group(1)


# --- public pages ------------------------------------------------------------------------------------
def test_list_and_page_show_seats_left_and_safe_description(client, make_event):
    event_id = make_event()
    page = client.get("/events").get_data(as_text=True)
    assert "走进公共法律服务中心" in page and "2" in page
    detail = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in detail
    assert "县公共法律服务中心" in detail
    assert client.get("/events/999999").status_code == 404


def test_unpublished_event_is_hidden(client, make_event):
    event_id = make_event(published=False)
    assert client.get(f"/events/{event_id}").status_code == 404
    assert "走进" not in client.get("/events").get_data(as_text=True)


# --- first come --------------------------------------------------------------------------------------
def test_first_come_confirms_then_waitlists_and_mails_calendar(app, client, make_event):
    event_id = make_event(capacity=2)
    for n in range(3):
        response = register_via_form(client, event_id, n)
        assert response.status_code == 302
    assert statuses(app, event_id) == {"市民0": "confirmed", "市民1": "confirmed", "市民2": "waitlisted"}
    assert counters(app, event_id) == (2, 1, 0)
    confirmed_mail = mails_to(app, "p0@example.org")[0]
    assert confirmed_mail.template == "registration_received"
    assert confirmed_mail.attachments[0]["filename"] == "event.ics"
    assert "/events/r/" in confirmed_mail.body_text
    assert mails_to(app, "p2@example.org")[0].attachments is None
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Full" in page or "已满" in page or "waiting" in page.lower()


def test_the_confirmation_mail_is_written_before_the_event_is_locked(app, client, make_event, monkeypatch):
    """The event's row lock makes every other registrant wait: it is taken after the mail is rendered."""
    from consult.notify import services as notify_services

    steps, lock, render = [], allocation.lock_event, notify_services.render_mail
    monkeypatch.setattr(allocation, "lock_event", lambda *a, **k: steps.append("lock") or lock(*a, **k))
    monkeypatch.setattr(notify_services, "render_mail", lambda *a, **k: steps.append("mail") or render(*a, **k))
    assert register_via_form(client, make_event(capacity=2), 1).status_code == 302
    assert steps == ["mail", "lock"]


def test_a_seat_taken_while_the_mail_was_written_gets_the_waiting_list_mail(app, client, make_event, monkeypatch):
    """The mail is written for the seat the counters promised; if the last seat went meanwhile, the registrant
    is waitlisted and told so (no calendar file), word for word as any waitlisted registrant."""
    event_id = make_event(capacity=1)
    lock = allocation.lock_event

    def seat_taken_meanwhile(event_id):
        db.session.execute(sa.update(Event).where(Event.id == event_id).values(confirmed_count=1))
        return lock(event_id)

    monkeypatch.setattr(allocation, "lock_event", seat_taken_meanwhile)
    assert register_via_form(client, event_id, 1).status_code == 302
    monkeypatch.undo()
    assert statuses(app, event_id) == {"市民1": "waitlisted"}
    register_via_form(client, event_id, 2)  # waitlisted without any race: the mail to compare with
    [late], [other] = mails_to(app, "p1@example.org"), mails_to(app, "p2@example.org")
    assert late.attachments is None and late.template == "registration_received"
    strip = lambda text: re.sub(r"/events/r/\w+|市民\d", "", text)  # noqa: E731 -- their own link and name
    assert strip(late.body_text) == strip(other.body_text) and strip(late.body_html) == strip(other.body_html)


def test_registration_page_shows_status_qr_and_waitlist_place(app, client, make_event):
    event_id = make_event(capacity=1)
    first = token_from(register_via_form(client, event_id, 1))
    second = token_from(register_via_form(client, event_id, 2))
    page = client.get(f"/events/r/{first}").get_data(as_text=True)
    assert "/events/qr/" in page
    waiting = client.get(f"/events/r/{second}").get_data(as_text=True)
    assert "/events/qr/" not in waiting
    assert client.get("/events/r/not-a-real-token").status_code == 404


@pytest.mark.parametrize("duplicate", [
    {"email": "P1@Example.org", "phone": "13900000000"},
    {"email": "other@example.org", "phone": "+86 138-0000-0001"},
])
def test_duplicate_registration_is_refused(app, client, make_event, duplicate):
    event_id = make_event(capacity=5)
    register_via_form(client, event_id, 1)
    response = client.post(f"/events/{event_id}/register", data={"name": "又一次", **duplicate})
    assert response.status_code == 422
    assert len(statuses(app, event_id)) == 1


def test_duplicate_by_account_and_database_constraint(app, client, auth, make_user, make_event):
    event_id = make_event(capacity=5, require_phone=False)
    citizen = make_user()
    auth.login(citizen)
    assert client.post(f"/events/{event_id}/register", data={"name": "张三"}).status_code == 302
    assert client.post(f"/events/{event_id}/register", data={"name": "张三", "email": "x@example.org"}).status_code == 422
    with app.app_context():
        existing = db.session.scalar(sa.select(Registration))
        clone = Registration(event_id=event_id, name="x", email_key=existing.email_key, status="waitlisted",
                             manage_salt="s", manage_token_hash="h" * 64, checkin_code="ZZZZZZZZ")
        db.session.add(clone)
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
    page = client.get("/events/mine").get_data(as_text=True)
    assert "走进公共法律服务中心" in page


def test_registration_window_is_enforced(app, client, make_event):
    now = utcnow()
    not_open = make_event(registration_opens_at=now + timedelta(hours=1))
    closed = make_event(registration_opens_at=now - timedelta(days=2), registration_closes_at=now - timedelta(minutes=1))
    for event_id in (not_open, closed):
        assert register_via_form(client, event_id, 1).status_code == 302
        assert statuses(app, event_id) == {}
        with app.test_request_context(), pytest.raises(DomainError):
            allocation.register(event_id, name="x", phone="1", email="x@example.org")


def test_required_fields_follow_the_event(app, client, make_event):
    event_id = make_event(require_phone=True)
    response = client.post(f"/events/{event_id}/register", data={"name": "无电话", "email": "a@example.org"})
    assert response.status_code == 422
    assert statuses(app, event_id) == {}


def test_cancel_promotes_the_first_on_the_waiting_list(app, client, make_event):
    event_id = make_event(capacity=1)
    first = token_from(register_via_form(client, event_id, 1))
    register_via_form(client, event_id, 2)
    register_via_form(client, event_id, 3)
    assert client.post(f"/events/r/{first}/cancel").status_code == 302
    assert statuses(app, event_id) == {"市民1": "cancelled", "市民2": "confirmed", "市民3": "waitlisted"}
    assert counters(app, event_id) == (1, 1, 0)
    promoted = mails_to(app, "p2@example.org")
    assert [m.template for m in promoted] == ["registration_received", "registration_update"]
    assert promoted[-1].attachments[0]["content_type"] == "text/calendar"
    # Cancelling twice changes nothing.
    client.post(f"/events/r/{first}/cancel")
    assert counters(app, event_id) == (1, 1, 0)
    # The freed registration may register again (it is no longer active).
    assert register_via_form(client, event_id, 1).status_code == 302


def test_citizen_cancels_from_my_registrations(app, client, auth, make_user, make_event):
    event_id = make_event(capacity=3)
    citizen = make_user()
    auth.login(citizen)
    client.post(f"/events/{event_id}/register", data={"name": "张三", "phone": "13800000000"})
    with app.app_context():
        reg_id = db.session.scalar(sa.select(Registration.id))
    assert client.get(f"/events/mine/{reg_id}").status_code == 200
    other = make_user()
    auth.login(other)
    assert client.get(f"/events/mine/{reg_id}").status_code == 404
    assert client.post(f"/events/mine/{reg_id}/cancel").status_code == 404
    auth.login(citizen)
    client.post(f"/events/mine/{reg_id}/cancel")
    assert statuses(app, event_id) == {"张三": "cancelled"}


# --- approval ------------------------------------------------------------------------------------------
def test_approval_mode_pending_until_officer_decides(app, client, auth, make_user, make_department, department,
                                                     make_event):
    event_id = make_event(mode="approval", capacity=1)
    for n in (1, 2, 3):
        register_via_form(client, event_id, n)
    assert set(statuses(app, event_id).values()) == {"pending"}
    with app.app_context():
        ids = db.session.scalars(sa.select(Registration.id).order_by(Registration.id)).all()
    stranger = make_user(role="officer", department=make_department())
    auth.login(stranger)
    assert client.post(f"/events/manage/{event_id}/registrations/{ids[0]}/approve").status_code == 403
    auth.login(make_user(role="officer", department=department))
    client.post(f"/events/manage/{event_id}/registrations/{ids[0]}/approve")
    client.post(f"/events/manage/{event_id}/registrations/{ids[1]}/approve")  # no seat left: refused
    assert client.post(f"/events/manage/{event_id}/registrations/{ids[2]}/decline", data={"reason": ""}).status_code == 422
    client.post(f"/events/manage/{event_id}/registrations/{ids[2]}/decline", data={"reason": "名额已满，欢迎下次参加"})
    assert statuses(app, event_id) == {"市民1": "confirmed", "市民2": "pending", "市民3": "declined"}
    assert counters(app, event_id) == (1, 0, 1)
    declined = mails_to(app, "p3@example.org")[-1]
    assert declined.template == "registration_update" and "名额已满" in declined.body_text


# --- lottery -------------------------------------------------------------------------------------------
def test_lottery_draw_is_reproducible_from_its_seed(app, client, auth, make_user, department, make_event):
    event_id = make_event(mode="lottery", capacity=3)
    for n in range(8):
        register_via_form(client, event_id, n)
    assert counters(app, event_id) == (0, 0, 8)
    officer = make_user(role="officer", department=department)
    auth.login(officer)
    response = client.post(f"/events/manage/{event_id}/draw", data={"seed": "2026-05-01 福彩3D 123"})
    assert response.status_code == 302  # refused: registration is still open
    assert counters(app, event_id) == (0, 0, 8)
    with app.app_context():
        event = db.session.get(Event, event_id)
        event.registration_closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    client.post(f"/events/manage/{event_id}/draw", data={"seed": "2026-05-01 福彩3D 123"})
    with app.app_context():
        rows = db.session.scalars(sa.select(Registration).order_by(Registration.draw_rank)).all()
        ids = sorted(r.id for r in rows)
        expected = lottery.draw_order(ids, "2026-05-01 福彩3D 123")
        assert [r.id for r in rows] == expected
        assert [r.status for r in rows] == ["confirmed"] * 3 + ["waitlisted"] * 5
        waiting = sorted((r for r in rows if r.status == "waitlisted"), key=lambda r: r.waitlist_position)
        assert [r.id for r in waiting] == expected[3:]
        assert db.session.get(Event, event_id).lottery_seed == "2026-05-01 福彩3D 123"
    assert counters(app, event_id) == (3, 5, 0)
    assert "2026-05-01 福彩3D 123" in client.get(f"/events/{event_id}").get_data(as_text=True)
    with app.test_request_context(), pytest.raises(DomainError):
        lottery.run_draw(event_id, officer=officer, seed="again")


def test_draw_order_is_stable():
    assert lottery.draw_order([5, 3, 9, 1], "seed") == lottery.draw_order([1, 3, 5, 9], "seed")
    assert sorted(lottery.draw_order(list(range(50)), "x")) == list(range(50))


# --- capacity changes ----------------------------------------------------------------------------------
def test_capacity_decrease_and_increase_rebalance(app, client, make_event):
    event_id = make_event(capacity=3)
    for n in range(1, 6):
        register_via_form(client, event_id, n)
    # 1,2,3 confirmed; 4,5 waiting
    with app.app_context():
        waitlist.set_capacity(event_id, 1)
        db.session.commit()
    assert counters(app, event_id) == (1, 4, 0)
    with app.app_context():
        waiting = db.session.scalars(
            sa.select(Registration.name).where(Registration.status == "waitlisted")
            .order_by(Registration.waitlist_position)
        ).all()
    assert waiting == ["市民2", "市民3", "市民4", "市民5"]
    assert mails_to(app, "p3@example.org")[-1].template == "registration_update"
    with app.app_context():
        waitlist.set_capacity(event_id, 4)
        db.session.commit()
    assert statuses(app, event_id) == {
        "市民1": "confirmed", "市民2": "confirmed", "市民3": "confirmed", "市民4": "confirmed", "市民5": "waitlisted",
    }
    assert counters(app, event_id) == (4, 1, 0)


def test_database_refuses_more_confirmed_than_seats(app, make_event):
    event_id = make_event(capacity=1)
    with app.app_context():
        event = db.session.get(Event, event_id)
        event.confirmed_count = 2
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


# --- ID cards, calendar, reminders --------------------------------------------------------------------
def test_id_card_is_stored_masked_only(app, client, make_event):
    event_id = make_event(ask_id_card=True)
    response = client.post(f"/events/{event_id}/register", data={
        "name": "王五", "phone": "13800000000", "email": "w@example.org", "id_card": "11010519900101123X",
    })
    assert response.status_code == 302
    with app.app_context():
        registration = db.session.scalar(sa.select(Registration))
        assert registration.id_card_masked == "**************123X"
        outbox = db.session.scalars(sa.select(OutboxMessage.body_text)).all()
    assert all("1101051990" not in body for body in outbox)
    missing = client.post(f"/events/{event_id}/register", data={"name": "赵六", "phone": "139", "email": "z@example.org"})
    assert missing.status_code == 422


def test_ics_file_describes_the_event(app, client, make_event):
    event_id = make_event()
    response = client.get(f"/events/{event_id}/event.ics")
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    entry = next(iter(calendar.walk("VEVENT")))
    with app.app_context():
        event = db.session.get(Event, event_id)
        starts = event.starts_at
    assert str(entry["summary"]) == "县司法局政务开放日——走进公共法律服务中心"
    assert "县公共法律服务中心" in str(entry["location"])
    assert entry.decoded("dtstart").replace(tzinfo=None, microsecond=0) == starts.replace(tzinfo=None, microsecond=0)
    assert entry.decoded("dtstart").utcoffset() == timedelta(0)
    assert calendar.walk("VALARM")


def test_mail_attachment_is_the_ics(app, client, make_event):
    event_id = make_event()
    register_via_form(client, event_id, 1)
    attachment = mails_to(app, "p1@example.org")[0].attachments[0]
    data = base64.b64decode(attachment["data"])
    assert b"BEGIN:VCALENDAR" in data and b"SUMMARY" in data


def test_reminders_go_once_to_confirmed_people_the_day_before(app, client, make_event):
    now = utcnow()
    tomorrow = make_event(capacity=1, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=1),
                          registration_closes_at=now + timedelta(hours=20))
    later = make_event(capacity=1)
    register_via_form(client, tomorrow, 1)
    register_via_form(client, tomorrow, 2)  # waiting list: no reminder
    register_via_form(client, later, 3)
    with app.app_context():
        # Evaluated at local noon today so "tomorrow" is unambiguous whatever the time of the test run.
        from consult.localtime import as_utc, zone
        event = db.session.get(Event, tomorrow)
        local_start = as_utc(event.starts_at).astimezone(zone())
        noon_before = (local_start - timedelta(days=1)).replace(hour=12, minute=0)
        assert mails.queue_event_reminders(noon_before) == 1
        assert mails.queue_event_reminders(noon_before) == 0
        db.session.commit()
    assert [m.template for m in mails_to(app, "p1@example.org")][-1] == "registration_reminder"
    assert all(m.template != "registration_reminder" for m in mails_to(app, "p2@example.org"))
    assert all(m.template != "registration_reminder" for m in mails_to(app, "p3@example.org"))
