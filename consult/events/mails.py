"""Mails to registrants, the iCalendar file, and the reminder the day before.

A registrant who left a mobile number and no e-mail address gets the confirmation (when they have a seat)
and the reminder by SMS instead (``consult.notify.sms``); for a public meeting also the news that they were
not selected, and a seat's SMS links their own page with the agenda and materials. An applicant to speak at a
hearing who is told by SMS gets the selection by SMS.
"""

from datetime import datetime, timedelta

import icalendar
import sqlalchemy as sa
from flask import url_for
from werkzeug.routing import BuildError

from consult.database import utcnow
from consult.events.models import CONFIRMED, Event, Registration
from consult.extensions import db
from consult.notify import sms
from consult.notify.services import MailAttachment, PreparedMail, prepare_mail, queue_mail
from consult.tracking.mails import sms_number, text_citizen

# change -> what the update mail says happened
CHANGES = ("promoted", "approved", "declined", "won", "lost", "demoted")


def _url(endpoint: str, **values) -> str:
    try:
        return url_for(endpoint, _external=True, **values)
    except (BuildError, RuntimeError):  # outside a request without SERVER_NAME
        return ""


def manage_url(registration: Registration) -> str:
    from consult.events.allocation import manage_token

    return _url("events.registration", token=manage_token(registration))


def event_url(event: Event) -> str:
    return _url("events.detail", event_id=event.id)


def event_ics(event: Event) -> bytes:
    """An iCalendar (RFC 5545) file for the event, with a reminder the day before."""
    from consult.localtime import as_utc

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Consult//Open days//ZH")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = icalendar.Event()
    entry.add("uid", f"consult-event-{event.id}@consult")
    entry.add("dtstamp", utcnow())
    entry.add("dtstart", as_utc(event.starts_at))
    entry.add("dtend", as_utc(event.ends_at))
    entry.add("summary", event.title)
    entry.add("location", "，".join(part for part in (event.venue, event.address) if part))
    entry.add("description", event.description or "")
    link = event_url(event)
    if link:
        entry.add("url", link)
    if event.department.contact_email:
        entry.add("organizer", f"mailto:{event.department.contact_email}")
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", event.title)
    alarm.add("trigger", timedelta(days=-1))
    entry.add_component(alarm)
    calendar.add_component(entry)
    return calendar.to_ical()


def _send(registration: Registration, template: str, *, with_calendar: bool = False, dedup_key=None,
          essential=True, **context):
    recipient = registration.contact_email
    if not recipient:
        return _text(registration, template, dedup_key, context.get("change"))
    event, user = registration.event, registration.user
    context.setdefault("material_files", _material_files(registration, event))
    return queue_mail(recipient, template, dedup_key=dedup_key, essential=essential,
                      **_mail_context(registration, event, user, with_calendar, context))


def _mail_context(registration: Registration, event: Event, user, with_calendar: bool, context: dict) -> dict:
    attachments = [MailAttachment("event.ics", "text/calendar", event_ics(event))] if with_calendar else []
    return dict(
        locale=registration.locale or (user.locale if user is not None else None),
        user=user,
        attachments=attachments,
        registration=registration,
        event=event,
        manage_url=manage_url(registration),
        event_url=event_url(event),
        **context,
    )


def prepare_registration_received(registration: Registration, event: Event, user, status: str) -> PreparedMail | None:
    """The confirmation mail of a new ``registration`` (not yet in the session) as it will be if it gets
    ``status``, rendered now: before the event's row lock, so the lock is held for the allocation and the
    inserts only (:func:`consult.events.allocation.register`). None where it cannot be told ahead: no e-mail
    address (an SMS is sent), or files for attendees (their links need the registration's id)."""
    from consult.events import materials

    recipient = registration.email or (user.email if user is not None else "")
    if not recipient or (status == CONFIRMED and materials.has_files(event)):
        return None
    registration.status = status
    try:
        return prepare_mail(recipient, "registration_received", **_mail_context(
            registration, event, user, status == CONFIRMED, {"material_files": []}))
    finally:
        registration.status = ""


def _material_files(registration: Registration, event: Event) -> list[tuple[str, str]]:
    """The files for attendees (name, link opening them to this registrant) when the seat is confirmed."""
    from consult.events import materials

    if registration.status != CONFIRMED or not materials.has_files(event):
        return []
    key = materials.registration_key(registration)
    return [(row.attachment.original_filename, materials.file_url(row, key, external=True))
            for row in materials.event_files(event, "attendees")]


def _text(registration: Registration, template: str, dedup_key: str | None, change: str | None = None):
    """The SMS that stands in for a mail to a registrant without an e-mail address: a seat, a reminder, and
    for a public meeting also a refusal. A meeting's seat comes with the link to the registration's own page,
    where the agenda, the materials and the admission code are (for the attendee only)."""
    event = registration.event
    params = {"event": event.title[:20], "date": event.starts_at, "url": event_url(event)}
    if template == "registration_reminder":
        name = "event_reminder"
    elif registration.status == CONFIRMED and template in ("registration_received", "registration_update"):
        name = "registration"
        if event.is_meeting:
            name, params["url"] = "meeting_seat", manage_url(registration)
    elif event.is_meeting and template == "registration_update" and change in ("lost", "declined"):
        name, params["url"] = "not_selected", manage_url(registration)
        del params["date"]
    else:
        return None
    return sms.queue_sms(registration.phone, name, dedup_key=f"sms:{dedup_key}" if dedup_key else None, **params)


def registration_received(registration: Registration, prepared: PreparedMail | None = None):
    """The confirmation mail: confirmed, waiting list or pending, with the link and (with a seat) the .ics.
    ``prepared``: the mail rendered ahead by :func:`prepare_registration_received` for the status the
    registration got (the caller checks), queued as it is."""
    if prepared is not None:
        return prepared.queue()
    return _send(registration, "registration_received", with_calendar=registration.status == CONFIRMED)


def registration_cancelled(registration: Registration):
    return _send(registration, "registration_cancelled")


def registration_changed(registration: Registration, change: str):
    """Tell the registrant their status changed (``change`` is one of ``CHANGES``)."""
    assert change in CHANGES
    return _send(registration, "registration_update", with_calendar=registration.status == CONFIRMED, change=change)


def queue_event_reminders(now: datetime | None = None) -> int:
    """Queue the reminder to every confirmed registrant of events starting tomorrow (local date).

    Safe to run many times a day: one reminder per registration (outbox ``dedup_key``). Returns the
    number of mails queued.
    """
    from consult.localtime import as_utc, day_bounds, local_date

    now = as_utc(now or utcnow())
    tomorrow = local_date(now) + timedelta(days=1)
    # Compared in UTC: SQLite stores naive UTC text, so the bounds must be UTC too.
    start, end = day_bounds(tomorrow)
    registrations = db.session.scalars(
        sa.select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Event.published.is_(True),
            Event.starts_at >= start,
            Event.starts_at < end,
            Registration.status == CONFIRMED,
        )
        .order_by(Registration.id)
    )
    queued = 0
    for registration in registrations:
        if _send(registration, "registration_reminder", dedup_key=f"event-reminder:{registration.id}",
                 essential=False, with_calendar=True):
            queued += 1
    return queued


def speaker_selection(application, event: Event, *, chosen: bool, record_url: str, materials_url: str = ""):
    """Tell an applicant to speak whether they were chosen: by mail, or by SMS to an applicant told by SMS
    (e.g. one who left only a mobile number) — a chosen speaker's SMS links the materials, the other's the
    status page of the statement, which is still answered in the hearing report."""
    submission = application.submission
    dedup_key = f"hearing-selection:{submission.id}"
    if sms_number(submission) is not None:
        if chosen:
            return text_citizen(submission, "speaker_chosen", dedup_key=f"sms:{dedup_key}", event=event.title[:20],
                                date=event.starts_at, url=materials_url or event_url(event))
        return text_citizen(submission, "not_selected", dedup_key=f"sms:{dedup_key}", event=event.title[:20])
    user = submission.user
    return queue_mail(
        submission.contact_email, "hearing_speaker_selection", locale=submission.locale, user=user,
        dedup_key=dedup_key, event=event, submission=submission, chosen=chosen,
        record_url=record_url, event_url=event_url(event), materials_url=materials_url if chosen else "",
        attachments=[MailAttachment("event.ics", "text/calendar", event_ics(event))] if chosen else [],
    )
