"""Helpers shared by the tracking views: department scoping, loading with a 404, errors on forms."""

from flask import abort
from flask_login import current_user

from consult.accounts.departments import ordered_departments
from consult.accounts.models import ADMIN, OFFICER, REVIEWER, Department
from consult.authz import role_required, works_for
from consult.extensions import db
from consult.i18n import current_locale_code
from consult.tracking.models import ExtensionRequest, Reply, Submission
from consult.urls import int_arg

WORK_ROLES = (OFFICER, REVIEWER, ADMIN)
worker_required = role_required(*WORK_ROLES)
reviewer_required = role_required(REVIEWER, ADMIN)
FIELD_ALIASES = {"assignee": "assignee_id", "department": "department_id"}  # service field -> form field


def get_submission_for_officer_or_404(submission_id: int, *options) -> Submission:
    """The submission if the current user works for its department (admins: any), else 404.

    Officers of another department get 404, not 403, so they do not learn that it exists.
    """
    submission = db.session.get(Submission, submission_id, options=options)
    if submission is None or not works_for(current_user, submission.department_id):
        abort(404)
    return submission


def get_reply_for_officer_or_404(reply_id: int) -> Reply:
    """A reply of the current user's department (admins: any), else 404."""
    reply = db.session.get(Reply, reply_id)
    if reply is None or not works_for(current_user, reply.department_id):
        abort(404)
    return reply


def get_extension_for_reviewer_or_404(request_id: int) -> ExtensionRequest:
    """An extension request on a submission of the current user's department (admins: any), else 404."""
    extension = db.session.get(ExtensionRequest, request_id)
    if extension is None or not works_for(current_user, extension.submission.department_id):
        abort(404)
    return extension


def departments() -> list[Department]:
    return ordered_departments()


def department_label(department: Department | None) -> str:
    return department.display_name(current_locale_code()) if department is not None else ""


def working_department() -> tuple[Department | None, list[Department]]:
    """The department whose work the page shows, and the departments an admin may pick from.

    Officers and reviewers always see their own department; admins choose with ``?department=<id>``
    (default: the first department).
    """
    if current_user.role != ADMIN:
        own = db.session.get(Department, current_user.department_id) if current_user.department_id else None
        return own, []
    choices = departments()
    chosen = int_arg("department")
    selected = next((d for d in choices if d.id == chosen), choices[0] if choices else None)
    return selected, choices
