"""Read-side selects shared by the interview pages, the stream and the JSON API: listings by cursor, the
transcript in order, the moderator's queues, and the cheap stamp that tells whether anything changed."""

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts.models import User
from consult.authz import edits_interviews
from consult.contacts import mask_name, redact_text
from consult.database import read_row
from consult.extensions import db
from consult.interviews.models import (
    ANSWER, ARCHIVED, ENDED, LIVE, QUESTION, QUESTION_STATUSES, SCHEDULED, Answer, AnswerFile, Interview, Question,
    TranscriptEntry,
)  # fmt: skip
from consult.pagination import Page, paginate
from consult.text import render_markdown, render_plain

UPCOMING, PAST = "upcoming", "past"


def public_interviews(*, which: str, cursor: str | None, per_page: int = 20) -> Page:
    """Interviews for the public: live and scheduled ones (soonest first), or ended and archived ones
    (latest first), a keyset page."""
    query = sa.select(Interview).options(joinedload(Interview.department), selectinload(Interview.officials))
    if which == PAST:
        query = query.where(Interview.status.in_((ENDED, ARCHIVED)))
        order = [Interview.starts_at.desc(), Interview.id.desc()]
    else:
        query = query.where(Interview.status.in_((SCHEDULED, LIVE)))
        order = [Interview.starts_at, Interview.id]
    return paginate(db.session, query, order, cursor, per_page=per_page)


def managed_interviews(user: User, *, cursor: str | None, per_page: int = 50) -> Page:
    """The interviews ``user`` moderates (editors and admins: all), latest first."""
    query = sa.select(Interview).options(joinedload(Interview.department))
    if not edits_interviews(user):
        query = query.where(Interview.department_id == user.department_id)
    return paginate(db.session, query, [Interview.starts_at.desc(), Interview.id.desc()], cursor, per_page=per_page)


def question_counts(interview_ids: list[int]) -> dict[int, dict[str, int]]:
    """``{interview id: {status: number of questions}}`` in one query, plus ``tracked``."""
    counts: dict[int, dict[str, int]] = {i: {s: 0 for s in (*QUESTION_STATUSES, "tracked")} for i in interview_ids}
    if not interview_ids:
        return counts
    rows = db.session.execute(
        sa.select(Question.interview_id, Question.status, sa.func.count(), sa.func.count(Question.submission_id))
        .where(Question.interview_id.in_(interview_ids))
        .group_by(Question.interview_id, Question.status)
    )
    for interview_id, status, number, tracked in rows:
        counts[interview_id][status] = number
        counts[interview_id]["tracked"] += tracked
    return counts


def questions(interview: Interview, status: str, *, cursor: str | None, per_page: int = 50) -> Page:
    """The moderator's queue of one status, in the order questions arrived."""
    query = sa.select(Question).where(Question.interview_id == interview.id, Question.status == status)
    return paginate(db.session, query, [Question.id], cursor, per_page=per_page)


@dataclass(frozen=True)
class ShownEntry:
    """One transcript entry as the public sees it: no asker's name beyond its mask, no contact details."""

    id: int
    kind: str
    speaker: str
    speaker_title: str
    html: Markup
    text: str
    created_at: datetime
    question_id: int | None
    files: list


def _shown(entry: TranscriptEntry) -> ShownEntry:
    if entry.kind == QUESTION:
        question = entry.question
        text = redact_text(question.body, name=question.name, phone=question.phone, email=question.email)
        return ShownEntry(entry.id, QUESTION, mask_name(question.name), "", render_plain(text), text,
                          entry.created_at, question.id, [])
    answer = entry.answer
    return ShownEntry(entry.id, ANSWER, answer.official_name, answer.official_title, render_markdown(answer.body),
                      answer.body, entry.created_at, answer.question_id, [f.attachment for f in answer.files])


def transcript(interview_id: int, *, after_id: int = 0, limit: int | None = None) -> list[ShownEntry]:
    """The transcript in order, from the entry after ``after_id``: questions and answers, with the answers'
    files (a fixed number of queries, however long it is)."""
    query = (
        sa.select(TranscriptEntry)
        .where(TranscriptEntry.interview_id == interview_id, TranscriptEntry.id > after_id)
        .order_by(TranscriptEntry.id)
        .options(joinedload(TranscriptEntry.question),
                 joinedload(TranscriptEntry.answer).selectinload(Answer.files).joinedload(AnswerFile.attachment))
    )
    if limit is not None:
        query = query.limit(limit)
    return [_shown(entry) for entry in db.session.scalars(query).unique()]


STAMP_SQL = ("SELECT status, updated_at, (SELECT MAX(id) FROM interview_transcript WHERE interview_id = ?) "
             "FROM interviews WHERE id = ?")


def stamp(engine, interview_id: int) -> Hashable:
    """What decides an interview's public page: its status and last change, and its newest transcript
    entry. One small read on the thread's own connection (consult.database.read_row), for the page cache
    and for the stream's polling."""
    row = read_row(engine, STAMP_SQL, (interview_id, interview_id))
    return tuple(str(value) for value in row) if row is not None else None


def newest_entry_id(engine, interview_id: int) -> tuple[str | None, int]:
    """(status, id of the newest transcript entry or 0), as cheaply as :func:`stamp`."""
    row = read_row(engine, STAMP_SQL, (interview_id, interview_id))
    if row is None:
        return None, 0
    return row[0], int(row[2] or 0)
