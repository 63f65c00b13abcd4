"""Who may act on a department's submissions (a second line behind the views' authorization)."""

from flask_babel import lazy_gettext as _l

from consult.accounts.models import ADMIN, OFFICER, REVIEWER, User
from consult.domain import DomainError

WORKER_ROLES = (OFFICER, REVIEWER, ADMIN)
REVIEW_ROLES = (REVIEWER, ADMIN)


def works_for(user: User | None, department_id: int) -> bool:
    """Whether ``user`` is an active officer/reviewer of the department, or an admin."""
    if user is None or not user.active or user.role not in WORKER_ROLES:
        return False
    return user.role == ADMIN or user.department_id == department_id


def require_worker(user: User | None, department_id: int) -> None:
    """Refuse anyone but the department's officers and reviewers (and admins)."""
    if not works_for(user, department_id):
        raise DomainError(_l("Only staff of the submission's department can do this."), status=403)


def require_reviewer(user: User | None, department_id: int) -> None:
    """Refuse anyone but the department's reviewers (and admins)."""
    if not works_for(user, department_id) or user.role not in REVIEW_ROLES:
        raise DomainError(_l("Only a reviewer of the department can do this."), status=403)
