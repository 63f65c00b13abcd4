"""Rectification tasks opened by a poor rating, appeals against ratings, and the settings of both."""

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Department, User
from consult.database import utcnow
from consult.extensions import db
from consult.tracking.models import Submission

# --- rectification tasks (整改) -------------------------------------------------------------------------
TASK_OPEN, TASK_DONE, TASK_WITHDRAWN = "open", "done", "withdrawn"
TASK_STATUSES = (TASK_OPEN, TASK_DONE, TASK_WITHDRAWN)
PHONE, IN_PERSON, WRITTEN = "phone", "in_person", "written"
FOLLOW_UP_METHODS = (PHONE, IN_PERSON, WRITTEN)

# --- appeals (申诉复核) -----------------------------------------------------------------------------------
MISTAKEN, MALICIOUS = "mistaken", "malicious"
APPEAL_GROUNDS = (MISTAKEN, MALICIOUS)
APPEAL_PENDING, APPEAL_UPHELD, APPEAL_REJECTED = "pending", "upheld", "rejected"
APPEAL_STATUSES = (APPEAL_PENDING, APPEAL_UPHELD, APPEAL_REJECTED)

DEFAULT_RECTIFICATION_WORKDAYS = 15
DEFAULT_RESPONSE_HOURS = 24  # one working day, counted in hours of working days
DEFAULT_FEEDBACK_REPORT_DAYS = 30


def _utc_column(**kwargs) -> Mapped:
    return mapped_column(sa.DateTime(timezone=True), **kwargs)


class PracticeSettings(db.Model):
    """The admin's settings of these rules (one row, id 1; the defaults apply until an admin saves)."""

    __tablename__ = "practice_settings"
    __table_args__ = (
        sa.CheckConstraint(sa.column("rectification_workdays").between(1, 120), name="rectification_range"),
        sa.CheckConstraint(sa.column("response_hours").between(1, 720), name="response_range"),
        sa.CheckConstraint(sa.column("feedback_report_days").between(1, 365), name="feedback_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_workdays: Mapped[int] = mapped_column(default=DEFAULT_RECTIFICATION_WORKDAYS)
    response_hours: Mapped[int] = mapped_column(default=DEFAULT_RESPONSE_HOURS)
    feedback_report_days: Mapped[int] = mapped_column(default=DEFAULT_FEEDBACK_REPORT_DAYS)
    updated_at: Mapped[datetime] = _utc_column(default=utcnow)


class RectificationTask(db.Model):
    """A department's duty to put right what a poor rating (差评) complained of, and to follow it up (回访).

    It cannot be completed without the follow-up record (who contacted the citizen, when, how, the outcome).
    """

    __tablename__ = "rectification_tasks"
    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(TASK_STATUSES), name="status_known"),
        sa.CheckConstraint(
            sa.or_(sa.column("follow_up_method").is_(None), sa.column("follow_up_method").in_(FOLLOW_UP_METHODS)),
            name="follow_up_method_known",
        ),
        # The department's list and the compliance board: WHERE status = 'open' AND due_on < today.
        sa.Index("ix_rectification_tasks_due", "status", "due_on"),
        sa.Index("ix_rectification_tasks_department", "department_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"), index=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"))
    satisfaction: Mapped[str] = mapped_column(sa.String(24))  # the rating that opened it
    complaint: Mapped[str] = mapped_column(sa.Text, default="")  # the citizen's comment with the rating
    status: Mapped[str] = mapped_column(sa.String(16), default=TASK_OPEN)
    opened_at: Mapped[datetime] = _utc_column(default=utcnow)
    due_on: Mapped[date]
    # The follow-up (回访): who contacted the citizen, when, how and what came of it.
    follow_up_by: Mapped[str] = mapped_column(sa.String(80), default="")
    follow_up_at: Mapped[Optional[datetime]] = _utc_column()
    follow_up_method: Mapped[Optional[str]] = mapped_column(sa.String(16))
    follow_up_outcome: Mapped[str] = mapped_column(sa.Text, default="")
    follow_up_recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    # What the department changed, shown with the public answer where the submission is public.
    result: Mapped[str] = mapped_column(sa.Text, default="")
    closed_at: Mapped[Optional[datetime]] = _utc_column()
    closed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    submission: Mapped[Submission] = relationship()
    department: Mapped[Department] = relationship()
    closed_by: Mapped[Optional[User]] = relationship(foreign_keys=[closed_by_id])

    @property
    def has_follow_up(self) -> bool:
        return self.follow_up_at is not None and bool(self.follow_up_method) and bool(self.follow_up_outcome)

    def is_overdue(self, today: date) -> bool:
        return self.status == TASK_OPEN and today > self.due_on


class RatingAppeal(db.Model):
    """A department's appeal against a rating it holds mistaken or malicious, decided by an admin of
    another department (or none). An upheld appeal takes the rating out of the rates."""

    __tablename__ = "rating_appeals"
    __table_args__ = (
        sa.CheckConstraint(sa.column("ground").in_(APPEAL_GROUNDS), name="ground_known"),
        sa.CheckConstraint(sa.column("status").in_(APPEAL_STATUSES), name="status_known"),
        # One appeal per rating: a rating is its submission and the moment it was given.
        sa.UniqueConstraint("submission_id", "rated_at", name="uq_rating_appeals_rating"),
        sa.Index("ix_rating_appeals_status", "status", "department_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"), index=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"))
    satisfaction: Mapped[str] = mapped_column(sa.String(24))
    rated_at: Mapped[datetime] = _utc_column()
    ground: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default=APPEAL_PENDING)
    filed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    filed_at: Mapped[datetime] = _utc_column(default=utcnow)
    decided_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[Optional[datetime]] = _utc_column()
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")

    submission: Mapped[Submission] = relationship()
    department: Mapped[Department] = relationship()
    filed_by: Mapped[User] = relationship(foreign_keys=[filed_by_id])
    decided_by: Mapped[Optional[User]] = relationship(foreign_keys=[decided_by_id])


class AnnualReportPublication(db.Model):
    """The government-information annual report (政府信息公开工作年度报告) of a year, published by 31 January of
    the next year (政府信息公开条例 Art. 49): when and where it was published, as recorded by an admin."""

    __tablename__ = "annual_report_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    published_on: Mapped[date]
    url: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = _utc_column(default=utcnow)
