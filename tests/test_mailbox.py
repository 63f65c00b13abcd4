"""Mailboxes: writing a letter — the happy path, validation, double submit, honeypot, rate limit,
attachments and the rule that reports (举报) are never public."""

import pytest
from tests.mailbox_support import PDF, PNG, WRITER_EMAIL, file_letter, form_data, letters, login_as, token, upload

from consult.domain import DomainError
from consult.extensions import db
from consult.mailbox import services
from consult.notify.models import OutboxMessage
from consult.tracking.models import LETTER

pytestmark = pytest.mark.usefixtures("request_ctx")


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "en"}


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_write_page_offers_the_mailbox_and_its_categories(client, boxes):
    page = _text(client.get(f"/mailboxes/write?mailbox={boxes.policy.id}"))
    assert "政策咨询" in page
    assert 'value="enquiry"' in page and 'value="suggestion"' in page
    assert 'value="report"' not in page  # not a category of this mailbox
    assert 'class="hp-field" aria-hidden="true"' in page and 'tabindex="-1"' in page


def test_a_guest_writes_a_letter_and_gets_tracking_number_code_and_due_date(client, boxes):
    response = client.post("/mailboxes/write", data=form_data(boxes.county))
    assert response.status_code == 302
    page = _text(client.get(response.location))
    [letter] = letters()
    submission = letter.submission
    assert submission.kind == LETTER and submission.department_id == boxes.county.department_id
    assert submission.tracking_no in page and submission.due_on.isoformat() in page
    assert "Query code" in page
    assert submission.submitter_phone == "13800138000"  # +86 138 0013 8000, normalised
    assert submission.window_workdays == 15 and letter.public_name == "欧阳**"
    assert [e.action for e in submission.events] == ["received"]
    receipt = db.session.query(OutboxMessage).filter_by(template="submission_receipt").one()
    assert receipt.recipient == WRITER_EMAIL
    # The query code is shown once: a reload of the confirmation no longer shows it.
    code = next(line for line in page.split("query-code\">")[1:2]).split("<")[0]
    assert code and code not in _text(client.get("/mailboxes/write/thanks"))


def test_the_mailbox_window_sets_the_due_date(app, boxes, world):
    letter = file_letter(boxes.policy, category="enquiry")
    assert letter.submission.window_workdays == 10
    assert letter.submission.due_on < file_letter(boxes.county).submission.due_on


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"subject": "", "body": "", "name": ""}, "subject", "Please enter a subject."),
    ({"body": "长" * 5001}, "body", "At most 5000 characters."),
    ({"phone": "12345", "email": ""}, "phone", "mobile or landline"),
    ({"email": "not-an-address"}, "email", "valid e-mail address"),
    ({"phone": "", "email": ""}, "phone", "phone number or an e-mail address"),
    ({"category": "report", "mailbox_id": None}, "mailbox_id", "Please choose a mailbox."),
])
def test_invalid_letters_are_refused_and_the_form_keeps_what_was_typed(client, boxes, overrides, field, message):
    data = form_data(boxes.county, **overrides)
    if "mailbox_id" in overrides:
        data.pop("mailbox_id", None)
    response = client.post("/mailboxes/write", data=data)
    assert response.status_code == 422
    page = _text(response)
    assert message in page
    assert letters() == []
    if data.get("name"):
        assert data["name"] in page  # what was typed is still there
    if data.get("body") and len(data["body"]) < 100:
        assert data["body"] in page


def test_a_category_the_mailbox_does_not_take_is_refused(client, boxes):
    response = client.post("/mailboxes/write", data=form_data(boxes.policy, category="complaint"))
    assert response.status_code == 422 and letters() == []


def test_a_double_submit_creates_one_letter(client, boxes):
    data = form_data(boxes.county)
    first = client.post("/mailboxes/write", data=data)
    second = client.post("/mailboxes/write", data=data)
    assert first.status_code == second.status_code == 302
    [letter] = letters()
    page = _text(client.get(second.location))
    assert letter.submission.tracking_no in page


def test_a_resubmitted_form_from_another_session_gets_a_clear_message(app, client, boxes):
    data = form_data(boxes.county)
    client.post("/mailboxes/write", data=data)
    other = app.test_client().post("/mailboxes/write", data=data)
    assert other.status_code == 200
    page = _text(other)
    [letter] = letters()
    assert "already been received" in page and letter.submission.tracking_no in page
    assert "query-code" not in page  # the code is never shown to another browser


def test_the_service_returns_the_first_letter_for_a_reused_token(app, boxes):
    form_token = token()
    first = services.submit_letter(boxes.county, category="enquiry", subject="问", body="请问。", name="张三",
                                   phone="13800138000", form_token=form_token)
    again = services.submit_letter(boxes.county, category="enquiry", subject="问", body="请问。", name="张三",
                                   phone="13800138000", form_token=form_token)
    assert first.query_code and again.duplicate and again.letter.id == first.letter.id


def test_the_honeypot_looks_normal_to_a_bot_and_stores_nothing(client, boxes):
    response = client.post("/mailboxes/write", data=form_data(boxes.county, website="http://spam.example"))
    assert response.status_code == 200
    assert letters() == [] and db.session.query(OutboxMessage).count() == 0


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_writing_is_rate_limited(client, boxes):
    statuses = [client.post("/mailboxes/write", data=form_data(boxes.county, body=f"第{i}封信的内容。")).status_code
                for i in range(6)]
    assert statuses[:5] == [302] * 5 and statuses[5] == 429
    assert len(letters()) == 5
    assert client.get("/mailboxes/write").status_code == 200  # reading is not limited


def test_a_report_is_never_offered_publication_and_a_forged_opt_in_is_refused(client, boxes):
    response = client.post("/mailboxes/write", data=form_data(boxes.county, category="report", public="y"))
    assert response.status_code == 422 and letters() == []
    assert "never published" in _text(response)
    with pytest.raises(DomainError):
        services.submit_letter(boxes.county, category="report", subject="举报", body="举报内容", name="王五",
                               phone="13900139000", public=True, form_token=token())


def test_an_opt_in_is_stored_only_where_the_mailbox_publishes(app, boxes):
    assert file_letter(boxes.county, public=True).submission.is_public
    assert not file_letter(boxes.private, public=True).submission.is_public
    assert not file_letter(boxes.county, public=False).submission.is_public


def test_logged_in_citizens_write_with_their_account(client, auth, boxes, world):
    auth.login(world.citizen)
    page = _text(client.get(f"/mailboxes/write?mailbox={boxes.county.id}"))
    assert world.citizen.email in page
    client.post("/mailboxes/write", data=form_data(boxes.county, email=world.citizen.email))
    [letter] = letters()
    assert letter.submission.user_id == world.citizen.id


def test_an_inactive_mailbox_takes_no_letters(client, boxes):
    boxes.county.active = False
    db.session.commit()
    response = client.post("/mailboxes/write", data=form_data(boxes.county))
    assert response.status_code == 422 and letters() == []


def test_attachments_are_stored_and_only_the_department_may_download_them(client, auth, boxes, world):
    data = form_data(boxes.county, attachments=[upload("photo.png", PNG), upload("notice.pdf", PDF)])
    response = client.post("/mailboxes/write", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    [letter] = letters()
    assert [a.original_filename for a in letter.attachments] == ["photo.png", "notice.pdf"]
    url = f"/files/{letter.attachments[0].id}"

    def status() -> int:
        with client.get(url) as response:
            return response.status_code

    assert status() == 404  # guests: never
    login_as(auth, world.citizen)
    assert status() == 404  # not even the writer: letters' files are not public
    login_as(auth, world.other_officer)
    assert status() == 404  # another department
    login_as(auth, world.officer)
    assert status() == 200
    with client.get(url) as response:  # a private file: no shared cache or disk may keep it
        assert response.headers["Cache-Control"] in ("private, no-store", "no-store, private")


def test_the_officer_sees_the_letters_mailbox_category_and_files_on_its_page(client, auth, boxes, world):
    data = form_data(boxes.county, attachments=[upload("photo.png", PNG)])
    client.post("/mailboxes/write", data=data, content_type="multipart/form-data")
    [letter] = letters()
    login_as(auth, world.officer)
    page = client.get(f"/office/submissions/{letter.submission_id}").get_data(as_text=True)
    assert boxes.county.name in page and "photo.png" in page
    assert f"/files/{letter.attachments[0].id}" in page and f"/mailboxes/letters/{letter.id}/move" in page


@pytest.mark.parametrize("name, data", [("photo.pdf", PNG), ("script.exe.png", PNG), ("doc.pdf", b"MZ\x90\x00 fake")])
def test_attachments_with_a_faked_extension_are_refused(client, boxes, name, data):
    payload = form_data(boxes.county, attachments=[upload(name, data)])
    response = client.post("/mailboxes/write", data=payload, content_type="multipart/form-data")
    assert response.status_code == 422 and letters() == []
    assert name in _text(response)


def test_a_mailbox_without_attachments_refuses_files(client, boxes):
    boxes.county.allow_attachments = False
    db.session.commit()
    payload = form_data(boxes.county, attachments=[upload("photo.png", PNG)])
    response = client.post("/mailboxes/write", data=payload, content_type="multipart/form-data")
    assert response.status_code == 422 and letters() == []

