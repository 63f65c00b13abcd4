"""An event's files: the materials for its attendees, and files published with a hearing's record.

Staff of the event's department attach files through the upload checks of :mod:`consult.uploads` (type by
content, size limit, zip bombs refused; PDF, Word, Excel and images). Who may download a file (the access
check of owner ``event``):

* staff who manage the event's department: every file, privately;
* a file **for attendees**: a confirmed attendee of the event, or a speaker chosen for a hearing — through
  the key in the links they are sent (signed with the app's secret, naming their registration or their
  application to speak, and checked against its status *now*, so a cancelled seat opens nothing), or logged
  in with a confirmed registration of their own. Served ``private, no-store``;
* a file **of the hearing record**: anyone, once the record is published (a public file).

Anyone else gets 404, exactly as for a file that does not exist.
"""

import sqlalchemy as sa
from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.datastructures import FileStorage
from werkzeug.routing import BuildError

from consult import uploads
from consult.accounts.models import User
from consult.authz import manages_events_of, require_event_manager
from consult.domain import DomainError
from consult.events.models import (
    ATTENDEES,
    CONFIRMED,
    FILE_AUDIENCES,
    RECORD,
    SELECTED,
    Event,
    EventFile,
    HearingSpeaker,
    Registration,
)
from consult.extensions import db

OWNER = "event"
MAX_FILES = 20
_SALT = "event-materials"


# --- staff: attaching and removing ---------------------------------------------------------------------
def has_files(event: Event) -> bool:
    """Whether the event takes files: hearings and public meetings do, open days do not."""
    return event.is_hearing or event.is_meeting


def files_page_shown(event: Event) -> bool:
    """Whether staff see the event's Files page: it takes files, or (an open day) still has files from before."""
    return has_files(event) or db.session.scalar(
        sa.select(sa.exists().where(EventFile.event_id == event.id))) is True


def add_file(event: Event, file: FileStorage | None, *, audience: str, actor: User) -> EventFile:
    """Check and store an uploaded file as one of the event's materials (or of a hearing's record)."""
    require_event_manager(actor, event.department_id)
    if not has_files(event):
        raise DomainError(_l("Only hearings and public meetings have files."), status=404)
    if audience not in FILE_AUDIENCES or (audience == RECORD and not event.is_hearing):
        raise DomainError(_l("Please choose who may download the file."), field="audience")
    if audience == RECORD and event.record_published_at is not None:
        raise DomainError(_l("The hearing record is published: its files can no longer change."), status=409)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(EventFile).where(EventFile.event_id == event.id))
    if count >= MAX_FILES:
        raise DomainError(_l("An event can have at most %(count)s files.", count=MAX_FILES), field="file", status=409)
    attachment = uploads.save_upload(file, owner=OWNER, uploaded_by=actor)
    row = EventFile(event_id=event.id, attachment_id=attachment.id, audience=audience)
    db.session.add(row)
    db.session.flush()
    return row


def remove_file(row: EventFile, *, actor: User) -> None:
    """Take a file off the event, and delete it (a published record's files stay)."""
    event = row.event
    require_event_manager(actor, event.department_id)
    if row.audience == RECORD and event.record_published_at is not None:
        raise DomainError(_l("The hearing record is published: its files can no longer change."), status=409)
    attachment = row.attachment
    db.session.delete(row)
    db.session.flush()
    uploads.delete_attachment(attachment)


def event_files(event: Event, audience: str | None = None) -> list[EventFile]:
    """The event's files (of one audience, if given), in the order they were attached."""
    query = (sa.select(EventFile).where(EventFile.event_id == event.id)
             .options(sa.orm.joinedload(EventFile.attachment)).order_by(EventFile.created_at, EventFile.attachment_id))
    if audience is not None:
        query = query.where(EventFile.audience == audience)
    return list(db.session.scalars(query))


def public_files(event_ids: list[int]) -> dict[int, list[EventFile]]:
    """The files published with these events' hearing records, by event: only a published event's, only
    once its record is published, never a file for attendees (one query for a page of events)."""
    if not event_ids:
        return {}
    rows = db.session.scalars(
        sa.select(EventFile).join(Event, Event.id == EventFile.event_id)
        .where(EventFile.event_id.in_(event_ids), EventFile.audience == RECORD, Event.published.is_(True),
               Event.record_published_at.is_not(None))
        .options(sa.orm.joinedload(EventFile.attachment))
        .order_by(EventFile.event_id, EventFile.created_at, EventFile.attachment_id))
    files: dict[int, list[EventFile]] = {}
    for row in rows:
        files.setdefault(row.event_id, []).append(row)
    return files


# --- attendees: the key in their links -----------------------------------------------------------------
def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def registration_key(registration: Registration) -> str:
    """The key that opens the materials to this registration's holder while their seat is confirmed."""
    return _serializer().dumps(["r", registration.id])


def speaker_key(speaker: HearingSpeaker) -> str:
    """The key that opens a hearing's materials to a speaker chosen to speak."""
    return _serializer().dumps(["s", speaker.submission_id])


def event_of_key(key: str | None) -> int | None:
    """The event whose materials ``key`` opens *now* (a confirmed seat, a chosen speaker), or None."""
    if not key or len(key) > 200:
        return None
    try:
        kind, number = _serializer().loads(key)
    except (BadSignature, ValueError, TypeError):
        return None
    if kind == "r":
        row = db.session.get(Registration, number)
        return row.event_id if row is not None and row.status == CONFIRMED else None
    if kind == "s":
        row = db.session.get(HearingSpeaker, number)
        return row.event_id if row is not None and row.status == SELECTED else None
    return None


def _holds_a_seat(user, event: Event) -> bool:
    from consult.events.services import registered_by

    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(sa.select(Registration.id).where(
        Registration.event_id == event.id, Registration.status == CONFIRMED, registered_by(user)).limit(1)) is not None


def may_have_materials(event: Event, key: str | None) -> bool:
    """Whether this visitor may see the event's materials for attendees (staff, a key holder, an attendee)."""
    if current_user.is_authenticated and manages_events_of(current_user, event.department_id):
        return True
    return event_of_key(key) == event.id or _holds_a_seat(current_user, event)


def file_url(row: EventFile, key: str | None = None, *, external: bool = False) -> str:
    values = {"key": key} if key and row.audience == ATTENDEES else {}
    return url_for("uploads.download", attachment_id=row.attachment_id, filename=row.attachment.original_filename,
                   _external=external, **values)


def materials_url(event: Event, key: str) -> str:
    """The page with the agenda, the materials and the files, for the holder of ``key``."""
    try:
        return url_for("events.materials", event_id=event.id, key=key, _external=True)
    except (BuildError, RuntimeError):  # outside a request without SERVER_NAME
        return ""


def _file_access(attachment: uploads.Attachment):
    row = db.session.get(EventFile, attachment.id)
    if row is None:
        return None
    event = row.event
    if current_user.is_authenticated and manages_events_of(current_user, event.department_id):
        return uploads.PRIVATE
    if row.audience == RECORD:
        return uploads.PUBLIC if event.published and event.record_published_at is not None else None
    return uploads.PRIVATE if may_have_materials(event, request.args.get("key")) else None


uploads.register_access_check(OWNER, _file_access)
