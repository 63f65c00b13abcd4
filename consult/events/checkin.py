"""Check-in at the door: a signed token in the QR code, or the short code printed under it.

The QR code holds ``URLSafeSerializer(SECRET_KEY, salt="consult.checkin").dumps({"r": id, "e": event_id})``;
a forged or altered token fails the signature. Checking in twice is harmless: the second time answers
who was already checked in, and when.
"""

import io
from dataclasses import dataclass
from datetime import datetime

import segno
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from consult.accounts.models import User
from consult.authz import require_event_manager
from consult.database import utcnow
from consult.domain import DomainError
from consult.events.models import CONFIRMED, STATUS_LABELS, Event, Registration
from consult.extensions import db

SALT = "consult.checkin"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def checkin_token(registration: Registration) -> str:
    """The signed token the QR code holds."""
    return _serializer().dumps({"r": registration.id, "e": registration.event_id})


def read_token(token: str) -> dict | None:
    """The payload of a genuine token, else ``None``."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int) or not isinstance(data.get("e"), int):
        return None
    return data


def qr_svg(token: str) -> bytes:
    """An SVG image of the QR code for ``token``."""
    buffer = io.BytesIO()
    segno.make(token, error="m").save(buffer, kind="svg", scale=6, border=4, xmldecl=False, title="QR")
    return buffer.getvalue()


def normalise_code(value: str) -> str:
    return "".join(ch for ch in (value or "") if ch.isalnum()).upper()


def find_registration(event: Event, code: str) -> Registration | None:
    """The registration of ``event`` that a scanned token or a typed short code names."""
    code = (code or "").strip()
    if "." in code:  # a token from the QR code
        data = read_token(code)
        if data is None or data["e"] != event.id:
            return None
        return db.session.get(Registration, data["r"])
    short = normalise_code(code)
    if not short:
        return None
    return db.session.scalar(
        sa.select(Registration).where(Registration.event_id == event.id, Registration.checkin_code == short)
    )


@dataclass(frozen=True)
class CheckIn:
    registration: Registration
    already: bool  # True when the person had been checked in before


def check_in(event: Event, code: str, officer: User, *, now: datetime | None = None) -> CheckIn:
    """Check a confirmed registrant in (idempotent)."""
    now = now or utcnow()
    require_event_manager(officer, event.department_id)
    registration = find_registration(event, code)
    if registration is None or registration.event_id != event.id:
        raise DomainError(_l("This code is not valid for this event."), field="code")
    if registration.status != CONFIRMED:
        raise DomainError(
            _l("This registration is not confirmed (status: %(status)s).", status=STATUS_LABELS[registration.status]),
            field="code",
        )
    # Only the first of two simultaneous scans changes the row (and the counter).
    changed = db.session.execute(
        sa.update(Registration)
        .where(Registration.id == registration.id, Registration.checked_in_at.is_(None))
        .values(checked_in_at=now, checked_in_by_id=officer.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        db.session.execute(
            sa.update(Event)
            .where(Event.id == event.id)
            .values(checked_in_count=Event.checked_in_count + 1)
            .execution_options(synchronize_session=False)
        )
    db.session.refresh(registration)
    db.session.refresh(event)
    return CheckIn(registration, already=not changed)
