"""The waiting list: its order, cancelling (a freed seat goes to the first waiting who may have it), promotion,
and a change of capacity.

* **Order** — a registration without a seat joins the *end* of the list (``waitlist_end``); one that loses
  its seat when the capacity shrinks goes back to the *top* (``waitlist_top``), so it is the first to get a
  seat back.
* **Promotion** — while seats are left, people are confirmed from the top of the list and told. A public
  meeting's seats belong to their categories: a freed seat goes to the first person waiting in a category
  with a seat left, never past the category's seats.
* **Capacity change** — more seats: the list is promoted in order. Fewer seats: the most recently confirmed
  registrations lose their seats and go back to the top of the list, in the order they were confirmed.

Every function here runs under the event row's lock (:func:`consult.events.seats.lock_event`).
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.database import utcnow
from consult.domain import DomainError
from consult.events import mails
from consult.events.models import APPROVAL, CANCELLED, CONFIRMED, WAITLISTED, Event, Registration
from consult.events.seats import category_room, has_room, lock_event, set_status
from consult.extensions import db
from consult.localtime import as_utc


# --- the list --------------------------------------------------------------------------------------------
def waitlist_end(event: Event) -> int:
    """The place at the end of the waiting list."""
    last = db.session.scalar(
        sa.select(sa.func.max(Registration.waitlist_position)).where(
            Registration.event_id == event.id, Registration.status == WAITLISTED
        )
    )
    return (last or 0) + 1


def waitlist_top(event: Event) -> int:
    """The place just above the top of the waiting list."""
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
    set_status(event, registration, CANCELLED, now)
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
            if not has_room(room, registration.category):
                continue
            set_status(event, registration, CONFIRMED, now)
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
        top = waitlist_top(event)
        # The earliest confirmed of those demoted ends up first on the list.
        for offset, registration in enumerate(reversed(latest)):
            set_status(event, registration, WAITLISTED, now)
            registration.waitlist_position = top - len(latest) + 1 + offset
            demoted.append(registration)
    event.capacity = capacity
    db.session.flush()
    for registration in demoted:
        mails.registration_changed(registration, "demoted")
    if event.mode != APPROVAL or event.waitlist_count:
        promote(event, now=now)
