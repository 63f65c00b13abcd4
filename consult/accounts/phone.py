"""Proving a mobile number with a code sent by SMS, and signing in with it.

A code has six digits, works once, for one purpose, for ``CODE_MINUTES`` minutes and ``MAX_TRIES`` tries.
Only its keyed hash is stored (HMAC-SHA256 under the app's secret key, bound to the number and the purpose).
A number gets a new code at most every ``RESEND_SECONDS`` seconds and ``PER_NUMBER_PER_HOUR`` times an hour;
one address (IP) asks at most ``PER_IP_PER_HOUR`` times an hour — besides the SMS rules of
``consult.notify.sms`` (mainland numbers, the daily cap per number, the global budget). A new code is never
the same as the last one sent to that number.

A try is counted before the code is compared, with one conditional UPDATE (concurrent guesses cannot
share a try). The view commits that count even when the code was wrong (``accounts.views.public_phone.phone_code``):
nothing else is written in that request.
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from consult.accounts.models import CITIZEN, PhoneCode, User
from consult.contacts import mask_phone
from consult.database import utcnow
from consult.domain import DomainError
from consult.extensions import db
from consult.notify import sms

SIGN_IN = "sign_in"
PURPOSES = (SIGN_IN,)
CODE_MINUTES = 5
MAX_TRIES = 5
RESEND_SECONDS = 60
PER_NUMBER_PER_HOUR = 5
PER_IP_PER_HOUR = 20

codes = PhoneCode.__table__


def _digest(phone: str, purpose: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def as_aware(moment: datetime) -> datetime:
    """SQLite hands stored moments back naive (they are UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _count_since(column, value: str, since: datetime) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(PhoneCode).where(column == value, PhoneCode.created_at >= since)
    ) or 0


def send_code(raw_phone: str, *, purpose: str = SIGN_IN, ip: str = "", now: datetime | None = None) -> str:
    """Send a new code to ``raw_phone`` for ``purpose``; returns the number (11 digits).

    Raises ``DomainError`` on the ``phone`` field for a number that cannot get one now.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    now = now or utcnow()
    phone = sms.mobile_number(raw_phone)
    if phone is None:
        raise DomainError(_l("Please enter a mainland mobile number, e.g. 13800138000."), field="phone")
    last = db.session.scalar(
        sa.select(PhoneCode).where(PhoneCode.phone == phone).order_by(PhoneCode.created_at.desc()).limit(1)
    )
    if last is not None and as_aware(last.created_at) > now - timedelta(seconds=RESEND_SECONDS):
        raise DomainError(_l("A code was sent to this number less than a minute ago. Please wait a moment "
                             "before asking for another one."), field="phone", status=429)
    hour_ago = now - timedelta(hours=1)
    if _count_since(PhoneCode.phone, phone, hour_ago) >= PER_NUMBER_PER_HOUR or (
        ip and _count_since(PhoneCode.ip, ip, hour_ago) >= PER_IP_PER_HOUR
    ):
        raise DomainError(_l("Too many codes have been asked for. Please try again in an hour."), field="phone",
                          status=429)
    code = f"{secrets.randbelow(10**6):06d}"
    while last is not None and hmac.compare_digest(_digest(phone, last.purpose, code), last.code_hash):
        code = f"{secrets.randbelow(10**6):06d}"  # never the code this number got last
    reason = sms.refusal(phone, sms.TEMPLATES["verification_code"], now)
    if reason is not None:
        raise DomainError(reason, field="phone", status=429)
    # Earlier codes for the same purpose stop working: only the newest one counts.
    db.session.execute(sa.update(PhoneCode).where(PhoneCode.phone == phone, PhoneCode.purpose == purpose,
                                                  PhoneCode.used_at.is_(None)).values(used_at=now))
    db.session.add(PhoneCode(phone=phone, purpose=purpose, code_hash=_digest(phone, purpose, code), ip=ip[:45],
                             created_at=now, expires_at=now + timedelta(minutes=CODE_MINUTES)))
    sms.queue_sms(phone, "verification_code", now=now, code=code)
    db.session.flush()
    return phone


def check_code(raw_phone: str, code: str, *, purpose: str = SIGN_IN, now: datetime | None = None) -> str:
    """The number, if ``code`` is its live code for ``purpose``; the code is then used up.

    Raises ``DomainError`` on the ``code`` field otherwise (wrong, expired, used, or out of tries).
    """
    now = now or utcnow()
    phone = sms.mobile_number(raw_phone)
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    row = None if phone is None else db.session.scalar(
        sa.select(PhoneCode).where(PhoneCode.phone == phone, PhoneCode.purpose == purpose,
                                   PhoneCode.used_at.is_(None)).order_by(PhoneCode.created_at.desc()).limit(1)
    )
    if row is None or as_aware(row.expires_at) <= now:
        raise DomainError(_l("This code is no longer valid. Please ask for a new one."), field="code")
    counted = db.session.execute(
        sa.update(codes).where(codes.c.id == row.id, codes.c.attempts < MAX_TRIES, codes.c.used_at.is_(None))
        .values(attempts=codes.c.attempts + 1)
    ).rowcount
    if not counted:
        raise DomainError(_l("Too many wrong codes. Please ask for a new one."), field="code")
    if len(code) != 6 or not hmac.compare_digest(_digest(phone, purpose, code), row.code_hash):
        raise DomainError(_l("The code is not correct. Please check it and try again."), field="code")
    row.used_at = now
    db.session.flush()
    return phone


def account_for_phone(phone: str, *, current: User | None = None, locale: str | None = None,
                      now: datetime | None = None) -> User:
    """The account a verified ``phone`` signs in to: the one it is linked to; else ``current`` (a signed-in
    citizen adding their number), linked now; else a new citizen account with only the number."""
    now = now or utcnow()
    owner = db.session.scalar(sa.select(User).where(User.phone == phone))
    if current is not None:
        if owner is not None and owner.id != current.id:
            raise DomainError(_l("This number is already linked to another account."), field="phone", status=409)
        current.phone, current.phone_verified_at = phone, now
        db.session.flush()
        return current
    if owner is not None:
        if not owner.active:
            raise DomainError(_l("This account has been disabled."), field="phone", status=403)
        return owner
    user = User(email=None, phone=phone, phone_verified_at=now, display_name=mask_phone(phone), role=CITIZEN,
                locale=locale)
    user.password_hash = "!"  # no password: this account signs in with its phone only
    db.session.add(user)
    db.session.flush()
    return user
