"""Hearings (听证会): applying to speak with a statement and a category, choosing the speakers by category
with the reproducible lottery, the published selection record, and the record after the hearing whose
dispositions answer every statement through the tracking engine."""

import io
import random
import re

import docx
import pytest
import sqlalchemy as sa

from consult.events import hearings
from consult.events.models import HearingSpeaker, Registration
from consult.extensions import db
from consult.notify.models import OutboxMessage
from consult.tracking.models import HEARING_STATEMENT, Submission
from tests.events_support import close_registration, hold_event, make_event


@pytest.fixture
def department(make_department):
    return make_department(code="FGW", name="县发展和改革局")


@pytest.fixture
def officer(make_user, department):
    return make_user(role="officer", department=department)


@pytest.fixture
def hearing(app, department):
    return make_event(app, department, seats={"stakeholder": 1, "resident": 2, "expert": 1})


def apply(client, event_id, n, **extra):
    data = {"name": f"王小{n}", "phone": f"1390000{n:04d}", "email": f"s{n}@example.org", "category": "resident",
            "statement": f"票价调整应考虑低收入群体（意见{n}）。", "form_token": f"hearing-form-token-{n:04d}", **extra}
    return client.post(f"/events/{event_id}/speak", data=data)


def speakers(app, event_id):
    with app.app_context():
        rows = db.session.execute(sa.select(HearingSpeaker.submission_id, HearingSpeaker.category,
                                            HearingSpeaker.status, Submission.status, Submission.submitter_name)
                                  .join(Submission, Submission.id == HearingSpeaker.submission_id)
                                  .where(HearingSpeaker.event_id == event_id)
                                  .order_by(HearingSpeaker.submission_id)).all()
        return [tuple(row) for row in rows]


def test_applying_to_speak_gives_a_tracking_number_due_after_the_hearing(app, client, hearing):
    page = client.get(f"/events/{hearing}")
    assert f"/events/{hearing}/speak" in page.text and f"/events/{hearing}/register" in page.text
    form = client.get(f"/events/{hearing}/speak")
    assert form.status_code == 200
    # Only the categories with speaker places are offered.
    assert 'value="expert"' in form.text and 'value="other"' not in form.text

    response = apply(client, hearing, 1)
    assert response.status_code == 200, response.text
    tracking_no = re.search(r"H-\d{8}-\d+", response.text).group(0)
    with app.app_context():
        submission = db.session.scalar(sa.select(Submission).where(Submission.tracking_no == tracking_no))
        assert submission.kind == HEARING_STATEMENT and submission.status == "received"
        assert "低收入群体" in submission.body
        # The clock starts on the hearing's day: the due date is after the hearing, not after applying.
        from consult.localtime import local_date
        from consult.workdays import add_workdays
        from consult.events.models import Event
        event = db.session.get(Event, hearing)
        assert submission.due_on == add_workdays(local_date(event.ends_at), 15)
        receipt = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == "s1@example.org"))
        assert receipt is not None and tracking_no in receipt.body_text


def test_the_same_form_sent_twice_makes_one_application(app, client, hearing):
    first, second = apply(client, hearing, 1), apply(client, hearing, 1)
    assert first.status_code == second.status_code == 200
    assert len(speakers(app, hearing)) == 1
    assert "had already been received" in second.text


def test_a_bot_that_fills_the_hidden_field_is_answered_normally_and_nothing_is_kept(app, client, hearing):
    assert 'name="website"' in client.get(f"/events/{hearing}/speak").text
    response = apply(client, hearing, 1, website="https://spam.example")
    assert response.status_code == 302 and speakers(app, hearing) == []


def test_a_form_token_that_is_not_one_the_form_gives_is_refused_and_nothing_is_kept(app, client, hearing):
    response = apply(client, hearing, 1, form_token="short")
    assert response.status_code in (400, 422) and "The form has expired." in response.text
    assert speakers(app, hearing) == []


def test_one_application_per_person(app, client, hearing):
    apply(client, hearing, 1)
    again = apply(client, hearing, 1, form_token="another-form-token-0001", name="王小一")
    assert again.status_code == 422
    assert "An application to speak with this phone number has already been received." in again.text
    assert len(speakers(app, hearing)) == 1


def test_bad_input_gets_every_message_at_once(app, client, hearing):
    response = client.post(f"/events/{hearing}/speak", data={"name": "", "phone": "", "category": "",
                                                              "statement": "", "form_token": "t" * 24})
    assert response.status_code == 422
    for message in ("Please enter a name.", "This event needs a phone number.", "Please choose whom you speak for.",
                    "Please write what you want to say at the hearing."):
        assert message in response.text
    too_long = apply(client, hearing, 2, statement="长" * 2001, category="other")
    assert too_long.status_code == 422
    assert "This hearing has no speaker places for this category." in too_long.text
    assert speakers(app, hearing) == []


@pytest.mark.parametrize("app_config", [{"CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_messages_come_in_the_readers_language(client, hearing):
    response = client.post(f"/events/{hearing}/speak", data={"name": "", "phone": "", "category": "",
                                                              "statement": "", "form_token": "t" * 24})
    assert response.status_code == 422
    assert "请输入姓名。" in response.text and "请选择陈述人类别。" in response.text


def test_applications_close_with_registration(app, client, hearing):
    close_registration(app, hearing)
    response = apply(client, hearing, 1)
    assert response.status_code == 302
    assert speakers(app, hearing) == []


def test_anyone_may_attend_without_speaking(app, client, hearing):
    response = client.post(f"/events/{hearing}/register", data={"name": "赵旁听", "phone": "13700000001"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Registration.status).where(Registration.name == "赵旁听")) == "confirmed"


def test_speakers_are_chosen_by_category_and_the_lottery_can_be_rerun(app, client, auth, officer, hearing):
    # Residents: 4 applications for 2 places (drawn); stakeholders: 1 for 1; experts: none.
    for n in range(1, 5):
        apply(client, hearing, n)
    apply(client, hearing, 5, category="stakeholder")
    auth.login(officer)
    early = client.post(f"/events/manage/{hearing}/speakers", data={"seed": "20261202"})
    assert early.status_code == 409
    assert all(row[2] == "applied" for row in speakers(app, hearing))

    close_registration(app, hearing)
    response = client.post(f"/events/manage/{hearing}/speakers", data={"seed": "20261202"})
    assert response.status_code == 302

    rows = speakers(app, hearing)
    residents = sorted(row[0] for row in rows if row[1] == "resident")
    random.Random("20261202:resident").shuffle(residents)
    chosen = {row[0] for row in rows if row[2] == "selected"}
    assert chosen == set(residents[:2]) | {row[0] for row in rows if row[1] == "stakeholder"}
    assert len(chosen) == 3

    # Choosing again is refused; each applicant is told, by mail and on the timeline.
    assert client.post(f"/events/manage/{hearing}/speakers", data={"seed": "other"}).status_code == 409
    with app.app_context():
        mails = db.session.scalars(sa.select(OutboxMessage.subject).where(
            OutboxMessage.template == "hearing_speaker_selection")).all()
        assert len(mails) == 5
        from consult.tracking.models import TimelineEvent
        actions = db.session.scalars(sa.select(TimelineEvent.action).where(
            TimelineEvent.action.in_(("speaker_chosen", "speaker_not_chosen")))).all()
        assert sorted(actions).count("speaker_chosen") == 3 and len(actions) == 5

    # The public page publishes the record: counts per category and the seed, never a name or number.
    client.post("/account/logout")
    page = client.get(f"/events/{hearing}")
    assert "20261202" in page.text
    record = re.search(r"<table>.*?</table>", page.text, re.S).group(0)
    assert re.search(r"<td>2</td><td>4</td><td>2</td>", record)  # residents: places, applied, chosen
    for n in range(1, 6):
        assert f"王小{n}" not in page.text and f"1390000{n:04d}" not in page.text


def choose_and_hold(app, client, auth, officer, hearing, count=3):
    for n in range(1, count + 1):
        apply(client, hearing, n)
    close_registration(app, hearing)
    auth.login(officer)
    assert client.post(f"/events/manage/{hearing}/speakers", data={"seed": "s"}).status_code == 302
    hold_event(app, hearing)


def test_the_record_answers_every_statement_through_the_tracking_engine(app, client, auth, officer, hearing):
    choose_and_hold(app, client, auth, officer, hearing)
    rows = speakers(app, hearing)
    assert client.get(f"/events/{hearing}/record").status_code == 404  # not published yet

    refused = client.post(f"/events/manage/{hearing}/record", data={"transcript": "", "hearing_report": ""})
    assert refused.status_code == 422
    for message in ("3 statements have no disposition yet.", "Please enter the transcript.",
                    "Please enter the hearing report."):
        assert message in refused.text

    missing_reason = client.post(f"/events/manage/{hearing}/speakers/{rows[0][0]}",
                                 data={"disposition": "adopted", "reason": ""})
    assert missing_reason.status_code == 422
    for n, (submission_id, *_rest) in enumerate(rows):
        response = client.post(f"/events/manage/{hearing}/speakers/{submission_id}",
                               data={"disposition": ("adopted", "partly_adopted", "not_adopted")[n],
                                     "reason": f"理由{n}：已纳入调价方案。"})
        assert response.status_code == 302
    published = client.post(f"/events/manage/{hearing}/record", data={
        "transcript": "主持人宣布听证会开始。\n\n<script>alert(1)</script>", "hearing_report": "**听证报告**正文"})
    assert published.status_code == 302

    assert {row[3] for row in speakers(app, hearing)} == {"answered"}
    with app.app_context():
        answers = db.session.scalars(sa.select(OutboxMessage.body_text).where(
            OutboxMessage.template == "hearing_statement_answered")).all()
        assert len(answers) == 3 and any("理由0" in body for body in answers)

    client.post("/account/logout")
    record = client.get(f"/events/{hearing}/record")
    assert record.status_code == 200
    assert "<strong>听证报告</strong>" in record.text and "<script>" not in record.text
    assert "王*" in record.text and "王小1" not in record.text and "13900000001" not in record.text
    assert "理由1：已纳入调价方案。" in record.text

    # Published dispositions are final.
    with app.app_context():
        auth.login(officer)
    late = client.post(f"/events/manage/{hearing}/speakers/{rows[0][0]}", data={"disposition": "noted", "reason": "x"})
    assert late.status_code == 409


def test_the_record_waits_for_the_hearing(app, client, auth, officer, hearing):
    apply(client, hearing, 1)
    close_registration(app, hearing)
    auth.login(officer)
    client.post(f"/events/manage/{hearing}/speakers", data={"seed": "s"})
    response = client.post(f"/events/manage/{hearing}/record", data={"transcript": "t", "hearing_report": "r"})
    assert response.status_code == 422
    assert "The record can be published once the hearing is over." in response.text


def test_statistics_count_hearing_statements(app, client, auth, officer, hearing):
    choose_and_hold(app, client, auth, officer, hearing, count=2)
    for submission_id, *_rest in speakers(app, hearing):
        client.post(f"/events/manage/{hearing}/speakers/{submission_id}", data={"disposition": "noted", "reason": "已知悉"})
    client.post(f"/events/manage/{hearing}/record", data={"transcript": "笔录", "hearing_report": "报告"})
    kinds = {row["kind"]: row for row in app.test_client().get("/api/v1/stats").get_json()["kinds"]}
    assert kinds[HEARING_STATEMENT]["received"] == 2 and kinds[HEARING_STATEMENT]["answered"] == 2


@pytest.mark.parametrize("role, status", [("citizen", 403), ("officer", 403), ("editor", 200), ("admin", 200)])
def test_staff_pages_of_another_department_are_refused(client, auth, make_user, make_department, hearing, role,
                                                       status):
    other = make_department(code="JTJ", name="县交通运输局")
    auth.login(make_user(role=role, department=other if role == "officer" else None))
    for url in (f"/events/manage/{hearing}/speakers", f"/events/manage/{hearing}/record"):
        assert client.get(url).status_code == status


def test_missing_things_are_404(app, client, auth, officer, department, hearing):
    auth.login(officer)
    open_day = make_event(app, department, event_type="open_day")
    assert client.get(f"/events/manage/{open_day}/speakers").status_code == 404
    assert client.get("/events/manage/99999/speakers").status_code == 404
    assert client.get(f"/events/manage/{hearing}/speakers/99999").status_code == 404
    assert client.get(f"/events/{open_day}/speak").status_code == 404
    assert client.get("/events/99999/record").status_code == 404


def test_a_service_refuses_staff_of_another_department(app, make_user, make_department, hearing):
    stranger = make_user(role="officer", department=make_department(code="JTJ"))
    close_registration(app, hearing)
    with app.app_context():
        from consult.domain import DomainError
        with pytest.raises(DomainError) as refused:
            hearings.select_speakers(hearing, officer=db.session.get(type(stranger), stranger.id), seed="x")
        assert refused.value.status == 403


def test_the_staff_list_shows_the_applications_without_n_plus_one(app, client, auth, officer, hearing, sql):
    citizen = app.test_client()
    for n in range(1, 6):
        apply(citizen, hearing, n)
    auth.login(officer)
    with sql() as few:
        client.get(f"/events/manage/{hearing}/speakers")
    apply(citizen, hearing, 6, category="expert")
    apply(citizen, hearing, 7, category="stakeholder")
    with sql() as more:
        page = client.get(f"/events/manage/{hearing}/speakers")
    assert "王小7" in page.text
    assert len(more.selects) == len(few.selects)


def test_the_json_api_lists_hearings_takes_applications_and_publishes_the_record(app, client, auth, officer,
                                                                                 hearing, department):
    make_event(app, department, event_type="open_day", title="开放日")
    listed = client.get("/api/v1/events?type=hearing").get_json()
    assert [(e["id"], e["event_type"]) for e in listed["items"]] == [(hearing, "hearing")]

    body = {"name": "陈专家", "category": "expert", "statement": "建议分时段定价。", "phone": "13800000009"}
    created = client.post(f"/api/v1/events/{hearing}/speakers", json=body)
    assert created.status_code == 201
    receipt = created.get_json()
    assert receipt["tracking_no"].startswith("H-") and receipt["query_code"] and receipt["category"] == "expert"
    again = client.post(f"/api/v1/events/{hearing}/speakers", json=body)
    assert again.status_code == 409
    bad = client.post(f"/api/v1/events/{hearing}/speakers", json={"name": "", "category": "media"})
    assert bad.status_code == 422
    assert client.post("/api/v1/events/99999/speakers", json=body).status_code == 404

    close_registration(app, hearing)
    auth.login(officer)
    client.post(f"/events/manage/{hearing}/speakers", data={"seed": "api-seed"})
    client.post("/account/logout")
    record = client.get(f"/api/v1/events/{hearing}/selection").get_json()
    assert record["seed"] == "api-seed"
    experts = next(row for row in record["categories"] if row["category"] == "expert")
    assert (experts["places"], experts["applied"], experts["chosen"]) == (1, 1, 1)
    assert "陈专家" not in str(record)
    assert client.get(f"/api/v1/events/{hearing}/record").status_code == 404

    hold_event(app, hearing)
    auth.login(officer)
    submission_id = speakers(app, hearing)[0][0]
    client.post(f"/events/manage/{hearing}/speakers/{submission_id}", data={"disposition": "adopted", "reason": "采纳"})
    client.post(f"/events/manage/{hearing}/record", data={"transcript": "笔录<script>x</script>", "hearing_report": "报告"})
    client.post("/account/logout")
    published = client.get(f"/api/v1/events/{hearing}/record").get_json()
    assert published["statements"] == [{"number": 1, "speaker": "陈**", "category": "expert", "chosen": True,
                                         "disposition": "adopted", "reason": "采纳"}]
    assert "<script>" not in published["transcript_html"]
    status = client.get(f"/api/v1/submissions/{receipt['tracking_no']}?code={receipt['query_code']}").get_json()
    assert status["status"] == "answered"


@pytest.mark.demo_data  # the database starts as a first seed-demo leaves it
def test_the_demo_has_a_held_hearing_with_its_record_and_a_public_meeting(app, client, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # a second run: nothing twice
    with app.app_context():
        from consult.events.models import Event
        hearing = db.session.scalar(sa.select(Event).where(Event.event_type == "hearing"))
        meeting = db.session.scalar(sa.select(Event).where(Event.event_type == "meeting"))
        assert hearing.record_published_at is not None and meeting is not None
        hearing_id, meeting_id = hearing.id, meeting.id
    rows = speakers(app, hearing_id)
    assert len(rows) == 8 and {row[3] for row in rows} == {"answered"}
    assert {row[2] for row in rows} == {"selected", "not_selected"}
    record = client.get(f"/events/{hearing_id}/record")
    assert record.status_code == 200 and "周*" in record.text and "周桂兰" not in record.text
    assert client.get(f"/events/{meeting_id}").status_code == 200


@pytest.mark.demo_data  # the database starts as a first seed-demo leaves it
def test_the_demo_hearing_publishes_its_report_as_a_word_file_and_the_meeting_keeps_its_agenda_for_attendees(
        app, client, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # a second run: nothing twice
    events = {e["event_type"]: e for e in client.get("/api/v1/events?past=1&type=hearing").get_json()["items"]
              + client.get("/api/v1/events?type=meeting").get_json()["items"]}
    [report] = events["hearing"]["files"]
    assert report["name"] == "养老机构服务收费标准调整听证报告.docx"
    assert report["content_type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    with client.get(report["url"]) as download:  # anyone may download it
        data = download.get_data()
    assert download.status_code == 200 and len(data) == report["size"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "养老机构服务收费标准调整听证报告" in text and "分两年执行" in text

    assert events["meeting"]["files"] == []  # its agenda is for attendees: never in the API
    with app.app_context():
        from consult.events.models import EventFile
        [agenda] = db.session.scalars(sa.select(EventFile).where(EventFile.event_id == events["meeting"]["id"]))
        assert (agenda.audience, agenda.attachment.original_filename) == ("attendees", "县政府常务会议议程.docx")
        agenda_id = agenda.attachment_id
    with client.get(f"/files/{agenda_id}") as refused:
        assert refused.status_code == 404


def test_the_annual_report_counts_open_days_not_hearings(app, department, hearing):
    hold_event(app, hearing)
    open_day = make_event(app, department, event_type="open_day")
    hold_event(app, open_day)
    with app.app_context():
        from consult.disclosure.figures import proactive_counts
        from consult.events.models import Event
        from consult.localtime import local_date
        year = local_date(db.session.get(Event, open_day).starts_at).year  # both were held yesterday
        assert proactive_counts(year).events_held == 1


def test_the_speakers_list_exports_without_contact_details(app, client, auth, officer, hearing, make_user):
    apply(client, hearing, 1, name="=HYPERLINK(1)")
    apply(client, hearing, 2, category="expert")
    close_registration(app, hearing)
    auth.login(officer)
    client.post(f"/events/manage/{hearing}/speakers", data={"seed": "名单"})
    assert "speakers.csv" in client.get(f"/events/manage/{hearing}/speakers").text
    text = client.get(f"/events/manage/{hearing}/speakers.csv").get_data(as_text=True)
    assert text.startswith("\ufefftracking_no,name,category,status,draw_rank,disposition")
    assert "'=HYPERLINK(1)" in text and "王小2" in text and "Selected to speak" in text
    assert "1390000" not in text and "example.org" not in text and "低收入群体" not in text
    auth.login(make_user(role="citizen"))
    assert client.get(f"/events/manage/{hearing}/speakers.csv").status_code == 403
