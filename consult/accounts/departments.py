"""Departments as every page lists them: in the official order an admin sets, and who works in each."""

import sqlalchemy as sa

from consult.accounts.models import DEPARTMENT_ROLES, REVIEWER, Department, User
from consult.extensions import db

# The official order (sort_order, set on the admin's department pages), then the code for equal places.
OFFICIAL_ORDER = (Department.sort_order, Department.code)
ORDER_STEP = 10  # new departments go 10 after the last one, so one can be slotted in between later


def in_official_order(stmt: sa.Select | None = None) -> sa.Select:
    """``stmt`` (default: every department) ordered as the official list of departments."""
    return (stmt if stmt is not None else sa.select(Department)).order_by(*OFFICIAL_ORDER)


def ordered_departments() -> list[Department]:
    """Every department, in the official order."""
    return list(db.session.scalars(in_official_order()))


def next_sort_order() -> int:
    """The place of a department added now: after every other one."""
    last = db.session.scalar(sa.select(sa.func.max(Department.sort_order)))
    return (last or 0) + ORDER_STEP


def department_ids_with_staff(roles: tuple[str, ...] = DEPARTMENT_ROLES) -> set[int]:
    """Ids of the departments with at least one active account in one of ``roles``."""
    return set(db.session.scalars(
        sa.select(User.department_id).where(User.role.in_(roles), User.active.is_(True),
                                            User.department_id.is_not(None)).distinct()
    ))


def department_ids_with_reviewers() -> set[int]:
    """Ids of the departments where someone can approve (an active reviewer works there)."""
    return department_ids_with_staff((REVIEWER,))
