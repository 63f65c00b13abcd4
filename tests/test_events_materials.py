"""A hearing's or a public meeting's files: staff attach them through the upload checks; the files for
attendees reach confirmed attendees and chosen speakers only (private, never cached by others); a hearing's
record files become public with the record."""

import io
import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from consult.database import utcnow
from consult.events.models import Event, EventFile, HearingSpeaker, Registration
from consult.extensions import db
from consult.notify.models import OutboxMessage
from consult.uploads import Attachment
from tests.events_support import close_registration, hold_event, make_event

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def attach(client, event_id, name="会议议程.pdf", data=PDF, audience="attendees"):
    return client.post(f"/events/manage/{event_id}/files", data={
        "file": (io.BytesIO(data), name), "audience": audience}, content_type="multipart/form-data")


def files_of(app, event_id):
    with app.app_context():
        return [(row.attachment_id, row.attachment.original_filename, row.audience) for row in db.session.scalars(
            sa.select(EventFile).where(EventFile.event_id == event_id).order_by(EventFile.attachment_id))]


def attend(client, event_id, n, category="resident"):
    return client.post(f"/events/{event_id}/register", data={
        "name": f"孙列席{n}", "phone": f"1350000{n:04d}", "email": f"f{n}@example.org", "category": category})


def links_in(text: str) -> list[str]:
    return [urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else "")
            for url in re.findall(r'(?:https?://consult\.test)?/files/\d+/[^\s"<>]+', text)]


def fetch(client, url, **kwargs):
    """A download, with the file closed at once (the status, the headers and the bytes)."""
    with client.get(url, **kwargs) as response:
        response.get_data()
    return response


def test_staff_attach_files_through_the_upload_checks(app, client, auth, event_officer, make_user, event_department):
    event_id = make_event(app, event_department, event_type="meeting", mode="approval", seats={"resident": 2})
    auth.login(event_officer)
    assert client.get(f"/events/manage/{event_id}/files").status_code == 200
    disguised = attach(client, event_id, name="议程.pdf", data=b"MZ\x90\x00 not a pdf")
    assert disguised.status_code == 422 and "This type of file is not allowed." in disguised.text
    mismatched = attach(client, event_id, name="议程.pdf", data=PNG)
    assert mismatched.status_code == 422 and "does not match its content" in mismatched.text
    record_on_a_meeting = attach(client, event_id, audience="record")
    assert record_on_a_meeting.status_code == 422
    assert files_of(app, event_id) == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0

    assert attach(client, event_id).status_code == 302
    assert attach(client, event_id, name="会场示意图.png", data=PNG).status_code == 302
    assert [f[1:] for f in files_of(app, event_id)] == [("会议议程.pdf", "attendees"), ("会场示意图.png", "attendees")]
    page = client.get(f"/events/manage/{event_id}/files")
    assert "会议议程.pdf" in page.text and "会场示意图.png" in page.text

    auth.login(make_user(role="officer", department=make_department_other(app)))
    assert client.get(f"/events/manage/{event_id}/files").status_code == 403
    assert attach(client, event_id, name="其他.pdf").status_code == 403
    assert len(files_of(app, event_id)) == 2


def test_an_open_day_has_no_files_page(app, client, auth, event_officer, event_department):
    """Files are for hearings and public meetings: an open day's Files page and its posts answer 404, and a
    confirmed open-day registrant is shown no files."""
    open_day = make_event(app, event_department, event_type="open_day", mode="first_come")
    auth.login(event_officer)
    assert client.get(f"/events/manage/{open_day}/files").status_code == 404
    assert attach(client, open_day).status_code == 404
    assert files_of(app, open_day) == []
    manage = client.get(f"/events/manage/{open_day}")
    assert f"/events/manage/{open_day}/files" not in manage.text
    with app.app_context():
        from consult.accounts.models import User
        from consult.domain import DomainError
        from consult.events import materials

        event = db.session.get(Event, open_day)
        with pytest.raises(DomainError) as refused:
            materials.add_file(event, None, audience="attendees", actor=db.session.get(User, event_officer.id))
        assert refused.value.status == 404


def test_staff_can_remove_the_files_an_open_day_got_before_open_days_stopped_taking_them(
        app, client, auth, event_officer, event_department):
    open_day = make_event(app, event_department, event_type="open_day", mode="first_come")
    with app.app_context():
        from werkzeug.datastructures import FileStorage

        from consult.uploads import save_upload

        attachment = save_upload(FileStorage(io.BytesIO(PDF), "旧附件.pdf"), owner="event")
        db.session.add(EventFile(event_id=open_day, attachment_id=attachment.id, audience="attendees"))
        db.session.commit()
        file_id = attachment.id
    client.post("/account/logout")
    registered = client.post(f"/events/{open_day}/register", data={"name": "周开放", "phone": "13500009999"})
    assert registered.status_code == 302
    page = client.get(registered.headers["Location"], follow_redirects=True)
    assert page.status_code == 200 and "旧附件.pdf" not in page.text

    auth.login(event_officer)
    assert f"/events/manage/{open_day}/files" in client.get(f"/events/manage/{open_day}").text
    files_page = client.get(f"/events/manage/{open_day}/files")
    assert files_page.status_code == 200
    assert "旧附件.pdf" in files_page.text and 'enctype="multipart/form-data"' not in files_page.text
    assert attach(client, open_day, name="新附件.pdf").status_code == 404
    removed = client.post(f"/events/manage/{open_day}/files/{file_id}/remove")
    assert removed.status_code == 302
    assert files_of(app, open_day) == []
    with app.app_context():
        assert db.session.get(Attachment, file_id) is None
    assert client.get(f"/events/manage/{open_day}/files").status_code == 404


def make_department_other(app):
    from consult.accounts.models import Department

    with app.app_context():
        department = Department(code="QTB", name="其他局")
        db.session.add(department)
        db.session.commit()
        db.session.refresh(department)
        db.session.expunge(department)
        return department


def test_only_confirmed_attendees_download_the_files_for_attendees(app, client, auth, event_officer, event_department):
    event_id = make_event(app, event_department, event_type="meeting", mode="approval", seats={"resident": 2})
    auth.login(event_officer)
    attach(client, event_id)
    [(file_id, _name, _audience)] = files_of(app, event_id)
    auth.logout()

    own_page = attend(client, event_id, 1).location
    attend(client, event_id, 2)
    assert "会议议程.pdf" not in client.get(own_page).text  # pending: not yet
    assert fetch(client, f"/files/{file_id}").status_code == 404
    assert fetch(client, f"/files/{file_id}?key=forged").status_code == 404
    with app.app_context():
        first, second = db.session.scalars(sa.select(Registration.id).order_by(Registration.id)).all()
        from consult.events.materials import registration_key
        pending_key = registration_key(db.session.get(Registration, second))
    assert fetch(client, f"/files/{file_id}", query_string={"key": pending_key}).status_code == 404

    auth.login(event_officer)
    client.post(f"/events/manage/{event_id}/registrations/{first}/approve")
    auth.logout()
    page = client.get(own_page)
    [link] = links_in(page.text)
    download = fetch(client, link)
    assert download.status_code == 200 and download.data == PDF
    assert "private" in download.headers["Cache-Control"] and "no-store" in download.headers["Cache-Control"]
    assert fetch(client, f"/files/{file_id}").status_code == 404  # the key is what opens it
    assert client.get(f"/events/{event_id}").text.count("会议议程.pdf") == 0  # never on the public page
    with app.app_context():
        mail = db.session.scalar(sa.select(OutboxMessage).where(
            OutboxMessage.recipient == "f1@example.org", OutboxMessage.template == "registration_update"))
        assert "会议议程.pdf" in mail.body_text and links_in(mail.body_text) == [link]
        assert links_in(mail.body_html) == [link.replace("&", "&amp;")] or links_in(mail.body_html) == [link]

    token = re.search(r"/events/r/([0-9a-f]+)", own_page).group(1)
    client.post(f"/events/r/{token}/cancel")
    assert fetch(client, link).status_code == 404  # the seat is given up: so are the files


def test_chosen_speakers_get_the_materials_and_the_record_files_go_public_with_the_record(
        app, client, auth, event_officer, event_department):
    event_id = make_event(app, event_department, seats={"expert": 1}, require_email=True)
    for n in (1, 2):
        client.post(f"/events/{event_id}/speak", data={
            "name": f"周陈述{n}", "phone": f"1330000{n:04d}", "email": f"p{n}@example.org", "category": "expert",
            "statement": "建议听证后公布成本监审报告。", "form_token": f"materials-speaker-{n:04d}"})
    auth.login(event_officer)
    attach(client, event_id, name="听证材料.docx".replace(".docx", ".pdf"))
    assert attach(client, event_id, name="听证笔录.pdf", audience="record").status_code == 302
    (material_id, *_), (record_id, *_) = files_of(app, event_id)
    assert fetch(client, f"/files/{record_id}").status_code == 200  # staff
    close_registration(app, event_id)
    client.post(f"/events/manage/{event_id}/speakers", data={"seed": "材料2026"})
    auth.logout()

    with app.app_context():
        chosen = db.session.scalar(sa.select(HearingSpeaker).where(HearingSpeaker.status == "selected"))
        other = db.session.scalar(sa.select(HearingSpeaker).where(HearingSpeaker.status == "not_selected"))
        mails = {m.recipient: m for m in db.session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.template == "hearing_speaker_selection"))}
        chosen_mail, other_mail = mails[chosen.submission.submitter_email], mails[other.submission.submitter_email]
        from consult.events.materials import speaker_key
        other_key = speaker_key(other)
    url = re.search(r"https?://consult\.test(/events/\d+/materials\?key=\S+)", chosen_mail.body_text).group(1)
    assert "/materials?" not in other_mail.body_text
    page = client.get(url)
    assert page.status_code == 200 and "听证材料.pdf" in page.text and "听证笔录.pdf" not in page.text
    assert "no-store" in page.headers["Cache-Control"]
    [link] = links_in(page.text)
    assert fetch(client, link).status_code == 200
    assert client.get(f"/events/{event_id}/materials", query_string={"key": other_key}).status_code == 404
    assert client.get(f"/events/{event_id}/materials").status_code == 404

    assert fetch(client, f"/files/{record_id}").status_code == 404  # not yet published
    with app.app_context():
        db.session.execute(sa.update(Event).where(Event.id == event_id).values(record_published_at=utcnow()))
        db.session.commit()
    public = fetch(client, f"/files/{record_id}")
    assert public.status_code == 200 and "public" in public.headers["Cache-Control"]
    assert fetch(client, f"/files/{material_id}").status_code == 404  # the attendees' file stays theirs
    auth.login(event_officer)
    refused = client.post(f"/events/manage/{event_id}/files/{record_id}/remove", follow_redirects=True)
    assert "its files can no longer change" in refused.text
    assert client.post(f"/events/manage/{event_id}/files/{material_id}/remove").status_code == 302
    assert [f[0] for f in files_of(app, event_id)] == [record_id]
    assert fetch(client, f"/files/{material_id}").status_code == 404


def test_the_json_api_lists_a_published_records_files_never_the_attendees_files(app, client, auth, event_officer,
                                                                                event_department):
    hearing = make_event(app, event_department, seats={"expert": 1})
    meeting = make_event(app, event_department, event_type="meeting", mode="approval", seats={"resident": 2},
                         title="公众列席会议")
    auth.login(event_officer)
    assert attach(client, hearing, name="听证材料.pdf").status_code == 302
    assert attach(client, hearing, name="听证笔录.pdf", audience="record").status_code == 302
    assert attach(client, hearing, name="会场示意图.png", data=PNG, audience="record").status_code == 302
    assert attach(client, meeting, name="会议议程.pdf").status_code == 302
    auth.logout()

    def listed(path="/api/v1/events"):
        answer = client.get(path)
        assert answer.status_code == 200
        return {event["id"]: event["files"] for event in answer.get_json()["items"]}

    assert listed() == {hearing: [], meeting: []}  # the record is not published yet

    close_registration(app, hearing)
    auth.login(event_officer)
    assert client.post(f"/events/manage/{hearing}/speakers", data={"seed": "2026"}).status_code == 302
    hold_event(app, hearing)
    published = client.post(f"/events/manage/{hearing}/record", data={"transcript": "笔录", "hearing_report": "报告"})
    assert published.status_code == 302
    auth.logout()
    files = listed("/api/v1/events?past=1")[hearing]
    assert [(f["name"], f["content_type"], f["size"]) for f in files] == [
        ("听证笔录.pdf", "application/pdf", len(PDF)), ("会场示意图.png", "image/png", len(PNG))]
    for file in files:
        download = fetch(client, file["url"])  # anyone, without a key
        assert download.status_code == 200 and "public" in download.headers["Cache-Control"]
    record = client.get(f"/api/v1/events/{hearing}/record").get_json()
    assert record["files"] == files
    assert listed()[meeting] == []
    everything = client.get("/api/v1/events?past=1").text + client.get("/api/v1/events").text + str(record)
    assert "听证材料.pdf" not in everything and "会议议程.pdf" not in everything
