"""One intake for every kind (consult.tracking.intake.receive_once): the same form sent again — later, or twice
at the same moment — is one submission and both answers name it; the query code is shown to the first answer
only; a token that is missing, too short or too long is refused with a message that asks to send again.
The same token rule holds for the public forms whose record is not a submission when it arrives: an
interview's question and a questionnaire response."""

import re
import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult import create_app
from consult.accounts.models import Department, User
from consult.api import drafts as api_drafts
from consult.api import letters as api_letters
from consult.database import utcnow
from consult.disclosure.models import DisclosureRequest, ELECTRONIC, ONLINE, RESIDENT_ID
from consult.disclosure.services import Applicant, submit_request
from consult.domain import DomainError
from consult.drafts import comments as comment_service
from consult.drafts import services as draft_services
from consult.drafts.models import Comment, Draft
from consult.events import allocation
from consult.events import services as event_services
from consult.events.models import Event, EventQuestion, Registration
from consult.extensions import db
from consult.interviews import services as interview_services
from consult.interviews.models import Interview, Question
from consult.mailbox import services as mailbox_services
from consult.mailbox.models import Letter, Mailbox
from consult.notify.models import OutboxMessage
from consult.surveys import responses as survey_responses
from consult.surveys.models import Questionnaire, SurveyResponse
from consult.tracking import intake
from consult.tracking.citizen import find_submission
from consult.tracking.models import Submission, TrackingCounter
from tests.api_support import is_problem
from tests.sql_support import statements_during
from tests.surveys_support import ids, make_questionnaire

KINDS = ("letter", "comment", "disclosure", "event_question")
DETAIL = {"letter": Letter, "comment": Comment, "disclosure": DisclosureRequest, "event_question": EventQuestion}


@dataclass(frozen=True)
class Targets:
    """What each kind is sent to (ids, so another thread's session can load them)."""

    department_id: int
    mailbox_id: int
    draft_id: int
    registration_id: int


@pytest.fixture
def targets(world) -> Targets:
    """A mailbox, a draft open for comment and an open day that is over, with one attendee."""
    mailbox = mailbox_services.save_mailbox(
        None, name="县长信箱", department=db.session.get(Department, world.dept.id), categories=("complaint",),
        window_workdays=15, allow_publication=True, allow_attachments=False, active=True)
    editor = db.session.get(User, world.editor.id)
    opens = utcnow() - timedelta(hours=1)
    draft = draft_services.create_draft(
        editor, body="第一条 为规范政务公开工作，制定本办法。\n\n第二条 本办法自公布之日起施行。",
        title="政务公开工作办法(征求意见稿)", summary="征求意见。", department_id=world.dept.id,
        domain="government_affairs", legal_basis="《中华人民共和国政府信息公开条例》", opens_at=opens,
        closes_at=opens + timedelta(days=30), short_window_reason="", interpretation="为什么制定本办法。")
    draft_services.submit_for_review(draft, editor)
    draft_services.approve_draft(draft, db.session.get(User, world.reviewer.id))
    now = utcnow()
    event = Event(title="县司法局政务开放日", description="", department_id=world.dept.id, venue="县公共法律服务中心",
                  starts_at=now + timedelta(days=5), ends_at=now + timedelta(days=5, hours=2),
                  registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=4),
                  capacity=5, mode="first_come", require_phone=True, require_email=True)
    db.session.add(event)
    db.session.flush()
    registration = allocation.register(event.id, name="市民甲", phone="13800000001", email="jia@example.org")
    event.starts_at, event.ends_at = now - timedelta(hours=3), now - timedelta(hours=1)  # the open day is over
    db.session.commit()
    assert registration.status == "confirmed"
    return Targets(world.dept.id, mailbox.id, draft.id, registration.id)


def send(kind: str, targets: Targets, form_token: str) -> tuple[int, str | None]:
    """Send one ``kind`` through its service with ``form_token``; (submission id, query code or None)."""
    body = "小区门口路灯坏了一个月，晚上出行很不安全，请尽快修复。"
    if kind == "letter":
        receipt = mailbox_services.submit_letter(
            db.session.get(Mailbox, targets.mailbox_id), category="complaint", subject="路灯不亮", body=body,
            form_token=form_token, name="欧阳娜娜", phone="13800138000", email="ouyang@example.org")
        return receipt.letter.submission_id, receipt.query_code
    if kind == "comment":
        receipt = comment_service.submit_comment(
            db.session.get(Draft, targets.draft_id), body=body, form_token=form_token, name="王五",
            email="wangwu@example.org")
        return receipt.comment.submission_id, receipt.query_code
    if kind == "disclosure":
        applicant = Applicant(applicant_type="natural_person", name="张三", id_type=RESIDENT_ID,
                              id_number="11010519491231002X", phone="13800138000", email="zhang@example.org")
        receipt = submit_request(
            db.session.get(Department, targets.department_id), applicant, subject="路灯维护经费", description=body,
            preferred_format=ELECTRONIC, delivery=ONLINE,
            form_token=form_token)
        return receipt.request.submission_id, receipt.query_code
    result = event_services.ask_question(db.session.get(Registration, targets.registration_id), subject="路灯",
                                         body=body, form_token=form_token)
    return result.submission_id, result.query_code


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _receipt_mails() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.template == "submission_receipt"))


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_form_sent_again_is_the_first_submission_without_its_code(targets, kind):
    first_id, code = send(kind, targets, "repeated-form-token-0001")
    db.session.commit()
    again_id, again_code = send(kind, targets, "repeated-form-token-0001")
    db.session.commit()
    assert again_id == first_id and code is not None and again_code is None
    assert _count(Submission) == 1 and _count(DETAIL[kind]) == 1 and _receipt_mails() == 1
    assert db.session.get(Submission, first_id).form_token == "repeated-form-token-0001"
    other_id, other_code = send(kind, targets, "another-form-token-0002")  # a new form is a new submission
    assert other_id != first_id and other_code is not None


def send_twice_at_the_same_moment(app, monkeypatch, page: str, owner, lookup: str, send_one,
                                  hold_at: str | None = None) -> tuple[list, int]:
    """Two requests to ``page`` send one form token through ``send_one(token)``; each is held at its first call
    of ``owner.<hold_at>`` (by default the kind's ``find``, ``owner.<lookup>``) until both have got there, so
    neither has inserted: the unique column refuses the second insert. Returns both answers and how many
    look-ups (``owner.<lookup>``) were made."""
    barrier, looked, answers, errors, looks = threading.Barrier(2), threading.Barrier(2), [], [], []
    held = threading.local()
    look_up = getattr(owner, lookup)

    def counted(*args):
        found = look_up(*args)
        looks.append(found)
        return found

    monkeypatch.setattr(owner, lookup, counted)
    hold_at = hold_at or lookup
    holding = getattr(owner, hold_at)

    def both_get_here_before_either_inserts(*args):
        result = holding(*args)
        if not getattr(held, "done", False):
            held.done = True
            looked.wait(timeout=30)
        return result

    monkeypatch.setattr(owner, hold_at, both_get_here_before_either_inserts)

    def send_in_its_own_request():
        try:
            with app.test_request_context(page, method="POST"):
                barrier.wait(timeout=30)
                answers.append(send_one("simultaneous-form-token-01"))
                db.session.commit()
        except Exception as error:  # pragma: no cover - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=send_in_its_own_request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(answers) == 2
    db.session.rollback()  # end this thread's read transaction: its snapshot predates the two requests
    return answers, len(looks)


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_form_sent_twice_at_the_same_moment_is_one_submission_and_both_answers_name_it(
        app, targets, kind, monkeypatch):
    """The requests are the kind's own form page, so on SQLite too they read without the write lock until
    they insert. Both got as far as writing before either inserted; the second insert is refused by the unique
    column, and that request looks the token up and answers with the first submission — on every kind, never
    an error. Comments and letters look the token up only then (one look-up); the other kinds also look before
    their checks (three)."""
    page = {"letter": "/mailboxes/write", "comment": f"/drafts/{targets.draft_id}/comment",
            "disclosure": "/disclosure", "event_question": "/events/r/0123abcd/question"}[kind]
    looks_only_when_taken = kind in ("comment", "letter")
    answers, looks = send_twice_at_the_same_moment(
        app, monkeypatch, page, intake, "submission_with_token", lambda token: send(kind, targets, token),
        hold_at="take_write_lock" if looks_only_when_taken else None)
    assert answers[0][0] == answers[1][0] and looks == (1 if looks_only_when_taken else 3)
    assert sorted(code is None for _, code in answers) == [False, True]  # the code is shown once
    assert _count(Submission) == 1 and _count(DETAIL[kind]) == 1 and _receipt_mails() == 1
    counted = {"comment": lambda: db.session.get(Draft, targets.draft_id).received_count,
               "letter": lambda: db.session.get(Mailbox, targets.mailbox_id).letter_count}.get(kind)
    assert counted is None or counted() == 1  # the refused twin counted nothing
    if db.session.get_bind().dialect.name == "sqlite":  # one writer: the refused twin left no gap in the numbers
        monkeypatch.undo()
        first, (next_id, _) = db.session.get(Submission, answers[0][0]), send(kind, targets, "next-form-token-0003")
        assert int(db.session.get(Submission, next_id).tracking_no[-5:]) == int(first.tracking_no[-5:]) + 1


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("form_token", ["", "fifteen-chars-1", "x" * 65])
def test_a_missing_too_short_or_too_long_form_token_is_refused_and_nothing_is_kept(targets, kind, form_token):
    with pytest.raises(DomainError) as refused:
        send(kind, targets, form_token)
    assert refused.value.status == 400
    assert str(refused.value.message) == "The form has expired. Please send it again."
    db.session.rollback()
    assert _count(Submission) == 0 and _receipt_mails() == 0


def test_a_comment_form_sent_again_after_the_consultation_closed_still_names_the_first_comment(targets):
    first_id, _ = send("comment", targets, "before-closing-token-01")
    draft = db.session.get(Draft, targets.draft_id)
    draft.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert send("comment", targets, "before-closing-token-01") == (first_id, None)
    with pytest.raises(DomainError) as refused:
        send("comment", targets, "after-closing-token-02")
    assert refused.value.status == 409


# --- the same kit on the pages: the receipt shown once, the honeypot ------------------------------------------

def _page_form(kind: str, targets: Targets, **overrides) -> tuple[str, dict]:
    """The kind's public form page and what a citizen types into it."""
    body = "小区门口路灯坏了一个月，晚上出行很不安全，请尽快修复。"
    if kind == "letter":
        url, data = "/mailboxes/write", {"mailbox_id": str(targets.mailbox_id), "category": "complaint",
                                         "subject": "路灯不亮", "body": body, "name": "欧阳娜娜",
                                         "phone": "13800138000", "email": "ouyang@example.org"}
    elif kind == "comment":
        url, data = f"/drafts/{targets.draft_id}/comment", {"body": body, "name": "王五", "email": "wangwu@example.org",
                                                            "phone": "", "article": ""}
    elif kind == "disclosure":
        url, data = "/disclosure", {"department_id": str(targets.department_id), "applicant_type": "natural_person",
                                    "name": "张三", "id_type": "resident_id", "id_number": "11010519491231002X",
                                    "phone": "13800138000", "email": "zhang@example.org", "subject": "路灯维护经费",
                                    "description": body, "preferred_format": "electronic", "delivery": "online"}
    else:
        token = allocation.manage_token(db.session.get(Registration, targets.registration_id))
        url, data = f"/events/r/{token}/question", {"subject": "路灯", "body": body}
    return url, {**data, "form_token": "page-form-token-000001", **overrides}


CODE = re.compile(r'<span class="query-code">([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</span>')


@pytest.mark.parametrize("kind", KINDS)
def test_the_confirmation_page_shows_the_query_code_once(app, client, targets, kind):
    url, data = _page_form(kind, targets)
    sent = client.post(url, data=data)
    assert sent.status_code == 302
    first = client.get(sent.location).get_data(as_text=True)
    again = client.get(sent.location).get_data(as_text=True)
    submission = db.session.scalar(sa.select(Submission))
    code = CODE.search(first).group(1)
    assert find_submission(submission.tracking_no, code) == submission  # the real code, on the first view
    assert submission.tracking_no in again and code not in again and 'class="query-code"' not in again
    repeated = client.post(url, data=data)  # the same form again in the same browser: its receipt, no code
    assert repeated.status_code == 302
    page = client.get(repeated.location).get_data(as_text=True)
    assert submission.tracking_no in page and 'class="query-code"' not in page
    elsewhere = app.test_client().post(url, data=data)  # from another browser: shown at once, never the code
    shown = elsewhere.get_data(as_text=True)
    assert elsewhere.status_code == 200 and submission.tracking_no in shown and 'class="query-code"' not in shown
    assert _count(Submission) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_bot_filling_the_honeypot_is_thanked_and_nothing_is_kept(client, targets, kind):
    url, data = _page_form(kind, targets, website="http://spam.example")
    response = client.post(url, data=data)
    assert response.status_code == 200 and 'class="panel receipt"' in response.get_data(as_text=True)
    assert _count(Submission) == 0 and _receipt_mails() == 0


@pytest.mark.parametrize("kind", KINDS)
def test_every_intake_form_has_the_token_and_the_hidden_honeypot(client, targets, kind):
    url, _ = _page_form(kind, targets)
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'<input[^>]*name="form_token"[^>]*value="[A-Za-z0-9_-]{32}"', page)
    assert re.search(r'<div class="hp-field" aria-hidden="true">\s*<label for="website">', page)
    assert re.search(r'<input[^>]*name="website"[^>]*tabindex="-1"', page)


# --- the same token rule where the record is not a submission when it arrives ---------------------------------
# An interview's question becomes a tracked submission only if it is unanswered at the end, a questionnaire
# response never: each keeps the token in its own unique column, and is received through the same receive_once.

RECORDS = ("interview_question", "survey_response")
RECORD = {"interview_question": Question, "survey_response": SurveyResponse}
LOOKUP = {"interview_question": (interview_services, "question_with_token"),
          "survey_response": (survey_responses, "response_with_token")}


@dataclass(frozen=True)
class RecordTargets:
    interview_id: int
    questionnaire_id: int
    first_option: dict  # the questionnaire's first (required) question answered


@pytest.fixture
def record_targets(world) -> RecordTargets:
    """An interview that takes questions and an open questionnaire, both of ``world.dept``."""
    starts = utcnow() + timedelta(days=2)
    interview = interview_services.save_interview(None, {
        "title": "县司法局在线访谈：法律援助", "department_id": world.dept.id, "starts_at": starts,
        "ends_at": starts + timedelta(hours=1), "description": "介绍法律援助的办理。",
    }, interview_services.parse_officials("张明，县司法局局长"), actor=db.session.get(User, world.editor.id))
    questionnaire_id = make_questionnaire(world)
    qids, options = ids(questionnaire_id)
    return RecordTargets(interview.id, questionnaire_id, {qids[0]: options["是"]})


def send_record(kind: str, targets: RecordTargets, form_token: str) -> tuple[int, bool]:
    """Send one ``kind`` through its service with ``form_token``; (record id, whether it is new)."""
    if kind == "interview_question":
        receipt = interview_services.ask_question(
            db.session.get(Interview, targets.interview_id), body="学区划分什么时候公布？", name="王小明",
            phone="13800138000", form_token=form_token)
        return receipt.question.id, not receipt.duplicate
    response, new = survey_responses.submit_response(
        db.session.get(Questionnaire, targets.questionnaire_id), targets.first_option, form_token=form_token)
    return response.id, new


def _responses_counted(targets: RecordTargets) -> int:
    return db.session.scalar(sa.select(Questionnaire.response_count)
                             .where(Questionnaire.id == targets.questionnaire_id))


@pytest.mark.parametrize("kind", RECORDS)
def test_the_same_question_or_response_sent_again_is_the_first_one(record_targets, kind):
    first_id, first_new = send_record(kind, record_targets, "repeated-form-token-0001")
    db.session.commit()
    again_id, again_new = send_record(kind, record_targets, "repeated-form-token-0001")
    db.session.commit()
    assert (again_id, first_new, again_new) == (first_id, True, False)
    assert _count(RECORD[kind]) == 1 and _count(Submission) == 0
    if kind == "survey_response":
        assert _responses_counted(record_targets) == 1  # counted once
    other_id, other_new = send_record(kind, record_targets, "another-form-token-0002")
    assert other_id != first_id and other_new


@pytest.mark.parametrize("kind", RECORDS)
def test_the_same_question_or_response_sent_twice_at_the_same_moment_is_one(app, record_targets, kind,
                                                                           monkeypatch):
    page = {"interview_question": f"/interviews/{record_targets.interview_id}/ask",
            "survey_response": f"/questionnaires/{record_targets.questionnaire_id}/answer"}[kind]
    owner, lookup = LOOKUP[kind]
    answers, looks = send_twice_at_the_same_moment(app, monkeypatch, page, owner, lookup,
                                                   lambda token: send_record(kind, record_targets, token))
    assert answers[0][0] == answers[1][0] and looks == 3  # the second insert was refused by the unique column
    assert sorted(new for _, new in answers) == [False, True]
    assert _count(RECORD[kind]) == 1
    if kind == "survey_response":
        assert _responses_counted(record_targets) == 1


@pytest.mark.parametrize("kind", RECORDS)
@pytest.mark.parametrize("form_token", ["", "fifteen-chars-1", "x" * 65])
def test_a_question_or_response_with_a_bad_form_token_is_refused_and_nothing_is_kept(record_targets, kind,
                                                                                      form_token):
    with pytest.raises(DomainError) as refused:
        send_record(kind, record_targets, form_token)
    assert refused.value.status == 400
    assert str(refused.value.message) == "The form has expired. Please send it again."
    db.session.rollback()
    assert _count(RECORD[kind]) == 0 and _responses_counted(record_targets) == 0


@pytest.mark.parametrize("kind", RECORDS)
def test_the_question_and_questionnaire_pages_say_an_old_form_has_expired(client, record_targets, kind):
    if kind == "interview_question":
        url = f"/interviews/{record_targets.interview_id}/ask"
        data = {"body": "学区划分什么时候公布？", "name": "王小明", "phone": "13800138000"}
    else:
        url = f"/questionnaires/{record_targets.questionnaire_id}/answer"
        ((question_id, option_id),) = record_targets.first_option.items()
        data = {f"q{question_id}": str(option_id)}
    response = client.post(url, data={**data, "form_token": "too-short"})
    assert response.status_code == 422  # shown on the form, like every refusal a public form answers
    assert "The form has expired. Please send it again." in response.get_data(as_text=True)
    assert _count(RECORD[kind]) == 0


@pytest.mark.parametrize("kind", ["letter", "disclosure", "interview_question"])
def test_the_contact_fields_read_and_refuse_alike_on_every_form_that_asks_for_them(client, request, kind):
    """Phone, e-mail and the SMS choice are declared once (consult.forms.contact_fields): a letter, an information
    request and an interview question show the same fields with the same hint, and refuse alike."""
    if kind == "interview_question":
        targets = request.getfixturevalue("record_targets")
        url, data = f"/interviews/{targets.interview_id}/ask", {"body": "学区划分什么时候公布？", "name": "王小明",
                                                                "form_token": "page-form-token-000001"}
    else:
        url, data = _page_form(kind, request.getfixturevalue("targets"))
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'<input(?=[^>]*\bname="phone")(?=[^>]*\btype="tel")', page)
    assert re.search(r'<input(?=[^>]*\bname="email")(?=[^>]*\btype="email")', page)
    assert "A mobile number such as 13800138000, or a landline with its area code." in page
    assert "Tell me of progress by SMS instead of e-mail" in page
    refused = client.post(url, data={**data, "phone": "13800138000", "email": "not-an-address"})
    assert refused.status_code == 422
    assert "Please enter a valid e-mail address." in refused.get_data(as_text=True)
    assert _count(Submission) == 0 and _count(Question) == 0


# --- PostgreSQL: the busy intakes read outside a transaction and write in one statement -----------------------

@pytest.mark.postgres_only  # SQLite runs in the process: a transaction costs no round trip
@pytest.mark.parametrize("kind", ["comment", "letter"])
def test_on_postgresql_a_comment_or_letter_by_mail_is_one_statement_that_commits_itself(app, client, targets, kind):
    """No BEGIN and no COMMIT: the reads run outside a transaction and the one statement that writes the
    submission, its timeline entry, index row, receipt mail, detail row and counters commits itself. A receipt
    by SMS is written by a second statement, so that request writes in a transaction, as every other does."""
    if kind == "comment":
        url, body = f"/api/v1/drafts/{targets.draft_id}/comments", {"body": "建议明确办理时限。", "name": "王五"}
    else:
        url, body = "/api/v1/letters", {"mailbox_id": targets.mailbox_id, "category": "complaint",
                                        "subject": "路灯不亮", "body": "小区门口路灯坏了。", "name": "欧阳娜娜"}
    assert client.post(url, json={**body, "email": "first@example.org"}).status_code == 201  # the day's first number
    db.session.commit()  # the test's own reads end here: each request begins its own
    answers = []
    by_mail = statements_during(lambda: answers.append(client.post(url, json={**body, "email": "a@example.org"})))
    by_sms = statements_during(lambda: answers.append(client.post(url, json={**body, "phone": "13800138000"})))
    assert [answer.status_code for answer in answers] == [201, 201]
    assert [word for word, _ in by_mail if word != "SELECT"] == ["WITH"]
    assert all(outside for _, outside in by_mail)
    writes = [outside for word, outside in by_sms if word != "SELECT"]
    assert len(writes) == 2 and not any(writes)  # the submission's statement, then the SMS in the outbox
    for answer in answers:
        submission = find_submission(answer.get_json()["tracking_no"], answer.get_json()["query_code"])
        assert submission is not None and submission.events
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DETAIL[kind])
                                 .where(DETAIL[kind].submission_id == submission.id)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.body_text.contains(submission.tracking_no))) == 1
    with db.engine.connect() as connection:  # the pooled connection is back to transactions
        assert connection.connection.driver_connection.autocommit is False
    prefix = {"comment": "C", "letter": "L"}[kind]  # the day's base, written on its own connection, was kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrackingCounter)
                             .where(TrackingCounter.prefix == prefix)) == 1


@pytest.mark.postgres_only  # psycopg's placeholder conversion
@pytest.mark.parametrize("kind", ["comment", "letter"])
def test_on_postgresql_the_write_statement_is_converted_once_and_then_kept(client, targets, kind, monkeypatch):
    """psycopg turns each statement's placeholders into PostgreSQL's and keeps the result, but not for statements
    over its length or parameter limits: the intake's one statement is over psycopg's own limits, so
    ``consult.database`` raises them. A second comment or letter converts no statement again."""
    from psycopg import _queries

    if kind == "comment":
        url, body = f"/api/v1/drafts/{targets.draft_id}/comments", {"body": "建议明确办理时限。", "name": "王五"}
    else:
        url, body = "/api/v1/letters", {"mailbox_id": targets.mailbox_id, "category": "complaint",
                                        "subject": "路灯不亮", "body": "小区门口路灯坏了。", "name": "欧阳娜娜"}
    for n in range(2):  # the day's first number, then every statement of the request once
        assert client.post(url, json={**body, "email": f"{n}@example.org"}).status_code == 201
    uncached = []
    real = _queries._query2pg_nocache
    monkeypatch.setattr(_queries, "_query2pg_nocache",
                        lambda query, *args: uncached.append(query) or real(query, *args))
    assert client.post(url, json={**body, "email": "third@example.org"}).status_code == 201
    assert uncached == []


@pytest.mark.postgres_only  # SQLite runs in the process: a transaction costs no round trip
def test_on_postgresql_an_intake_that_writes_several_statements_begins_its_transaction_at_the_first(client, targets):
    """An information request (an intake that is not one statement) reads outside a transaction like the others;
    its first write begins the transaction, so all its rows are kept or none."""
    url, data = _page_form("disclosure", targets)
    db.session.commit()  # the test's own reads end here: the request begins its own
    answers = []
    ran = statements_during(lambda: answers.append(client.post(url, data=data)))
    assert answers[0].status_code in (200, 302) and _count(DisclosureRequest) == 1
    first_write = next(n for n, (word, _) in enumerate(ran) if word != "SELECT")
    assert first_write > 0 and all(outside for _, outside in ran[:first_write])
    assert ran[first_write:] and not any(outside for _, outside in ran[first_write:])


def test_a_letter_sent_after_another_process_changed_the_calendar_is_due_by_the_new_calendar(app, client, targets,
                                                                                           world, backend):
    """This process keeps the calendar it last read (on PostgreSQL it does not read it for every letter). Another
    process then declares the first letter's due date a holiday: the next letter here is due by the new
    calendar, and its receipt mail says the date it is due."""
    from datetime import date

    from consult.tracking.deadlines import set_calendar_override
    from consult.tracking.mails import merged_receipt

    letter = {"mailbox_id": targets.mailbox_id, "category": "complaint", "subject": "路灯不亮",
              "body": "小区门口路灯坏了。", "name": "欧阳娜娜", "email": "ouyang@example.org"}
    first = client.post("/api/v1/letters", json=letter).get_json()
    due_before = date.fromisoformat(first["due_on"])
    admin_id = world.admin.id
    other = create_app(backend.config())
    try:
        with other.app_context():
            set_calendar_override(due_before, False, "临时调休", db.session.get(User, admin_id))
            db.session.commit()
    finally:
        with other.app_context():
            db.engine.dispose()
    db.session.commit()
    second = client.post("/api/v1/letters", json={**letter, "body": "小区后门的路灯也坏了。"}).get_json()
    assert date.fromisoformat(second["due_on"]) > due_before
    submission = find_submission(second["tracking_no"], second["query_code"])
    assert submission.due_on == date.fromisoformat(second["due_on"])
    receipt = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.body_text.contains(second["tracking_no"])))
    expected = merged_receipt(submission, second["query_code"]).values(second["tracking_no"])
    assert receipt.body_text == expected["body_text"] and receipt.body_html == expected["body_html"]


def _in_another_process(backend, change) -> None:
    """Run ``change()`` in a second app on the same database (another worker), and commit."""
    other = create_app(backend.config())
    try:
        with other.app_context():
            change()
            db.session.commit()
    finally:
        with other.app_context():
            db.engine.dispose()


@pytest.mark.postgres_only  # SQLite runs in the process: a read costs no round trip
def test_on_postgresql_a_comment_on_a_draft_this_process_has_read_writes_without_reading_it_again(client, targets):
    url, body = f"/api/v1/drafts/{targets.draft_id}/comments", {"body": "建议明确办理时限。", "name": "王五"}
    assert client.post(url, json={**body, "email": "first@example.org"}).status_code == 201
    db.session.commit()
    answers = []
    ran = statements_during(lambda: answers.append(client.post(url, json={**body, "email": "a@example.org"})))
    assert answers[0].status_code == 201
    assert [word for word, _ in ran] == ["WITH"]


def test_a_comment_after_another_process_withdrew_the_draft_is_refused_and_nothing_is_kept(client, targets, world,
                                                                                            backend):
    url, body = f"/api/v1/drafts/{targets.draft_id}/comments", {"body": "建议明确办理时限。", "name": "王五"}
    assert client.post(url, json={**body, "email": "first@example.org"}).status_code == 201
    editor_id = world.editor.id
    _in_another_process(backend, lambda: draft_services.withdraw_draft(
        db.session.get(Draft, targets.draft_id), db.session.get(User, editor_id), "上位法已修改，本稿撤回。"))
    db.session.commit()
    answer = client.post(url, json={**body, "email": "second@example.org"})
    assert is_problem(answer, 409) and "closed" in answer.get_json()["detail"]
    assert _count(Comment) == 1 and _count(Submission) == 1


def test_a_comment_after_another_process_turned_on_pre_moderation_is_held(client, targets, backend):
    url, body = f"/api/v1/drafts/{targets.draft_id}/comments", {"body": "建议明确办理时限。", "name": "王五"}
    assert client.post(url, json={**body, "email": "first@example.org"}).get_json()["moderation"] == "published"

    def premoderate():
        db.session.get(Draft, targets.draft_id).premoderate = True

    _in_another_process(backend, premoderate)
    db.session.commit()
    second = client.post(url, json={**body, "email": "second@example.org"})
    assert second.status_code == 201 and second.get_json()["moderation"] == "held"
    assert _count(Comment) == 2
    draft = db.session.get(Draft, targets.draft_id)
    assert (draft.comment_count, draft.received_count) == (1, 2)


LETTER = {"category": "complaint", "subject": "路灯不亮", "body": "小区门口路灯坏了。", "name": "欧阳娜娜"}


@pytest.mark.postgres_only  # SQLite runs in the process: a read costs no round trip
def test_on_postgresql_a_letter_to_a_mailbox_this_process_has_read_writes_without_reading_it_again(client, targets):
    letter = {**LETTER, "mailbox_id": targets.mailbox_id}
    assert client.post("/api/v1/letters", json={**letter, "email": "first@example.org"}).status_code == 201
    db.session.commit()
    answers = []
    ran = statements_during(lambda: answers.append(client.post("/api/v1/letters",
                                                                json={**letter, "email": "a@example.org"})))
    assert answers[0].status_code == 201
    assert [word for word, _ in ran] == ["WITH"]


def _after_a_first(client, targets, kind: str) -> tuple[str, dict]:
    """The API address and body of a comment or letter, after a first one went through (the draft or mailbox
    and the calendar are kept from then on)."""
    if kind == "comment":
        url, body = f"/api/v1/drafts/{targets.draft_id}/comments", {"body": "建议明确办理时限。", "name": "王五"}
    else:
        url, body = "/api/v1/letters", {**LETTER, "mailbox_id": targets.mailbox_id}
    assert client.post(url, json={**body, "email": "first@example.org"}).status_code == 201
    db.session.commit()
    return url, body


@pytest.mark.sqlite_only  # its write is several statements: what runs before them is the point
@pytest.mark.parametrize("kind", ["comment", "letter"])
def test_on_sqlite_a_second_comment_or_letter_reads_nothing_before_it_takes_the_write_lock(client, targets, kind):
    """The draft or mailbox and the calendar are kept, as on PostgreSQL: the request's first statement takes the
    write lock, and one SELECT under it finds them unchanged before the inserts."""
    url, body = _after_a_first(client, targets, kind)
    ran = []

    def seen(_connection, _cursor, statement, *_args):
        ran.append(" ".join(statement.split()[:2]))

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        answer = client.post(url, json={**body, "email": "second@example.org"})
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert answer.status_code == 201
    assert ran[0] == "BEGIN IMMEDIATE" and ran[1].startswith("SELECT")
    assert [statement for statement in ran[2:] if statement.startswith("SELECT")] == []


@pytest.mark.sqlite_only  # PostgreSQL's whole write is one statement that commits itself (see the test above)
@pytest.mark.parametrize("kind", ["comment", "letter"])
@pytest.mark.parametrize("key", [None, "retry-1"])
def test_on_sqlite_a_comment_or_letter_lets_the_write_lock_go_before_its_answer_is_built(
        client, targets, monkeypatch, kind, key):
    """Its rows are the request's whole write: committed as soon as they are written, so the other workers do not
    wait on the lock while this one builds the answer. With an Idempotency-Key the claim is written before them
    and the answer after, so the request commits once, at its end, as before."""
    url, body = _after_a_first(client, targets, kind)
    happened = []
    view_module = api_drafts if kind == "comment" else api_letters
    build_answer = view_module.answer
    monkeypatch.setattr(view_module, "answer", lambda *args: happened.append("answer") or build_answer(*args))

    def committed(_connection):
        happened.append("commit")

    sa.event.listen(db.engine, "commit", committed)
    try:
        headers = {"Idempotency-Key": key} if key else {}
        answer = client.post(url, json={**body, "email": "second@example.org"}, headers=headers)
    finally:
        sa.event.remove(db.engine, "commit", committed)
    assert answer.status_code == 201
    assert happened == (["answer", "commit"] if key else ["commit", "answer"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 2


def _change_mailbox(backend, targets, **columns) -> None:
    def change():
        mailbox = db.session.get(Mailbox, targets.mailbox_id)
        for name, value in columns.items():
            setattr(mailbox, name, value)

    _in_another_process(backend, change)
    db.session.commit()


def test_a_letter_after_another_process_closed_the_mailbox_is_refused_and_nothing_is_kept(client, targets, backend):
    letter = {**LETTER, "mailbox_id": targets.mailbox_id}
    assert client.post("/api/v1/letters", json={**letter, "email": "first@example.org"}).status_code == 201
    _change_mailbox(backend, targets, active=False)
    answer = client.post("/api/v1/letters", json={**letter, "email": "second@example.org"})
    assert is_problem(answer, 409) and "mailbox_id" in answer.get_json()["errors"]
    assert _count(Letter) == 1 and _count(Submission) == 1


def test_a_letter_after_another_process_changed_the_mailbox_categories_is_checked_against_the_new_ones(
        client, targets, backend):
    """A category added since this process read the mailbox is taken at once; one taken away is refused."""
    letter = {**LETTER, "mailbox_id": targets.mailbox_id}
    assert client.post("/api/v1/letters", json={**letter, "email": "first@example.org"}).status_code == 201
    _change_mailbox(backend, targets, categories=["complaint", "suggestion"])
    taken = client.post("/api/v1/letters", json={**letter, "category": "suggestion", "email": "second@example.org"})
    assert taken.status_code == 201
    _change_mailbox(backend, targets, categories=["suggestion"])
    refused = client.post("/api/v1/letters", json={**letter, "email": "third@example.org"})
    assert is_problem(refused, 409) and "category" in refused.get_json()["errors"]
    assert _count(Letter) == 2
    assert db.session.scalar(sa.select(Mailbox.letter_count).where(Mailbox.id == targets.mailbox_id)) == 2


def test_a_comment_after_the_kept_closing_time_on_a_draft_extended_by_another_process_is_taken(
        client, targets, backend, monkeypatch):
    """This process keeps the draft with its first closing time; another process extends the consultation.
    Once the first closing time has passed, the next comment here is taken: the draft is read again before a
    refusal is said."""
    from consult.drafts import comments as comments_module

    url, body = f"/api/v1/drafts/{targets.draft_id}/comments", {"body": "建议明确办理时限。", "name": "王五"}
    assert client.post(url, json={**body, "email": "first@example.org"}).status_code == 201

    def extend():
        draft = db.session.get(Draft, targets.draft_id)
        draft.closes_at = draft.closes_at + timedelta(days=30)

    _in_another_process(backend, extend)
    db.session.commit()
    later = utcnow() + timedelta(days=31)  # past the first closing time, before the new one
    monkeypatch.setattr(comments_module, "utcnow", lambda: later)
    for n in range(2):
        answer = client.post(url, json={**body, "email": f"later{n}@example.org"})
        assert answer.status_code == 201, answer.get_json()
    assert _count(Comment) == 3
