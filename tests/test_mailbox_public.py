"""Mailboxes, public side: only opted-in, answered, non-report letters of publishing mailboxes are listed;
names are masked and the writer's phone, e-mail and attachments never appear; search, filters, pages."""

import re

import pytest
from werkzeug.datastructures import FileStorage
from tests.mailbox_support import PNG, WRITER_EMAIL, WRITER_PHONE, answer, file_letter, token, upload
from tests.tracking_support import local

from consult.database import utcnow
from consult.extensions import db
from consult.mailbox import services
from consult.mailbox.queries import count_workdays
from consult.tracking import actions
from consult.tracking.citizen import rate
from consult.tracking.models import SATISFIED
from consult.workdays import Override

pytestmark = pytest.mark.usefixtures("request_ctx")


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "en"}


def _text(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _public_pages(client, letter, mailbox) -> list[str]:
    return [
        _text(client.get("/mailboxes")), _text(client.get("/mailboxes/letters")),
        _text(client.get(f"/mailboxes/{mailbox.id}")), _text(client.get(f"/mailboxes/letters/{letter.id}")),
        _text(client.get(f"/mailboxes/letters?q={letter.submission.subject}")),
    ]


def _assert_no_personal_data(page: str) -> None:
    for secret in (WRITER_PHONE, "138 0013 8000", "138-0013-8000", WRITER_EMAIL, "欧阳娜娜", "/files/"):
        assert secret not in page, secret


def test_an_answered_public_letter_is_published_with_a_masked_name_and_no_contacts(client, boxes, world):
    letter = file_letter(boxes.county, public=True, subject="工地夜间施工扰民",
                         body=f"工地每晚施工。请联系我：138 0013 8000 或 {WRITER_EMAIL}。欧阳娜娜",
                         files=[])
    answer(letter, world, body=f"欧阳娜娜您好：已责令整改。如有疑问请回复 {WRITER_EMAIL} 或致电 {WRITER_PHONE}。")
    pages = _public_pages(client, letter, boxes.county)
    for page in pages[1:]:
        assert "工地夜间施工扰民" in page
        assert "欧阳**" in page  # masked on every page that shows the letter
        _assert_no_personal_data(page)
    assert "已责令整改" in pages[3]
    _assert_no_personal_data(pages[0])


def test_attachments_of_a_published_letter_are_never_linked_or_served(client, boxes, world):
    storage = upload("photo.png", PNG)
    letter = file_letter(boxes.county, public=True, files=[FileStorage(storage[0], filename=storage[1])])
    answer(letter, world)
    page = _text(client.get(f"/mailboxes/letters/{letter.id}"))
    assert "photo.png" not in page and "/files/" not in page
    with client.get(f"/files/{letter.attachments[0].id}") as response:
        assert response.status_code == 404


def test_only_opted_in_answered_letters_of_publishing_mailboxes_are_listed(client, boxes, world):
    shown = file_letter(boxes.county, public=True, subject="已答复的公开来信")
    answer(shown, world)
    private = file_letter(boxes.county, public=False, subject="不愿公开的来信")
    answer(private, world)
    unanswered = file_letter(boxes.county, public=True, subject="尚未答复的来信")
    no_publishing = file_letter(boxes.private, public=True, subject="内部信箱的来信")
    answer(no_publishing, world)
    dismissed = file_letter(boxes.county, public=True, subject="被驳回的来信")
    actions.dismiss_submission(dismissed.submission, actor=world.officer, reason="与本部门职责无关。")
    db.session.commit()
    listing = _text(client.get("/mailboxes/letters"))
    assert "已答复的公开来信" in listing
    for hidden in (private, unanswered, no_publishing, dismissed):
        assert hidden.submission.subject not in listing
        assert client.get(f"/mailboxes/letters/{hidden.id}").status_code == 404
    assert "内部信箱的来信" not in _text(client.get(f"/mailboxes/{boxes.private.id}"))


def test_a_closed_letter_stays_published(client, boxes, world):
    letter = file_letter(boxes.county, public=True, subject="已办结的来信")
    answer(letter, world)
    rate(letter.submission, resolved=True, satisfaction=SATISFIED)
    db.session.commit()
    assert letter.submission.status == "closed"
    assert "已办结的来信" in _text(client.get("/mailboxes/letters"))


def test_a_report_is_never_public_even_if_forced_into_the_database(client, boxes, world):
    report = file_letter(boxes.county, category="report", subject="举报违规收费")
    assert not report.submission.is_public
    report.submission.is_public = True  # a forged or buggy opt-in
    db.session.commit()
    answer(report, world)
    for url in ("/mailboxes/letters", f"/mailboxes/{boxes.county.id}", "/mailboxes/letters?q=举报"):
        assert "举报违规收费" not in _text(client.get(url))
    assert client.get(f"/mailboxes/letters/{report.id}").status_code == 404
    assert client.get("/mailboxes/letters?category=report").status_code == 200


def test_a_forged_public_report_through_the_form_stores_nothing(client, boxes):
    data = {"mailbox_id": boxes.county.id, "category": "report", "subject": "举报", "body": "举报内容",
            "name": "王五", "phone": "13900139000", "public": "y", "form_token": token()}
    assert client.post("/mailboxes/write", data=data).status_code == 422
    assert "举报内容" not in _text(client.get("/mailboxes/letters"))


def test_working_days_taken_and_on_time_are_shown(client, boxes, world):
    on_time = file_letter(boxes.county, public=True, subject="按时答复", received_at=utcnow())
    answer(on_time, world)
    late = file_letter(boxes.county, public=True, subject="逾期答复", received_at=local(2025, 1, 2))
    answer(late, world)
    page = _text(client.get(f"/mailboxes/letters/{on_time.id}"))
    assert "On time" in page and "Answered on the day it was received" in page
    page = _text(client.get(f"/mailboxes/letters/{late.id}"))
    assert "Late (due" in page and re.search(r"Answered in \d+ working days", page)
    assert "On time" in _text(client.get("/mailboxes/letters"))


def test_counting_working_days_skips_weekends_holidays_and_the_day_of_receipt():
    from datetime import date

    assert count_workdays(date(2025, 11, 7), date(2025, 11, 10)) == 1  # Fri → Mon
    assert count_workdays(date(2025, 9, 30), date(2025, 10, 11)) == 3  # National Day holidays; 11 Oct is a make-up day
    assert count_workdays(date(2025, 11, 7), date(2025, 11, 7)) == 0
    overrides = {date(2025, 11, 10): Override(is_workday=False, note="停电")}
    assert count_workdays(date(2025, 11, 7), date(2025, 11, 11), overrides) == 1


def test_search_and_filters(client, boxes, world):
    water = file_letter(boxes.county, public=True, category="enquiry", subject="自来水水质问题",
                        received_at=local(2024, 5, 6))
    answer(water, world)
    road = file_letter(boxes.finance, public=True, category="suggestion", subject="修路资金_100%落实",
                       received_at=local(2025, 3, 3))
    answer(road, world)

    def listing(query: str) -> str:
        return _text(client.get(f"/mailboxes/letters?{query}"))

    assert "自来水水质问题" in listing("q=水质") and "修路资金" not in listing("q=水质")
    assert "修路资金" in listing("q=_100%25") and "自来水" not in listing("q=_100%25")
    assert "自来水" not in listing("q=%25")  # % is searched literally, not a wildcard
    assert "自来水" in listing("category=enquiry") and "修路资金" not in listing("category=enquiry")
    assert "自来水" in listing("year=2024") and "修路资金" not in listing("year=2024")
    assert "修路资金" in listing(f"department={world.other_dept.id}")
    assert "自来水" not in listing(f"department={world.other_dept.id}")
    assert "修路资金" not in _text(client.get(f"/mailboxes/{boxes.county.id}"))
    assert "No published letters match" in listing("q=没有这样的信")


def test_lists_page_with_a_cursor(client, boxes, world):
    for n in range(23):
        letter = file_letter(boxes.county, public=True, subject=f"来信第{n:02d}号")
        answer(letter, world)
    first = _text(client.get("/mailboxes/letters"))
    cursor = re.search(r'href="[^"]*cursor=([^"&]+)', first).group(1)
    second = _text(client.get(f"/mailboxes/letters?cursor={cursor}"))
    subjects = set(re.findall(r"来信第\d\d号", first)) | set(re.findall(r"来信第\d\d号", second))
    assert len(subjects) == 23
    assert client.get("/mailboxes/letters?cursor=garbage!").status_code == 400


def test_mailbox_counters_follow_letters_and_answers(client, boxes, world):
    first = file_letter(boxes.county)
    file_letter(boxes.county)
    db.session.refresh(boxes.county)
    assert (boxes.county.letter_count, boxes.county.answered_count) == (2, 0)
    answer(first, world)
    db.session.refresh(boxes.county)
    assert boxes.county.answered_count == 1
    rate(first.submission, resolved=False, satisfaction="unsatisfied")  # reopened: no longer answered
    db.session.commit()
    db.session.refresh(boxes.county)
    assert boxes.county.answered_count == 0
    assert "2 letters received, 0 answered" in _text(client.get("/mailboxes"))


def test_the_public_pages_have_empty_states(client, boxes):
    assert "No letters have been published yet." in _text(client.get("/mailboxes/letters"))
    assert "answered privately" in _text(client.get(f"/mailboxes/{boxes.private.id}"))
    assert client.get("/mailboxes/999999").status_code == 404
    assert client.get("/mailboxes/letters/999999").status_code == 404


def test_letters_written_by_the_service_behave_like_the_form(boxes):
    receipt = services.submit_letter(boxes.county, category="enquiry", subject="问", body="请问。", name="张三",
                                     email="zs@example.org", form_token=token(), public=True)
    assert receipt.query_code and receipt.letter.public_name == "张*" and receipt.letter.submission.is_public


def test_redaction_takes_exactly_the_personal_data_and_keeps_the_words_around_it(client, boxes, world):
    subject = "请联系我13912345678或a@b.org 身份证110101199003074518"
    letter = file_letter(boxes.county, public=True, subject=subject, body="路灯坏了，联系人欧阳娜娜，电话0571-87654321。")
    answer(letter, world)
    page = _text(client.get(f"/mailboxes/letters/{letter.id}"))
    assert "请联系我***或*** 身份证***" in page
    assert "路灯坏了，联系人欧阳**，电话***。" in page
    [shown] = client.get(f"/open311/v2/requests/{letter.submission.tracking_no}.json").get_json()
    assert shown["description"].startswith("请联系我***或*** 身份证***")
