"""Account rules: registration, authentication, staff creation, password reset."""

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from consult.accounts.models import CITIZEN, DEPARTMENT_ROLES, ROLES, Department, User
from consult.database import utcnow
from consult.domain import DomainError
from consult.extensions import db
from consult.notify.services import queue_mail

RESET_SALT = "consult.password-reset"
MIN_PASSWORD_LENGTH = 8


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def register_citizen(email: str, display_name: str, password: str, locale: str | None = None) -> User:
    """Create a citizen account; raises DomainError if the e-mail is taken."""
    return _create_user(email, display_name, password, role=CITIZEN, locale=locale)


def create_staff_user(
    email: str, display_name: str, password: str, role: str, department: Department | None
) -> User:
    """Create a staff account (by an admin or the CLI). Officers and reviewers need a department."""
    if role not in ROLES:
        raise DomainError(_l("Unknown role."), field="role")
    if role in DEPARTMENT_ROLES and department is None:
        raise DomainError(_l("Officers and reviewers must belong to a department."), field="department")
    return _create_user(email, display_name, password, role=role, department=department)


def _create_user(email, display_name, password, *, role, department=None, locale=None) -> User:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(_l("The password must be at least 8 characters long."), field="password")
    if find_user_by_email(email):
        raise DomainError(_l("An account with this e-mail address already exists."), field="email")
    user = User(
        email=normalise_email(email),
        display_name=display_name.strip(),
        role=role,
        department=department,
        locale=locale,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, else None (same cost either way)."""
    user = find_user_by_email(email)
    if user is None:
        User.check_no_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def update_staff_user(user: User, *, display_name: str, role: str, department: Department | None, active: bool) -> None:
    """Change a user's role, department or status (admin)."""
    if role not in ROLES:
        raise DomainError(_l("Unknown role."), field="role")
    if role in DEPARTMENT_ROLES and department is None:
        raise DomainError(_l("Officers and reviewers must belong to a department."), field="department")
    user.display_name = display_name.strip()
    user.role = role
    user.department = department
    user.active = active
    db.session.flush()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def make_reset_token(user: User) -> str:
    """A signed, expiring token that stops working once the password changes."""
    return _serializer().dumps({"uid": user.id, "stamp": user.auth_stamp})


def user_for_reset_token(token: str) -> User | None:
    """The user a valid, unexpired, unused reset token belongs to, else None."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("uid")) if isinstance(data.get("uid"), int) else None
    if user is None or user.auth_stamp != data.get("stamp") or not user.active:
        return None
    return user


def request_password_reset(email: str) -> None:
    """Queue a reset mail if an active account has this e-mail; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    queue_mail(
        user.email,
        "password_reset",
        locale=user.locale,
        user=user,
        reset_url=url_for("accounts.reset_password", token=make_reset_token(user), _external=True),
        max_age_minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )


def reset_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(_l("The password must be at least 8 characters long."), field="password")
    user.set_password(password)
    db.session.flush()
