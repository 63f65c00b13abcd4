"""A mailbox's frequently asked questions (常见问题): kept by the staff of its department, made in one click
from an answered letter without the writer's personal data, shown on the mailbox's page and the letter form,
and found by the mailbox's search."""

import re

import pytest
from tests.mailbox_support import WRITER_EMAIL, WRITER_PHONE, answer, file_letter, login_as

from consult.extensions import db
from consult.mailbox.models import FaqEntry

pytestmark = pytest.mark.usefixtures("request_ctx")


def _text(response, status=200) -> str:
    assert response.status_code == status, response.status_code
    return response.get_data(as_text=True)


def _add(client, mailbox, question="夜间施工噪音扰民怎么办？", answer="22时至次日6时禁止产生噪声的施工作业。", **extra):
    return client.post(f"/mailboxes/office/{mailbox.id}/faq", data={"question": question, "answer": answer, **extra})


def test_an_officer_adds_a_question_that_the_public_reads_and_finds(client, auth, world, boxes):
    login_as(auth, world.officer)
    assert _add(client, boxes.county).status_code == 302
    _add(client, boxes.county, question="小区路灯损坏由哪个部门维修？", answer="请拨打城市管理热线。", position="1")
    manage = _text(client.get(f"/mailboxes/office/{boxes.county.id}/faq"))
    assert "夜间施工噪音扰民怎么办？" in manage and "小区路灯损坏由哪个部门维修？" in manage
    auth.logout()
    page = _text(client.get(f"/mailboxes/{boxes.county.id}"))
    assert page.index("夜间施工噪音扰民怎么办？") < page.index("小区路灯损坏由哪个部门维修？") < page.index("Answered letters")
    assert "禁止产生噪声的施工作业" in page
    found = _text(client.get(f"/mailboxes/{boxes.county.id}?q=路灯"))
    assert "小区<mark>路灯</mark>损坏由哪个部门维修？" in found and "夜间施工噪音扰民怎么办？" not in found
    write = _text(client.get(f"/mailboxes/write?mailbox={boxes.county.id}"))
    assert "Frequently asked questions of this mailbox (2)" in write and "请拨打城市管理热线" in write


def test_one_click_makes_a_question_of_an_answered_letter_without_personal_data(client, auth, world, boxes):
    letter = file_letter(boxes.county, subject="欧阳娜娜反映工地噪音",
                         body=f"工地夜间施工。电话{WRITER_PHONE}。")
    answer(letter, world, body=f"欧阳娜娜您好：已责令施工单位整改。如有疑问请致电{WRITER_PHONE}或发邮件至{WRITER_EMAIL}。")
    pending = file_letter(boxes.county, subject="尚未答复的信")
    login_as(auth, world.officer)
    manage = _text(client.get(f"/mailboxes/office/{boxes.county.id}/faq"))
    assert letter.submission.tracking_no in manage and pending.submission.tracking_no not in manage
    response = client.post(f"/mailboxes/office/letters/{letter.id}/faq")
    assert response.status_code == 302 and "/edit" in response.location
    [entry] = db.session.scalars(db.select(FaqEntry)).all()
    assert entry.mailbox_id == boxes.county.id and entry.source_letter_id == letter.id
    assert "已责令施工单位整改" in entry.answer and "工地噪音" in entry.question
    for secret in ("欧阳娜娜", WRITER_PHONE, WRITER_EMAIL):
        assert secret not in entry.question + entry.answer, secret
    assert "Already a question" in _text(client.get(f"/mailboxes/office/{boxes.county.id}/faq"))
    # A letter still waiting for its answer cannot become one.
    client.post(f"/mailboxes/office/letters/{pending.id}/faq")
    assert db.session.scalar(db.select(db.func.count()).select_from(FaqEntry)) == 1


def test_editing_and_removing_a_question_shows_at_once_in_the_search(client, auth, world, boxes):
    login_as(auth, world.reviewer)
    _add(client, boxes.county)
    entry = db.session.scalars(db.select(FaqEntry)).one()
    edit = client.post(f"/mailboxes/office/faq/{entry.id}/edit",
                       data={"question": "供暖不热怎么办？", "answer": "请联系供热公司。", "position": "0"})
    assert edit.status_code == 302
    assert "<mark>供暖</mark>不热怎么办？" in _text(client.get(f"/mailboxes/{boxes.county.id}?q=供暖"))
    assert "供暖" not in _text(client.get(f"/mailboxes/{boxes.county.id}?q=噪音")).split("Answered letters")[0]
    client.post(f"/mailboxes/office/faq/{entry.id}/delete")
    assert db.session.scalars(db.select(FaqEntry)).all() == []
    assert "不热怎么办？" not in _text(client.get(f"/mailboxes/{boxes.county.id}?q=供暖"))


def test_an_empty_question_is_refused_beside_its_field(client, auth, world, boxes):
    login_as(auth, world.officer)
    page = _text(_add(client, boxes.county, question="", answer=""), 422)
    assert 'id="question-error"' in page and "Please enter the question." in page
    assert 'id="answer-error"' in page
    assert db.session.scalars(db.select(FaqEntry)).all() == []


def test_another_departments_staff_and_citizens_cannot_touch_a_mailboxs_questions(client, auth, world, boxes):
    login_as(auth, world.officer)
    _add(client, boxes.county)
    entry = db.session.scalars(db.select(FaqEntry)).one()
    letter = file_letter(boxes.county)
    answer(letter, world)
    login_as(auth, world.other_officer)
    assert client.get(f"/mailboxes/office/{boxes.county.id}/faq").status_code == 403
    assert _add(client, boxes.county, question="别的部门的问题").status_code == 403
    assert client.post(f"/mailboxes/office/faq/{entry.id}/edit", data={"question": "改", "answer": "改"}).status_code == 403
    assert client.post(f"/mailboxes/office/faq/{entry.id}/delete").status_code == 403
    assert client.post(f"/mailboxes/office/letters/{letter.id}/faq").status_code == 403
    assert client.get(f"/mailboxes/office/{boxes.finance.id}/faq").status_code == 200  # its own mailbox
    assert client.get("/mailboxes/office/999999/faq").status_code == 404
    login_as(auth, world.citizen)
    assert client.get(f"/mailboxes/office/{boxes.county.id}/faq").status_code == 403
    [kept] = db.session.scalars(db.select(FaqEntry)).all()
    assert kept.question == "夜间施工噪音扰民怎么办？"


def test_staff_reach_the_questions_from_their_letters_page(client, auth, world, boxes):
    login_as(auth, world.officer)
    page = _text(client.get("/mailboxes/office"))
    hrefs = re.findall(r'href="(/mailboxes/office/\d+/faq)"', page)
    assert f"/mailboxes/office/{boxes.county.id}/faq" in hrefs
    assert f"/mailboxes/office/{boxes.finance.id}/faq" not in hrefs  # another department's
