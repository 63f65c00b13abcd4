"""Public meetings (列席): attendees apply by category (stakeholders, residents' representatives, experts,
media); seats are given by approval or by a lottery drawn per category under a published rule; confirmed
attendees get the agenda and materials; afterwards their opinions are tracked like open-day questions."""

import random
import re
from datetime import timedelta

import sqlalchemy as sa

from consult.database import utcnow
from consult.events.models import Event, EventQuestion, Registration
from consult.extensions import db
from consult.notify.models import OutboxMessage
from consult.tracking.models import Submission
from tests.events_support import close_registration, hold_event, make_event

AGENDA = "1. 审议《城区停车收费调整方案》\n2. 听取列席代表意见"
MATERIALS = "[停车收费调整方案（征求意见稿）](https://example.gov.cn/docs/parking.pdf)"


def meeting(app, department, mode="approval", seats=None, **fields):
    return make_event(app, department, event_type="meeting", mode=mode, capacity=6, agenda=AGENDA,
                      materials=MATERIALS, seats=seats or {"stakeholder": 1, "resident": 2, "expert": 1, "media": 1},
                      **fields)


def attend(client, event_id, n, category="resident", **extra):
    data = {"name": f"李列席{n}", "phone": f"1360000{n:04d}", "email": f"m{n}@example.org", "category": category,
            **extra}
    return client.post(f"/events/{event_id}/register", data=data)


def registrations(app, event_id):
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            sa.select(Registration.id, Registration.category, Registration.status)
            .where(Registration.event_id == event_id).order_by(Registration.id))]


def test_applying_asks_whom_the_attendee_speaks_for(app, client, event_department):
    event_id = meeting(app, event_department)
    form = client.get(f"/events/{event_id}/register")
    assert 'name="category"' in form.text and 'value="media"' in form.text and 'value="other"' not in form.text
    bad = client.post(f"/events/{event_id}/register", data={"name": "", "phone": "", "category": ""})
    assert bad.status_code == 422
    for message in ("Please enter a name.", "This event needs a phone number.", "Please choose whom you attend for."):
        assert message in bad.text
    assert attend(client, event_id, 1, category="media").status_code == 302
    assert registrations(app, event_id)[0][1:] == ("media", "pending")


def test_a_double_submit_makes_one_application(app, client, event_department):
    event_id = meeting(app, event_department)
    attend(client, event_id, 1)
    again = attend(client, event_id, 1)
    assert again.status_code == 422
    assert len(registrations(app, event_id)) == 1


def test_the_lottery_draws_each_category_on_its_own(app, client, auth, event_officer, event_department):
    event_id = meeting(app, event_department, mode="lottery")
    for n in range(1, 4):
        attend(client, event_id, n, category="stakeholder")
    for n in range(4, 6):
        attend(client, event_id, n, category="resident")
    close_registration(app, event_id)
    auth.login(event_officer)
    assert client.post(f"/events/manage/{event_id}/draw", data={"seed": "列席2026"}).status_code == 302

    rows = registrations(app, event_id)
    stakeholders = sorted(r[0] for r in rows if r[1] == "stakeholder")
    random.Random("列席2026:stakeholder").shuffle(stakeholders)
    confirmed = {r[0] for r in rows if r[2] == "confirmed"}
    assert confirmed == {stakeholders[0]} | {r[0] for r in rows if r[1] == "resident"}
    assert {r[2] for r in rows if r[0] in stakeholders[1:]} == {"waitlisted"}

    client.post("/account/logout")
    page = client.get(f"/events/{event_id}")
    assert "列席2026" in page.text
    assert re.search(r"<td>1</td><td>3</td><td>1</td>", page.text)  # stakeholders: seats, applied, chosen
    assert "李列席" not in page.text and "1360000" not in page.text


def test_approval_keeps_to_the_seats_of_each_category(app, client, auth, event_officer, event_department):
    event_id = meeting(app, event_department)
    attend(client, event_id, 1, category="expert")
    attend(client, event_id, 2, category="expert")
    first, second = (r[0] for r in registrations(app, event_id))
    auth.login(event_officer)
    assert client.post(f"/events/manage/{event_id}/registrations/{first}/approve").status_code == 302
    refused = client.post(f"/events/manage/{event_id}/registrations/{second}/approve", follow_redirects=True)
    assert "No seats are left in this category." in refused.text
    assert [r[2] for r in registrations(app, event_id)] == ["confirmed", "pending"]


def test_confirmed_attendees_get_the_agenda_and_materials(app, client, auth, event_officer, event_department):
    event_id = meeting(app, event_department)
    response = attend(client, event_id, 1)
    own_page = response.location
    assert "停车收费调整方案" not in client.get(own_page).text  # pending: not yet
    assert "example.gov.cn/docs/parking.pdf" not in client.get(f"/events/{event_id}").text  # never in public
    registration_id = registrations(app, event_id)[0][0]
    auth.login(event_officer)
    client.post(f"/events/manage/{event_id}/registrations/{registration_id}/approve")
    client.post("/account/logout")
    page = client.get(own_page)
    assert 'href="https://example.gov.cn/docs/parking.pdf"' in page.text and "听取列席代表意见" in page.text
    with app.app_context():
        mail = db.session.scalar(sa.select(OutboxMessage).where(
            OutboxMessage.recipient == "m1@example.org", OutboxMessage.template == "registration_update"))
        assert "https://example.gov.cn/docs/parking.pdf" in mail.body_text
        assert "https://example.gov.cn/docs/parking.pdf" in mail.body_html


def test_attendees_leave_opinions_afterwards_as_tracked_submissions(app, client, auth, event_officer, event_department):
    event_id = meeting(app, event_department, mode="first_come")
    token = re.search(r"/events/r/([0-9a-f]+)", attend(client, event_id, 1).location).group(1)
    hold_event(app, event_id)
    data = {"subject": "停车收费", "body": "建议夜间免费停车时段延长至两小时。", "form_token": "o" * 32}
    first = client.post(f"/events/r/{token}/question", data=data, follow_redirects=True)
    client.post(f"/events/r/{token}/question", data=data)  # sent twice: still one opinion
    assert first.status_code == 200 and re.search(r"Q-\d{8}-\d+", first.text)
    with app.app_context():
        questions = db.session.scalars(sa.select(EventQuestion).where(EventQuestion.event_id == event_id)).all()
        assert len(questions) == 1
        submission = db.session.get(Submission, questions[0].submission_id)
        assert submission.kind == "event_question" and submission.department_id == event_department.id


def form_data(department, **extra):
    base = (utcnow() + timedelta(days=10)).replace(hour=10, minute=0)
    fmt = "%Y-%m-%dT%H:%M"
    return {"title": "县政府常务会议", "description": "", "department_id": department.id, "venue": "县政府会议室",
            "capacity": 5, "mode": "lottery", "event_type": "meeting", "require_phone": "y", "published": "y",
            "starts_at": base.strftime(fmt), "ends_at": (base + timedelta(hours=2)).strftime(fmt),
            "registration_opens_at": (base - timedelta(days=20)).strftime(fmt),
            "registration_closes_at": (base - timedelta(days=1)).strftime(fmt), **extra}


def test_editors_create_meetings_and_hearings_with_seats_per_category(app, client, auth, make_user, event_department):
    auth.login(make_user(role="editor"))
    no_seats = client.post("/events/manage/new", data=form_data(event_department))
    assert no_seats.status_code == 422
    assert "A meeting drawn by lottery draws by category" in no_seats.text
    too_many = client.post("/events/manage/new", data=form_data(event_department, seats_resident=4, seats_media=3))
    assert too_many.status_code == 422
    assert "add up to more than the seats of the meeting" in too_many.text
    hearing = client.post("/events/manage/new",
                          data=form_data(event_department, event_type="hearing", mode="first_come"))
    assert "A hearing needs speaker places in at least one category." in hearing.text

    assert client.post("/events/manage/new", data=form_data(
        event_department, seats_resident=3, seats_media=2, agenda=AGENDA)).status_code == 302
    with app.app_context():
        event = db.session.scalar(sa.select(Event))
        assert event.event_type == "meeting" and event.agenda == AGENDA
        from consult.events.hearings import category_seats
        assert category_seats(event) == {"stakeholder": 0, "resident": 3, "expert": 0, "media": 2}
        event_id = event.id
    edit = client.get(f"/events/manage/{event_id}/edit")
    assert re.search(r'name="seats_resident"[^>]*value="3"', edit.text)


def test_the_list_filters_by_kind_of_event(app, client, event_department):
    meeting(app, event_department, title="列席会议甲")
    make_event(app, event_department, seats={"expert": 1}, title="听证会乙")
    make_event(app, event_department, event_type="open_day", title="开放日丙")
    page = client.get("/events?type=meeting")
    assert "列席会议甲" in page.text and "听证会乙" not in page.text and "开放日丙" not in page.text
    assert client.get("/events?type=nonsense").status_code == 400
    home = client.get("/")
    assert "列席会议甲" in home.text and "听证会乙" in home.text and "开放日丙" not in home.text


def _cancel(client, response) -> None:
    token = re.search(r"/events/r/([0-9a-f]+)", response.location).group(1)
    assert client.post(f"/events/r/{token}/cancel").status_code == 302


def _status_of(app, registration_id):
    with app.app_context():
        return db.session.get(Registration, registration_id).status


def test_a_seat_freed_after_the_lottery_goes_to_the_next_drawn_of_the_same_category(app, client, auth, event_officer,
                                                                                  event_department):
    event_id = meeting(app, event_department, mode="lottery", seats={"stakeholder": 1, "resident": 1})
    links = {n: attend(client, event_id, n, category="stakeholder" if n <= 3 else "resident") for n in range(1, 7)}
    close_registration(app, event_id)
    auth.login(event_officer)
    client.post(f"/events/manage/{event_id}/draw", data={"seed": "候补2026"})
    client.post("/account/logout")
    rows = registrations(app, event_id)
    numbers = {n: rows[n - 1][0] for n in links}
    residents = sorted(numbers[n] for n in (4, 5, 6))
    random.Random("候补2026:resident").shuffle(residents)
    stakeholders = sorted(numbers[n] for n in (1, 2, 3))
    random.Random("候补2026:stakeholder").shuffle(stakeholders)
    with app.app_context():  # the stakeholders drawn out are ahead of every resident on the waiting list
        queue = db.session.scalars(sa.select(Registration.id).where(Registration.status == "waitlisted")
                                   .order_by(Registration.waitlist_position)).all()
    assert queue[:2] == stakeholders[1:]

    winner = next(n for n, number in numbers.items() if number == residents[0])
    _cancel(client, links[winner])
    assert _status_of(app, residents[1]) == "confirmed"  # the next resident drawn, not the stakeholder ahead
    assert {_status_of(app, s) for s in stakeholders[1:]} == {"waitlisted"}
    with app.app_context():
        promoted = db.session.get(Registration, residents[1])
        assert db.session.scalar(sa.select(OutboxMessage.id).where(
            OutboxMessage.recipient == promoted.email, OutboxMessage.template == "registration_update"))

    winner = next(n for n, number in numbers.items() if number == stakeholders[0])
    _cancel(client, links[winner])
    assert _status_of(app, stakeholders[1]) == "confirmed"
    assert [r[2] for r in registrations(app, event_id)].count("confirmed") == 2


def test_a_freed_seat_stays_with_its_category_when_nobody_of_it_waits(app, client, event_department):
    event_id = meeting(app, event_department, mode="first_come", seats={"expert": 1, "resident": 1})
    expert = attend(client, event_id, 1, category="expert")
    attend(client, event_id, 2, category="resident")
    attend(client, event_id, 3, category="resident")  # the residents' one seat is taken: waits
    attend(client, event_id, 4, category="expert")  # the experts' one seat is taken: waits, behind a resident
    assert [r[2] for r in registrations(app, event_id)] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    _cancel(client, expert)
    assert [r[2] for r in registrations(app, event_id)] == ["cancelled", "confirmed", "waitlisted", "confirmed"]


def test_first_come_keeps_each_category_to_its_seats(app, client, event_department):
    event_id = meeting(app, event_department, mode="first_come", seats={"media": 1})
    attend(client, event_id, 1, category="media")
    attend(client, event_id, 2, category="media")
    attend(client, event_id, 3, category="resident")  # no seats of its own: the meeting's seats are its limit
    assert [r[1:] for r in registrations(app, event_id)] == [
        ("media", "confirmed"), ("media", "waitlisted"), ("resident", "confirmed")]


def test_an_officer_adds_an_attendee_by_hand_in_a_category(app, client, auth, event_officer, event_department):
    event_id = meeting(app, event_department, mode="approval")
    auth.login(event_officer)
    form = client.get(f"/events/manage/{event_id}/add")
    assert 'name="category"' in form.text
    missing = client.post(f"/events/manage/{event_id}/add", data={"name": "电话报名", "phone": "13700000009"})
    assert missing.status_code == 422 and "Please choose whom you attend for." in missing.text
    added = client.post(f"/events/manage/{event_id}/add", data={"name": "电话报名", "phone": "13700000009",
                                                                "category": "expert"})
    assert added.status_code == 302
    assert registrations(app, event_id)[0][1:] == ("expert", "confirmed")
    csv_text = client.get(f"/events/manage/{event_id}/registrations.csv").get_data(as_text=True)
    assert csv_text.startswith("\ufeffid,name,phone,email,category,") and ",Expert," in csv_text
