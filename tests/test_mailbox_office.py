"""Mailboxes, staff side: admins configure mailboxes; officers see and move only their department's letters."""

import pytest
from tests.mailbox_support import file_letter, login_as

from consult.domain import DomainError
from consult.extensions import db
from consult.mailbox import services
from consult.mailbox.models import Mailbox
from consult.tracking import actions

pytestmark = pytest.mark.usefixtures("request_ctx")


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "en"}


def _move(client, letter, target, note="写错了信箱", **extra):
    return client.post(f"/mailboxes/letters/{letter.id}/move",
                       data={"mailbox_id": target.id, "category": letter.category, "note": note, **extra})


def test_admin_creates_and_edits_a_mailbox(client, auth, world):
    login_as(auth, world.admin)
    form = client.get("/admin/mailboxes/new").get_data(as_text=True)
    assert form.count('name="categories"') == 5 and form.count("checked") >= 5  # every category offered and ticked
    response = client.post("/admin/mailboxes/new", data={
        "name": "政策咨询", "department_id": world.dept.id, "description": "政策问题请写到这里。",
        "categories": ["enquiry", "topic"], "window_workdays": 10, "allow_publication": "y", "active": "y",
    })
    assert response.status_code == 302
    mailbox = db.session.query(Mailbox).one()
    assert (mailbox.categories, mailbox.window_workdays, mailbox.allow_attachments) == (["enquiry", "topic"], 10, False)
    assert "政策咨询" in client.get("/admin/mailboxes").get_data(as_text=True)
    response = client.post(f"/admin/mailboxes/{mailbox.id}", data={
        "name": "政策咨询信箱", "department_id": world.other_dept.id, "categories": ["enquiry"], "window_workdays": 15,
    })
    assert response.status_code == 302
    db.session.refresh(mailbox)
    assert (mailbox.name, mailbox.department_id, mailbox.active, mailbox.allow_publication) == (
        "政策咨询信箱", world.other_dept.id, False, False)


@pytest.mark.parametrize("data, message", [
    ({"name": "", "categories": ["enquiry"], "window_workdays": 15}, "Please enter a name."),
    ({"name": "甲", "categories": [], "window_workdays": 15}, "Choose at least one category."),
    ({"name": "甲", "categories": ["enquiry"], "window_workdays": 0}, "Please give a number of days."),
    ({"name": "甲", "categories": ["enquiry"], "window_workdays": 121}, "Between 1 and 120."),
])
def test_mailbox_settings_are_checked(client, auth, world, data, message):
    login_as(auth, world.admin)
    response = client.post("/admin/mailboxes/new", data={"department_id": world.dept.id, **data})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.query(Mailbox).count() == 0


def test_two_mailboxes_cannot_share_a_name(boxes, world):
    with pytest.raises(DomainError):
        services.save_mailbox(None, name="县长信箱", department=world.dept, categories=["enquiry"], window_workdays=15,
                              allow_publication=True, allow_attachments=True, active=True)


def test_the_office_list_shows_only_the_departments_letters(client, auth, boxes, world):
    ours, theirs = file_letter(boxes.county, subject="本部门来信"), file_letter(boxes.finance, subject="他部门来信")
    login_as(auth, world.officer)
    page = client.get("/mailboxes/office").get_data(as_text=True)
    assert "本部门来信" in page and "他部门来信" not in page
    assert client.get(f"/mailboxes/letters/{ours.id}/move").status_code == 200
    assert client.get(f"/mailboxes/letters/{theirs.id}/move").status_code == 404
    assert _move(client, theirs, boxes.county).status_code == 404
    assert theirs.mailbox_id == boxes.finance.id


@pytest.mark.parametrize("role", ["citizen", "editor"])
def test_citizens_and_editors_cannot_move_letters(client, auth, make_user, boxes, world, role):
    letter = file_letter(boxes.county)
    login_as(auth, make_user(role=role))
    assert _move(client, letter, boxes.policy, category="enquiry").status_code == 403
    assert client.get("/mailboxes/office").status_code == 403


def test_moving_within_the_department_keeps_it_and_writes_the_timeline(client, auth, boxes, world):
    letter = file_letter(boxes.county, category="enquiry")
    due_on = letter.submission.due_on
    login_as(auth, world.officer)
    response = _move(client, letter, boxes.policy, note="属于政策咨询")
    assert response.status_code == 302
    db.session.expire_all()
    assert letter.mailbox_id == boxes.policy.id and letter.submission.department_id == world.dept.id
    assert letter.submission.due_on == due_on
    event = letter.submission.events[-1]
    assert event.action == "mailbox_moved" and event.internal_note == "属于政策咨询"
    assert "政策咨询" in event.public_note
    assert (boxes.county.letter_count, boxes.policy.letter_count) == (0, 1)


def test_moving_to_another_departments_mailbox_transfers_the_letter(client, auth, boxes, world):
    letter = file_letter(boxes.county)
    actions.assign_submission(letter.submission, world.officer, actor=world.officer)
    db.session.commit()
    due_on = letter.submission.due_on
    login_as(auth, world.officer)
    assert _move(client, letter, boxes.finance, note="属财政局职责").status_code == 302
    db.session.expire_all()
    submission = letter.submission
    assert letter.mailbox_id == boxes.finance.id and submission.department_id == world.other_dept.id
    assert submission.status == "received" and submission.assignee_id is None and submission.due_on == due_on
    assert [e.action for e in submission.events][-2:] == ["transfer", "mailbox_moved"]
    # Now the letter belongs to the other department: its staff may move it, ours may not.
    assert client.get(f"/mailboxes/letters/{letter.id}/move").status_code == 404
    login_as(auth, world.other_officer)
    assert client.get(f"/mailboxes/letters/{letter.id}/move").status_code == 200


def test_a_move_needs_a_note_a_new_mailbox_and_a_category_it_takes(client, auth, boxes, world):
    letter = file_letter(boxes.county, category="complaint")
    login_as(auth, world.officer)
    assert _move(client, letter, boxes.policy, note="").status_code == 422
    response = _move(client, letter, boxes.policy)  # 政策咨询 takes no complaints
    assert response.status_code == 422 and "does not take letters" in response.get_data(as_text=True)
    assert _move(client, letter, boxes.county).status_code == 422  # the same mailbox is not a choice
    db.session.expire_all()
    assert letter.mailbox_id == boxes.county.id and len(letter.submission.events) == 1


def test_a_letter_moved_into_the_report_category_becomes_private(boxes, world):
    letter = file_letter(boxes.county, public=True, category="complaint")
    services.move_letter(letter, boxes.finance, actor=world.officer, note="其实是举报", category="report")
    assert letter.category == "report" and not letter.submission.is_public


def test_answered_letters_are_not_moved(boxes, world):
    letter = file_letter(boxes.county)
    actions.dismiss_submission(letter.submission, actor=world.officer, reason="重复来信")
    with pytest.raises(DomainError):
        services.move_letter(letter, boxes.policy, actor=world.officer, note="x", category="enquiry")
