"""What may be done to a draft, in which state, and by whom: one table that the office pages ask
(:func:`allowed_actions`) and the services follow (:func:`require_status`), as tracking's
``allowed_actions`` does for submissions.

A draft goes draft → in_review (an editor submits it) → open (a reviewer of the lead department approves
it; it opens at its opening time) → closed (at its closing time) → report_published; it may be withdrawn
before it closes.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from consult.authz import DRAFT_ROLES, REVIEW_ROLES, works_for, works_on_drafts_of
from consult.domain import DomainError
from consult.drafts.models import CLOSED, DRAFT, IN_REVIEW, OPEN, REPORT_PUBLISHED, Draft


def writes_drafts(user, draft: Draft) -> bool:
    """Editors and admins write, submit, edit and withdraw the drafts of every department."""
    return bool(user.is_authenticated and user.active and user.role in DRAFT_ROLES)


def may_review(user, draft: Draft) -> bool:
    """Reviewers of the lead department (and admins) approve drafts, moderate and approve reports."""
    return works_for(user, draft.department_id) and user.role in REVIEW_ROLES


def may_answer(user, draft: Draft) -> bool:
    """Editors and admins, and the lead department's officers and reviewers, work on the answers."""
    return works_on_drafts_of(user, draft.department_id)


@dataclass(frozen=True)
class Action:
    """One thing done to a draft: the statuses it is possible in (None: any), who may, and any further
    condition on the draft."""

    statuses: tuple[str, ...] | None
    who: Callable[[object, Draft], bool]
    when: Callable[[Draft], bool] = lambda draft: True

    def allowed(self, user, draft: Draft) -> bool:
        return ((self.statuses is None or draft.status in self.statuses) and self.when(draft)
                and self.who(user, draft))


ACTIONS: dict[str, Action] = {
    "edit": Action((DRAFT, IN_REVIEW, OPEN), writes_drafts),  # text, details, interpretation and files
    "submit": Action((DRAFT,), writes_drafts),
    "review": Action((IN_REVIEW,), may_review, when=lambda draft: draft.approved_at is None),  # approve or return
    "withdraw": Action((DRAFT, IN_REVIEW, OPEN), writes_drafts),
    "analyse": Action((OPEN, CLOSED, REPORT_PUBLISHED), may_answer),  # the comment analysis (workbench)
    "answer": Action((CLOSED,), may_answer),  # group and answer the comments, write the feedback report
    "export": Action(None, may_answer),  # the comments as CSV or JSON
    "review_report": Action(None, may_review, when=lambda draft: draft.report_state == "pending_review"),
}


def allowed_actions(user, draft: Draft) -> frozenset[str]:
    """The actions ``user`` may take on ``draft`` now (what the office page offers)."""
    return frozenset(name for name, action in ACTIONS.items() if action.allowed(user, draft))


def require_status(draft: Draft, action: str) -> None:
    """Refuse ``action`` when the draft is not in a state that allows it (409)."""
    statuses = ACTIONS[action].statuses
    if statuses is not None and draft.status not in statuses:
        raise DomainError(_l("This is not possible while the draft is in its current state."), status=409)
