"""Account rules: registration, authentication, staff creation, password change and reset."""

import hashlib

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from consult.accounts import sessions
from consult.accounts.models import CITIZEN, DEPARTMENT_ROLES, ROLES, Department, LoginSession, User
from consult.database import utcnow
from consult.domain import DomainError
from consult.extensions import db
from consult.notify.services import queue_mail

RESET_SALT = "consult.password-reset"
REGISTER_SALT = "consult.register"
MIN_PASSWORD_LENGTH = 8


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def register_citizen(email: str, display_name: str, password: str, locale: str | None = None) -> User:
    """Create a citizen account; raises DomainError if the e-mail is taken."""
    return _create_user(email, display_name, password, role=CITIZEN, locale=locale)


def _registration_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=REGISTER_SALT)


def request_registration(email: str, display_name: str, locale: str | None = None) -> None:
    """Start registering: mail the address a link to choose a password and finish, or, if it already has
    an account, tell its owner so. The visitor is answered the same either way (nothing reveals whether
    the address is known); each address gets at most one such mail an hour."""
    email = normalise_email(email)
    hour = utcnow().strftime("%Y%m%d%H")
    dedup_key = f"register:{hashlib.sha256(email.encode()).hexdigest()[:32]}:{hour}"
    user = find_user_by_email(email)
    if user is None:
        token = _registration_serializer().dumps({"email": email, "name": display_name.strip(), "locale": locale})
        queue_mail(
            email, "account_create_link", locale=locale, dedup_key=dedup_key, name=display_name.strip(),
            link=url_for("accounts.finish_registration", token=token, _external=True),
            max_age_hours=current_app.config["REGISTRATION_LINK_MAX_AGE"] // 3600,
        )
    else:
        queue_mail(
            user.email, "account_exists", user=user, dedup_key=dedup_key,
            login_url=url_for("accounts.login", _external=True),
            reset_url=url_for("accounts.forgot_password", _external=True),
        )


def pending_registration(token: str) -> dict | None:
    """What a valid, unexpired registration link carries (``email``, ``name``, ``locale``); None when the
    link is forged, expired or already used (the address has an account by now)."""
    try:
        data = _registration_serializer().loads(token, max_age=current_app.config["REGISTRATION_LINK_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("email"), str) or not isinstance(data.get("name"), str):
        return None
    if find_user_by_email(data["email"]) is not None:
        return None
    return data


def finish_registration(token: str, password: str) -> User:
    """Create the citizen account a registration link was mailed for; DomainError if the link no longer
    works (status 410) or the password is too short."""
    data = pending_registration(token)
    if data is None:
        raise DomainError(_l("This link no longer works."), status=410)
    locale = data.get("locale") if isinstance(data.get("locale"), str) else None
    return register_citizen(data["email"], data["name"], password, locale=locale)


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
    if not active:
        sessions.end_other_sessions(user)
    db.session.flush()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _password_fingerprint(user: User) -> str:
    """Changes whenever the password does, so a reset link works once (and not after another change)."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    """A signed, expiring token that stops working once the password changes."""
    return _serializer().dumps({"uid": user.id, "pw": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    """The user a valid, unexpired, unused reset token belongs to, else None."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("uid")) if isinstance(data.get("uid"), int) else None
    if user is None or _password_fingerprint(user) != data.get("pw") or not user.active:
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


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(_l("The password must be at least 8 characters long."), field="password")


def reset_password(user: User, password: str) -> None:
    """Set a new password from a reset link: every session of the account ends (whoever else was in)."""
    _check_new_password(password)
    user.set_password(password)
    sessions.end_other_sessions(user)
    db.session.flush()


def change_password(user: User, current_password: str, password: str, keep: LoginSession | None) -> int:
    """Change the password of a logged-in user who knows the current one; every other session of the
    account ends, ``keep`` (the one making the change) stays. Returns how many sessions ended."""
    if not user.check_password(current_password):
        raise DomainError(_l("The current password is not correct."), field="current_password")
    _check_new_password(password)
    user.set_password(password)
    ended = sessions.end_other_sessions(user, keep=keep)
    db.session.flush()
    return ended
