"""Notes in the system's words are kept as a message and its values and read in the reader's language on the
status page, the staff page, the API and in mails; text typed by people stays as it was typed."""

from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import lazy_gettext

from consult.extensions import db
from consult.notify.models import OutboxMessage
from consult.tracking import services
from consult.tracking.models import TimelineEvent
from consult.tracking import notes
from consult.tracking.notes import Note, timeline_note
from tests.tracking_views_support import act, assign, file, staff, submission


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "zh_CN"}  # the site's language when the notes are written


def switch_language(client, locale: str) -> None:
    client.post("/preferences/language", data={"locale": locale, "next": "/"})


def stored_events(app, submission_id: int) -> list[TimelineEvent]:
    with app.app_context():
        rows = db.session.scalars(sa.select(TimelineEvent).where(TimelineEvent.submission_id == submission_id)
                                  .order_by(TimelineEvent.id)).all()
        db.session.expunge_all()
        return rows


def transferred_and_extended(app, office):
    filed = file(app, office.dept)
    assign(app, filed, office.officer)
    request = act(app, lambda: services.request_extension(
        submission(filed.id), actor=staff(office.officer), workdays=5, reason="需要现场核实"))
    act(app, lambda: services.decide_extension(
        services.pending_extension(submission(filed.id)), reviewer=staff(office.reviewer), approve=True))
    act(app, lambda: services.transfer_submission(
        submission(filed.id), db.session.get(type(office.other_dept), office.other_dept.id),
        actor=staff(office.officer), reason="属于财政局职责"))
    assert request is not None
    return filed


def test_notes_are_stored_as_messages_with_iso_dates_and_typed_text_as_text(app, office):
    filed = transferred_and_extended(app, office)
    assigned, requested, extended, transferred = stored_events(app, filed.id)[1:]
    assert assigned.internal_note_message == {"msg": "Handed to %(name)s to handle.",
                                              "args": {"name": office.officer.display_name}}
    assert extended.public_note_text == "" and extended.public_note_message["msg"].startswith("The time limit was")
    args = extended.public_note_message["args"]
    assert args["days"] == 5 and args["reason"] == "需要现场核实"
    assert date.fromisoformat(args["old"]["date"]) < date.fromisoformat(args["new"]["date"])
    assert transferred.public_note_message == {"msg": "Transferred to %(department)s.",
                                               "args": {"department": "县财政局"}}
    assert (transferred.internal_note_text, transferred.internal_note_message) == ("属于财政局职责", None)
    assert requested.internal_note_message["args"]["reason"] == "需要现场核实"


def test_the_status_page_shows_the_notes_in_the_readers_language(app, client, office):
    filed = transferred_and_extended(app, office)
    with app.app_context():
        new = submission(filed.id).due_on
    client.post("/track", data={"tracking_no": filed.tracking_no, "code": filed.code})
    chinese = client.get(f"/track/{filed.tracking_no}").get_data(as_text=True)
    assert "已转办至县财政局。" in chinese
    assert f"至{new.year}年{new.month}月{new.day}日）：需要现场核实" in chinese
    switch_language(client, "en")
    english = client.get(f"/track/{filed.tracking_no}").get_data(as_text=True)
    assert "Transferred to 县财政局." in english and "已转办" not in english
    assert f"to {new:%B} {new.day}, {new.year}): 需要现场核实" in english  # the reason as the officer typed it
    assert new.isoformat() not in english.replace(f'datetime="{new.isoformat()}"', "")  # ISO only for machines


def test_the_staff_page_reads_an_assignment_naturally(app, client, auth, office):
    filed = file(app, office.dept)
    assign(app, filed, office.officer)
    auth.login(office.reviewer)
    html = client.get(f"/office/submissions/{filed.id}").get_data(as_text=True)
    assert f"已交由{office.officer.display_name}办理" in html
    switch_language(client, "en")
    html = client.get(f"/office/submissions/{filed.id}").get_data(as_text=True)
    assert f"Handed to {office.officer.display_name} to handle." in html


def test_the_api_timeline_follows_the_readers_language(app, client, office):
    filed = transferred_and_extended(app, office)
    url = f"/api/v1/submissions/{filed.tracking_no}?code={filed.code}"
    notes = [entry["note"] for entry in client.get(url, headers={"Accept-Language": "zh-CN"}).get_json()["timeline"]]
    assert "已转办至县财政局。" in notes
    notes = [entry["note"] for entry in client.get(url, headers={"Accept-Language": "en"}).get_json()["timeline"]]
    assert "Transferred to 县财政局." in notes


def test_a_dismissal_in_the_systems_words_reaches_each_citizen_in_their_language(app, client, office):
    english = file(app, office.dept, locale="en", email="en@example.org")
    chinese = file(app, office.dept, locale="zh_CN", email="zh@example.org")
    reason = timeline_note("The draft was withdrawn, so comments on it will not be answered. Reason: %(reason)s",
                           reason="上级政策调整")
    for filed in (english, chinese):
        act(app, lambda filed=filed: services.dismiss_with_its_subject(submission(filed.id), actor=None, reason=reason))
    with app.app_context():
        mails = {m.recipient: m.body_text for m in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.template == "submission_dismissed"))}
    english_reason = "The draft was withdrawn, so comments on it will not be answered. Reason: 上级政策调整"
    assert english_reason in mails["en@example.org"]
    assert "该草案已撤回" in mails["zh@example.org"] and "上级政策调整" in mails["zh@example.org"]
    client.post("/track", data={"tracking_no": english.tracking_no, "code": english.code})
    assert "该草案已撤回" in client.get(f"/track/{english.tracking_no}").get_data(as_text=True)
    switch_language(client, "en")
    assert "The draft was withdrawn" in client.get(f"/track/{english.tracking_no}").get_data(as_text=True)


def test_a_note_is_text_or_a_message_and_nothing_else(app_ctx):
    with pytest.raises(TypeError):
        notes.stored(lazy_gettext("Closed"))  # a lazy text would be frozen in one language
    assert str(Note.from_json(timeline_note("%(day)s: %(note)s", day=date(2026, 10, 1), note="国庆").to_json())) \
        == "2026年10月1日：国庆"
