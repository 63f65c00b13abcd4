"""Personal API tokens: creating and revoking them, and authenticating ``Authorization: Bearer`` requests.

A token is ``cst_`` followed by 43 random URL-safe characters. It is shown once; the database keeps its
SHA-256 and a short prefix. Only staff may hold tokens, and a token acts with the role and department its
owner had when it was made: a change of either (or a deactivated account) makes it stop working.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import wraps

import sqlalchemy as sa
from flask import g, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.accounts.models import STAFF_ROLES, User
from consult.api.errors import ApiError
from consult.api.models import ApiToken
from consult.database import utcnow
from consult.domain import DomainError
from consult.extensions import db
from consult.localtime import as_utc

TOKEN_PREFIX = "cst_"
PREFIX_SHOWN = 12  # "cst_" and 8 characters of the secret, to tell tokens apart
NAME_MAX = 80
MAX_ACTIVE_TOKENS = 10
EXPIRY_CHOICES = (30, 90, 365, 0)  # days; 0 = never expires
LAST_USED_PRECISION = timedelta(minutes=1)  # write last_used_at at most this often


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def user_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, active ones first, newest first."""
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
    ))


def is_active(token: ApiToken, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return token.revoked_at is None and (token.expires_at is None or as_utc(token.expires_at) > now)


def create_token(user: User, name: str, expires_in_days: int = 90) -> tuple[ApiToken, str]:
    """Make a token for ``user`` (staff only); returns the row and the secret, which exists only now."""
    if user.role not in STAFF_ROLES or not user.active:
        raise DomainError(_l("Only staff accounts can have API tokens."), status=403)
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Please name the token, e.g. after the program that uses it."), field="name")
    if len(name) > NAME_MAX:
        raise DomainError(_l("At most %(n)s characters.", n=NAME_MAX), field="name")
    if expires_in_days not in EXPIRY_CHOICES:
        raise DomainError(_l("Please choose when the token expires."), field="expires_in_days")
    active = [t for t in user_tokens(user) if is_active(t)]
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise DomainError(_l("You have %(n)s active tokens; revoke one first.", n=MAX_ACTIVE_TOKENS), field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id, name=name, prefix=secret[:PREFIX_SHOWN], token_hash=hash_token(secret), role=user.role,
        department_id=user.department_id, created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_token(token: ApiToken, *, actor: User) -> None:
    """Stop a token from working (its owner only); revoking twice changes nothing."""
    if token.user_id != actor.id:
        raise DomainError(_l("This token does not exist."), status=404)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def authenticate(secret: str, now: datetime | None = None) -> User | None:
    """The staff member a bearer secret belongs to, or None (unknown, revoked, expired, or out of date)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    now = now or utcnow()
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or not is_active(token, now):
        return None
    user = token.user
    if not user.active or user.role not in STAFF_ROLES:
        return None
    if user.role != token.role or user.department_id != token.department_id:
        return None  # the owner's role or department changed: the token's scope no longer holds
    if token.last_used_at is None or now - as_utc(token.last_used_at) >= LAST_USED_PRECISION:
        token.last_used_at = now
    return user


def _bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def token_required(*roles: str):
    """Officer endpoints: a valid bearer token (401 otherwise) of a user with one of ``roles`` (403 otherwise).

    Never looks at cookies or the session. The user is in ``g.api_user`` for the view.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            g.api_user = None
            secret = _bearer_secret()
            user = authenticate(secret) if secret else None
            if user is None:
                detail = _("Send a valid personal API token: Authorization: Bearer <token>.")
                raise ApiError(401, detail, headers={"WWW-Authenticate": 'Bearer realm="consult"'})
            if user.role not in roles:
                raise ApiError(403)
            g.api_user = user
            return view(*args, **kwargs)

        wrapped.token_roles = roles
        return wrapped

    return decorator
