"""The information-request pages: the public form and its confirmation, the officer's request page (the
only place the ID number appears in full), outcome, pause and resume, and the answer's files."""

import io

import pytest
import sqlalchemy as sa
from flask import g
from werkzeug.datastructures import FileStorage

from consult.disclosure.models import DisclosureRequest
from consult.disclosure.services import attachment_token, record_outcome
from consult.extensions import db
from consult.tracking import replies
from consult.tracking.models import Submission
from tests.disclosure_support import RESIDENT_ID_NUMBER, file_request
from tests.tracking_support import mails

MASKED = "**************002X"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _form(world, **overrides) -> dict:
    data = {
        "department_id": str(world.dept.id), "applicant_type": "natural_person", "name": "王五",
        "id_type": "resident_id", "id_number": RESIDENT_ID_NUMBER, "phone": "13800138000",
        "email": "wang@example.org", "subject": "2025年部门预算", "description": "请公开2025年部门预算。",
        "preferred_format": "electronic", "delivery": "online", "form_token": "page-form-token-0000001",
    }
    data.update(overrides)
    return data


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Submission.id)))


def _as(auth, user) -> None:
    """Log in as ``user`` (the test's request context caches the current user in ``g``)."""
    g.pop("_login_user", None)
    auth.login(user)


# --- the public form ------------------------------------------------------------------------------------

def test_the_form_labels_every_field_and_carries_a_one_time_token(world, client):
    html = client.get("/disclosure").get_data(as_text=True)
    for name in ("department_id", "applicant_type", "name", "id_type", "id_number", "subject", "description",
                 "preferred_format", "delivery"):
        assert f'<label for="{name}"' in html
    assert 'name="form_token"' in html and 'class="hp-field"' in html


def test_a_request_is_confirmed_with_its_number_code_and_due_date_once(world, client):
    response = client.post("/disclosure", data=_form(world))
    assert response.status_code == 302 and response.location.endswith("/disclosure/thanks")
    found = db.session.scalar(sa.select(DisclosureRequest))
    thanks = client.get("/disclosure/thanks").get_data(as_text=True)
    assert found.submission.tracking_no in thanks and found.submission.due_on.isoformat() in thanks
    assert 'class="query-code"' in thanks
    assert MASKED in thanks and RESIDENT_ID_NUMBER not in thanks
    assert 'class="query-code"' not in client.get("/disclosure/thanks").get_data(as_text=True)
    assert RESIDENT_ID_NUMBER not in mails("submission_receipt")[0].body_text


def test_an_invalid_request_comes_back_with_its_errors_and_keeps_what_was_typed(world, client):
    response = client.post("/disclosure", data=_form(world, id_number="110105194912310021"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "not a valid resident identity card number" in html and "王五" in html
    assert _count() == 0


def test_a_missing_department_is_refused(world, client):
    response = client.post("/disclosure", data=_form(world, department_id="0"))
    assert response.status_code == 422 and _count() == 0


def test_sending_the_form_twice_creates_one_request(world, client):
    assert client.post("/disclosure", data=_form(world)).status_code == 302
    again = client.post("/disclosure", data=_form(world))
    assert again.status_code == 302
    assert _count() == 1


def test_a_bot_filling_the_honeypot_is_thanked_and_ignored(world, client):
    response = client.post("/disclosure", data=_form(world, website="http://spam.example"))
    assert response.status_code == 200 and _count() == 0


# --- the ID number: in full only for the handling department's staff -----------------------------------

@pytest.mark.parametrize(("who", "full"), [("officer", True), ("reviewer", True), ("admin", False)])
def test_the_id_number_is_shown_in_full_only_to_the_handling_department(world, client, auth, who, full):
    found = file_request(world).request
    _as(auth, getattr(world, who))
    html = client.get(f"/office/disclosure/{found.submission_id}").get_data(as_text=True)
    assert (RESIDENT_ID_NUMBER in html) is full
    assert MASKED in html or full
    for page in ("/office/disclosure", f"/office/submissions/{found.submission_id}", "/office/disclosure/report"):
        assert RESIDENT_ID_NUMBER not in client.get(page).get_data(as_text=True), page


def test_the_submission_page_names_the_applicant_and_leads_to_the_request(world, client, auth):
    found = file_request(world).request
    _as(auth, world.officer)
    page = client.get(f"/office/submissions/{found.submission_id}").get_data(as_text=True)
    assert found.applicant_name in page and f"/office/disclosure/{found.submission_id}" in page


def test_another_department_cannot_open_the_request(world, client, auth):
    found = file_request(world).request
    _as(auth, world.other_officer)
    assert client.get(f"/office/disclosure/{found.submission_id}").status_code == 404
    assert client.post(f"/office/disclosure/{found.submission_id}/pause", data={"reason": "x"}).status_code == 404
    assert found.submission.tracking_no not in client.get("/office/disclosure").get_data(as_text=True)


def test_the_applicant_status_page_never_shows_the_id_number(world, client):
    receipt = file_request(world)
    found = receipt.request
    response = client.post("/track", data={"tracking_no": found.submission.tracking_no, "code": receipt.query_code})
    assert response.status_code == 303
    status = client.get(response.location)
    assert status.status_code == 200 and RESIDENT_ID_NUMBER not in status.get_data(as_text=True)


# --- officer actions --------------------------------------------------------------------------------------

def test_recording_the_outcome_sends_the_answer_for_review(world, client, auth):
    found = file_request(world).request
    _as(auth, world.officer)
    url = f"/office/disclosure/{found.submission_id}/outcome"
    assert client.post(url, data={"outcome": "withheld", "answer": "不予公开。"}).status_code == 422
    assert client.post(url, data={"outcome": "withheld:state_secret", "answer": ""}).status_code == 422
    done = client.post(url, data={"outcome": "withheld:state_secret", "answer": "属于国家秘密，不予公开。",
                                  "attachments": (io.BytesIO(PNG), "决定书.png")},
                       content_type="multipart/form-data")
    assert done.status_code == 303
    db.session.expire_all()
    found = db.session.get(DisclosureRequest, found.submission_id)
    assert found.outcome_reply.status == "pending_review" and len(found.attachments) == 1
    page = client.get(f"/office/disclosure/{found.submission_id}").get_data(as_text=True)
    assert "waiting for a reviewer" in page


def test_pausing_and_resuming_from_the_request_page(world, client, auth):
    found = file_request(world).request
    _as(auth, world.officer)
    base = f"/office/disclosure/{found.submission_id}"
    assert client.post(f"{base}/pause", data={"reason": ""}).status_code == 422
    assert client.post(f"{base}/pause", data={"reason": "征求第三方意见。"}).status_code == 303
    assert "Paused" in client.get(base).get_data(as_text=True)
    # Received in November 2025 and long past its due date, but no deadline runs while it is paused.
    assert found.submission.tracking_no not in client.get("/office/inbox?due=overdue").get_data(as_text=True)
    inbox = client.get("/office/inbox").get_data(as_text=True)
    assert found.submission.tracking_no in inbox and "Clock paused" in inbox and "due-overdue" not in inbox
    assert client.post(f"{base}/pause", data={"reason": "again"}).status_code == 409
    assert client.post(f"{base}/resume").status_code == 303
    db.session.expire_all()
    assert db.session.get(DisclosureRequest, found.submission_id).paused_since is None
    assert found.submission.tracking_no in client.get("/office/inbox?due=overdue").get_data(as_text=True)


def test_the_applicant_downloads_the_answer_files_only_once_the_answer_is_approved(world, client):
    found = file_request(world).request
    reply = record_outcome(found, actor=world.officer, category="disclosed", reason=None, answer="予以公开，见附件。",
                           files=[FileStorage(io.BytesIO(PNG), filename="信息.png")])
    db.session.commit()
    attachment = found.attachments[0]
    assert f"/files/{attachment.id}/" in reply.body  # the link travels with the answer
    url = f"/files/{attachment.id}?key={attachment_token(found)}"
    assert client.get(url).status_code == 404  # not approved yet
    replies.approve_reply(reply, reviewer=world.reviewer)
    db.session.commit()
    download = client.get(url)
    assert download.status_code == 200 and download.get_data() == PNG
    assert set(download.headers["Cache-Control"].split(", ")) == {"private", "no-store"}
    download.close()
    assert client.get(f"/files/{attachment.id}").status_code == 404
    assert client.get(f"/files/{attachment.id}?key=forged").status_code == 404
