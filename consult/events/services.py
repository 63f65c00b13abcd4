"""Events: who may manage them, creating and editing, listings, CSV export and attendees' questions.

Seat allocation lives in :mod:`consult.events.allocation`, the draw in :mod:`consult.events.lottery`,
check-in in :mod:`consult.events.checkin`, mails and reminders in :mod:`consult.events.mails`.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult import exports
from consult.accounts.models import Department, User
from consult.authz import edits_events
from consult.database import utcnow
from consult.domain import DomainError
from consult.events import allocation
from consult.events.models import (
    MODES,
    STATUSES,
    Event,
    EventQuestion,
    Registration,
)
from consult.extensions import db
from consult.localtime import as_utc
from consult.pagination import Page, paginate

EVENT_FIELDS = (
    "title", "description", "department_id", "venue", "address", "map_url", "starts_at", "ends_at",
    "registration_opens_at", "registration_closes_at", "mode", "require_phone", "require_email",
    "ask_id_card", "published",
)  # fmt: skip


# --- creating and editing -----------------------------------------------------------------------------
def _validate(values: dict) -> None:
    if values["mode"] not in MODES:
        raise DomainError(_l("Unknown registration mode."), field="mode")
    if db.session.get(Department, values["department_id"]) is None:
        raise DomainError(_l("Please choose a department."), field="department_id")
    starts, ends = as_utc(values["starts_at"]), as_utc(values["ends_at"])
    opens, closes = as_utc(values["registration_opens_at"]), as_utc(values["registration_closes_at"])
    if ends < starts:
        raise DomainError(_l("The event must end after it starts."), field="ends_at")
    if closes <= opens:
        raise DomainError(_l("Registration must close after it opens."), field="registration_closes_at")
    if closes > starts:
        raise DomainError(_l("Registration must close before the event starts."), field="registration_closes_at")
    if values.get("capacity", 0) < 0:
        raise DomainError(_l("The capacity cannot be negative."), field="capacity")


def create_event(values: dict, *, actor: User) -> Event:
    """Create an event from ``values`` (the names in ``EVENT_FIELDS`` plus ``capacity``)."""
    if not edits_events(actor):
        raise DomainError(_l("Only editors can create events."), status=403)
    _validate(values)
    event = Event(capacity=values["capacity"], created_by_id=actor.id,
                  **{name: values[name] for name in EVENT_FIELDS})
    db.session.add(event)
    db.session.flush()
    return event


def update_event(event: Event, values: dict, *, actor: User, now: datetime | None = None) -> Event:
    """Edit an event; a new capacity re-balances confirmed and waiting registrations (see allocation)."""
    if not edits_events(actor):
        raise DomainError(_l("Only editors can edit events."), status=403)
    _validate(values)
    event = allocation.lock_event(event.id)
    has_registrations = event.confirmed_count or event.waitlist_count or event.pending_count
    if values["mode"] != event.mode and (has_registrations or event.is_drawn):
        raise DomainError(_l("The mode cannot change once people have registered."), field="mode")
    for name in EVENT_FIELDS:
        setattr(event, name, values[name])
    db.session.flush()
    if values["capacity"] != event.capacity:
        allocation.set_capacity(event.id, values["capacity"], now=now)
    return event


# --- listings ------------------------------------------------------------------------------------------
def public_events(*, past: bool, cursor: str | None, now: datetime | None = None, per_page: int = 20) -> Page:
    """Published events: upcoming (soonest first) or past (latest first), a keyset page."""
    now = now or utcnow()
    query = sa.select(Event).where(Event.published.is_(True)).options(sa.orm.joinedload(Event.department))
    if past:
        query = query.where(Event.ends_at < now)
        order = [Event.starts_at.desc(), Event.id.desc()]
    else:
        query = query.where(Event.ends_at >= now)
        order = [Event.starts_at, Event.id]
    return paginate(db.session, query, order, cursor, per_page=per_page)


def managed_events(user: User, *, cursor: str | None, per_page: int = 50) -> Page:
    """The events ``user`` may manage, latest first."""
    query = sa.select(Event).options(sa.orm.joinedload(Event.department))
    if not edits_events(user):
        query = query.where(Event.department_id == user.department_id)
    return paginate(db.session, query, [Event.starts_at.desc(), Event.id.desc()], cursor, per_page=per_page)


def event_registrations(event: Event, *, status: str | None, cursor: str | None, per_page: int = 100) -> Page:
    """An event's registrations (optionally of one status), in registration order."""
    query = sa.select(Registration).where(Registration.event_id == event.id)
    if status in STATUSES:
        query = query.where(Registration.status == status)
    return paginate(db.session, query, [Registration.id], cursor, per_page=per_page)


def registered_by(user: User) -> sa.ColumnElement[bool]:
    conditions = [Registration.user_id == user.id]
    if user.phone:
        conditions.append(Registration.phone_key == user.phone)
    if user.email:
        conditions.append(Registration.email_key == user.email)
    return sa.or_(*conditions)


def is_registrant(registration: Registration, user: User) -> bool:
    return bool(registration.user_id == user.id or (user.phone and registration.phone_key == user.phone)
                or (user.email and registration.email_key == user.email))


def user_registrations(user: User, *, cursor: str | None) -> Page:
    """A person's registrations, latest first: from their account, or with their verified mobile number or
    their account's e-mail address."""
    query = (
        sa.select(Registration)
        .where(registered_by(user))
        .options(sa.orm.joinedload(Registration.event))
    )
    return paginate(db.session, query, [Registration.id.desc()], cursor, per_page=50)


def registration_by_token(token: str) -> Registration | None:
    """The registration a secret link names, or ``None``."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        sa.select(Registration).where(Registration.manage_token_hash == allocation.hash_token(token))
    )


CSV_COLUMNS = ("id", "name", "phone", "email", "id_card", "status", "waitlist_position", "draw_rank",
               "registered_at", "checked_in_at")


def export_rows(event_id: int, status_labels: dict[str, str]) -> Iterator[str]:
    """The registrations as CSV text through the one export writer, read from the database batch by batch.

    Takes the id, not the event, and labels already translated: the generator runs after the request's
    commit has expired its objects (the current user included).
    """
    return exports.csv_chunks(_registration_rows(event_id, status_labels), header=CSV_COLUMNS)


def _registration_rows(event_id: int, status_labels: dict[str, str]) -> Iterator[list]:
    last_id = 0
    while True:
        batch = db.session.scalars(
            sa.select(Registration)
            .where(Registration.event_id == event_id, Registration.id > last_id)
            .order_by(Registration.id)
            .limit(500)
        ).all()
        if not batch:
            return
        for r in batch:
            yield [r.id, r.name, r.phone, r.email, r.id_card_masked, status_labels.get(r.status, r.status),
                   r.waitlist_position or "", r.draw_rank or "", _iso(r.created_at), _iso(r.checked_in_at)]
        last_id = batch[-1].id


def _iso(moment: datetime | None) -> str:
    return as_utc(moment).isoformat() if moment else ""


# --- questions after the event -------------------------------------------------------------------------
@dataclass(frozen=True)
class QuestionResult:
    submission_id: int
    tracking_no: str
    query_code: str | None  # None when the same question was sent again (the code was shown the first time)
    due_on: date

    @classmethod
    def of(cls, submission, query_code: str | None) -> "QuestionResult":
        return cls(submission.id, submission.tracking_no, query_code, submission.due_on)


def ask_question(registration: Registration, *, subject: str, body: str, form_token: str,
                 now: datetime | None = None, recognise_resend: bool = False) -> QuestionResult:
    """An attendee's question or comment after the event: a tracked submission for the department.

    The same form gives the first question back; with ``recognise_resend`` (the question form) so does the
    same text sent again within ``DUPLICATE_WINDOW``."""
    from consult.tracking import services as tracking
    from consult.tracking.models import EVENT_QUESTION

    now = now or utcnow()
    event = registration.event
    subject, target = (subject or "").strip() or event.title, f"event:{event.id}"

    def check() -> QuestionResult | None:
        if as_utc(event.ends_at) > now:
            raise DomainError(_l("Questions can be sent once the event is over."), status=409)
        if registration.status != "confirmed":
            raise DomainError(_l("Only people who had a seat can send questions about the event."), status=403)
        duplicate = recognise_resend and tracking.find_duplicate(
            kind=EVENT_QUESTION, target=target, subject=subject, body=body or "", user=registration.user,
            email=registration.contact_email, phone=registration.phone)
        return QuestionResult.of(duplicate, None) if duplicate else None

    def create(token: str) -> QuestionResult:
        created = tracking.create_submission(
            kind=EVENT_QUESTION, target=target, department=event.department, subject=subject, body=body,
            user=registration.user, name=registration.name, email=registration.contact_email,
            phone=registration.phone, locale=registration.locale, form_token=token,
        )
        db.session.add(EventQuestion(submission_id=created.submission.id, event_id=event.id,
                                     registration_id=registration.id))
        db.session.flush()
        return QuestionResult.of(created.submission, created.query_code)

    return tracking.receive_once(form_token, check=check, create=create,
                                 receipt_of=lambda submission: QuestionResult.of(submission, None))
