"""What may be done to a questionnaire, in which state, and by whom: one table that the office pages ask
(:func:`allowed_actions`) and the services follow (:func:`require_action`), as drafts'
``transitions.allowed_actions`` does for drafts.

A questionnaire goes draft → in_review (an editor submits it) → approved (a reviewer of its department
approves it: scheduled, open in its window, then closed); a reviewer may return it to draft with a note;
an editor may withdraw it before it closes.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from consult.authz import REVIEW_ROLES, builds_questionnaires, sees_questionnaires_of, works_for
from consult.domain import DomainError
from consult.surveys.models import CLOSED, DRAFT, IN_REVIEW, OPEN, SCHEDULED, Questionnaire


def may_build(user, questionnaire: Questionnaire) -> bool:
    return builds_questionnaires(user)


def may_review(user, questionnaire: Questionnaire) -> bool:
    """Reviewers of the questionnaire's department (and admins) approve or return it."""
    return works_for(user, questionnaire.department_id) and user.role in REVIEW_ROLES


def may_see(user, questionnaire: Questionnaire) -> bool:
    return sees_questionnaires_of(user, questionnaire.department_id)


@dataclass(frozen=True)
class Action:
    """One thing done to a questionnaire: the statuses it is possible in (None: any) and who may."""

    statuses: tuple[str, ...] | None
    who: Callable[[object, Questionnaire], bool]

    def allowed(self, user, questionnaire: Questionnaire) -> bool:
        return (self.statuses is None or questionnaire.status in self.statuses) and self.who(user, questionnaire)


ACTIONS: dict[str, Action] = {
    "edit": Action((DRAFT,), may_build),  # details and questions: only before review, never once answered
    "submit": Action((DRAFT,), may_build),
    "review": Action((IN_REVIEW,), may_review),  # approve or return
    "withdraw": Action((DRAFT, IN_REVIEW, SCHEDULED, OPEN), may_build),
    "results": Action((OPEN, CLOSED), may_see),  # the results as they stand, and their exports
    "view": Action(None, may_see),
}


def allowed_actions(user, questionnaire: Questionnaire) -> frozenset[str]:
    """The actions ``user`` may take on ``questionnaire`` now (what the office page offers)."""
    return frozenset(name for name, action in ACTIONS.items() if action.allowed(user, questionnaire))


def require_action(user, questionnaire: Questionnaire, action: str) -> None:
    """Refuse ``action``: 403 for the wrong person, 409 for the wrong state."""
    rule = ACTIONS[action]
    if not rule.who(user, questionnaire):
        raise DomainError(_l("You may not do this to this questionnaire."), status=403)
    if rule.statuses is not None and questionnaire.status not in rule.statuses:
        raise DomainError(_l("This is not possible while the questionnaire is in its current state."), status=409)
