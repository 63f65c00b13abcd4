"""Authorization in one place: who may see and do what.

Views guard routes with :func:`role_required`; services check the department a thing belongs to with
:func:`works_for` (or raise with :func:`require_worker` / :func:`require_reviewer`), a second line behind
the views that also holds for the JSON API and commands. Drafts and open days have their own department
rules (:func:`works_on_drafts_of`, :func:`manages_events_of`), here too.
"""

from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from consult.accounts.models import ADMIN, EDITOR, OFFICER, REVIEWER, STAFF_ROLES, User
from consult.domain import DomainError

WORKER_ROLES = (OFFICER, REVIEWER, ADMIN)  # who handles a department's submissions
REVIEW_ROLES = (REVIEWER, ADMIN)
DRAFT_ROLES = (EDITOR, ADMIN)  # who writes and publishes the drafts of every department
EVENT_EDIT_ROLES = (EDITOR, ADMIN)  # who creates and edits the open days of every department
EVENT_MANAGE_ROLES = (OFFICER, REVIEWER, EDITOR, ADMIN)  # who may open the open-day staff pages at all
QUESTIONNAIRE_ROLES = (EDITOR, ADMIN)  # who builds the questionnaires of every department

# What a role may do in general, by name, so that templates ask ``can("review")`` instead of listing roles.
# Whether it may do so to one thing (its department, its state) is the services' and the domains' tables'
# question (tracking's and drafts' ``allowed_actions``).
CAPABILITIES = {
    "administer": (ADMIN,),
    "handle_submissions": WORKER_ROLES,
    "review": REVIEW_ROLES,
    "write_drafts": DRAFT_ROLES,
    "edit_events": EVENT_EDIT_ROLES,
    "build_questionnaires": QUESTIONNAIRE_ROLES,
    "edit_interviews": EVENT_EDIT_ROLES,
}


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


def works_for(user: User | None, department_id: int | None) -> bool:
    """Whether ``user`` is an active officer or reviewer of the department, or an admin."""
    if user is None or not user.is_authenticated or not user.active or user.role not in WORKER_ROLES:
        return False
    return user.role == ADMIN or (department_id is not None and user.department_id == department_id)


def require_worker(user: User | None, department_id: int) -> None:
    """Refuse anyone but the department's officers and reviewers (and admins)."""
    if not works_for(user, department_id):
        raise DomainError(_l("Only staff of the submission's department can do this."), status=403)


def require_reviewer(user: User | None, department_id: int) -> None:
    """Refuse anyone but the department's reviewers (and admins)."""
    if not works_for(user, department_id) or user.role not in REVIEW_ROLES:
        raise DomainError(_l("Only a reviewer of the department can do this."), status=403)


def works_on_drafts_of(user: User | None, department_id: int | None) -> bool:
    """Whether ``user`` works on the drafts of a lead department: editors and admins (every department),
    and the department's own officers and reviewers. Before publication only they may see a draft."""
    if user is None or not user.is_authenticated or not user.active:
        return False
    return user.role in DRAFT_ROLES or works_for(user, department_id)


def edits_events(user: User | None) -> bool:
    """Whether ``user`` creates and edits open days (editors and admins, for every department)."""
    return _active(user) and user.role in EVENT_EDIT_ROLES


def manages_events_of(user: User | None, department_id: int | None) -> bool:
    """Whether ``user`` handles the registrations of a department's open days (decisions, the draw,
    check-in): editors and admins for every department, officers and reviewers for their own."""
    if not _active(user):
        return False
    if user.role in EVENT_EDIT_ROLES:
        return True
    return user.role in (OFFICER, REVIEWER) and department_id is not None and user.department_id == department_id


def require_event_manager(user: User | None, department_id: int | None) -> None:
    """Refuse anyone but the event's department's staff (and editors and admins)."""
    if not manages_events_of(user, department_id):
        raise DomainError(_l("Only staff of the event's department can do this."), status=403)


def builds_questionnaires(user: User | None) -> bool:
    """Whether ``user`` builds questionnaires (editors and admins, for every department)."""
    return _active(user) and user.role in QUESTIONNAIRE_ROLES


def sees_questionnaires_of(user: User | None, department_id: int | None) -> bool:
    """Whether ``user`` may see a department's questionnaires before publication and their internal results:
    editors and admins (every department), and the department's own officers and reviewers."""
    return builds_questionnaires(user) or works_for(user, department_id)


def edits_interviews(user: User | None) -> bool:
    """Whether ``user`` announces online interviews and edits their announcements (editors and admins, for
    every department), like open days."""
    return _active(user) and user.role in EVENT_EDIT_ROLES


def moderates_interviews_of(user: User | None, department_id: int | None) -> bool:
    """Whether ``user`` moderates a department's online interviews (puts questions, records answers, starts
    and ends the session): its own officers and reviewers, and editors and admins for every department."""
    return manages_events_of(user, department_id)


def require_interview_moderator(user: User | None, department_id: int | None) -> None:
    """Refuse anyone but the interview's department's staff (and editors and admins)."""
    if not moderates_interviews_of(user, department_id):
        raise DomainError(_l("Only staff of the interview's department can do this."), status=403)


def _active(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.active


def can(user: User | None, capability: str) -> bool:
    """Whether ``user``'s role has ``capability`` (a key of :data:`CAPABILITIES`)."""
    return _active(user) and user.role in CAPABILITIES[capability]


def init_app(app) -> None:
    """Templates ask ``can("review")`` about the current user."""
    app.jinja_env.globals["can"] = lambda capability: can(current_user, capability)
