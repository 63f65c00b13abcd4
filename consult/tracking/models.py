"""Tracked submissions, their append-only timeline, extension requests, replies and reply templates.

A :class:`Submission` is kind-agnostic: letters, comments, information requests and open-day questions
each add their own 1:1 detail row pointing at ``submissions.id``. Overdue, due soon and very overdue are
never stored: they are predicates on the stored dates (``due_on``, ``due_soon_on``, ``very_overdue_on``)
against "today" in the configured zone, available both in Python and in SQL (hybrid methods).
"""

from datetime import date, datetime
from functools import cache
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from consult.accounts.models import Department, User
from consult.contacts import phone_key
from consult.database import utcnow
from consult.extensions import db
from consult.tracking import notes

# --- submission kinds and statuses (DESIGN.md §2) ---------------------------------------------------
LETTER, COMMENT, DISCLOSURE, EVENT_QUESTION = "letter", "comment", "disclosure", "event_question"
INTERVIEW_QUESTION = "interview"  # a question to an online interview that was not answered during it
KINDS = (LETTER, COMMENT, DISCLOSURE, EVENT_QUESTION, INTERVIEW_QUESTION)

RECEIVED, ASSIGNED, NEEDS_INFO, ANSWERED = "received", "assigned", "needs_info", "answered"
REOPENED, CLOSED, DISMISSED = "reopened", "closed", "dismissed"
STATUSES = (RECEIVED, ASSIGNED, NEEDS_INFO, ANSWERED, REOPENED, CLOSED, DISMISSED)
OPEN_STATUSES = (RECEIVED, ASSIGNED, NEEDS_INFO, REOPENED)  # waiting for the department

# The national 好差评 scale (国办发〔2019〕51号), best first. The three older codes keep their meaning.
VERY_SATISFIED, SATISFIED, BASICALLY_SATISFIED = "very_satisfied", "satisfied", "basically_satisfied"
UNSATISFIED, VERY_UNSATISFIED = "unsatisfied", "very_unsatisfied"
SATISFACTION_LEVELS = (VERY_SATISFIED, SATISFIED, BASICALLY_SATISFIED, UNSATISFIED, VERY_UNSATISFIED)
GOOD_LEVELS = (VERY_SATISFIED, SATISFIED, BASICALLY_SATISFIED)  # counted as satisfied (满意率)
POOR_LEVELS = (UNSATISFIED, VERY_UNSATISFIED)  # 差评: opens a rectification task

# --- replies -------------------------------------------------------------------------------------------
DRAFT, PENDING_REVIEW, APPROVED, RETURNED = "draft", "pending_review", "approved", "returned"
REPLY_STATUSES = (DRAFT, PENDING_REVIEW, APPROVED, RETURNED)

# --- extension requests ----------------------------------------------------------------------------
PENDING, DECLINED = "pending", "declined"
EXTENSION_STATUSES = (PENDING, APPROVED, DECLINED)


def _utc_column(**kwargs) -> Mapped:
    return mapped_column(sa.DateTime(timezone=True), **kwargs)


class TrackingCounter(db.Model):
    """The last sequence number handed out per kind prefix and local day (atomic upsert + increment)."""

    __tablename__ = "tracking_counters"

    prefix: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class Submission(db.Model):
    """Anything a citizen sends that must be answered by a due date counted in working days."""

    __tablename__ = "submissions"
    __table_args__ = (
        sa.CheckConstraint(sa.column("kind").in_(KINDS), name="kind_known"),
        sa.CheckConstraint(sa.column("status").in_(STATUSES), name="status_known"),
        sa.CheckConstraint(
            sa.or_(sa.column("satisfaction").is_(None), sa.column("satisfaction").in_(SATISFACTION_LEVELS)),
            name="satisfaction_known",
        ),
        # The department inbox: WHERE department_id = ? AND status IN (open) ORDER BY due_on, id.
        sa.Index("ix_submissions_inbox", "department_id", "status", "due_on", "id"),
        # The same inbox of open submissions (the default view, and overdue / due soon) on PostgreSQL, already
        # in due-date order: the first page reads its rows and stops, instead of gathering every open
        # submission of the department and sorting them. SQLite cannot match a partial index to a bound IN list.
        sa.Index("ix_submissions_open_due", "department_id", "due_on", "id",
                 postgresql_where=sa.column("status").in_(OPEN_STATUSES)).ddl_if(dialect="postgresql"),
        # Reminders: every threshold (due soon <= overdue <= very overdue) starts at due_soon_on.
        sa.Index("ix_submissions_reminders", "status", "due_soon_on"),
        # Auto-closing answers nobody rated.
        sa.Index("ix_submissions_answered", "status", "answered_at"),
        # Statistics: WHERE received_at >= ? GROUP BY department_id, kind (consult.stats).
        sa.Index("ix_submissions_stats", "received_at", "department_id", "kind"),
        # The same text sent again (consult.tracking.intake.find_duplicate): WHERE content_key = ? AND received_at > ?.
        sa.Index("ix_submissions_content_key", "content_key", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_no: Mapped[str] = mapped_column(sa.String(24), unique=True)
    query_code_salt: Mapped[str] = mapped_column(sa.String(32))
    query_code_hash: Mapped[str] = mapped_column(sa.String(64))  # SHA-256(salt + code), hex
    kind: Mapped[str] = mapped_column(sa.String(16))
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"))
    assignee_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"), index=True)

    # Submitter: an account, or a name and contact details (anonymous letters may leave them empty).
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"), index=True)
    submitter_name: Mapped[str] = mapped_column(sa.String(80), default="")
    submitter_email: Mapped[str] = mapped_column(sa.String(254), default="")
    submitter_phone: Mapped[str] = mapped_column(sa.String(32), default="")
    # The phone's digits (consult.contacts.phone_key), kept in step with submitter_phone: finds a
    # citizen's submissions by their verified number.
    submitter_phone_key: Mapped[Optional[str]] = mapped_column(sa.String(32), index=True)
    # How the citizen asked to be told of progress: "mail" or "sms"; None: by e-mail if they left an
    # address, else by SMS to a mobile number (consult.tracking.mails).
    notify_by: Mapped[Optional[str]] = mapped_column(sa.String(8))
    locale: Mapped[Optional[str]] = mapped_column(sa.String(8))  # the submitter's language, for mails

    subject: Mapped[str] = mapped_column(sa.String(200), default="")
    body: Mapped[str] = mapped_column(sa.Text)
    # SHA-256 of kind, target and normalised subject and text, to recognise the same submission sent twice.
    content_key: Mapped[Optional[str]] = mapped_column(sa.String(64))
    # The one-time token of the form it came from (consult.tracking.intake.receive_once): the same form sent
    # twice is one submission. NULL only for rows received before the column existed without a token.
    form_token: Mapped[Optional[str]] = mapped_column(sa.String(64), unique=True)
    is_public: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(16), default=RECEIVED)

    # Deadlines: due_on = add_workdays(clock_start_on, window_workdays + extension_workdays).
    received_at: Mapped[datetime] = _utc_column(default=utcnow)
    clock_start_on: Mapped[date]  # local date the count starts after (day 1 is the next working day)
    window_workdays: Mapped[int]
    extension_workdays: Mapped[int] = mapped_column(default=0)
    due_on: Mapped[date]
    due_soon_on: Mapped[date]  # first day it counts as due soon (3 working days before due_on)
    very_overdue_on: Mapped[date]  # first day it counts as very overdue (a whole window past due_on)
    estimated_due: Mapped[bool] = mapped_column(default=False)  # due date relies on the Mon–Fri estimate
    # The local day the clock stopped while a third party is consulted (information requests); None while it runs.
    clock_paused_since: Mapped[Optional[date]]

    # The first time staff acted on it (assigned, transferred, asked for information, answered, dismissed),
    # and the minutes from receipt to then that fell on working days (the 响应率 counts these).
    responded_at: Mapped[Optional[datetime]] = _utc_column()
    response_minutes: Mapped[Optional[int]]

    answered_at: Mapped[Optional[datetime]] = _utc_column()
    # Set with answered_at, for statistics: the local date of the answer and the working days it took
    # from the local date of receipt (consult.stats aggregates these instead of loading rows).
    answered_on: Mapped[Optional[date]]
    answered_workdays: Mapped[Optional[int]]
    closed_at: Mapped[Optional[datetime]] = _utc_column()
    # Why it was dismissed, shown to the citizen: typed by staff, or the system's words (consult.tracking.notes).
    dismissal_reason_text: Mapped[Optional[str]] = mapped_column("dismissal_reason", sa.Text)
    dismissal_reason_message: Mapped[Optional[dict]] = mapped_column(sa.JSON)

    # The citizen's verdict on the latest answer.
    satisfaction: Mapped[Optional[str]] = mapped_column(sa.String(24))
    resolved: Mapped[Optional[bool]]
    satisfaction_comment: Mapped[str] = mapped_column(sa.Text, default="")
    rated_at: Mapped[Optional[datetime]] = _utc_column()
    # An admin upheld the department's appeal against the current rating: it no longer counts in the rates.
    rating_removed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    reopen_count: Mapped[int] = mapped_column(default=0)

    department: Mapped[Department] = relationship(foreign_keys=[department_id])
    assignee: Mapped[Optional[User]] = relationship(foreign_keys=[assignee_id])
    user: Mapped[Optional[User]] = relationship(foreign_keys=[user_id])
    events: Mapped[list["TimelineEvent"]] = relationship(
        back_populates="submission", order_by="TimelineEvent.id", passive_deletes="all"
    )
    replies: Mapped[list["Reply"]] = relationship(
        secondary="reply_submissions", order_by="Reply.id", viewonly=True
    )

    @property
    def dismissal_reason(self) -> str:
        """Why it was dismissed, in the reader's language ("" if it was not)."""
        return notes.shown(self.dismissal_reason_message, self.dismissal_reason_text or "")

    @dismissal_reason.setter
    def dismissal_reason(self, note: "notes.Note | str") -> None:
        self.dismissal_reason_text, self.dismissal_reason_message = notes.stored(note)

    @property
    def is_open(self) -> bool:
        """Whether the department still owes an answer."""
        return self.status in OPEN_STATUSES

    @hybrid_property
    def clock_stopped(self) -> bool:
        """No deadline is running: paused for a third party's opinion, or waiting for information that
        restarts the count when it arrives. Such a submission is never due soon or overdue."""
        return self.clock_paused_since is not None or (self.status == NEEDS_INFO and self.kind in _restarting_kinds())

    @clock_stopped.inplace.expression
    @classmethod
    def _clock_stopped_expression(cls) -> sa.ColumnElement[bool]:
        return sa.or_(
            cls.clock_paused_since.is_not(None), sa.and_(cls.status == NEEDS_INFO, cls.kind.in_(_restarting_kinds()))
        )

    @property
    def contact_email(self) -> str:
        """Where mails to the submitter go (the account's address wins), or ``""``."""
        account = self.user.email if self.user is not None else None
        return account or self.submitter_email or ""

    @property
    def contact_phone(self) -> str:
        """The number the submitter left, else their account's verified one, or ``""``."""
        return self.submitter_phone or (self.user.phone if self.user is not None else None) or ""

    @property
    def contact_verified(self) -> bool:
        """The phone left on the submission is one its account proved with a code (联系方式已验证)."""
        return bool(self.user is not None and self.user.phone and self.submitter_phone_key in (None, self.user.phone))

    @validates("submitter_phone")
    def _keep_phone_key(self, _key: str, value: str) -> str:
        self.submitter_phone_key = phone_key(value)
        return value

    @hybrid_method
    def is_due_soon(self, today: date) -> bool:
        """Open and due within 3 working days (not yet overdue)."""
        return self.is_open and not self.clock_stopped and self.due_soon_on <= today <= self.due_on

    @is_due_soon.inplace.expression
    @classmethod
    def _is_due_soon_expression(cls, today: date) -> sa.ColumnElement[bool]:
        return sa.and_(
            cls.status.in_(OPEN_STATUSES), sa.not_(cls.clock_stopped), cls.due_soon_on <= today, cls.due_on >= today
        )

    @hybrid_method
    def is_overdue(self, today: date) -> bool:
        """Open after its due date."""
        return self.is_open and not self.clock_stopped and today > self.due_on

    @is_overdue.inplace.expression
    @classmethod
    def _is_overdue_expression(cls, today: date) -> sa.ColumnElement[bool]:
        return sa.and_(cls.status.in_(OPEN_STATUSES), sa.not_(cls.clock_stopped), cls.due_on < today)

    @hybrid_method
    def is_very_overdue(self, today: date) -> bool:
        """Open for more than twice its window."""
        return self.is_open and not self.clock_stopped and today >= self.very_overdue_on

    @is_very_overdue.inplace.expression
    @classmethod
    def _is_very_overdue_expression(cls, today: date) -> sa.ColumnElement[bool]:
        return sa.and_(cls.status.in_(OPEN_STATUSES), sa.not_(cls.clock_stopped), cls.very_overdue_on <= today)

    def __repr__(self) -> str:
        return f"<Submission {self.tracking_no} {self.status}>"


@cache
def _restarting_kinds() -> tuple[str, ...]:
    """Kinds whose count starts again when requested information arrives (their registered policy)."""
    from consult.tracking import kinds

    return tuple(kind.code for kind in kinds.registered() if kind.policy.info_clock == "restart")


class TimelineEvent(db.Model):
    """One thing that happened to a submission. Append-only: the ORM refuses updates and deletes."""

    __tablename__ = "submission_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"), index=True)
    created_at: Mapped[datetime] = _utc_column(default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(sa.String(16))  # a user role, or "citizen" / "system"
    actor_label: Mapped[str] = mapped_column(sa.String(120), default="")
    action: Mapped[str] = mapped_column(sa.String(32))
    from_status: Mapped[Optional[str]] = mapped_column(sa.String(16))
    to_status: Mapped[Optional[str]] = mapped_column(sa.String(16))
    # Two notes, each typed by a person (text) or in the system's words (message, see consult.tracking.notes);
    # read them as ``public_note`` (shown to the citizen) and ``internal_note`` (staff only).
    public_note_text: Mapped[str] = mapped_column("public_note", sa.Text, default="")
    public_note_message: Mapped[Optional[dict]] = mapped_column(sa.JSON)
    internal_note_text: Mapped[str] = mapped_column("internal_note", sa.Text, default="")
    internal_note_message: Mapped[Optional[dict]] = mapped_column(sa.JSON)

    submission: Mapped[Submission] = relationship(back_populates="events")
    actor: Mapped[Optional[User]] = relationship()

    @property
    def public_note(self) -> str:
        """The note the citizen sees, in the reader's language."""
        return notes.shown(self.public_note_message, self.public_note_text)

    @property
    def internal_note(self) -> str:
        """The note for staff only, in the reader's language."""
        return notes.shown(self.internal_note_message, self.internal_note_text)

    @property
    def changes_status(self) -> bool:
        return self.from_status != self.to_status

    @property
    def is_public(self) -> bool:
        """Whether the citizen sees this event (status changes and events with a public note)."""
        return self.changes_status or bool(self.public_note_text or self.public_note_message)

    def __repr__(self) -> str:
        return f"<TimelineEvent {self.action} {self.from_status}->{self.to_status}>"


class ExtensionRequest(db.Model):
    """An officer's request for more working days, approved or declined by a reviewer."""

    __tablename__ = "extension_requests"
    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(EXTENSION_STATUSES), name="status_known"),
        sa.CheckConstraint(sa.column("workdays") > 0, name="workdays_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    workdays: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default=PENDING)
    created_at: Mapped[datetime] = _utc_column(default=utcnow)
    decided_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[Optional[datetime]] = _utc_column()
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")

    submission: Mapped[Submission] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[Optional[User]] = relationship(foreign_keys=[decided_by_id])


reply_submissions = sa.Table(
    "reply_submissions",
    db.metadata,
    sa.Column("reply_id", sa.ForeignKey("replies.id"), primary_key=True),
    sa.Column("submission_id", sa.ForeignKey("submissions.id"), primary_key=True, index=True),
)


class Reply(db.Model):
    """A department's answer to one or many submissions; goes out only after a reviewer approves it."""

    __tablename__ = "replies"
    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(REPLY_STATUSES), name="status_known"),
        sa.Index("ix_replies_review", "department_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)  # Markdown as written
    body_html: Mapped[str] = mapped_column(sa.Text, default="")  # rendered and sanitised
    status: Mapped[str] = mapped_column(sa.String(16), default=DRAFT)
    review_note: Mapped[str] = mapped_column(sa.Text, default="")
    reviewer_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = _utc_column(default=utcnow)
    updated_at: Mapped[datetime] = _utc_column(default=utcnow)
    submitted_at: Mapped[Optional[datetime]] = _utc_column()
    reviewed_at: Mapped[Optional[datetime]] = _utc_column()

    department: Mapped[Department] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[Optional[User]] = relationship(foreign_keys=[reviewer_id])
    submissions: Mapped[list[Submission]] = relationship(
        secondary=reply_submissions, order_by=Submission.id
    )

    def __repr__(self) -> str:
        return f"<Reply {self.id} {self.status}>"


class ReplyTemplate(db.Model):
    """Reusable reply text of a department (e.g. the standard answer to a frequent question)."""

    __tablename__ = "reply_templates"
    __table_args__ = (sa.UniqueConstraint("department_id", "title", name="uq_reply_templates_department_title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = _utc_column(default=utcnow)
    updated_at: Mapped[datetime] = _utc_column(default=utcnow)

    department: Mapped[Department] = relationship()


class TimelineIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete a timeline event."""


@sa.event.listens_for(TimelineEvent, "before_update")
@sa.event.listens_for(TimelineEvent, "before_delete")
def _refuse_timeline_change(_mapper, _connection, target: TimelineEvent) -> None:
    raise TimelineIsAppendOnly(f"timeline events are append-only (event {target.id})")


@sa.event.listens_for(sa.orm.Session, "do_orm_execute")
def _refuse_bulk_timeline_change(state: sa.orm.ORMExecuteState) -> None:
    """Also refuse ``session.execute(update(TimelineEvent)…)`` / ``delete(TimelineEvent)``."""
    if (state.is_update or state.is_delete) and state.bind_mapper is not None:
        if state.bind_mapper.class_ is TimelineEvent:
            raise TimelineIsAppendOnly("timeline events are append-only")
