"""Every message of issue 7, triggered through the real services and delivered by the real sender to an
SMTP server on loopback: language of a zh_CN and an en recipient, key facts and links, the footer saying
why it was sent, attachments, essential versus optional mail, and exactly one delivery of each."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from consult.accounts.models import CITIZEN, User
from consult.accounts.services import request_password_reset
from consult.database import utcnow
from consult.events import allocation, waitlist
from consult.events.mails import queue_event_reminders
from consult.events.models import APPROVAL, Event
from consult.extensions import db
from consult.localtime import as_utc, zone
from consult.notify import sender
from consult.notify.models import SENT, OutboxMessage
from consult.tracking import actions, replies
from consult.tracking.extension_requests import decide_extension, request_extension
from consult.tracking.reminders import send_reminders
from tests.smtp_support import html_of, mail_settings, text_of
from tests.tracking_support import file_submission, local


@pytest.fixture
def app_config(smtp_port):
    return mail_settings(smtp_port)

ZH, EN = "wang@example.org", "smith@example.org"
# A letter received Mon 2025-11-10 is due Mon 2025-12-01.
DUE = {"zh_CN": "2025年12月1日", "en": "December 1, 2025"}


@pytest.fixture
def deliver(smtp):
    """Commit, run the sender, and return what arrived since the last call; nothing may be left or sent twice."""
    seen = 0

    def run():
        nonlocal seen
        db.session.commit()
        result = sender.drain()
        assert (result.failed, result.retrying) == (0, 0)
        assert sender.drain().claimed == 0
        new = smtp.messages[seen:]
        seen = len(smtp.messages)
        assert len(new) == result.sent
        return new

    yield run
    db.session.rollback()
    rows = list(db.session.scalars(sa.select(OutboxMessage)))
    assert {row.status for row in rows} <= {SENT}
    assert len(smtp.messages) == len(rows)  # exactly once, every message of the test
    assert len(set(smtp.message_ids())) == len(rows)


def one(messages, recipient):
    found = [m for m in messages if m["To"] == recipient]
    assert len(found) == 1, [m["Subject"] for m in found]
    return found[0]


def check(message, locale: str, *facts: str) -> str:
    """Language, facts in both parts, and the why-sent footer; returns the plain text."""
    text, html = text_of(message), html_of(message)
    assert f'<html lang="{"zh-CN" if locale == "zh_CN" else "en"}">' in html
    assert ("您好" if locale == "zh_CN" else "Hello") in text
    for fact in facts:
        assert fact in text and fact in html, fact
    body, footer = text.split("\n-- \n")
    assert footer.strip() and body.strip()
    assert html.split("<hr>")[1].count("<p") >= 1
    if locale == "en":
        assert "You receive this mail because" in footer
    return text


def ics_of(message) -> str:
    (attachment,) = list(message.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content_type()) == ("event.ics", "text/calendar")
    return attachment.get_payload(decode=True).decode()


def two_submissions(world):
    return {
        locale: file_submission(world, email=address, locale=locale, name=name, received_at=local(2025, 11, 10))
        for locale, address, name in (("zh_CN", ZH, "王芳"), ("en", EN, "John Smith"))
    }


def test_receipt_gives_tracking_number_query_code_due_date_and_link(world, deliver):
    created = two_submissions(world)
    delivered = deliver()
    for locale, address in (("zh_CN", ZH), ("en", EN)):
        new = created[locale]
        no = new.submission.tracking_no
        message = one(delivered, address)
        assert no in message["Subject"]
        check(message, locale, no, new.query_code, DUE[locale], f"http://consult.test/track?tracking_no={no}")
    assert one(delivered, EN)["Subject"] == f"Received: {created['en'].submission.tracking_no}"


def test_information_request_extension_and_dismissal_reach_the_citizen(world, deliver):
    created = two_submissions(world)
    deliver()
    zh, en = created["zh_CN"].submission, created["en"].submission
    for submission in (zh, en):
        actions.assign_submission(submission, world.officer, actor=world.officer)
    actions.request_info(zh, actor=world.officer, message="请补充路灯的具体位置。")
    actions.request_info(en, actor=world.officer, message="Which lamp post exactly?")
    delivered = deliver()
    assert len(delivered) == 2  # assigning oneself sends nothing
    check(one(delivered, ZH), "zh_CN", zh.tracking_no, "请补充路灯的具体位置。")
    check(one(delivered, EN), "en", en.tracking_no, "Which lamp post exactly?")
    assert one(delivered, EN)["Subject"] == f"More information needed: {en.tracking_no}"

    actions.provide_info(zh, "东门第三根。")
    actions.provide_info(en, "The third one at the east gate.")
    for submission in (zh, en):
        request = request_extension(submission, actor=world.officer, workdays=5, reason="需要现场勘查")
        decide_extension(request, reviewer=world.reviewer, approve=True)
    delivered = deliver()
    new_due = {"zh_CN": "2025年12月8日", "en": "December 8, 2025"}
    check(one(delivered, ZH), "zh_CN", zh.tracking_no, "需要现场勘查", new_due["zh_CN"], DUE["zh_CN"])
    check(one(delivered, EN), "en", en.tracking_no, new_due["en"], DUE["en"])
    assert one(delivered, EN)["Subject"] == f"Time limit extended: {en.tracking_no}"

    actions.dismiss_submission(zh, actor=world.officer, reason="与另一件诉求重复。")
    actions.dismiss_submission(en, actor=world.officer, reason="Same as another submission.")
    delivered = deliver()
    check(one(delivered, ZH), "zh_CN", zh.tracking_no, "与另一件诉求重复。")
    check(one(delivered, EN), "en", en.tracking_no, "Same as another submission.")
    assert one(delivered, EN)["Subject"] == f"Your letter {en.tracking_no} was closed without a reply"


def test_the_answer_links_to_the_rating_page(world, deliver):
    created = two_submissions(world)
    deliver()
    for locale, address in (("zh_CN", ZH), ("en", EN)):
        submission = created[locale].submission
        reply = replies.create_reply(world.officer, [submission], "路灯已于本周修复。")
        replies.submit_reply(reply, actor=world.officer)
        replies.approve_reply(reply, reviewer=world.reviewer)
        message = one(deliver(), address)
        text = check(message, locale, submission.tracking_no, "路灯已于本周修复。", "http://consult.test/track/rate/")
        assert text.count("/track/rate/") == 1
    assert message["Subject"] == f"Answer to your letter {created['en'].submission.tracking_no}"


def test_staff_hear_of_assignments_and_returned_replies_even_with_optional_mail_off(world, deliver):
    created = two_submissions(world)
    deliver()
    world.colleague.optional_mail = world.officer.optional_mail = False  # colleague reads Chinese, officer English
    zh, en = created["zh_CN"].submission, created["en"].submission
    actions.assign_submission(zh, world.colleague, actor=world.officer)
    actions.assign_submission(en, world.officer, actor=world.colleague)
    delivered = deliver()
    staff_link = "http://consult.test/office/submissions/"
    check(one(delivered, world.colleague.email), "zh_CN", zh.tracking_no, DUE["zh_CN"], f"{staff_link}{zh.id}")
    message = one(delivered, world.officer.email)
    check(message, "en", en.tracking_no, "December 1, 2025", f"{staff_link}{en.id}")
    assert message["Subject"].startswith(f"Assigned to you: {en.tracking_no}")

    for author, submission in ((world.colleague, zh), (world.officer, en)):
        reply = replies.create_reply(author, [submission], "已修复。")
        replies.submit_reply(reply, actor=author)
        replies.return_reply(reply, reviewer=world.reviewer, note="请写明修复日期。")
    delivered = deliver()
    check(one(delivered, world.colleague.email), "zh_CN", zh.tracking_no, "请写明修复日期。", f"{staff_link}{zh.id}")
    message = one(delivered, world.officer.email)
    check(message, "en", en.tracking_no, "请写明修复日期。", f"{staff_link}{en.id}")
    assert message["Subject"] == f"Reply returned for changes: {en.tracking_no}"


def test_one_digest_per_person_a_day_lists_stages_with_links(world, deliver):
    created = two_submissions(world)
    for submission in (created["zh_CN"].submission, created["en"].submission):
        actions.assign_submission(submission, world.colleague, actor=world.officer)
    deliver()
    send_reminders(date(2025, 12, 2))  # both overdue since 2025-12-02
    delivered = deliver()
    assert sorted(m["To"] for m in delivered) == sorted(
        [world.colleague.email, world.reviewer.email, world.second_reviewer.email]
    )
    numbers = [created[locale].submission.tracking_no for locale in ("zh_CN", "en")]
    links = [f"http://consult.test/office/submissions/{created[locale].submission.id}" for locale in ("zh_CN", "en")]
    check(one(delivered, world.colleague.email), "zh_CN", *numbers, *links, DUE["zh_CN"])
    message = one(delivered, world.reviewer.email)
    text = check(message, "en", *numbers, *links, DUE["en"])
    assert message["Subject"] == "Deadline digest for December 2, 2025: Overdue 2"
    assert "you review submissions of 县司法局" in text

    send_reminders(date(2025, 12, 2))
    send_reminders(date(2025, 12, 3))
    assert deliver() == []  # no second digest, and no stage listed twice


@pytest.fixture
def make_event(world):
    def make(**fields) -> Event:
        now = utcnow()
        values = dict(
            title="县司法局政务开放日", department_id=world.dept.id, venue="县公共法律服务中心",
            starts_at=now + timedelta(days=5), ends_at=now + timedelta(days=5, hours=2),
            registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=4),
            capacity=1, require_phone=False, require_email=True,
        )
        event = Event(**{**values, **fields})
        db.session.add(event)
        db.session.commit()
        return event

    return make


def test_registration_confirmation_waiting_promotion_and_reminder_with_calendar(world, deliver, make_event):
    event = make_event()
    wang = allocation.register(event.id, name="王芳", email=ZH, locale="zh_CN")
    allocation.register(event.id, name="John Smith", email=EN, locale="en")
    delivered = deliver()
    confirmed = one(delivered, ZH)
    check(confirmed, "zh_CN", "县司法局政务开放日", "http://consult.test/events/r/")
    assert "BEGIN:VCALENDAR" in ics_of(confirmed) and "SUMMARY:县司法局政务开放日" in ics_of(confirmed)
    waiting = one(delivered, EN)
    assert "waiting list" in check(waiting, "en", "县司法局政务开放日")
    assert list(waiting.iter_attachments()) == []  # no seat, no calendar entry

    waitlist.cancel(wang)
    delivered = deliver()
    check(one(delivered, ZH), "zh_CN", "县司法局政务开放日")  # the cancellation
    promoted = one(delivered, EN)
    assert promoted["Subject"] == "Your seat is confirmed: 县司法局政务开放日"
    assert "A seat has freed up and it is yours." in check(promoted, "en")
    assert "BEGIN:VCALENDAR" in ics_of(promoted)

    local_start = as_utc(event.starts_at).astimezone(zone())
    assert queue_event_reminders((local_start - timedelta(days=1)).replace(hour=12)) == 1
    reminder = one(deliver(), EN)
    assert reminder["Subject"] == "Tomorrow: 县司法局政务开放日"
    assert "turn off mails like this one" in check(reminder, "en")  # optional mail says how to stop it
    assert "BEGIN:VCALENDAR" in ics_of(reminder)


def test_a_declined_registration_gives_the_reason(world, deliver, make_event):
    event = make_event(mode=APPROVAL, capacity=5)
    pending = {
        locale: allocation.register(event.id, name=name, email=address, locale=locale)
        for locale, address, name in (("zh_CN", ZH, "王芳"), ("en", EN, "John Smith"))
    }
    deliver()
    allocation.decide(pending["zh_CN"], approve=False, reason="本次仅限本县居民。", officer=world.officer)
    allocation.decide(pending["en"], approve=True, reason="", officer=world.officer)
    delivered = deliver()
    declined = one(delivered, ZH)
    check(declined, "zh_CN", "县司法局政务开放日", "本次仅限本县居民。")
    assert list(declined.iter_attachments()) == []
    approved = one(delivered, EN)
    assert "The organising department has confirmed your registration." in check(approved, "en")
    assert "BEGIN:VCALENDAR" in ics_of(approved)


def test_citizens_who_turned_optional_mail_off_still_get_essential_mail(world, deliver, make_event):
    citizen = User(email=ZH, display_name="王芳", role=CITIZEN, locale="zh_CN", optional_mail=False)
    citizen.set_password("correct horse 42")
    db.session.add(citizen)
    event = make_event()
    allocation.register(event.id, name="王芳", user=citizen, locale="zh_CN")
    file_submission(world, email=ZH, locale="zh_CN", received_at=local(2025, 11, 10))
    delivered = deliver()
    assert len(delivered) == 2 and {m["To"] for m in delivered} == {ZH}  # registration and receipt
    local_start = as_utc(event.starts_at).astimezone(zone())
    assert queue_event_reminders((local_start - timedelta(days=1)).replace(hour=12)) == 0  # optional: not sent
    assert deliver() == []


def test_password_reset_in_the_accounts_language(world, deliver):
    world.citizen.locale = "en"
    chinese = User(email=ZH, display_name="王芳", role=CITIZEN, locale="zh_CN")
    chinese.set_password("correct horse 42")
    db.session.add(chinese)
    db.session.commit()
    request_password_reset(ZH)
    request_password_reset(world.citizen.email)
    request_password_reset("nobody@example.org")
    delivered = deliver()
    assert len(delivered) == 2
    check(one(delivered, ZH), "zh_CN", "http://consult.test/account/reset-password/")
    message = one(delivered, world.citizen.email)
    check(message, "en", "http://consult.test/account/reset-password/")
    assert message["Subject"].startswith("Choose a new password for")
