"""Open days: the list of published events, and registering (the same allocation service as the form)."""

from flask import url_for
from flask_babel import gettext as _

from consult.api import bp
from consult.api.common import ID, created, department_json, iso, list_response, query_choice, query_int, request_locale
from consult.api.common import json_body, query_text
from consult.api.errors import ApiError
from consult.api.idempotency import idempotent
from consult.api.openapi import CURSOR, LIMIT, Param, operation
from consult.api.validation import Body, String
from consult.events import allocation, services
from consult.events.models import WAITLISTED, Event
from consult.events.views import WRITE_LIMIT
from consult.extensions import db, limiter
from consult.pagination import InvalidCursor

REGISTRATION_BODY = Body("RegistrationCreate", {
    "name": String(required=True, max_length=80),
    "phone": String(max_length=32, description="Required when the event's `require_phone` is true."),
    "email": String(max_length=254, format="email",
                    description="Required when the event's `require_email` is true; the confirmation goes here."),
    "id_card": String(max_length=32, description="Only when the event's `ask_id_card` is true; only the last 4 "
                                                  "characters are kept."),
}, description="A registration for an open day. One active registration per person (account, phone or e-mail).")


def event_json(event: Event) -> dict:
    return {
        "id": event.id, "title": event.title, "description": event.description,
        "department": department_json(event.department), "venue": event.venue, "address": event.address,
        "starts_at": iso(event.starts_at), "ends_at": iso(event.ends_at),
        "registration_opens_at": iso(event.registration_opens_at),
        "registration_closes_at": iso(event.registration_closes_at),
        "registration_open": allocation.registration_is_open(event), "mode": event.mode,
        "capacity": event.capacity, "seats_left": event.seats_left, "waitlist_count": event.waitlist_count,
        "require_phone": event.require_phone, "require_email": event.require_email,
        "ask_id_card": event.ask_id_card, "url": url_for("events.detail", event_id=event.id, _external=True),
    }


@bp.get("/events")
@operation("listEvents", "Published open days: upcoming (soonest first) or past (latest first)", tag="events",
           responses={200: "EventPage"}, public_read=True, params=[
               Param("past", {"type": "string", "enum": ["0", "1"]}, "1 for events that are over."),
               CURSOR, LIMIT])
def list_events():
    """Published events with seats left and how seats are given."""
    past = query_choice("past", ("0", "1")) == "1"
    limit = query_int("limit", 20, 1, 100)
    try:
        page = services.public_events(past=past, cursor=query_text("cursor", 1000) or None, per_page=limit)
    except InvalidCursor:
        raise ApiError(400, errors={"cursor": [_("Not a cursor given by this API.")]}) from None
    return list_response([event_json(e) for e in page.items], page)


@bp.post(f"/events/<{ID}:event_id>/registrations")
@limiter.limit(WRITE_LIMIT)
@operation("createRegistration", "Register for an open day", tag="events", responses={201: "RegistrationReceipt"},
           request=REGISTRATION_BODY, rate_limited=True, idempotent=True,
           description="Allocates a seat exactly like the registration form: `confirmed` while seats are left "
                       "(first come), else `waitlisted`; `pending` for approval and lottery events. The "
                       "confirmation mail with the cancel link and calendar file is sent as for the form.")
@idempotent
def create_registration(event_id: int):
    """Register through the same allocation service as the form (under the event's row lock)."""
    event = db.session.get(Event, event_id)
    if event is None or not event.published:
        raise ApiError(404)
    values = json_body(REGISTRATION_BODY)
    if not allocation.registration_is_open(event):
        raise ApiError(409, _("Registration for this event is not open."))
    registration = allocation.register(
        event.id, name=values["name"], phone=values["phone"], email=values["email"], id_card=values["id_card"],
        locale=request_locale(),
    )
    manage_url = url_for("events.registration", token=allocation.manage_token(registration), _external=True)
    return created({
        "id": registration.id, "event_id": event.id, "status": registration.status,
        # A new registration joins the end of the waiting list: its place is the list's length.
        "waitlist_place": event.waitlist_count if registration.status == WAITLISTED else None,
        "manage_url": manage_url,
    }, manage_url)
