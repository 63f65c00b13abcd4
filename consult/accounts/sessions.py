"""Login sessions kept on the server, so that logging out, changing the password or ending a session
from another device makes the copied cookies worthless.

The signed session cookie (and the remember-me cookie, when chosen) hold a random token; the database
keeps only its SHA-256 in ``login_sessions``. Loading the user for a request is one indexed query that
reads the session row and the user together. A row is made only by logging in: anonymous visitors never
get one. ``last_seen_at`` is written at most every :data:`TOUCH_EVERY`, and only by requests that change
something anyway (never by GET), so reading pages never writes to the database.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import contains_eager

from consult.accounts.models import LoginSession, User
from consult.database import utcnow
from consult.extensions import db
from consult.localtime import as_utc

TOUCH_EVERY = timedelta(minutes=10)
USER_AGENT_MAX = 300


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime(remember: bool) -> timedelta:
    """How long a sign-in lasts: the remember-me cookie's duration, or the working-day session's."""
    config = current_app.config
    return config["REMEMBER_COOKIE_DURATION"] if remember else timedelta(hours=config["CONSULT_SESSION_HOURS"])


def start_session(user: User, *, remember: bool, user_agent: str, ip: str, now: datetime | None = None) -> str:
    """Record a new sign-in of ``user`` and return its token (what the cookies will hold)."""
    now = as_utc(now or utcnow())
    token = secrets.token_urlsafe(32)
    record = LoginSession(
        token_hash=_token_hash(token), user_id=user.id, created_at=now, last_seen_at=now,
        expires_at=now + lifetime(remember), remember=remember,
        user_agent=(user_agent or "")[:USER_AGENT_MAX], ip=(ip or "")[:45],
    )
    db.session.add(record)
    db.session.flush()
    user.login_session, user.login_token = record, token
    return token


def user_for_token(token: str, *, writing: bool = False, ip: str = "", now: datetime | None = None) -> User | None:
    """The active user whose unexpired sign-in has this token, loaded with it in one query; else None.

    ``writing``: the request changes something anyway, so ``last_seen_at`` (and the address) may be
    brought up to date, at most every :data:`TOUCH_EVERY`.
    """
    if not isinstance(token, str) or not token:
        return None
    now = as_utc(now or utcnow())
    record = db.session.scalar(
        sa.select(LoginSession).join(LoginSession.user).options(contains_eager(LoginSession.user))
        .where(LoginSession.token_hash == _token_hash(token), LoginSession.expires_at > now, User.active.is_(True))
    )
    if record is None:
        return None
    if writing and now - as_utc(record.last_seen_at) >= TOUCH_EVERY:
        record.last_seen_at = now
        if ip:
            record.ip = ip[:45]
    user = record.user
    user.login_session, user.login_token = record, token
    return user


def active_sessions(user: User, now: datetime | None = None) -> list[LoginSession]:
    """The user's unexpired sign-ins, most recently used first."""
    return list(db.session.scalars(
        sa.select(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.expires_at > as_utc(now or utcnow()))
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
    ))


def end_session(user: User, session_id: int) -> bool:
    """End one of the user's own sign-ins; False when it is not theirs (or already ended)."""
    result = db.session.execute(
        sa.delete(LoginSession).where(LoginSession.id == session_id, LoginSession.user_id == user.id)
    )
    return result.rowcount > 0


def end_current_session(user: User) -> None:
    """End the sign-in the current request runs under (logging out)."""
    if user.login_session is not None:
        end_session(user, user.login_session.id)
        user.login_session = None


def end_other_sessions(user: User, keep: LoginSession | None = None) -> int:
    """End every sign-in of the user except ``keep`` (None: all of them); returns how many ended."""
    stmt = sa.delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep is not None:
        stmt = stmt.where(LoginSession.id != keep.id)
    return db.session.execute(stmt).rowcount


def forget_expired_sessions(now: datetime | None = None) -> int:
    """Delete sign-ins past their expiry (the daily ``remind`` run); returns how many."""
    result = db.session.execute(sa.delete(LoginSession).where(LoginSession.expires_at <= as_utc(now or utcnow())))
    return result.rowcount
