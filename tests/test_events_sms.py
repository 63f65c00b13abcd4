"""A hearing's speaker or a public meeting's attendee who left only a mobile number is told by SMS whether
they were selected — through the one outbox, its registered templates, quiet hours and opt-out — and a seat's
message links the attendee's own page with the agenda and materials."""

import logging
import re
from urllib.parse import urlsplit
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.database import utcnow
from consult.events.models import HearingSpeaker, Registration
from consult.extensions import db
from consult.notify import sender, sms
from consult.notify.models import SENT, SMS, OutboxMessage
from tests.events_support import close_registration, make_event


@pytest.fixture
def app_config():
    return {"SMS_BACKEND": "log", "SMS_SIGNATURE": "某某县人民政府"}


def texts(app, template=None) -> list[tuple[str, str, str]]:
    with app.app_context():
        query = sa.select(OutboxMessage).where(OutboxMessage.channel == SMS).order_by(OutboxMessage.id)
        if template:
            query = query.where(OutboxMessage.template == template)
        return [(m.recipient, m.template, m.body_text) for m in db.session.scalars(query)]


def mails_to(app, recipient) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(OutboxMessage.template).where(OutboxMessage.recipient == recipient)))


def attend(client, event_id, n, category, email=""):
    return client.post(f"/events/{event_id}/register", data={
        "name": f"赵列席{n}", "phone": f"1370000{n:04d}", "email": email, "category": category})


def test_phone_only_attendees_are_texted_the_draw_with_their_materials_link(app, client, auth, event_officer,
                                                                            event_department, caplog):
    event_id = make_event(app, event_department, event_type="meeting", mode="lottery", capacity=4,
                          agenda="审议停车收费方案", seats={"resident": 1}, require_email=False)
    for n in (1, 2):
        attend(client, event_id, n, "resident")
    attend(client, event_id, 3, "resident", email="z3@example.org")
    assert texts(app) == []  # pending: nothing to tell yet
    close_registration(app, event_id)
    auth.login(event_officer)
    client.post(f"/events/manage/{event_id}/draw", data={"seed": "短信2026"})
    client.post("/account/logout")

    with app.app_context():
        by_phone = {r.phone: r for r in db.session.scalars(sa.select(Registration))}
        won = next(r.phone for r in by_phone.values() if r.status == "confirmed")
    seats, refusals = texts(app, "meeting_seat"), texts(app, "not_selected")
    phone_only = {"13700000001", "13700000002"}
    if won in phone_only:
        assert [s[0] for s in seats] == [won] and [r[0] for r in refusals] == list(phone_only - {won})
    else:  # the attendee with an e-mail address won: told by mail, not by SMS
        assert seats == [] and sorted(r[0] for r in refusals) == sorted(phone_only)
        assert "registration_update" in mails_to(app, "z3@example.org")
    assert all(r[0] != "13700000003" for r in texts(app))
    for _phone, _template, body in seats + refusals:
        assert body.startswith("【某某县人民政府】") and body.endswith("回复T退订")
        assert "赵列席" not in body
    link = re.search(r"https?://\S+/events/r/[0-9a-f]+", (seats or refusals)[0][2]).group(0)
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200
    if seats:
        assert "审议停车收费方案" in page.text

    caplog.set_level(logging.INFO, logger="consult.notify.sms_gateways")
    with app.app_context():
        sender.drain(now=utcnow() + timedelta(hours=12))
        db.session.commit()
        statuses = db.session.scalars(sa.select(OutboxMessage.status).where(OutboxMessage.channel == SMS)).all()
        assert statuses == [SENT] * (len(seats) + len(refusals))
    assert any("SMS not sent (SMS_BACKEND=log)" in r.getMessage() for r in caplog.records)


def test_a_declined_phone_only_attendee_is_texted_and_an_opted_out_number_is_not(app, client, auth, event_officer,
                                                                                 event_department):
    event_id = make_event(app, event_department, event_type="meeting", mode="approval", capacity=4,
                          seats={"media": 2}, require_email=False)
    attend(client, event_id, 1, "media")
    attend(client, event_id, 2, "media")
    with app.app_context():
        sms.opt_out("13700000002")
        db.session.commit()
        first, second = db.session.scalars(sa.select(Registration.id).order_by(Registration.id)).all()
    auth.login(event_officer)
    client.post(f"/events/manage/{event_id}/registrations/{first}/decline", data={"reason": "名额已满"})
    client.post(f"/events/manage/{event_id}/registrations/{second}/approve")
    assert [(t[0], t[1]) for t in texts(app)] == [("13700000001", "not_selected")]


def speak(client, event_id, n, category, email=""):
    return client.post(f"/events/{event_id}/speak", data={
        "name": f"钱陈述{n}", "phone": f"1380000{n:04d}", "email": email, "category": category,
        "statement": f"建议分时段定价（意见{n}）。", "form_token": f"sms-speaker-token-{n:04d}"})


def test_phone_only_applicants_to_speak_are_texted_whether_they_were_chosen(app, client, auth, event_officer,
                                                                            event_department):
    event_id = make_event(app, event_department, seats={"expert": 1, "resident": 1}, require_email=False)
    speak(client, event_id, 1, "expert")
    speak(client, event_id, 2, "resident")
    speak(client, event_id, 3, "resident")
    speak(client, event_id, 4, "resident", email="q4@example.org")
    receipts = texts(app, "receipt")
    assert sorted(r[0] for r in receipts) == ["13800000001", "13800000002", "13800000003"]
    close_registration(app, event_id)
    auth.login(event_officer)
    client.post(f"/events/manage/{event_id}/speakers", data={"seed": "陈述2026"})

    with app.app_context():
        chosen = {s.submission.submitter_phone for s in db.session.scalars(sa.select(HearingSpeaker))
                  if s.status == "selected"}
        numbers = {s.submission.submitter_phone: s.submission.tracking_no
                   for s in db.session.scalars(sa.select(HearingSpeaker))}
    told = texts(app, "speaker_chosen") + texts(app, "not_selected")
    phone_only = {"13800000001", "13800000002", "13800000003"}
    assert sorted(t[0] for t in told) == sorted(phone_only)
    for phone, template, body in told:
        assert template == ("speaker_chosen" if phone in chosen else "not_selected")
        if template == "not_selected":  # the link is the statement's status page, which will carry the answer
            assert f"/t/{numbers[phone]}" in body
        assert "钱陈述" not in body
    assert "hearing_speaker_selection" in mails_to(app, "q4@example.org")
    # Choosing is done once: nobody is told twice.
    client.post(f"/events/manage/{event_id}/speakers", data={"seed": "again"})
    assert len(texts(app, "speaker_chosen") + texts(app, "not_selected")) == 3
