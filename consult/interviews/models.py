"""Online interviews (在线访谈): a session with named officials on a topic, the public's questions to it, the
officials' answers and the transcript in the order things were said.

An interview goes ``scheduled`` → ``live`` → ``ended`` → ``archived``. A question is ``submitted`` by a
citizen; the moderator ``selected`` it (put it to the officials, so it enters the transcript) or decided it
is ``not_put``; an official's answer makes it ``answered``. When the interview ends, every question not
answered becomes a tracked submission of the department (``submission_id``), so none is dropped.
"""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Department, User
from consult.database import utcnow
from consult.extensions import db
from consult.uploads import Attachment

SCHEDULED, LIVE, ENDED, ARCHIVED = "scheduled", "live", "ended", "archived"
STATUSES = (SCHEDULED, LIVE, ENDED, ARCHIVED)
STATUS_LABELS = {SCHEDULED: _l("Scheduled"), LIVE: _l("Live now"), ENDED: _l("Ended"), ARCHIVED: _l("Archived")}
ASKING_STATUSES = (SCHEDULED, LIVE)  # citizens may send questions before and during the session

SUBMITTED, SELECTED, ANSWERED, NOT_PUT = "submitted", "selected", "answered", "not_put"
QUESTION_STATUSES = (SUBMITTED, SELECTED, ANSWERED, NOT_PUT)
QUESTION_STATUS_LABELS = {
    SUBMITTED: _l("Waiting for the moderator"),
    SELECTED: _l("Put to the officials"),
    ANSWERED: _l("Answered"),
    NOT_PUT: _l("Not put"),
}

QUESTION, ANSWER = "question", "answer"
ENTRY_KINDS = (QUESTION, ANSWER)
ATTACHMENT_OWNER = "interview"


def _utc(**kwargs) -> Mapped:
    return mapped_column(sa.DateTime(timezone=True), **kwargs)


class Interview(db.Model):
    """One online interview: its topic, department, officials and time, and where it stands."""

    __tablename__ = "interviews"
    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(STATUSES), name="status_known"),
        sa.CheckConstraint(sa.column("ends_at") > sa.column("starts_at"), name="ends_after_start"),
        sa.Index("ix_interviews_listing", "starts_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown: what the interview is about
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    starts_at: Mapped[datetime] = _utc()
    ends_at: Mapped[datetime] = _utc()
    status: Mapped[str] = mapped_column(sa.String(12), default=SCHEDULED)
    summary: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown, written when it is archived
    started_at: Mapped[Optional[datetime]] = _utc()
    ended_at: Mapped[Optional[datetime]] = _utc()
    archived_at: Mapped[Optional[datetime]] = _utc()
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = _utc(default=utcnow)
    updated_at: Mapped[datetime] = _utc(default=utcnow, onupdate=utcnow)

    department: Mapped[Department] = relationship()
    officials: Mapped[list["Official"]] = relationship(
        back_populates="interview", order_by="Official.position", cascade="all, delete-orphan")

    @property
    def accepts_questions(self) -> bool:
        return self.status in ASKING_STATUSES

    def __repr__(self) -> str:
        return f"<Interview {self.id} {self.status}>"


class Official(db.Model):
    """An official taking part, by name and title (职务), in the order announced."""

    __tablename__ = "interview_officials"

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(sa.ForeignKey("interviews.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(80))
    title: Mapped[str] = mapped_column(sa.String(120), default="")

    interview: Mapped[Interview] = relationship(back_populates="officials")


class Question(db.Model):
    """A citizen's question to an interview. Name and contact details never reach a public page."""

    __tablename__ = "interview_questions"
    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(QUESTION_STATUSES), name="status_known"),
        # The moderator's lists by status, in the order questions arrived.
        sa.Index("ix_interview_questions_status", "interview_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(sa.ForeignKey("interviews.id"))
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    phone: Mapped[str] = mapped_column(sa.String(32), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    notify_by: Mapped[Optional[str]] = mapped_column(sa.String(8))
    locale: Mapped[Optional[str]] = mapped_column(sa.String(8))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(12), default=SUBMITTED)
    moderator_note: Mapped[str] = mapped_column(sa.Text, default="")  # for staff only
    # The form's one-time token: the same form sent twice is the same question.
    form_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = _utc(default=utcnow)
    decided_at: Mapped[Optional[datetime]] = _utc()
    decided_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    # The tracked submission it became when the interview ended without answering it.
    submission_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("submissions.id"), unique=True)

    interview: Mapped[Interview] = relationship()
    user: Mapped[Optional[User]] = relationship(foreign_keys=[user_id])


class Answer(db.Model):
    """What an official said, as the moderator recorded it: Markdown, with images and attachments."""

    __tablename__ = "interview_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(sa.ForeignKey("interviews.id"), index=True)
    question_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("interview_questions.id"), index=True)
    official_name: Mapped[str] = mapped_column(sa.String(80))
    official_title: Mapped[str] = mapped_column(sa.String(120), default="")
    body: Mapped[str] = mapped_column(sa.Text)
    recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = _utc(default=utcnow)

    files: Mapped[list["AnswerFile"]] = relationship(order_by="AnswerFile.position", cascade="all, delete-orphan")


class AnswerFile(db.Model):
    """An image or document shown with an answer (stored through consult.uploads)."""

    __tablename__ = "interview_answer_files"

    answer_id: Mapped[int] = mapped_column(sa.ForeignKey("interview_answers.id"), primary_key=True)
    attachment_id: Mapped[int] = mapped_column(sa.ForeignKey("attachments.id"), primary_key=True, unique=True)
    position: Mapped[int] = mapped_column(default=0)

    attachment: Mapped[Attachment] = relationship()


class TranscriptEntry(db.Model):
    """One step of the transcript, in order (``id``): a question put to the officials, or an answer."""

    __tablename__ = "interview_transcript"
    __table_args__ = (
        sa.CheckConstraint(sa.column("kind").in_(ENTRY_KINDS), name="kind_known"),
        # The live page and the stream: WHERE interview_id = ? AND id > ? ORDER BY id.
        sa.Index("ix_interview_transcript_order", "interview_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(sa.ForeignKey("interviews.id"))
    kind: Mapped[str] = mapped_column(sa.String(12))
    question_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("interview_questions.id"))
    answer_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("interview_answers.id"), unique=True)
    created_at: Mapped[datetime] = _utc(default=utcnow)

    question: Mapped[Optional[Question]] = relationship()
    answer: Mapped[Optional[Answer]] = relationship()
