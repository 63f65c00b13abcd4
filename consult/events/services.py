"""Events: who may manage them, creating and editing, listings, CSV export and attendees' questions.

Registering and deciding live in :mod:`consult.events.allocation`, the seat ledger (the row lock, the
counters) in :mod:`consult.events.seats`, the waiting list in :mod:`consult.events.waitlist`, the draw in
:mod:`consult.events.lottery`, check-in in :mod:`consult.events.checkin`, mails and reminders in
:mod:`consult.events.mails`.
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
from consult.events import allocation, waitlist
from consult.events.hearings import category_seats, set_category_seats
from consult.events.models import (
    EVENT_TYPES,
    HEARING,
    HEARING_CATEGORIES,
    LOTTERY,
    MEETING,
    MEETING_CATEGORIES,
    MODES,
    STATUSES,
    Event,
    EventQuestion,
    HearingSpeaker,
    Registration,
)
from consult.events.seats import lock_event
from consult.extensions import db
from consult.localtime import as_utc
from consult.pagination import Page, paginate
from consult.tracking.models import Submission

EVENT_FIELDS = (
    "title", "description", "department_id", "venue", "address", "map_url", "starts_at", "ends_at",
    "registration_opens_at", "registration_closes_at", "mode", "require_phone", "require_email",
    "ask_id_card", "published", "event_type", "agenda", "materials",
)  # fmt: skip


# --- creating and editing -----------------------------------------------------------------------------
def _validate(values: dict) -> None:
    if values["mode"] not in MODES:
        raise DomainError(_l("Unknown registration mode."), field="mode")
    if values.get("event_type", "open_day") not in EVENT_TYPES:
        raise DomainError(_l("Unknown kind of event."), field="event_type")
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
    _validate_category_seats(values)


def _validate_category_seats(values: dict) -> None:
    """A hearing needs speaker places; a meeting drawn by lottery draws by category, within its seats."""
    event_type, seats = values.get("event_type", "open_day"), values.get("category_seats") or {}
    if event_type == HEARING and sum(seats.get(c) or 0 for c in HEARING_CATEGORIES) <= 0:
        raise DomainError(_l("A hearing needs speaker places in at least one category."), field="seats_stakeholder")
    if event_type == MEETING:
        total = sum(seats.get(c) or 0 for c in MEETING_CATEGORIES)
        if values["mode"] == LOTTERY and total <= 0:
            raise DomainError(_l("A meeting drawn by lottery draws by category: give the categories their seats."),
                              field="seats_stakeholder")
        if total > values.get("capacity", 0):
            raise DomainError(_l("The seats of the categories add up to more than the seats of the meeting."),
                              field="seats_stakeholder")


def create_event(values: dict, *, actor: User) -> Event:
    """Create an event from ``values`` (the names in ``EVENT_FIELDS`` plus ``capacity``)."""
    if not edits_events(actor):
        raise DomainError(_l("Only editors can create events."), status=403)
    _validate(values)
    event = Event(capacity=values["capacity"], created_by_id=actor.id,
                  **{name: values[name] for name in EVENT_FIELDS if name in values})
    db.session.add(event)
    db.session.flush()
    _store_category_seats(event, values)
    return event


def _store_category_seats(event: Event, values: dict) -> None:
    if event.categories or "category_seats" in values:
        set_category_seats(event, values.get("category_seats") or {})


def update_event(event: Event, values: dict, *, actor: User, now: datetime | None = None) -> Event:
    """Edit an event; a new capacity re-balances confirmed and waiting registrations (see waitlist)."""
    if not edits_events(actor):
        raise DomainError(_l("Only editors can edit events."), status=403)
    _validate(values)
    event = lock_event(event.id)
    has_registrations = event.confirmed_count or event.waitlist_count or event.pending_count
    if values["mode"] != event.mode and (has_registrations or event.is_drawn):
        raise DomainError(_l("The mode cannot change once people have registered."), field="mode")
    if values.get("event_type", event.event_type) != event.event_type and (
            has_registrations or event.is_drawn or _has_speakers(event)):
        raise DomainError(_l("The kind of event cannot change once people have registered or applied."),
                          field="event_type")
    if event.speakers_selected_at is not None and values.get("category_seats") is not None:
        if {c: values["category_seats"].get(c) or 0 for c in event.categories} != category_seats(event):
            raise DomainError(_l("The speakers have been chosen: the places per category can no longer change."),
                              field="seats_stakeholder")
    for name in EVENT_FIELDS:
        if name in values:
            setattr(event, name, values[name])
    db.session.flush()
    _store_category_seats(event, values)
    if values["capacity"] != event.capacity:
        waitlist.set_capacity(event.id, values["capacity"], now=now)
    return event


def _has_speakers(event: Event) -> bool:
    return db.session.scalar(sa.select(HearingSpeaker.submission_id).where(HearingSpeaker.event_id == event.id)
                             .limit(1)) is not None


# --- listings ------------------------------------------------------------------------------------------
def public_events(*, past: bool, cursor: str | None, now: datetime | None = None, per_page: int = 20,
                  event_type: str | None = None) -> Page:
    """Published events (of one kind, if given): upcoming (soonest first) or past (latest first), a keyset page."""
    now = now or utcnow()
    query = sa.select(Event).where(Event.published.is_(True)).options(sa.orm.joinedload(Event.department))
    if event_type in EVENT_TYPES:
        query = query.where(Event.event_type == event_type)
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


CSV_COLUMNS = ("id", "name", "phone", "email", "category", "id_card", "status", "waitlist_position", "draw_rank",
               "registered_at", "checked_in_at")


def export_rows(event_id: int, status_labels: dict[str, str], category_labels: dict[str, str]) -> Iterator[str]:
    """The registrations as CSV text through the one export writer, read from the database batch by batch.

    Takes the id, not the event, and labels already translated: the generator runs after the request's
    commit has expired its objects (the current user included).
    """
    return exports.csv_chunks(_registration_rows(event_id, status_labels, category_labels), header=CSV_COLUMNS)


def _registration_rows(event_id: int, status_labels: dict[str, str], category_labels: dict[str, str]) -> Iterator[list]:
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
            yield [r.id, r.name, r.phone, r.email, category_labels.get(r.category, "") if r.category else "",
                   r.id_card_masked, status_labels.get(r.status, r.status),
                   r.waitlist_position or "", r.draw_rank or "", _iso(r.created_at), _iso(r.checked_in_at)]
        last_id = batch[-1].id


SPEAKER_CSV_COLUMNS = ("tracking_no", "name", "category", "status", "draw_rank", "disposition")


def export_speakers(event_id: int, labels: dict[str, dict[str, str]]) -> Iterator[str]:
    """A hearing's applications to speak as CSV, chosen speakers first (the clerk's list for the day): the
    tracking number, the name, the category, the outcome, the place in the draw and the disposition. No
    phone, e-mail or statement: those stay on the staff pages, not in a file that travels."""
    query = (sa.select(Submission.tracking_no, Submission.submitter_name, HearingSpeaker.category,
                       HearingSpeaker.status, HearingSpeaker.draw_rank, HearingSpeaker.disposition)
             .join(Submission, Submission.id == HearingSpeaker.submission_id)
             .where(HearingSpeaker.event_id == event_id)
             .order_by(HearingSpeaker.status.desc(), HearingSpeaker.category, HearingSpeaker.draw_rank,
                       HearingSpeaker.submission_id))
    rows = ([no, name, labels["category"].get(category, category), labels["status"].get(status, status),
             rank or "", labels["disposition"].get(disposition, "") if disposition else ""]
            for no, name, category, status, rank, disposition in db.session.execute(query))
    return exports.csv_chunks(rows, header=SPEAKER_CSV_COLUMNS)


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


def upcoming_hearings_and_meetings(*, limit: int = 4, now: datetime | None = None) -> list[Event]:
    """The next published hearings and public meetings, soonest first (the home page shows them)."""
    now = now or utcnow()
    return list(db.session.scalars(
        sa.select(Event).where(Event.published.is_(True), Event.event_type.in_((HEARING, MEETING)),
                               Event.ends_at >= now)
        .options(sa.orm.joinedload(Event.department)).order_by(Event.starts_at, Event.id).limit(limit)))


def hearings_and_meetings_stamp(engine) -> tuple:
    """What decides the home page's list of hearings and meetings: their last change and number."""
    with engine.connect() as connection:
        return tuple(connection.execute(
            sa.select(sa.func.max(Event.updated_at), sa.func.count())
            .where(Event.published.is_(True), Event.event_type.in_((HEARING, MEETING)))).one())
