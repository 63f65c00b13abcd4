"""Creating, revoking and checking Open311 client keys."""

import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import User
from consult.database import utcnow
from consult.domain import DomainError
from consult.extensions import db
from consult.open311.models import Open311Key

KEY_PREFIX = "o311_"
NAME_MAX = 120


@dataclass(frozen=True)
class NewKey:
    """A freshly created key and its secret — the only time the secret exists in clear."""

    key: Open311Key
    secret: str


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_key(name: str, *, created_by: User | None) -> NewKey:
    """Make a key for the client ``name``; the caller shows ``secret`` once."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Please say who will use this key."), field="name")
    if len(name) > NAME_MAX:
        raise DomainError(_l("At most %(n)s characters.", n=NAME_MAX), field="name")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = Open311Key(name=name, key_prefix=secret[:12], key_hash=hash_key(secret), created_by=created_by)
    db.session.add(key)
    db.session.flush()
    return NewKey(key, secret)


def revoke_key(key: Open311Key) -> None:
    """Stop accepting the key (idempotent)."""
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        db.session.flush()


def active_key(secret: str | None) -> Open311Key | None:
    """The active key matching ``secret``, or None (unknown, revoked or missing alike)."""
    secret = (secret or "").strip()
    if not secret.startswith(KEY_PREFIX) or len(secret) > 100:
        return None
    return db.session.scalar(
        sa.select(Open311Key).where(Open311Key.key_hash == hash_key(secret), Open311Key.revoked_at.is_(None))
    )


def all_keys() -> list[Open311Key]:
    """Every key, active ones first, newest first."""
    return list(db.session.scalars(
        sa.select(Open311Key).order_by(Open311Key.revoked_at.is_not(None), Open311Key.id.desc())
    ))
