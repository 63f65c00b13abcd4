"""The receipt (受理回执) and the reply letter (答复意见书) as PDF: what they say, who may have them, how they
are served."""

import re
from urllib.parse import unquote

import pytest
from tests.documents_support import pdf_text
from tests.mailbox_support import answer, file_letter, form_data
from tests.tracking_support import local

from consult.extensions import db
from consult.mailbox.models import Letter


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "zh_CN"}


def _send_letter(client, boxes, **overrides):
    response = client.post("/mailboxes/write", data=form_data(boxes.county, **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    thanks = client.get(response.location).get_data(as_text=True)
    number = re.search(r"L-\d{8}-\d+", thanks).group(0)
    code = re.search(r'class="query-code">([A-Z0-9-]+)<', thanks).group(1)
    return number, code, thanks


def _assert_private_pdf(response, fallback: str):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"] and "private" in response.headers["Cache-Control"]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f'filename="{fallback}"' in disposition
    return unquote(disposition.split("filename*=UTF-8''")[1])


def test_the_receipt_printed_right_after_sending_carries_the_query_code(client, boxes):
    number, code, thanks = _send_letter(client, boxes)
    assert f"/track/{number}/receipt.pdf" in thanks
    response = client.get(f"/track/{number}/receipt.pdf")
    name = _assert_private_pdf(response, f"receipt-{number}.pdf")
    assert name == f"受理回执{number}.pdf"
    text = pdf_text(response.data)
    assert "受理回执" in text and number in text and code in text
    assert "县长信箱" in text and "小区噪音扰民" in text  # what was received
    assert "答复期限" in text and "个工作日" in text  # the due date and how it was computed
    assert "/track" in text  # how to look it up
    assert "县司法局" in text  # the department issues it


def test_later_the_receipt_has_no_query_code_and_needs_the_lookup(app, client, boxes):
    number, code, _thanks = _send_letter(client, boxes)
    stranger = app.test_client()
    assert stranger.get(f"/track/{number}/receipt.pdf").status_code == 302  # to the lookup form
    assert stranger.post("/track", data={"tracking_no": number, "code": code}).status_code == 303
    text = pdf_text(stranger.get(f"/track/{number}/receipt.pdf").data)
    assert number in text and code not in text


def test_the_print_window_closes(app, client, boxes, monkeypatch):
    number, code, _thanks = _send_letter(client, boxes)
    import consult.tracking.receipt as receipt

    monkeypatch.setattr(receipt.time, "time", lambda: 10**10)
    assert client.get(f"/track/{number}/receipt.pdf").status_code == 302


def test_the_reply_letter_of_a_published_letter_masks_the_addressee(app, client, boxes, world):
    letter = file_letter(boxes.county, public=True, received_at=local(2026, 11, 2))
    number = letter.submission.tracking_no
    answer(letter, world, body="您好：\n\n经核查，工地夜间施工问题**已责令整改**。\n\n1. 22时后禁止施工；\n2. 加强巡查。")
    db.session.expire_all()
    with client.session_transaction() as session:
        session["tracked_submissions"] = [db.session.get(Letter, letter.id).submission_id]
    response = client.get(f"/track/{number}/reply.pdf")
    name = _assert_private_pdf(response, f"reply-{number}.pdf")
    assert name == f"答复意见书{number}.pdf"
    text = pdf_text(response.data)
    assert "答复意见书" in text and number in text
    assert "欧阳*" in text and "欧阳娜娜" not in text
    assert "已责令整改" in text and "22时后禁止施工" in text and "县司法局" in text
    assert "2026年11月2日" in text


def test_no_reply_letter_before_an_answer_and_none_for_strangers(app, client, boxes, world):
    letter = file_letter(boxes.county)
    number = letter.submission.tracking_no
    assert app.test_client().get(f"/track/{number}/reply.pdf").status_code == 302
    with client.session_transaction() as session:
        session["tracked_submissions"] = [letter.submission_id]
    assert client.get(f"/track/{number}/reply.pdf").status_code == 404


@pytest.mark.parametrize("who, status", [("officer", 200), ("other_officer", 404), ("citizen", 403), (None, 302)])
def test_staff_get_the_documents_of_their_own_department(app, client, auth, boxes, world, who, status):
    letter = file_letter(boxes.county)
    answer(letter, world)
    submission_id = letter.submission_id
    if who:
        auth.login(getattr(world, who))
    for kind in ("receipt", "reply"):
        response = client.get(f"/office/submissions/{submission_id}/{kind}.pdf")
        assert response.status_code == status, (kind, response.status_code)
        if status == 200:
            assert "no-store" in response.headers["Cache-Control"]
            assert letter.submission.tracking_no in pdf_text(response.data)


@pytest.mark.parametrize("category, reason, article", [
    ("disclosed", None, "第三十六条第（二）项"),
    ("withheld", "third_party_rights", "第十五条"),
    ("unavailable", "not_held", "第三十六条第（四）项"),
])
def test_the_reply_letter_of_an_information_request_cites_the_article_behind_its_outcome(
        client, world, category, reason, article):
    from tests.disclosure_support import file_request

    from consult.disclosure.services import record_outcome
    from consult.tracking import replies

    found = file_request(world).request
    reply = record_outcome(found, actor=world.officer, category=category, reason=reason, answer="经审查，答复如下。")
    replies.approve_reply(reply, reviewer=world.reviewer)
    db.session.commit()
    with client.session_transaction() as session:
        session["tracked_submissions"] = [found.submission_id]
    text = pdf_text(client.get(f"/track/{found.submission.tracking_no}/reply.pdf").data)
    assert "《中华人民共和国政府信息公开条例》" in text and article in text
    assert "张三" in text  # a request is never published: the applicant is named in full
