"""Online interview rules: announcing one, the public's questions, moderating, recording answers, and the end,
when every question the officials did not answer becomes a tracked submission of the department.

Services add and flush, never commit; they refuse with :class:`consult.domain.DomainError`. Who may act is
asked of :mod:`consult.authz` here, so the pages and the JSON API get the same answer.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from consult import uploads
from consult.accounts.models import Department, User
from consult.authz import edits_interviews, require_interview_moderator
from consult.contacts import normalize_email, normalize_phone
from consult.database import is_sqlite, utcnow
from consult.domain import DomainError, FieldErrors
from consult.extensions import db
from consult.interviews.kind import create_question_submission
from consult.interviews.models import (
    ANSWER, ANSWERED, ARCHIVED, ATTACHMENT_OWNER, ENDED, LIVE, NOT_PUT, QUESTION, SCHEDULED, SELECTED, SUBMITTED,
    Answer, AnswerFile, Interview, Official, Question, TranscriptEntry,
)  # fmt: skip
from consult.localtime import as_utc, local_date
from consult.tracking.services import receive_once

TITLE_MAX, NAME_MAX, OFFICIAL_TITLE_MAX = 200, 40, 120
QUESTION_MAX, ANSWER_MAX, NOTE_MAX, SUMMARY_MAX = 2000, 20000, 1000, 20000
MAX_OFFICIALS, MAX_FILES = 8, 6
FORGOTTEN_AFTER = timedelta(days=1)  # an interview nobody ended is ended by the daily run this long after its end


# --- the announcement -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OfficialLine:
    name: str
    title: str


def parse_officials(text: str) -> list[OfficialLine]:
    """Officials typed one a line as ``name, title`` (``张明，县教育局局长``; a Chinese or an ASCII comma)."""
    lines = []
    for raw in (text or "").splitlines():
        raw = raw.strip()
        if not raw:
            continue
        name, _sep, title = raw.replace("，", ",").partition(",")
        lines.append(OfficialLine(name.strip(), title.strip()))
    return lines


def check_announcement(values: dict, officials: list[OfficialLine]) -> None:
    """Every problem of an announcement at once; writes nothing."""
    problems = FieldErrors()
    title = (values.get("title") or "").strip()
    if not title:
        problems.add("title", _l("Please enter a topic."))
    elif len(title) > TITLE_MAX:
        problems.add("title", _l("At most %(max)d characters.", max=TITLE_MAX))
    if values.get("department_id") is None or db.session.get(Department, values["department_id"]) is None:
        problems.add("department_id", _l("Please choose a department."))
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if starts is None:
        problems.add("starts_at", _l("Please enter a date and time."))
    if ends is None:
        problems.add("ends_at", _l("Please enter a date and time."))
    elif starts is not None and as_utc(ends) <= as_utc(starts):
        problems.add("ends_at", _l("The interview must end after it starts."))
    if not officials:
        problems.add("officials", _l("Name at least one official, one a line: name, title."))
    elif len(officials) > MAX_OFFICIALS:
        problems.add("officials", _l("At most %(n)s officials.", n=MAX_OFFICIALS))
    elif any(not o.name or len(o.name) > NAME_MAX or len(o.title) > OFFICIAL_TITLE_MAX for o in officials):
        problems.add("officials", _l("Each line needs a name (at most 40 characters), then a comma and the title."))
    problems.raise_if_any(status=422)


def save_interview(interview: Interview | None, values: dict, officials: list[OfficialLine], *,
                   actor: User) -> Interview:
    """Announce an interview (``interview`` None) or edit its announcement: topic, description, department,
    time and officials. Only editors and admins; an archived interview is no longer edited."""
    if not edits_interviews(actor):
        raise DomainError(_l("Only editors can announce online interviews."), status=403)
    if interview is not None and interview.status == ARCHIVED:
        raise DomainError(_l("An archived interview can no longer be edited."), status=409)
    check_announcement(values, officials)
    if interview is None:
        interview = Interview(created_by_id=actor.id, status=SCHEDULED)
        db.session.add(interview)
    interview.title = values["title"].strip()
    interview.description = (values.get("description") or "").strip()
    interview.department_id = values["department_id"]
    interview.starts_at, interview.ends_at = as_utc(values["starts_at"]), as_utc(values["ends_at"])
    interview.officials = [Official(position=at, name=o.name, title=o.title) for at, o in enumerate(officials)]
    db.session.flush()
    return interview


def lock_interview(interview_id: int) -> Interview:
    """Lock the interview's row for the rest of the transaction (questions and the end take turns on it)."""
    if is_sqlite(db.session):
        table = Interview.__table__
        db.session.execute(sa.update(table).where(table.c.id == interview_id).values(id=table.c.id))
    interview = db.session.get(Interview, interview_id, with_for_update=True, populate_existing=True)
    if interview is None:
        raise DomainError(_l("This interview does not exist."), status=404)
    return interview


# --- the public's questions ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckedQuestion:
    body: str
    name: str
    phone: str
    email: str


def check_question(interview: Interview, *, body: str, name: str, phone: str = "", email: str = "") -> CheckedQuestion:
    """Every problem of a question at once (one DomainError naming each field); writes nothing. An
    interview that has ended takes no more questions (409)."""
    if not interview.accepts_questions:
        raise DomainError(_l("This interview has ended and takes no more questions."), status=409)
    problems = FieldErrors()
    body, name = (body or "").strip(), (name or "").strip()
    if not body:
        problems.add("body", _l("Please write your question."))
    elif len(body) > QUESTION_MAX:
        problems.add("body", _l("At most %(max)d characters.", max=QUESTION_MAX))
    if not name:
        problems.add("name", _l("Please enter your name."))
    elif len(name) > NAME_MAX:
        problems.add("name", _l("At most %(max)d characters.", max=NAME_MAX))
    normalized_phone = normalize_phone(phone)
    if normalized_phone is None:
        problems.add("phone", _l("Please enter a mainland China mobile or landline number, e.g. 13800138000."))
    normalized_email = normalize_email(email)
    if normalized_email is None:
        problems.add("email", _l("Please enter a valid e-mail address."))
    if not normalized_phone and not normalized_email and "phone" not in problems and "email" not in problems:
        problems.add("phone", _l("Please give a phone number or an e-mail address so we can reach you."))
    problems.raise_if_any(status=422)
    return CheckedQuestion(body, name, normalized_phone or "", normalized_email or "")


@dataclass(frozen=True)
class QuestionReceipt:
    question: Question
    duplicate: bool  # the same form had already been sent: this is the first question


def ask_question(interview: Interview, *, body: str, name: str, phone: str = "", email: str = "",
                 form_token: str, user: User | None = None, locale: str | None = None,
                 notify_by: str | None = None, now: datetime | None = None) -> QuestionReceipt:
    """A citizen's question before or during the interview, received through the intake kit's
    :func:`~consult.tracking.intake.receive_once` (the token kept on the question: it becomes a submission only
    if it is still unanswered at the end). The same form sent twice gives the first question back. The
    interview's row is locked while the question is added, so a question is either in before the interview
    ends (and is answered or tracked) or refused."""
    checked: CheckedQuestion | None = None

    def check() -> None:
        nonlocal checked
        checked = check_question(interview, body=body, name=name, phone=phone, email=email)

    def create(token: str) -> QuestionReceipt:
        locked = lock_interview(interview.id)
        if not locked.accepts_questions:
            raise DomainError(_l("This interview has ended and takes no more questions."), status=409)
        question = Question(interview_id=locked.id, user_id=user.id if user is not None else None,
                            name=checked.name, phone=checked.phone, email=checked.email, body=checked.body,
                            notify_by=notify_by, locale=locale, form_token=token, status=SUBMITTED,
                            created_at=now or utcnow())
        db.session.add(question)
        db.session.flush()
        return QuestionReceipt(question, False)

    return receive_once(form_token, find=question_with_token, check=check, create=create,
                        receipt_of=lambda first: QuestionReceipt(first, True))


def question_with_token(form_token: str) -> Question | None:
    """The question sent from the form with this one-time token, if any."""
    return db.session.scalar(sa.select(Question).where(Question.form_token == form_token))


# --- moderating -------------------------------------------------------------------------------------------
def _moderating(interview: Interview, actor: User) -> None:
    require_interview_moderator(actor, interview.department_id)


def start_interview(interview: Interview, *, actor: User, now: datetime | None = None) -> Interview:
    """The session begins: answers may be recorded, questions keep coming."""
    _moderating(interview, actor)
    interview = lock_interview(interview.id)
    if interview.status != SCHEDULED:
        raise DomainError(_l("Only a scheduled interview can start."), status=409)
    interview.status, interview.started_at = LIVE, now or utcnow()
    db.session.flush()
    return interview


def select_question(question: Question, *, actor: User, now: datetime | None = None) -> TranscriptEntry:
    """Put a question to the officials: it enters the transcript, where an answer will follow it."""
    interview = question.interview
    _moderating(interview, actor)
    if interview.status != LIVE:
        raise DomainError(_l("Questions are put to the officials while the interview is live."), status=409)
    if question.status not in (SUBMITTED, NOT_PUT):
        raise DomainError(_l("This question has already been put to the officials."), status=409)
    now = now or utcnow()
    question.status, question.decided_at, question.decided_by_id = SELECTED, now, actor.id
    entry = TranscriptEntry(interview_id=interview.id, kind=QUESTION, question_id=question.id, created_at=now)
    db.session.add(entry)
    db.session.flush()
    return entry


def set_aside_question(question: Question, *, note: str, actor: User, now: datetime | None = None) -> Question:
    """Decide not to put a question (off topic, already asked …), with a note for staff. It is still
    answered afterwards: when the interview ends it becomes a tracked submission like any unanswered one."""
    interview = question.interview
    _moderating(interview, actor)
    if interview.status not in (SCHEDULED, LIVE):
        raise DomainError(_l("The interview has ended."), status=409)
    if question.status != SUBMITTED:
        raise DomainError(_l("Only a question waiting for the moderator can be set aside."), status=409)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(_l("At most %(max)d characters.", max=NOTE_MAX), field="note", status=422)
    question.status, question.moderator_note = NOT_PUT, note
    question.decided_at, question.decided_by_id = now or utcnow(), actor.id
    db.session.flush()
    return question


def check_answer(interview: Interview, *, official_id: int | None, body: str,
                 files: Sequence[FileStorage] = ()) -> Official:
    """Every problem of an answer at once; the official who gave it."""
    problems = FieldErrors()
    official = next((o for o in interview.officials if o.id == official_id), None)
    if official is None:
        problems.add("official_id", _l("Please choose the official who answered."))
    body = (body or "").strip()
    if not body:
        problems.add("body", _l("Please write the answer."))
    elif len(body) > ANSWER_MAX:
        problems.add("body", _l("At most %(max)d characters.", max=ANSWER_MAX))
    if len([f for f in files if f is not None and f.filename]) > MAX_FILES:
        problems.add("files", _l("At most %(n)s files.", n=MAX_FILES))
    problems.raise_if_any(status=422)
    return official


def record_answer(interview: Interview, *, question: Question | None, official_id: int | None, body: str,
                  files: Sequence[FileStorage] = (), actor: User, now: datetime | None = None) -> TranscriptEntry:
    """Record what an official said, as it is said: to a question put to them, or on their own (an opening
    statement). It appears on the live page at once. Images and documents go through the upload checks."""
    _moderating(interview, actor)
    if interview.status != LIVE:
        raise DomainError(_l("Answers are recorded while the interview is live."), status=409)
    if question is not None and (question.interview_id != interview.id or question.status != SELECTED):
        raise DomainError(_l("Put the question to the officials before recording its answer."), status=409)
    official = check_answer(interview, official_id=official_id, body=body, files=files)
    answer = Answer(interview_id=interview.id, question_id=question.id if question else None,
                    official_name=official.name, official_title=official.title, body=body.strip(),
                    recorded_by_id=actor.id, created_at=now or utcnow())
    for position, file in enumerate(f for f in files if f is not None and f.filename):
        try:
            attachment = uploads.save_upload(file, owner=ATTACHMENT_OWNER, uploaded_by=actor)
        except DomainError as error:
            raise DomainError(error.message, field="files", status=422) from None
        answer.files.append(AnswerFile(attachment=attachment, position=position))
    db.session.add(answer)
    db.session.flush()
    if question is not None:
        question.status = ANSWERED
    entry = TranscriptEntry(interview_id=interview.id, kind=ANSWER, answer_id=answer.id, created_at=answer.created_at)
    db.session.add(entry)
    db.session.flush()
    return entry


def end_interview(interview: Interview, *, actor: User, now: datetime | None = None) -> list[Question]:
    """The session is over: no more questions or answers, and every question the officials did not answer
    becomes a tracked submission of the department, its asker told the tracking number. Returns those."""
    _moderating(interview, actor)
    interview = lock_interview(interview.id)
    if interview.status not in (SCHEDULED, LIVE):
        raise DomainError(_l("This interview has already ended."), status=409)
    return _end(interview, now or utcnow())


def _end(interview: Interview, now: datetime) -> list[Question]:
    interview.status, interview.ended_at = ENDED, now
    interview.started_at = interview.started_at or now
    db.session.flush()
    return track_unanswered(interview, now=now)


def end_forgotten_interviews(now: datetime | None = None) -> list[Interview]:
    """End the interviews nobody ended a day after their announced end (``flask remind``), so that their
    questions are tracked all the same. Returns the interviews ended."""
    now = now or utcnow()
    overdue = list(db.session.scalars(
        sa.select(Interview.id).where(Interview.status.in_((SCHEDULED, LIVE)),
                                      Interview.ends_at < now - FORGOTTEN_AFTER).order_by(Interview.id)))
    ended = []
    for interview_id in overdue:
        interview = lock_interview(interview_id)
        if interview.status in (SCHEDULED, LIVE):
            _end(interview, now)
            ended.append(interview)
    return ended


def track_unanswered(interview: Interview, *, now: datetime | None = None) -> list[Question]:
    """Make each question of an ended interview that was not answered and is not yet tracked a submission
    of the interview's department, due by the kind's usual window counted from the end. Safe to run again."""
    now = now or utcnow()
    waiting = list(db.session.scalars(
        sa.select(Question)
        .where(Question.interview_id == interview.id, Question.status != ANSWERED, Question.submission_id.is_(None))
        .order_by(Question.id)
    ))
    for question in waiting:
        question.submission_id = create_question_submission(interview, question, ended_on=local_date(now)).id
    db.session.flush()
    return waiting


def archive_interview(interview: Interview, *, summary: str, actor: User, now: datetime | None = None) -> Interview:
    """Publish the ended interview as an archived transcript with its summary."""
    _moderating(interview, actor)
    if interview.status != ENDED:
        raise DomainError(_l("Only an ended interview can be archived."), status=409)
    summary = (summary or "").strip()
    if len(summary) > SUMMARY_MAX:
        raise DomainError(_l("At most %(max)d characters.", max=SUMMARY_MAX), field="summary", status=422)
    interview.summary, interview.status, interview.archived_at = summary, ARCHIVED, now or utcnow()
    db.session.flush()
    return interview


# --- files ---------------------------------------------------------------------------------------------
def _file_access(attachment: uploads.Attachment):
    """An answer's files are public once the answer is on the transcript (it is as soon as it is recorded)."""
    linked = db.session.scalar(sa.select(AnswerFile.answer_id).where(AnswerFile.attachment_id == attachment.id))
    return uploads.PUBLIC if linked is not None else None


uploads.register_access_check(ATTACHMENT_OWNER, _file_access)
