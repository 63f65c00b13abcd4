"""Authorization in one place: who may see and do what."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from consult.accounts.models import ADMIN, STAFF_ROLES


def role_required(*roles: str):
    """Allow only logged-in users with one of ``roles``; others get 403 (anonymous: the login page)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


staff_required = role_required(*STAFF_ROLES)
admin_required = role_required(ADMIN)


def can_act_for_department(user, department_id: int | None) -> bool:
    """Whether ``user`` may work on things owned by ``department_id`` (admins: any)."""
    if not user.is_authenticated:
        return False
    if user.role == ADMIN:
        return True
    return user.is_staff and user.department_id is not None and user.department_id == department_id


def require_department(department_id: int | None) -> None:
    """Abort with 403 unless the current user works for that department."""
    if not can_act_for_department(current_user, department_id):
        abort(403)
