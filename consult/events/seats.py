"""The seat ledger of an event: the lock on its row, the counters kept in step with every change of status, and
the room left — in total, and per category for a public meeting, whose seats belong to their categories.

Locking: PostgreSQL takes ``SELECT … FOR UPDATE`` on the event row. SQLite has one writer at a time:
write requests already begin with ``BEGIN IMMEDIATE`` (``consult.database``); elsewhere (CLI, services
called directly) the first statement here is a write to the event row, which takes the write lock before
anything is read. Either way the counters read after the lock are current. Every change to who holds a seat
(:mod:`.allocation`, :mod:`.waitlist`, :mod:`.lottery`, :mod:`.hearings`) takes this lock first.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.database import is_sqlite
from consult.domain import DomainError
from consult.events.models import (
    CANCELLED, CONFIRMED, LOTTERY, PENDING, WAITLISTED, CategorySeats, Event, Registration,
)  # fmt: skip
from consult.extensions import db


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


def set_status(event: Event, registration: Registration, status: str, now: datetime) -> None:
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


# --- room left ------------------------------------------------------------------------------------------
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


def has_room(room: dict[str, int | None] | None, category: str | None) -> bool:
    """Whether ``category`` has a seat left in ``room`` (``category_room``); no room kept: always."""
    return room is None or category is None or room.get(category, None) != 0


def category_seat_left(event: Event, category: str | None) -> bool:
    """Whether a meeting's category has a seat left (always, for other events and categories without a limit)."""
    return has_room(category_room(event), category)


def seat_free_for(event: Event, category: str | None) -> bool:
    """Whether a new registration (first come) gets a seat at once: a seat is left, in its category too for a
    meeting, and nobody who could have that seat is waiting for it."""
    if event.seats_left <= 0:
        return False
    room = category_room(event)
    if room is None or category is None:
        return event.waitlist_count == 0
    if not has_room(room, category):
        return False
    waiting = db.session.scalar(sa.select(Registration.id).where(
        Registration.event_id == event.id, Registration.status == WAITLISTED,
        Registration.category == category).limit(1))
    return waiting is None
