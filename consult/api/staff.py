"""What every staff endpoint (bearer token) shares: the token's user, the department a request works on, and
rows of a department that answer 404 to anyone who does not work for it.

Officers and reviewers work on their own department only; admins pick one with ``?department=``. A row of
another department answers 404, as if it did not exist (a 403 would confirm it exists).
"""

import sqlalchemy as sa
from flask import g
from flask_babel import gettext as _

from consult.accounts.models import ADMIN, Department, User
from consult.api.errors import ApiError
from consult.authz import works_for
from consult.extensions import db


def api_user() -> User:
    """The owner of the request's token (set by ``token_required``)."""
    return g.api_user


def department_of_request(chosen: int | None) -> Department:
    """The user's own department; admins choose one with ``?department=`` (default: the first)."""
    user = api_user()
    if user.role == ADMIN:
        stmt = sa.select(Department).order_by(Department.code)
        department = db.session.get(Department, chosen) if chosen else db.session.scalars(stmt.limit(1)).first()
    else:
        if chosen and chosen != user.department_id:
            raise ApiError(403, _("You can only see your own department's work."))
        department = db.session.get(Department, user.department_id) if user.department_id else None
    if department is None:
        raise ApiError(404, _("No department to show."))
    return department


def in_department_or_404(model, row_id: int, **options):
    """The row of ``model`` if the token's user works for its department (admins: any), else 404."""
    row = db.session.get(model, row_id, **options)
    if row is None or not works_for(api_user(), row.department_id):
        raise ApiError(404)
    return row
