"""Open days (政务开放日), hearings (听证会) and public meetings (列席): events with a capacity, the
registrations that take their seats, and a hearing's speakers.

Seats are counted in columns on the event (``confirmed_count`` …), kept by :mod:`consult.events.seats`
under a lock on the event row, so "seats left" never needs ``COUNT(*)``. A check constraint makes the
database itself refuse more confirmed registrations than seats.
"""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Department, User
from consult.database import utcnow
from consult.dispositions import DISPOSITIONS
from consult.extensions import db
from consult.tracking.models import Submission
from consult.uploads import Attachment

FIRST_COME, APPROVAL, LOTTERY = "first_come", "approval", "lottery"
MODES = (FIRST_COME, APPROVAL, LOTTERY)
MODE_LABELS = {FIRST_COME: _l("First come, first served"), APPROVAL: _l("By approval"), LOTTERY: _l("By lottery")}

# What an event is: an open day people visit, a hearing where chosen speakers state their views and others
# attend (旁听), or a government meeting that members of the public attend (列席) by category.
OPEN_DAY, HEARING, MEETING = "open_day", "hearing", "meeting"
EVENT_TYPES = (OPEN_DAY, HEARING, MEETING)
EVENT_TYPE_LABELS = {OPEN_DAY: _l("Open day"), HEARING: _l("Hearing"), MEETING: _l("Public meeting")}

# Whom a hearing's speaker or a meeting's attendee speaks for.
STAKEHOLDER, RESIDENT, EXPERT, MEDIA, OTHER = "stakeholder", "resident", "expert", "media", "other"
CATEGORY_LABELS = {
    STAKEHOLDER: _l("Stakeholder"),
    RESIDENT: _l("Residents' representative"),
    EXPERT: _l("Expert"),
    MEDIA: _l("Media"),
    OTHER: _l("Other"),
}
HEARING_CATEGORIES = (STAKEHOLDER, RESIDENT, EXPERT, OTHER)
MEETING_CATEGORIES = (STAKEHOLDER, RESIDENT, EXPERT, MEDIA)
CATEGORIES = (STAKEHOLDER, RESIDENT, EXPERT, MEDIA, OTHER)

PENDING, CONFIRMED, WAITLISTED, DECLINED, CANCELLED = "pending", "confirmed", "waitlisted", "declined", "cancelled"
STATUSES = (PENDING, CONFIRMED, WAITLISTED, DECLINED, CANCELLED)
ACTIVE_STATUSES = (PENDING, CONFIRMED, WAITLISTED)  # a person holds at most one of these per event
STATUS_LABELS = {
    PENDING: _l("Pending"),
    CONFIRMED: _l("Confirmed"),
    WAITLISTED: _l("On the waiting list"),
    DECLINED: _l("Declined"),
    CANCELLED: _l("Cancelled"),
}


def _utc(**kwargs) -> Mapped:
    return mapped_column(sa.DateTime(timezone=True), **kwargs)


class Event(db.Model):
    """An open day or public meeting people register for."""

    __tablename__ = "events"
    __table_args__ = (
        sa.CheckConstraint(sa.column("mode").in_(MODES), name="mode_known"),
        sa.CheckConstraint(sa.column("event_type").in_(EVENT_TYPES), name="event_type_known"),
        sa.CheckConstraint(sa.column("capacity") >= 0, name="capacity_not_negative"),
        sa.CheckConstraint(sa.column("confirmed_count") >= 0, name="confirmed_not_negative"),
        # The last line of defence: no seat is ever given twice.
        sa.CheckConstraint(sa.column("confirmed_count") <= sa.column("capacity"), name="confirmed_within_capacity"),
        sa.CheckConstraint(sa.column("ends_at") >= sa.column("starts_at"), name="ends_after_start"),
        sa.Index("ix_events_listing", "published", "starts_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    venue: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    map_url: Mapped[str] = mapped_column(sa.String(500), default="")
    starts_at: Mapped[datetime] = _utc()
    ends_at: Mapped[datetime] = _utc()
    registration_opens_at: Mapped[datetime] = _utc()
    registration_closes_at: Mapped[datetime] = _utc()
    capacity: Mapped[int]
    mode: Mapped[str] = mapped_column(sa.String(16), default=FIRST_COME)
    require_phone: Mapped[bool] = mapped_column(default=True)
    require_email: Mapped[bool] = mapped_column(default=True)
    ask_id_card: Mapped[bool] = mapped_column(default=False)  # stored masked: only the last 4 characters
    published: Mapped[bool] = mapped_column(default=True)
    event_type: Mapped[str] = mapped_column(sa.String(16), default=OPEN_DAY, server_default=OPEN_DAY)
    # A meeting's agenda and materials (Markdown: text and links), shown and mailed to confirmed attendees only.
    agenda: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    materials: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    # A hearing's speakers: chosen once registration closes, by the rule of consult.events.hearings.
    speakers_seed: Mapped[Optional[str]] = mapped_column(sa.String(64))
    speakers_selected_at: Mapped[Optional[datetime]] = _utc()
    speakers_selected_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    # After the hearing: the transcript (听证笔录) and the hearing report (Markdown), published together with
    # every speaker's disposition; publishing answers each speaker's tracked submission.
    transcript: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    hearing_report: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    record_published_at: Mapped[Optional[datetime]] = _utc()
    record_published_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    confirmed_count: Mapped[int] = mapped_column(default=0)
    waitlist_count: Mapped[int] = mapped_column(default=0)
    pending_count: Mapped[int] = mapped_column(default=0)
    checked_in_count: Mapped[int] = mapped_column(default=0)

    # Lottery: the seed is recorded and shown so anyone can re-run the draw (see consult.events.lottery).
    lottery_seed: Mapped[Optional[str]] = mapped_column(sa.String(64))
    drawn_at: Mapped[Optional[datetime]] = _utc()
    drawn_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = _utc(default=utcnow)
    updated_at: Mapped[datetime] = _utc(default=utcnow, onupdate=utcnow)

    department: Mapped[Department] = relationship()
    drawn_by: Mapped[Optional[User]] = relationship(foreign_keys=[drawn_by_id])

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.confirmed_count, 0)

    @property
    def is_drawn(self) -> bool:
        return self.drawn_at is not None

    @property
    def is_hearing(self) -> bool:
        return self.event_type == HEARING

    @property
    def is_meeting(self) -> bool:
        return self.event_type == MEETING

    @property
    def categories(self) -> tuple[str, ...]:
        """The categories people apply in: a hearing's speakers, a meeting's attendees (none for open days)."""
        return {HEARING: HEARING_CATEGORIES, MEETING: MEETING_CATEGORIES}.get(self.event_type, ())

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.mode} {self.confirmed_count}/{self.capacity}>"


def _active_where() -> sa.ColumnElement[bool]:
    return sa.column("status").in_(ACTIVE_STATUSES)


def _one_active(name: str, column: str) -> sa.Index:
    """A partial unique index: one active registration per (event, person key)."""
    return sa.Index(
        name, "event_id", column, unique=True, sqlite_where=_active_where(), postgresql_where=_active_where()
    )


class Registration(db.Model):
    """One person's registration for an event. Contact keys are normalised for the uniqueness rules."""

    __tablename__ = "event_registrations"
    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(STATUSES), name="status_known"),
        sa.CheckConstraint(sa.or_(sa.column("category").is_(None), sa.column("category").in_(CATEGORIES)),
                           name="category_known"),
        _one_active("uq_event_registrations_active_user", "user_id"),
        _one_active("uq_event_registrations_active_email", "email_key"),
        _one_active("uq_event_registrations_active_phone", "phone_key"),
        sa.UniqueConstraint("event_id", "checkin_code", name="uq_event_registrations_checkin_code"),
        # The officer's list filtered by status, and the waiting list in order.
        sa.Index("ix_event_registrations_status", "event_id", "status", "id"),
        sa.Index("ix_event_registrations_queue", "event_id", "status", "waitlist_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"))
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    phone: Mapped[str] = mapped_column(sa.String(32), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone_key: Mapped[Optional[str]] = mapped_column(sa.String(32))  # digits only, without +86
    email_key: Mapped[Optional[str]] = mapped_column(sa.String(254))  # lower case
    id_card_masked: Mapped[str] = mapped_column(sa.String(32), default="")  # **************123X (mask_id_number)
    category: Mapped[Optional[str]] = mapped_column(sa.String(16))  # a meeting attendee's (CATEGORIES)
    locale: Mapped[Optional[str]] = mapped_column(sa.String(8))

    status: Mapped[str] = mapped_column(sa.String(12), default=PENDING)
    # Order on the waiting list (smaller = earlier); NULL unless waitlisted.
    waitlist_position: Mapped[Optional[int]]
    draw_rank: Mapped[Optional[int]]  # 1-based place in the lottery draw
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[Optional[datetime]] = _utc()
    added_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))  # officer's manual add

    # The link token is HMAC(SECRET_KEY, salt); only the salt and the token's SHA-256 are stored.
    manage_salt: Mapped[str] = mapped_column(sa.String(32))
    manage_token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    checkin_code: Mapped[str] = mapped_column(sa.String(12))  # short code printed under the QR code
    checked_in_at: Mapped[Optional[datetime]] = _utc()
    checked_in_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    created_at: Mapped[datetime] = _utc(default=utcnow)
    confirmed_at: Mapped[Optional[datetime]] = _utc()
    cancelled_at: Mapped[Optional[datetime]] = _utc()

    event: Mapped[Event] = relationship()
    user: Mapped[Optional[User]] = relationship(foreign_keys=[user_id])
    checked_in_by: Mapped[Optional[User]] = relationship(foreign_keys=[checked_in_by_id])
    decided_by: Mapped[Optional[User]] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def contact_email(self) -> str:
        return self.email or (self.user.email if self.user is not None else "")

    def __repr__(self) -> str:
        return f"<Registration {self.id} event={self.event_id} {self.status}>"


class EventQuestion(db.Model):
    """Detail row of a tracked submission of kind ``event_question``: an attendee's question after an event."""

    __tablename__ = "event_questions"

    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"), primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"), index=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("event_registrations.id"), index=True)
    # The form's one-time token: sending the same form twice finds the first submission.
    created_at: Mapped[datetime] = _utc(default=utcnow)

    event: Mapped[Event] = relationship()
    registration: Mapped[Registration] = relationship()


class CategorySeats(db.Model):
    """How many of a hearing's speaker places or a meeting's seats one category has."""

    __tablename__ = "event_category_seats"
    __table_args__ = (
        sa.CheckConstraint(sa.column("category").in_(CATEGORIES), name="category_known"),
        sa.CheckConstraint(sa.column("seats") >= 0, name="seats_not_negative"),
    )

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"), primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    seats: Mapped[int]


# A speaker application's course: applied → selected or not selected (at the selection).
APPLIED, SELECTED, NOT_SELECTED = "applied", "selected", "not_selected"
SPEAKER_STATUSES = (APPLIED, SELECTED, NOT_SELECTED)
SPEAKER_STATUS_LABELS = {APPLIED: _l("Applied"), SELECTED: _l("Selected to speak"), NOT_SELECTED: _l("Not selected")}


class HearingSpeaker(db.Model):
    """Detail row of a tracked submission of kind ``hearing_speaker``: an application to speak at a hearing
    (陈述人) with the statement (the submission's body). Selected or not, the statement gets a disposition
    with a reason in the hearing report, which is its answer."""

    __tablename__ = "hearing_speakers"
    __table_args__ = (
        sa.CheckConstraint(sa.column("category").in_(HEARING_CATEGORIES), name="category_known"),
        sa.CheckConstraint(sa.column("status").in_(SPEAKER_STATUSES), name="status_known"),
        sa.CheckConstraint(sa.or_(sa.column("disposition").is_(None), sa.column("disposition").in_(DISPOSITIONS)),
                           name="disposition_known"),
        sa.Index("ix_hearing_speakers_event", "event_id", "category", "status"),
    )

    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"), primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"))
    category: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16), default=APPLIED)
    draw_rank: Mapped[Optional[int]]  # 1-based place in the category's draw, when the category was drawn
    disposition: Mapped[Optional[str]] = mapped_column(sa.String(16))
    disposition_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # Who applied, for "one application per person": the account, and the normalised contact keys.
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    phone_key: Mapped[Optional[str]] = mapped_column(sa.String(32))
    email_key: Mapped[Optional[str]] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = _utc(default=utcnow)

    event: Mapped[Event] = relationship()
    submission: Mapped[Submission] = relationship()


# A file staff attach to an event: for its attendees only (a meeting's confirmed attendees, a hearing's
# confirmed attendees and chosen speakers), or published with a hearing's record (transcript, report).
ATTENDEES, RECORD = "attendees", "record"
FILE_AUDIENCES = (ATTENDEES, RECORD)
FILE_AUDIENCE_LABELS = {ATTENDEES: _l("Attendees only"), RECORD: _l("Published with the hearing record")}


class EventFile(db.Model):
    """An uploaded file (``consult.uploads``, owner ``event``) of an event, and who may download it."""

    __tablename__ = "event_files"
    __table_args__ = (
        sa.CheckConstraint(sa.column("audience").in_(FILE_AUDIENCES), name="audience_known"),
        sa.Index("ix_event_files_event", "event_id", "audience"),
    )

    attachment_id: Mapped[int] = mapped_column(sa.ForeignKey("attachments.id"), primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"))
    audience: Mapped[str] = mapped_column(sa.String(16), default=ATTENDEES)
    created_at: Mapped[datetime] = _utc(default=utcnow)

    event: Mapped[Event] = relationship()
    attachment: Mapped[Attachment] = relationship()
