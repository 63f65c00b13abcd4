"""Registering for an event and deciding on a registration: who gets a seat when they register, and an
officer's approval. The seat ledger (the row lock, the counters, the room per category) is
:mod:`consult.events.seats`; the waiting list, cancelling and a change of capacity are
:mod:`consult.events.waitlist`; the draw is :mod:`consult.events.lottery`.

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
  were confirmed, so they are the first to get a seat back (see :mod:`consult.events.waitlist`).

Every change happens under the lock on the event row (:func:`consult.events.seats.lock_event`).
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
from consult.database import take_write_lock, utcnow
from consult.domain import DomainError, FieldErrors
from consult.events import mails
from consult.events.models import (
    APPROVAL,
    CONFIRMED,
    DECLINED,
    LOTTERY,
    PENDING,
    WAITLISTED,
    Event,
    Registration,
)
from consult.events.seats import category_seat_left, lock_event, seat_free_for, set_status
from consult.events.waitlist import waitlist_end
from consult.extensions import db
from consult.localtime import as_utc

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECKIN_CODE_LENGTH = 8


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
    # Prepared before the event's row is locked: the registration and its confirmation mail (rendered for the
    # status the event's counters foretell), so the lock is held for the allocation and the inserts only.
    event = db.session.get(Event, event_id)
    if event is None:
        raise DomainError(_l("This event does not exist."), status=404)
    checked = _checked(event, name, phone, email, id_card, user, added_by, category, now)
    registration = _new_registration(event, *checked, id_card, user, locale, added_by, category)
    foretold = _status_for(event, registration, added_by)
    prepared = mails.prepare_registration_received(registration, event, user, foretold)

    take_write_lock(db.session)  # SQLite (the intake views): the write lock from here, see consult.database
    event = lock_event(event_id)  # the event as it is now: its checks again
    _checked(event, name, phone, email, id_card, user, added_by, category, now)
    _refuse_second_registration(event, user, registration.email_key, registration.phone_key)
    status = _status_for(event, registration, added_by)
    set_status(event, registration, status, now)
    if status == WAITLISTED:
        registration.waitlist_position = waitlist_end(event)
    db.session.add(registration)
    db.session.flush()
    mails.registration_received(registration, prepared if status == foretold else None)
    return registration


def _checked(event: Event, name, phone, email, id_card, user, added_by, category, now) -> tuple[str, str, str]:
    """The registrant's name, phone and e-mail as checked for ``event`` (DomainError: refused)."""
    if added_by is not None:
        require_event_manager(added_by, event.department_id)
    name, phone, email = check_registration(event, name=name, phone=phone, email=email, id_card=id_card, user=user,
                                            category=category)
    if added_by is None:
        _require_open_window(event, now)
    elif as_utc(event.ends_at) < now:
        raise DomainError(_l("This event is over."))
    return name, phone, email


def _new_registration(event: Event, name, phone, email, id_card, user, locale, added_by, category) -> Registration:
    """The new registration, without its status (not yet in the session)."""
    email_key, phone_key = contacts.email_key(email), contacts.phone_key(phone)
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
    return registration


def _status_for(event: Event, registration: Registration, added_by: User | None) -> str:
    """The status the event's mode and counters give a new registration now."""
    if event.mode == LOTTERY and not event.is_drawn:
        return PENDING
    if event.mode == APPROVAL and (added_by is None or not category_seat_left(event, registration.category)):
        return PENDING
    return CONFIRMED if seat_free_for(event, registration.category) else WAITLISTED


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
        if not category_seat_left(event, registration.category):
            raise DomainError(_l("No seats are left in this category. Decline, or give the category more seats."),
                              status=409)
        set_status(event, registration, CONFIRMED, now)
    else:
        if not reason:
            raise DomainError(_l("Please give the reason for declining; the person will read it."), field="reason")
        set_status(event, registration, DECLINED, now)
    registration.decision_reason = reason
    registration.decided_by_id = officer.id
    registration.decided_at = now
    db.session.flush()
    mails.registration_changed(registration, "approved" if approve else "declined")
    return registration

