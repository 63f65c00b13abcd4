"""The lottery draw: reproducible by anyone from the published seed.

The algorithm, exactly (it is also printed on the event page)::

    import random
    ids = sorted(ids_of_all_pending_registrations)   # registration numbers, ascending
    random.Random(seed).shuffle(ids)                   # seed: the published text, as a str
    winners, waiting_list = ids[:seats], ids[seats:]   # seats: capacity minus seats already confirmed

Winners are confirmed (draw rank 1, 2, …); everybody else joins the waiting list in draw order.

A public meeting draws **by category**: each category with seats is drawn on its own, over its own
registrations, with the seed ``f"{seed}:{category}"`` and the category's seats; those not drawn join the
waiting list category by category, in draw order. Hearings choose their speakers the same way
(:mod:`consult.events.hearings`).
Python's ``random.Random`` seeded with a string is deterministic across versions and platforms.
"""

import random
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import User
from consult.authz import require_event_manager
from consult.database import utcnow
from consult.domain import DomainError
from consult.events import mails
from consult.events.seats import lock_event, set_status
from consult.events.waitlist import waitlist_end
from consult.events.models import CONFIRMED, LOTTERY, PENDING, WAITLISTED, Registration
from consult.extensions import db
from consult.localtime import as_utc

SEED_MAX = 64


def draw_order(ids: list[int], seed: str) -> list[int]:
    """The draw: ``ids`` sorted, then shuffled by ``random.Random(seed)``. Winners come first."""
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    return order


def new_seed() -> str:
    """A fresh random seed, when the officer does not announce one (e.g. a public lottery number)."""
    return secrets.token_hex(8)


def _category_draws(event) -> dict[str, int]:
    """A meeting's categories and their seats, in the order of the form."""
    from consult.events.hearings import category_seats

    return {category: seats for category, seats in category_seats(event).items() if seats > 0}


def _allocate(event, entrants: dict, order: list[int], seats: int, position: int, now: datetime) -> int:
    """Confirm the first ``seats`` of ``order``; the others join the waiting list. Returns the next place."""
    seats = min(seats, event.seats_left)
    for rank, registration_id in enumerate(order, start=1):
        registration = entrants[registration_id]
        registration.draw_rank = rank
        if rank <= seats:
            set_status(event, registration, CONFIRMED, now)
        else:
            set_status(event, registration, WAITLISTED, now)
            registration.waitlist_position = position
            position += 1
    return position


def run_draw(event_id: int, *, officer: User, seed: str | None = None, now: datetime | None = None) -> list[int]:
    """Draw the winners of a lottery event after registration closes; returns the draw order."""
    now = now or utcnow()
    event = lock_event(event_id)
    require_event_manager(officer, event.department_id)
    if event.mode != LOTTERY:
        raise DomainError(_l("This event is not allocated by lottery."), status=409)
    if event.is_drawn:
        raise DomainError(_l("The draw has already taken place."), status=409)
    if now < as_utc(event.registration_closes_at):
        raise DomainError(_l("The draw can only take place after registration closes."), status=409)
    seed = (seed or "").strip() or new_seed()
    if len(seed) > SEED_MAX:
        raise DomainError(_l("The seed can have at most 64 characters."), field="seed")
    entrants = {
        r.id: r
        for r in db.session.scalars(
            sa.select(Registration).where(Registration.event_id == event.id, Registration.status == PENDING)
        )
    }
    position = waitlist_end(event)
    if event.is_meeting:
        order = []
        for category, seats in _category_draws(event).items():
            ids = [r.id for r in entrants.values() if r.category == category]
            drawn = draw_order(ids, f"{seed}:{category}")
            position = _allocate(event, entrants, drawn, seats, position, now)
            order.extend(drawn)
        leftover = draw_order([i for i in entrants if i not in set(order)], seed)  # categories without seats
        position = _allocate(event, entrants, leftover, 0, position, now)
        order.extend(leftover)
    else:
        order = draw_order(list(entrants), seed)
        _allocate(event, entrants, order, event.seats_left, position, now)
    event.lottery_seed = seed
    event.drawn_at = now
    event.drawn_by_id = officer.id
    db.session.flush()
    for registration_id in order:
        registration = entrants[registration_id]
        mails.registration_changed(registration, "won" if registration.status == CONFIRMED else "lost")
    return order
