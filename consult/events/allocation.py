"""Seat allocation: every change to who holds a seat happens here, under a lock on the event row.

The rules (shown on the event pages too):

* **First come** — a registration is confirmed while seats are left, otherwise it joins the end of the
  waiting list. When a confirmed person cancels, the first person on the waiting list is confirmed and told.
* **A public meeting's categories** — a category's seats are the category's: a registration gets a seat only
  if its category has one left, and a seat freed in a category goes to the first person waiting in a
  category with a seat left (the same category, when the others are full), never past the category's seats.
* **Approval** — a registration is pending until an officer of the event's department confirms it (if a
  seat is left) or declines it with a reason.
* **Lottery** — registrations are pending until the draw (see :mod:`consult.events.lottery`).
* **Capacity change** — more seats: the waiting list is promoted in order. Fewer seats: the most recently
  confirmed registrations lose their seats and go back to the *top* of the waiting list, in the order they
  were confirmed, so they are the first to get a seat back.

Locking: PostgreSQL takes ``SELECT … FOR UPDATE`` on the event row. SQLite has one writer at a time:
write requests already begin with ``BEGIN IMMEDIATE`` (``consult.database``); elsewhere (CLI, services
called directly) the first statement here is a write to the event row, which takes the write lock before
anything is read. Either way the counters read after the lock are current.
"""

import hashlib
import hmac
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from consult import contacts
from consult.accounts.models import User
from consult.authz import require_event_manager
from consult.database import is_sqlite, utcnow
from consult.domain import DomainError, FieldErrors
from consult.events import mails
from consult.events.models import (
    APPROVAL,
    CANCELLED,
    CONFIRMED,
    DECLINED,
    LOTTERY,
    PENDING,
    WAITLISTED,
    CategorySeats,
    Event,
    Registration,
)
from consult.extensions import db
from consult.localtime import as_utc

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECKIN_CODE_LENGTH = 8


# --- locking and counters --------------------------------------------------------------------------
def lock_event(event_id: int) -> Event:
    """Lock the event row for the rest of the transaction and return it with fresh counters."""
    if is_sqlite(db.session):
        table = Event.__table__
        db.session.execute(sa.update(table).where(table.c.id == event_id).values(id=table.c.id))
    event = db.session.get(Event, event_id, with_for_update=True, populate_existing=True)
    if event is None:
        raise DomainError(_l("This event does not exist."), status=404)
    return event


_COUNTER = {CONFIRMED: "confirmed_count", WAITLISTED: "waitlist_count", PENDING: "pending_count"}


def _set_status(event: Event, registration: Registration, status: str, now: datetime) -> None:
    """Move ``registration`` to ``status`` and keep the event's counters in step."""
    old = registration.status
    if old in _COUNTER:
        setattr(event, _COUNTER[old], getattr(event, _COUNTER[old]) - 1)
    if status in _COUNTER:
        setattr(event, _COUNTER[status], getattr(event, _COUNTER[status]) + 1)
    registration.status = status
    if status == CONFIRMED:
        registration.confirmed_at = now
        registration.waitlist_position = None
    elif status != WAITLISTED:
        registration.waitlist_position = None
    if status == CANCELLED:
        registration.cancelled_at = now


def _waitlist_end(event: Event) -> int:
    last = db.session.scalar(
        sa.select(sa.func.max(Registration.waitlist_position)).where(
            Registration.event_id == event.id, Registration.status == WAITLISTED
        )
    )
    return (last or 0) + 1


def _waitlist_top(event: Event) -> int:
    first = db.session.scalar(
        sa.select(sa.func.min(Registration.waitlist_position)).where(
            Registration.event_id == event.id, Registration.status == WAITLISTED
        )
    )
    return (first if first is not None else 1) - 1


def _waitlist(event: Event, limit: int | None = None) -> list[Registration]:
    query = (
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status == WAITLISTED)
        .order_by(Registration.waitlist_position, Registration.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


# --- tokens ------------------------------------------------------------------------------------------
def manage_token(registration: Registration) -> str:
    """The secret in the registrant's link (cancel, QR code, questions).

    Derived with the app's SECRET_KEY from a random salt, so mails sent later can repeat the link, while
    the database holds only the salt and the token's hash: a copy of the database alone opens nothing.
    """
    key = current_app.config["SECRET_KEY"].encode()
    message = f"consult.registration:{registration.manage_salt}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:40]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_checkin_code(event: Event) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CHECKIN_CODE_LENGTH))
        taken = db.session.scalar(
            sa.select(Registration.id).where(Registration.event_id == event.id, Registration.checkin_code == code)
        )
        if taken is None:
            return code


# --- registering -------------------------------------------------------------------------------------
def _find_active(event: Event, user: User | None, email_key: str | None, phone_key: str | None):
    conditions = []
    if user is not None:
        conditions.append(Registration.user_id == user.id)
    if email_key:
        conditions.append(Registration.email_key == email_key)
    if phone_key:
        conditions.append(Registration.phone_key == phone_key)
    if not conditions:
        return None
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id,
            Registration.status.in_((PENDING, CONFIRMED, WAITLISTED)),
            sa.or_(*conditions),
        )
    )


def _refuse_second_registration(event: Event, user: User | None, email_key: str | None, phone_key: str | None):
    """One active registration per person: refused on the field that matched (phone, e-mail, or the account)."""
    existing = _find_active(event, user, email_key, phone_key)
    if existing is None:
        return
    problems = FieldErrors()
    if email_key and existing.email_key == email_key:
        problems.add("email", _l("This e-mail address is already registered for this event."))
    if phone_key and existing.phone_key == phone_key:
        problems.add("phone", _l("This phone number is already registered for this event."))
    if not problems:  # the same account, with other contact details
        raise DomainError(_l("You are already registered for this event with your account."))
    problems.raise_if_any()


def check_contact(event: Event, *, name: str, phone: str, email: str,
                  user: User | None) -> tuple[str, str, str, FieldErrors]:
    """Name, phone and e-mail cleaned up (the account's address stands in for a missing e-mail), and what the
    event asks for that is missing — for a registration and an application to speak alike."""
    name, phone = (name or "").strip(), (phone or "").strip()
    email = (email or "").strip() or (user.email if user is not None else "")
    problems = FieldErrors()
    if not name:
        problems.add("name", _l("Please enter a name."))
    if event.require_phone and not phone:
        problems.add("phone", _l("This event needs a phone number."))
    if event.require_email and not email:
        problems.add("email", _l("This event needs an e-mail address."))
    return name, phone, email, problems


def check_registration(event: Event, *, name: str, phone: str = "", email: str = "", id_card: str = "",
                       user: User | None = None, category: str | None = None) -> tuple[str, str, str]:
    """Every missing detail the event asks for at once (one DomainError); returns name, phone and e-mail
    cleaned up (the account's address stands in for a missing e-mail)."""
    name, phone, email, problems = check_contact(event, name=name, phone=phone, email=email, user=user)
    if event.ask_id_card and not (id_card or "").strip():
        problems.add("id_card", _l("This event needs an ID card number."))
    if event.is_meeting and category not in event.categories:
        problems.add("category", _l("Please choose whom you attend for."))
    problems.raise_if_any()
    return name, phone, email


def register(
    event_id: int,
    *,
    name: str,
    phone: str = "",
    email: str = "",
    id_card: str = "",
    user: User | None = None,
    locale: str | None = None,
    added_by: User | None = None,
    category: str | None = None,
    now: datetime | None = None,
) -> Registration:
    """Register a person for an event and allocate by the event's mode; queues the confirmation mail.

    ``added_by`` is an officer adding someone by hand: allowed outside the registration window (until
    the event ends), and allocated first come (an approval is implied) unless a lottery is still to be drawn.
    """
    now = now or utcnow()
    event = lock_event(event_id)
    if added_by is not None:
        require_event_manager(added_by, event.department_id)
    name, phone, email = check_registration(event, name=name, phone=phone, email=email, id_card=id_card, user=user,
                                            category=category)
    if added_by is None:
        _require_open_window(event, now)
    elif as_utc(event.ends_at) < now:
        raise DomainError(_l("This event is over."))

    email_key, phone_key = contacts.email_key(email), contacts.phone_key(phone)
    _refuse_second_registration(event, user, email_key, phone_key)
    registration = Registration(
        event_id=event.id,
        user_id=user.id if user is not None else None,
        name=name,
        phone=phone,
        email=email,
        email_key=email_key,
        phone_key=phone_key,
        id_card_masked=contacts.mask_id_number(id_card) if event.ask_id_card else "",
        locale=locale,
        category=category if event.is_meeting else None,
        added_by_id=added_by.id if added_by is not None else None,
        manage_salt=secrets.token_hex(16),
        checkin_code=_new_checkin_code(event),
        status="",
    )
    registration.manage_token_hash = hash_token(manage_token(registration))
    if event.mode == LOTTERY and not event.is_drawn:
        status = PENDING
    elif event.mode == APPROVAL and (added_by is None or not _category_seat_left(event, registration.category)):
        status = PENDING
    else:
        status = CONFIRMED if _seat_free_for(event, registration.category) else WAITLISTED
    _set_status(event, registration, status, now)
    if status == WAITLISTED:
        registration.waitlist_position = _waitlist_end(event)
    db.session.add(registration)
    db.session.flush()
    mails.registration_received(registration)
    return registration


def registration_is_open(event: Event, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return as_utc(event.registration_opens_at) <= now < as_utc(event.registration_closes_at)


def _require_open_window(event: Event, now: datetime) -> None:
    if not event.published:
        raise DomainError(_l("This event does not exist."), status=404)
    if now < as_utc(event.registration_opens_at):
        raise DomainError(_l("Registration has not opened yet."))
    if now >= as_utc(event.registration_closes_at):
        raise DomainError(_l("Registration is closed."))


def category_room(event: Event) -> dict[str, int | None] | None:
    """For a meeting: the seats each category has left, ``None`` for a category without seats of its own (the
    meeting's seats are its limit) — except in a lottery, where a category without seats was drawn none and
    gets none later. ``None`` for other events (no categories)."""
    if not event.is_meeting:
        return None
    seats = dict(db.session.execute(sa.select(CategorySeats.category, CategorySeats.seats).where(
        CategorySeats.event_id == event.id)).all())
    confirmed = dict(db.session.execute(
        sa.select(Registration.category, sa.func.count()).where(
            Registration.event_id == event.id, Registration.status == CONFIRMED).group_by(Registration.category)
    ).all())
    room: dict[str, int | None] = {}
    for category in event.categories:
        places = seats.get(category) or 0
        if places > 0:
            room[category] = max(places - confirmed.get(category, 0), 0)
        else:
            room[category] = 0 if event.mode == LOTTERY else None
    return room


def _has_room(room: dict[str, int | None] | None, category: str | None) -> bool:
    return room is None or category is None or room.get(category, None) != 0


def _category_seat_left(event: Event, category: str | None) -> bool:
    """Whether a meeting's category has a seat left (always, for other events and categories without a limit)."""
    return _has_room(category_room(event), category)


def _seat_free_for(event: Event, category: str | None) -> bool:
    """Whether a new registration (first come) gets a seat at once: a seat is left, in its category too for a
    meeting, and nobody who could have that seat is waiting for it."""
    if event.seats_left <= 0:
        return False
    room = category_room(event)
    if room is None or category is None:
        return event.waitlist_count == 0
    if not _has_room(room, category):
        return False
    waiting = db.session.scalar(sa.select(Registration.id).where(
        Registration.event_id == event.id, Registration.status == WAITLISTED,
        Registration.category == category).limit(1))
    return waiting is None


# --- cancelling and promoting ------------------------------------------------------------------------
def cancel(registration: Registration, *, now: datetime | None = None) -> list[Registration]:
    """Cancel a registration; a freed seat goes to the first on the waiting list. Returns those promoted."""
    now = now or utcnow()
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if not registration.is_active:
        raise DomainError(_l("This registration is no longer active."))
    if as_utc(event.starts_at) <= now:
        raise DomainError(_l("The event has already started; the registration can no longer be cancelled."))
    was_confirmed = registration.status == CONFIRMED
    _set_status(event, registration, CANCELLED, now)
    db.session.flush()
    mails.registration_cancelled(registration)
    return promote(event, now=now) if was_confirmed else []


def promote(event: Event, *, now: datetime | None = None) -> list[Registration]:
    """Confirm people from the top of the waiting list while seats are left (caller holds the lock).

    A meeting's seats belong to their categories: a freed seat goes to the first person waiting *in a category
    with a seat left* (so a seat a stakeholder gave up goes to the next stakeholder, not to the resident who
    happens to be ahead on the list)."""
    now = now or utcnow()
    promoted = []
    if event.seats_left > 0:
        room = category_room(event)
        for registration in _waitlist(event, limit=None if room is not None else event.seats_left):
            if event.seats_left <= 0:
                break
            if not _has_room(room, registration.category):
                continue
            _set_status(event, registration, CONFIRMED, now)
            if room is not None and room.get(registration.category) is not None:
                room[registration.category] -= 1
            promoted.append(registration)
    db.session.flush()
    for registration in promoted:
        mails.registration_changed(registration, "promoted")
    return promoted


def set_capacity(event_id: int, capacity: int, *, now: datetime | None = None) -> None:
    """Change the number of seats and re-balance confirmed and waiting registrations (rule above)."""
    now = now or utcnow()
    if capacity < 0:
        raise DomainError(_l("The capacity cannot be negative."), field="capacity")
    event = lock_event(event_id)
    if capacity == event.capacity:
        return
    excess = event.confirmed_count - capacity
    demoted = []
    if excess > 0:
        latest = db.session.scalars(
            sa.select(Registration)
            .where(Registration.event_id == event.id, Registration.status == CONFIRMED)
            .order_by(Registration.confirmed_at.desc(), Registration.id.desc())
            .limit(excess)
        ).all()
        top = _waitlist_top(event)
        # The earliest confirmed of those demoted ends up first on the list.
        for offset, registration in enumerate(reversed(latest)):
            _set_status(event, registration, WAITLISTED, now)
            registration.waitlist_position = top - len(latest) + 1 + offset
            demoted.append(registration)
    event.capacity = capacity
    db.session.flush()
    for registration in demoted:
        mails.registration_changed(registration, "demoted")
    if event.mode != APPROVAL or event.waitlist_count:
        promote(event, now=now)


# --- approval ------------------------------------------------------------------------------------------
def decide(registration: Registration, *, approve: bool, reason: str, officer: User, now: datetime | None = None):
    """Confirm (seat permitting) or decline, with a reason, a pending registration of an approval event."""
    now = now or utcnow()
    require_event_manager(officer, registration.event.department_id)
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if event.mode != APPROVAL or registration.status != PENDING:
        raise DomainError(_l("Only pending registrations of an approval event can be decided."), status=409)
    reason = (reason or "").strip()
    if approve:
        if event.seats_left <= 0:
            raise DomainError(_l("No seats are left. Raise the capacity or decline."), status=409)
        if not _category_seat_left(event, registration.category):
            raise DomainError(_l("No seats are left in this category. Decline, or give the category more seats."),
                              status=409)
        _set_status(event, registration, CONFIRMED, now)
    else:
        if not reason:
            raise DomainError(_l("Please give the reason for declining; the person will read it."), field="reason")
        _set_status(event, registration, DECLINED, now)
    registration.decision_reason = reason
    registration.decided_by_id = officer.id
    registration.decided_at = now
    db.session.flush()
    mails.registration_changed(registration, "approved" if approve else "declined")
    return registration

