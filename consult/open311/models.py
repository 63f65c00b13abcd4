"""API keys of Open311 clients (civic-tech apps that file letters), stored hashed."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import User
from consult.database import utcnow
from consult.extensions import db


class Open311Key(db.Model):
    """A key an admin gave to one Open311 client. Only its SHA-256 is stored; the key is shown once."""

    __tablename__ = "open311_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))  # who uses it, e.g. "12345 hotline app"
    key_prefix: Mapped[str] = mapped_column(sa.String(12))  # the first characters, to recognise it in lists
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # SHA-256 hex of the whole key
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    revoked_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    last_used_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    request_count: Mapped[int] = mapped_column(default=0, server_default="0")  # letters filed with it

    created_by: Mapped[Optional[User]] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<Open311Key {self.id} {self.key_prefix}…>"
