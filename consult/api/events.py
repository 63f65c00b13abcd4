"""Open days: the list of published events, and registering (the same allocation service as the form)."""

from typing import Literal

from flask import url_for
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field

from consult.database import defer_write_lock
from consult.api import bp, schemas
from consult.api.common import ID, PageQuery, answer, cursor_error, department_json, list_response, request_locale
from consult.api.errors import ApiError
from consult.api.fields import Email, text
from consult.api.idempotency import idempotent
from consult.api.openapi import operation
from consult.api.validation import json_body, query_args
from consult.events import allocation, materials, services
from consult.events.models import EVENT_TYPES, MEETING_CATEGORIES, WAITLISTED, Event, EventFile
from consult.extensions import db, limiter
from consult.limits import EVENT_LIMIT
from consult.pagination import InvalidCursor


class EventQuery(PageQuery):
    past: Literal["0", "1"] | None = Field(None, description="1 for events that are over.")
    type: Literal[EVENT_TYPES] | None = Field(None, description="Only open days, hearings or public meetings.")


class RegistrationCreate(BaseModel):
    """A registration for an open day. One active registration per person (account, phone or e-mail)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    name: text(80, required=True)
    phone: text(32) | None = Field(None, description="Needed when the event's `require_phone` is true (else 409).")
    email: Email | None = Field(None, description="Needed when the event's `require_email` is true (else 409); "
                                                  "the confirmation goes here.")
    id_card: text(32) | None = Field(None, description="Needed when the event's `ask_id_card` is true (else 409); "
                                                       "only its last 4 characters are kept.")
    category: Literal[MEETING_CATEGORIES] | None = Field(
        None, description="A public meeting's attendees say whom they attend for (else 409): stakeholder 利益相关方, "
                          "resident 群众代表, expert 专家, media 媒体. Ignored for other events.")


def file_json(row: EventFile) -> dict:
    """A public file of an event: its name, type, size and public download."""
    attachment = row.attachment
    return {"name": attachment.original_filename, "content_type": attachment.content_type, "size": attachment.size,
            "url": materials.file_url(row, external=True)}


def event_json(event: Event, files: list[EventFile]) -> dict:
    """An event as listed; ``files`` are its public files (``materials.public_files``)."""
    return {
        "id": event.id, "title": event.title, "description": event.description,
        "department": department_json(event.department), "venue": event.venue, "address": event.address,
        "starts_at": event.starts_at, "ends_at": event.ends_at,
        "registration_opens_at": event.registration_opens_at, "registration_closes_at": event.registration_closes_at,
        "registration_open": allocation.registration_is_open(event), "mode": event.mode,
        "event_type": event.event_type,
        "capacity": event.capacity, "seats_left": event.seats_left, "waitlist_count": event.waitlist_count,
        "require_phone": event.require_phone, "require_email": event.require_email,
        "ask_id_card": event.ask_id_card, "url": url_for("events.detail", event_id=event.id, _external=True),
        "files": [file_json(row) for row in files],
    }


@bp.get("/events")
@operation("listEvents", "Published open days, hearings and public meetings: upcoming (soonest first) or past "
           "(latest first)", tag="events",
           responses={200: schemas.EventPage}, public_read=True, query=EventQuery)
def list_events():
    """Published events with seats left and how seats are given."""
    query = query_args(EventQuery)
    try:
        page = services.public_events(past=query.past == "1", cursor=query.cursor, per_page=query.limit,
                                      event_type=query.type)
    except InvalidCursor:
        raise cursor_error() from None
    files = materials.public_files([e.id for e in page.items])
    return list_response(schemas.EventPage, [event_json(e, files.get(e.id, [])) for e in page.items], page)


@bp.post(f"/events/<{ID}:event_id>/registrations")
@defer_write_lock
@limiter.limit(EVENT_LIMIT)
@operation("createRegistration", "Register for an open day", tag="events",
           responses={201: schemas.RegistrationReceipt}, body=RegistrationCreate, rate_limited=True, idempotent=True,
           description="Allocates a seat exactly like the registration form: `confirmed` while seats are left "
                       "(first come), else `waitlisted`; `pending` for approval and lottery events. The "
                       "confirmation mail with the cancel link and calendar file is sent as for the form. "
                       "Registration closed, a contact detail the event needs, or the same person registered "
                       "already answers 409.")
@idempotent
def create_registration(event_id: int):
    """Register through the same allocation service as the form (under the event's row lock)."""
    event = db.session.get(Event, event_id)
    if event is None or not event.published:
        raise ApiError(404)
    values = json_body(RegistrationCreate)
    if not allocation.registration_is_open(event):
        raise ApiError(409, _("Registration for this event is not open."))
    registration = allocation.register(
        event.id, name=values.name, phone=values.phone or "", email=values.email or "", id_card=values.id_card or "",
        locale=request_locale(), category=values.category,
    )
    manage_url = url_for("events.registration", token=allocation.manage_token(registration), _external=True)
    return answer(schemas.RegistrationReceipt(
        id=registration.id, event_id=event.id, status=registration.status,
        # A new registration joins the end of the waiting list: its place is the list's length.
        waitlist_place=event.waitlist_count if registration.status == WAITLISTED else None,
        manage_url=manage_url,
    ), 201, manage_url)
