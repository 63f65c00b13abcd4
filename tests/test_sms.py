"""SMS through the outbox: a citizen who left only a mobile number is told of every step by SMS, through a
local fake of Tencent Cloud's API that checks signatures and parameters; the rules (quiet hours, caps,
opt-out, budget); an outage loses nothing."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from consult.database import utcnow
from consult.extensions import db
from consult.notify import sender, sms
from consult.notify.models import FAILED, PENDING, SENT, SMS, OutboxMessage
from consult.tracking import actions, replies
from consult.tracking.models import ANSWERED
from tests.sms_support import APP_ID, SIGN_NAME, TEMPLATE_CODES, FakeTencentSms
from tests.tracking_support import file_submission

SHANGHAI = ZoneInfo("Asia/Shanghai")
MOBILE = "13912345678"


@pytest.fixture
def gateway():
    with FakeTencentSms() as fake:
        yield fake


@pytest.fixture
def app_config(request, gateway):
    """Consult sends through the fake; a test may add settings (indirect parametrize)."""
    return gateway.config() | getattr(request, "param", {})


# Days ahead of the real clock: a failed attempt is never retried before the real "now", so a fixed
# date would stop meaning anything once it has passed.
FIRST_DAY = datetime.now(SHANGHAI).date() + timedelta(days=7)


def at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    """``hour:minute`` in Shanghai on the test's second day (``day=3`` is the day after), a week ahead."""
    return datetime.combine(FIRST_DAY + timedelta(days=day - 2), time(hour, minute), tzinfo=SHANGHAI)


def drain(**kwargs):
    """Send what is due within the next 12 hours (notices queued in quiet hours wait for 08:00)."""
    return sender.drain(now=utcnow() + timedelta(hours=12), **kwargs)


def sms_rows() -> list[OutboxMessage]:
    db.session.commit()  # a new transaction sees what the sender wrote
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.channel == SMS)
                                   .order_by(OutboxMessage.id)))


def phone_only(world, **fields):
    fields.setdefault("email", "")
    fields.setdefault("phone", "+86 139-1234-5678")
    return file_submission(world, **fields)


def test_phone_only_citizen_is_texted_the_receipt_without_the_query_code(world, gateway):
    created = phone_only(world)
    [row] = sms_rows()
    assert row.recipient == MOBILE and row.template == "receipt"
    assert row.body_text.startswith(f"【{SIGN_NAME}】")
    assert created.submission.tracking_no in row.body_text
    assert created.query_code not in row.body_text and created.query_code.replace("-", "") not in row.body_text
    assert "/t/" + created.submission.tracking_no in row.body_text
    assert "回复T退订" in row.body_text
    assert sms.segments(row.body_text) <= 2
    # Nothing went by e-mail: there is no address.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1

    assert drain().sent == 1
    [sent] = gateway.accepted
    assert sent["phone"] == "+86" + MOBILE
    assert sent["template"] == TEMPLATE_CODES["receipt"]
    assert sent["params"][0] == created.submission.tracking_no
    assert sent["context"] == f"outbox-{row.id}"
    assert sms_rows()[0].status == SENT


def test_every_step_of_a_letter_reaches_a_phone_only_citizen(world, gateway):
    submission = phone_only(world).submission
    actions.assign_submission(submission, world.officer, actor=world.officer)
    reply = replies.create_reply(world.officer, [submission], "您反映的路灯已于今日修复。")
    replies.submit_reply(reply, actor=world.officer)
    replies.approve_reply(reply, reviewer=world.reviewer)
    db.session.commit()
    assert submission.status == ANSWERED
    assert [row.template for row in sms_rows()] == ["receipt", "answered"]
    drain()
    assert [m["template"] for m in gateway.accepted] == [TEMPLATE_CODES["receipt"], TEMPLATE_CODES["answered"]]


def test_a_poor_rating_is_followed_up_by_sms_with_the_departments_date(world, gateway):
    from consult.tracking import citizen
    from consult.tracking.models import VERY_UNSATISFIED

    submission = phone_only(world).submission
    actions.assign_submission(submission, world.officer, actor=world.officer)
    reply = replies.create_reply(world.officer, [submission], "已修复。")
    replies.submit_reply(reply, actor=world.officer)
    replies.approve_reply(reply, reviewer=world.reviewer)
    citizen.rate(submission, resolved=False, satisfaction=VERY_UNSATISFIED, comment="并没有修好")
    db.session.commit()
    [follow_up] = [row for row in sms_rows() if row.template == "rating_followup"]
    assert submission.tracking_no in follow_up.body_text and "回访" in follow_up.body_text


def test_a_citizen_with_an_e_mail_address_gets_mail_unless_they_chose_sms(world, gateway):
    file_submission(world, phone=MOBILE, email="li@example.org")
    assert sms_rows() == []
    chose_sms = file_submission(world, phone=MOBILE, email="li@example.org", subject="另一件事").submission
    chose_sms.notify_by = SMS
    from consult.tracking.mails import notify_citizen

    notify_citizen(chose_sms, "submission_answer")
    assert [row.template for row in sms_rows()] == ["answered"]


def test_landlines_and_foreign_numbers_get_no_sms(world, gateway):
    phone_only(world, phone="0571-87654321")
    phone_only(world, phone="+44 20 7946 0958", subject="伦敦")
    assert sms_rows() == []


def test_quiet_hours_hold_a_notice_until_eight_but_not_a_code(app_ctx, gateway):
    late = at(22, 30)
    notice = sms.queue_sms(MOBILE, "answered", now=late, no="L-20261202-000001", url="https://x/t/1")
    code = sms.queue_sms(MOBILE, "verification_code", now=late, code="123456")
    assert notice.next_attempt_at.astimezone(SHANGHAI) == at(8, 0, day=3)
    assert code.next_attempt_at.astimezone(SHANGHAI) == late
    early = at(7, 59, day=3)
    assert sms.queue_sms(MOBILE, "answered", now=early, no="L-1", url="u").next_attempt_at.astimezone(SHANGHAI) \
        == at(8, 0, day=3)
    daytime = at(8, 0, day=3)
    assert sms.queue_sms(MOBILE, "answered", now=daytime, no="L-2", url="u").next_attempt_at.astimezone(SHANGHAI) \
        == daytime


def test_a_failed_notice_is_not_retried_into_the_night(app_ctx, gateway):
    row = sms.queue_sms(MOBILE, "answered", now=at(20, 59), no="L-1", url="u")
    db.session.commit()
    gateway.failing = "outage"
    result = sender.send_due(now=at(20, 59), channel=SMS)
    assert result.retrying == 1
    db.session.refresh(row)
    assert row.status == PENDING and row.next_attempt_at.astimezone(SHANGHAI) == at(8, 0, day=3)


@pytest.mark.parametrize("app_config", [{"SMS_DAILY_CAP_PER_NUMBER": 3}], indirect=True)
def test_a_number_gets_at_most_its_daily_cap(app_ctx):
    sent = [sms.queue_sms(MOBILE, "answered", no=f"L-{n}", url="u") for n in range(5)]
    assert [row is not None for row in sent] == [True, True, True, False, False]
    assert sms.queue_sms("13800138000", "answered", no="L-9", url="u") is not None


def test_an_opted_out_number_gets_only_the_codes_it_asks_for(app_ctx):
    assert sms.opt_out("+86 13912345678")
    assert sms.queue_sms(MOBILE, "answered", no="L-1", url="u") is None
    code = sms.queue_sms(MOBILE, "verification_code", code="654321")
    assert code is not None and "退订" not in code.body_text


@pytest.mark.parametrize("app_config", [{"SMS_DAILY_BUDGET": 2}], indirect=True)
def test_the_daily_budget_stops_sending_and_tells_the_admins_once(world):
    assert sms.queue_sms("13800000001", "answered", no="L-1", url="u")
    assert sms.queue_sms("13800000002", "answered", no="L-2", url="u")
    assert sms.queue_sms("13800000003", "answered", no="L-3", url="u") is None
    assert sms.queue_sms("13800000004", "answered", no="L-4", url="u") is None
    alerts = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == "sms_budget_reached")).all()
    assert [a.recipient for a in alerts] == [world.admin.email]


def test_segments_are_counted_as_providers_bill_them():
    assert [sms.segments("字" * n) for n in (1, 70, 71, 134, 135, 201, 202)] == [1, 1, 2, 2, 3, 3, 4]


def test_an_outage_loses_nothing_and_nothing_goes_twice(world, gateway):
    for n in range(5):
        phone_only(world, phone=f"1391234567{n}", subject=f"第{n}件")
    gateway.failing = "outage"
    now = at(10, 0)  # daytime, whatever the hour the test runs at: no retry is held for the quiet hours
    assert sender.send_due(now=now, channel=SMS).retrying == 5
    assert gateway.accepted == []
    gateway.failing = None
    later = now + timedelta(hours=7)
    assert sender.send_due(now=later, channel=SMS).sent == 5
    assert sender.send_due(now=later + timedelta(hours=1), channel=SMS).claimed == 0
    assert sorted(m["phone"] for m in gateway.accepted) == [f"+861391234567{n}" for n in range(5)]
    assert {row.status for row in sms_rows()} == {SENT}


def test_a_refused_template_fails_for_good_and_shows_why(world, gateway):
    phone_only(world)
    gateway.failing = "FailedOperation.TemplateIncorrectOrUnapproved"
    assert drain().failed == 1
    [row] = sms_rows()
    assert row.status == FAILED and "TemplateIncorrectOrUnapproved" in row.last_error


@pytest.mark.parametrize("app_config", [{"SMS_TENCENT_SECRET_KEY": "wrong"}], indirect=True)
def test_a_wrong_key_is_refused_by_the_provider_signature_check(world, gateway):
    phone_only(world)
    assert drain().failed == 1
    assert gateway.refused == ["AuthFailure.SignatureFailure"]
    assert gateway.accepted == []


def test_the_fake_provider_knows_the_app_id(gateway):
    assert gateway.config()["SMS_TENCENT_APP_ID"] == APP_ID


def test_the_short_link_leads_to_the_lookup_for_strangers(client):
    answer = client.get("/t/L-20261202-000123")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/track/L-20261202-000123")


def test_only_admins_see_the_sms_page(world, client, auth):
    auth.login(world.officer)
    assert client.get("/admin/sms").status_code == 403


def test_admins_see_each_template_with_its_length_segments_and_cost(world, client, auth):
    auth.login(world.admin)
    answer = client.get("/admin/sms")
    assert answer.status_code == 200, answer.status_code
    page = answer.get_data(as_text=True)
    for name in sms.TEMPLATES:
        assert name in page
    assert TEMPLATE_CODES["receipt"] in page
    assert "0.045" in page or "0.09" in page


@pytest.mark.parametrize("app_config", [{"SMS_INBOUND_SECRET": "inbound-secret"}], indirect=True)
def test_a_reply_of_t_forwarded_by_the_gateway_is_an_opt_out(app_ctx, client):
    import hashlib
    import hmac
    import json

    body = json.dumps([{"mobile": "13912345678", "nationcode": "86", "text": " t "},
                       {"mobile": "13800138000", "text": "谢谢"}]).encode()
    signature = hmac.new(b"inbound-secret", body, hashlib.sha256).hexdigest()
    unsigned = client.post("/sms/inbound", data=body, content_type="application/json")
    assert unsigned.status_code == 403
    answer = client.post("/sms/inbound", data=body, content_type="application/json",
                         headers={"X-Consult-Signature": signature})
    assert answer.get_json() == {"opt_outs": 1}
    assert sms.opted_out(MOBILE) and not sms.opted_out("13800138000")


def test_without_a_secret_there_is_no_reply_endpoint(client):
    assert client.post("/sms/inbound", json={"mobile": MOBILE, "text": "T"}).status_code == 404


def test_a_citizen_chooses_sms_on_the_letter_form(world, client):
    from tests.mailbox_support import _box, form_data

    mailbox = _box("县长信箱", world.dept)
    db.session.commit()
    assert client.post("/mailboxes/write", data=form_data(mailbox, notify_by_sms="y")).status_code == 302
    [row] = sms_rows()
    assert row.template == "receipt" and row.recipient == "13800138000"
    mails = db.session.scalars(sa.select(OutboxMessage.template).where(OutboxMessage.channel == "mail")).all()
    assert "submission_receipt" not in mails


def test_a_citizen_chooses_sms_through_the_api(world, client):
    from tests.mailbox_support import _box

    mailbox = _box("县长信箱", world.dept)
    db.session.commit()
    answer = client.post("/api/v1/letters", json={
        "mailbox_id": mailbox.id, "category": "complaint", "subject": "噪音", "body": "夜间施工。", "name": "王五",
        "phone": "13912345678", "email": "wang@example.org", "notify_by": "sms"})
    assert answer.status_code == 201, answer.get_json()
    assert [row.template for row in sms_rows()] == ["receipt"]
    refused = client.post("/api/v1/letters", json={
        "mailbox_id": mailbox.id, "category": "complaint", "subject": "噪音", "body": "又施工。", "name": "王五",
        "phone": "13912345678", "notify_by": "pigeon"})
    assert refused.status_code == 422
