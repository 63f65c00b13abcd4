"""Chinese follows docs/zh-style.md: full-width punctuation in the catalog, the established terms on pages and in
mails, names of things apart from names of people, codes and quotes shown alike everywhere."""

import os
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from tests.drafts_support import add_comment, make_draft

from consult import PROJECT_ROOT
from consult.accounts.models import Department, User
from consult.database import utcnow
from consult.events.models import Event, Registration
from consult.extensions import db
from consult.mailbox import services as mailbox_services
from consult.notify.models import OutboxMessage
from consult.tracking import services as tracking

CATALOG = os.path.join(PROJECT_ROOT, "consult", "translations", "zh_Hans_CN", "LC_MESSAGES", "messages.po")
CHINESE = r"[\u3400-\u4dbf\u4e00-\u9fff]"
# ASCII : , ; ( ) touching a Chinese character, with or without a space between them.
HALF_WIDTH_NEXT_TO_CHINESE = re.compile(rf"{CHINESE} ?[:,;()]|[:,;()] ?{CHINESE}")
# Where ASCII punctuation next to Chinese is right: syntax people type as it is. Keep this list short.
ALLOWED = {
    # Python code that re-runs the lottery, quoted as it is written.
    "Anyone can re-run the draw: sort the registration numbers, shuffle them with Python's random.Random(seed), the "
    "first ones win.",
}


def chinese_catalog():
    with open(CATALOG, "rb") as fh:
        return read_po(fh, locale="zh_Hans_CN")


def texts(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string or ""]


def test_chinese_text_uses_full_width_punctuation():
    offending = [
        (message.id, text)
        for message in chinese_catalog()
        if message.id and (message.id if isinstance(message.id, str) else message.id[0]) not in ALLOWED
        for text in texts(message)
        if HALF_WIDTH_NEXT_TO_CHINESE.search(text)
    ]
    assert offending == []


def test_the_punctuation_check_finds_what_it_should():
    for wrong in ("时间: 14:26", "三楼会议室, 建设路12号", "（选填); 请", "姓名(必填)", "见附件 (PDF)"):
        assert HALF_WIDTH_NEXT_TO_CHINESE.search(wrong), wrong
    for right in ("时间：14:26", "三楼会议室，建设路12号", "姓名（必填）", "Authorization: Bearer <token>",
                  "PDF、Word（DOCX）"):
        assert not HALF_WIDTH_NEXT_TO_CHINESE.search(right), right


# --- pages and mails read like a government office wrote them (Chinese is the site's language here) ----

@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "zh_CN"}


def outbox(template: str) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == template)
                                   .order_by(OutboxMessage.id)))


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_a_comment_on_a_draft_is_an_opinion_and_its_visibility_is_its_moderation(app, client, auth, world):
    """An officer who reads the site's default language (Chinese) sees the comment's own words."""
    comment = add_comment(make_draft(world), "建议每季度更新公开专区。")
    [receipt] = outbox("submission_receipt")
    assert "县司法局已收到您的意见。" in receipt.body_text and "诉求" not in receipt.body_text + receipt.subject
    assert "查询编号：C-" in receipt.body_text and re.search(r"查询码：\w{4}-\w{4}-\w{4}", receipt.body_text)
    auth.login(world.colleague)
    staff_page = page(client, f"/office/submissions/{comment.submission_id}")
    assert "诉求" not in staff_page
    assert "已公开" in staff_page  # its moderation: shown to the public
    assert "不公开" not in staff_page and "是否公开" not in staff_page  # a letter's choice, not a comment's


def test_a_letter_asks_for_material_and_says_which_days_did_not_count(app, client, auth, world):
    department = db.session.get(Department, world.dept.id)
    mailbox = mailbox_services.save_mailbox(None, name="县长信箱", department=department, categories=("complaint",),
                                            description="", window_workdays=15, allow_publication=True,
                                            allow_attachments=False, active=True)
    receipt = mailbox_services.submit_letter(
        mailbox, category="complaint", subject="路灯不亮", body="路灯坏了。", form_token="zh-style-letter-0001",
        name="张三", email="zhang@example.org", received_at=datetime(2026, 9, 28, 2, 0, tzinfo=UTC))
    officer = db.session.get(User, world.colleague.id)
    tracking.assign_submission(receipt.letter.submission, officer, actor=officer)
    db.session.commit()
    tracking_no, submission_id = receipt.letter.submission.tracking_no, receipt.letter.submission_id
    auth.login(world.colleague)
    staff_page = page(client, f"/office/submissions/{submission_id}")
    assert "是否公开" in staff_page and "不公开" in staff_page  # the writer did not agree to publication
    assert "通知补充材料" in staff_page and "提交申请" not in staff_page
    assert "内部备注（仅工作人员可见）： " not in staff_page
    auth.logout()
    client.post("/track", data={"tracking_no": tracking_no, "code": receipt.query_code})
    status = page(client, f"/track/{tracking_no}")
    assert re.search(r"其中\d+天为周末或节假日，不计入", status)  # the National Day holiday and weekends
    assert "天未计入" not in status


def test_names_of_things_are_not_names_of_people(client, auth, world):
    auth.login(world.admin)
    departments = page(client, "/admin/departments")
    assert '<th scope="col">名称</th>' in departments and "姓名" not in departments
    assert '<th scope="col">姓名</th>' in page(client, "/admin/users")


def test_an_open_day_shows_its_code_and_quoted_title_the_same_way_in_mail_and_page(app, client, world):
    now = utcnow()
    event = Event(title="县财政局政务开放日——“阳光财政”面对面", description="欢迎参加。", department_id=world.dept.id,
                  venue="县财政局三楼会议室", address="建设路12号", starts_at=now + timedelta(days=5),
                  ends_at=now + timedelta(days=5, hours=2), registration_opens_at=now - timedelta(days=1),
                  registration_closes_at=now + timedelta(days=4), capacity=5, mode="first_come",
                  require_phone=False, require_email=True)
    db.session.add(event)
    db.session.commit()
    assert "报名参加“县财政局政务开放日——‘阳光财政’面对面”" in page(client, f"/events/{event.id}/register")
    response = client.post(f"/events/{event.id}/register", data={"name": "李四", "email": "li@example.org"})
    code = db.session.scalar(sa.select(Registration.checkin_code).where(Registration.event_id == event.id))
    grouped = f"{code[:4]}-{code[4:]}"
    [mail] = outbox("registration_received")
    assert grouped in mail.body_text and code not in mail.body_text
    assert "地点：县财政局三楼会议室（建设路12号）" in mail.body_text
    registration_page = page(client, response.location)
    assert grouped in registration_page and code not in registration_page
