"""Tables of the JSON API: staff's personal API tokens, and the answers remembered for Idempotency-Key."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import User
from consult.database import utcnow
from consult.extensions import db


class ApiToken(db.Model):
    """A staff member's personal token for the officer endpoints.

    Only the SHA-256 of the secret is stored (the secret is shown once, when created); ``prefix`` keeps
    its first characters so the owner can tell tokens apart. The token acts with the role and department
    its owner had when it was created: if either changes, the token stops working.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    role: Mapped[str] = mapped_column(sa.String(16))
    department_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("departments.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    last_used_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… of user {self.user_id}>"


class IdempotencyRecord(db.Model):
    """The first successful answer to a POST sent with an ``Idempotency-Key``: a replay returns it.

    ``key`` is a hash of the key and its owner (see :mod:`consult.api.idempotency`), never the key itself;
    ``request_hash`` covers the method, path and body, so the same key with another request is refused;
    ``response_body`` holds the answer without its one-time secrets (query code, registration link).
    The row is written in the request's own transaction: it exists only if the request's work does.
    """

    __tablename__ = "api_idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[Optional[int]]
    response_body: Mapped[str] = mapped_column(sa.Text, default="")
    location: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<IdempotencyRecord {self.key[:12]} {self.status_code}>"
