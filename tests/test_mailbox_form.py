"""The letter form as a newcomer meets it: every problem at once beside its field, required fields marked,
a rate limit answered on the form with the letter kept, a letter sent again after going back, and the
receipt in the shared, styled layout."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from tests.mailbox_support import form_data, letters

from consult.domain import DomainError
from consult.extensions import db
from consult.mailbox import services
from consult.tracking.intake import DUPLICATE_WINDOW
from consult.tracking.models import Submission

pytestmark = pytest.mark.usefixtures("request_ctx")


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_every_problem_of_a_letter_is_reported_at_once_beside_its_field(client, boxes):
    response = client.post("/mailboxes/write", data=form_data(
        boxes.county, subject="", body="", name="", phone="", email="", category=""))
    page = _text(response)
    assert response.status_code == 422
    for field in ("category", "subject", "body", "name", "phone"):
        assert f'id="{field}-error"' in page, field
        assert f'<a href="#{field}">' in page, field
    assert "Please give a phone number or an e-mail address so we can reach you." in page
    assert letters() == []


def test_without_a_mailbox_the_other_fields_are_checked_too(client, boxes):
    page = _text(client.post("/mailboxes/write", data=form_data(boxes.county, mailbox_id="0", name="")))
    assert 'id="mailbox_id-error"' in page and "Please choose a mailbox." in page
    assert 'id="name-error"' in page and "小区旁边的工地" in page


def test_the_service_reports_every_problem_to_the_api_too(boxes):
    with pytest.raises(DomainError) as refused:
        services.submit_letter(boxes.county, category="complaint", subject="", body="", name="", phone="12",
                               form_token="a-token-of-sixteen-chars")
    assert set(refused.value.errors) == {"subject", "body", "name", "phone"}
    assert refused.value.field == "subject"  # the first, as before, for callers that show one message


def test_required_fields_carry_a_mark_and_the_attribute(client, boxes):
    page = _text(client.get(f"/mailboxes/write?mailbox={boxes.county.id}"))
    assert "Fields marked * are required." in page
    for field in ("mailbox_id", "category", "subject", "body", "name"):
        assert re.search(rf'<(?:input|textarea|select)[^>]*id="{field}"[^>]*required', page), field
    assert re.search(r'<fieldset class="field-group" id="contact"[^>]*>\s*<legend>[^<]*<span class="required"', page)


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_over_the_rate_limit_the_letter_comes_back_on_the_form(client, boxes):
    for n in range(5):
        assert client.post("/mailboxes/write", data=form_data(boxes.county, body=f"第{n}封信。")).status_code == 302
    response = client.post("/mailboxes/write", data=form_data(boxes.county, body="这封信很长，不能丢。"))
    page = _text(response)
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert "您在短时间内多次提交本表单" in page and "这封信很长，不能丢。" in page and 'value="欧阳娜娜"' in page
    assert len(letters()) == 5


def test_going_back_and_sending_the_same_letter_again_shows_the_first_receipt(client, boxes):
    first = client.post("/mailboxes/write", data=form_data(boxes.county))
    client.get(first.location)  # the receipt, with the query code
    again = client.post("/mailboxes/write", data=form_data(boxes.county, phone="", email="OUYANG.NANA@example.org"))
    [letter] = letters()
    page = _text(client.get(again.location))
    assert letter.submission.tracking_no in page and '<span class="query-code">' not in page


def test_the_same_letter_to_another_mailbox_or_later_is_a_new_letter(client, boxes):
    client.post("/mailboxes/write", data=form_data(boxes.county))
    client.post("/mailboxes/write", data=form_data(boxes.private))
    assert len(letters()) == 2
    for submission in db.session.scalars(sa.select(Submission)):
        submission.received_at -= DUPLICATE_WINDOW + timedelta(seconds=1)
    db.session.commit()
    client.post("/mailboxes/write", data=form_data(boxes.county))
    assert len(letters()) == 3


@pytest.mark.parametrize("app_config", [{"CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_the_thank_you_page_uses_the_shared_receipt(client, boxes):
    client.post("/mailboxes/write", data=form_data(boxes.county))
    page = _text(client.get("/mailboxes/write/thanks"))
    submission = letters()[0].submission
    due = submission.due_on
    assert 'class="panel receipt"' in page and 'class="receipt-codes"' in page and "后续办理" in page
    assert f"{due.year}年{due.month}月{due.day}日" in page
    assert f'href="/track?tracking_no={submission.tracking_no}">查看办理状态</a>' in page
    assert "/static/css/consult.css" in page
    with client.get("/static/css/consult.css") as response:  # loaded by every page, the letter's too
        stylesheet = _text(response)
    assert ".receipt-codes" in stylesheet and "@media print" in stylesheet


def test_the_status_page_shows_the_letter_its_mailbox_and_category(client, boxes):
    client.post("/mailboxes/write", data=form_data(boxes.county))
    code = re.search(r'<span class="query-code">([^<]+)</span>', _text(client.get("/mailboxes/write/thanks"))).group(1)
    [letter] = letters()
    client.post("/track", data={"tracking_no": letter.submission.tracking_no, "code": code})
    page = _text(client.get(f"/track/{letter.submission.tracking_no}"))
    assert "小区旁边的工地每天晚上十点后仍在施工" in page
    assert "<dt>Category</dt><dd>Complaint</dd>" in page and "<dt>Mailbox</dt><dd>县长信箱</dd>" in page
