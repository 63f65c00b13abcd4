"""Departments and user accounts."""

import secrets
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from consult.database import utcnow
from consult.extensions import db

CITIZEN, OFFICER, REVIEWER, EDITOR, ADMIN = "citizen", "officer", "reviewer", "editor", "admin"
ROLES = (CITIZEN, OFFICER, REVIEWER, EDITOR, ADMIN)
STAFF_ROLES = (OFFICER, REVIEWER, EDITOR, ADMIN)
DEPARTMENT_ROLES = (OFFICER, REVIEWER)  # roles that always belong to one department
ROLE_LABELS = {
    CITIZEN: _l("Citizen"),
    OFFICER: _l("Officer"),
    REVIEWER: _l("Reviewer"),
    EDITOR: _l("Editor"),
    ADMIN: _l("Administrator"),
}

# Compared against when no account matches, so a login takes as long whether or not the e-mail exists.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


class Department(db.Model):
    """A government department (e.g. 县司法局) that owns submissions and staff."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(160), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    # Place in the official order (政府组成部门排序) an admin sets; every list of departments follows it.
    sort_order: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    users: Mapped[list["User"]] = relationship(back_populates="department")

    def display_name(self, locale: str) -> str:
        """The name in the visitor's language (Chinese when no English name is set)."""
        return self.name_en if locale == "en" and self.name_en else self.name

    def __repr__(self) -> str:
        return f"<Department {self.code}>"


class User(UserMixin, db.Model):
    """A person who logs in: a citizen, or staff with a role and (usually) a department."""

    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint(sa.column("role").in_(ROLES), name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a citizen who only ever signed in with their phone.
    email: Mapped[Optional[str]] = mapped_column(sa.String(254), unique=True)
    # A mainland mobile number the person proved with a code (consult.accounts.phone): signs them in.
    phone: Mapped[Optional[str]] = mapped_column(sa.String(20), unique=True)
    phone_verified_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    display_name: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16), default=CITIZEN, index=True)
    department_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    locale: Mapped[Optional[str]] = mapped_column(sa.String(8))
    # False when the person turned off non-essential mail (reminders, digests); see consult.notify.
    optional_mail: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))

    department: Mapped[Optional[Department]] = relationship(back_populates="users")

    # The sign-in the current request runs under, set on the instance by consult.accounts.sessions when
    # it logs the user in or loads them for a request (not columns).
    login_session = None  # the LoginSession row
    login_token = None  # the token the cookies hold (str)

    def set_password(self, password: str) -> None:
        """Store a new password hash. Use consult.accounts.services to change a password: it also ends the
        account's other sessions."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @staticmethod
    def check_no_password(password: str) -> bool:
        """Spend the same time as a real check; always False."""
        check_password_hash(_DUMMY_HASH, password)
        return False

    def get_login_token(self) -> str:
        """What the session cookie holds (flask-login's ``id_attribute``): the token of this sign-in."""
        if self.login_token is None:
            raise RuntimeError("log in through consult.accounts.sessions.start_session")
        return self.login_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def __repr__(self) -> str:
        return f"<User {self.email or self.phone} {self.role}>"


class LoginSession(db.Model):
    """One sign-in of a user on one device. The session cookie (and the remember-me cookie) hold a random
    token whose SHA-256 is ``token_hash``; deleting the row makes both cookies worthless at once.

    Created only by logging in, never for anonymous visitors. ``last_seen_at`` is written at most every
    few minutes and only by requests that change something (consult.accounts.sessions.TOUCH_EVERY).
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    remember: Mapped[bool] = mapped_column(default=False)
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    ip: Mapped[str] = mapped_column(sa.String(45), default="")  # the visitor's address (behind trusted proxies)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<LoginSession {self.id} user={self.user_id}>"


class PhoneCode(db.Model):
    """A six-digit code sent by SMS to prove that the person at a form holds a mobile number.

    Only its keyed hash is kept. It works once, for ``purpose``, within its lifetime and its tries
    (consult.accounts.phone).
    """

    __tablename__ = "phone_codes"
    __table_args__ = (sa.Index("ix_phone_codes_phone", "phone", "created_at"),
                      sa.Index("ix_phone_codes_ip", "ip", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(sa.String(20))
    purpose: Mapped[str] = mapped_column(sa.String(16))
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    used_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<PhoneCode {self.id} {self.purpose}>"
