"""User-facing names of kinds, statuses, timeline actions and calendar reasons, for the templates."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from consult.tracking.citizen import SATISFACTION_LABELS
from consult.tracking.kinds import KIND_LABELS, KIND_NOUNS, ActionLabels
from consult.tracking.transitions import STATUS_LABELS
from consult.workdays import statutory

__all__ = ["ACTION_LABELS", "KIND_LABELS", "KIND_NOUNS", "kind_noun", "template_labels"]


def kind_noun(submission) -> str:
    """The noun for what ``submission`` is (comment, letter, request, question), in the reader's language."""
    return str(KIND_NOUNS[submission.kind])


# The engine's own timeline actions; a kind adds the labels of its own actions when it registers.
ACTION_LABELS = ActionLabels({
    "received": _l("Received"),
    "code_reissued": _l("New query code sent"),
    "assign": _l("Assigned"),
    "reassign": _l("Reassigned"),
    "request_info": _l("More information requested"),
    "info_received": _l("Information received"),
    "answer": _l("Answered"),
    "answer_by_publication": _l("Answered by publication"),
    "reopen": _l("Reopened"),
    "close": _l("Closed"),
    "dismiss": _l("Dismissed"),
    "transfer": _l("Transferred"),
    "extension_requested": _l("Extension requested"),
    "extension_approved": _l("Time limit extended"),
    "extension_declined": _l("Extension declined"),
    "due_date_recomputed": _l("Due date recomputed"),
    "clock_restarted": _l("Clock restarted"),
})

# Who did something, as the citizen may see it (never a staff member's name).
PUBLIC_ACTOR_LABELS = {
    "citizen": _l("You"),
    "system": _l("Automatic"),
}
DEPARTMENT_ACTOR = _l("The department")

DAY_REASON_LABELS = {
    "weekend": _l("weekend"),
    "holiday": _l("public holiday"),
    "override_holiday": _l("holiday set by the administrator"),
    "makeup_workday": _l("make-up working day (调休)"),
    "override_workday": _l("working day set by the administrator"),
    "workday": _l("working day"),
}

# Holidays by the names chinesecalendar, the law's rules and imported notices give them.
HOLIDAY_LABELS = {
    statutory.NEW_YEAR: _l("New Year's Day"),
    statutory.SPRING_FESTIVAL: _l("Spring Festival"),
    statutory.TOMB_SWEEPING: _l("Qingming Festival"),
    statutory.LABOUR_DAY: _l("Labour Day"),
    statutory.DRAGON_BOAT: _l("Dragon Boat Festival"),
    statutory.MID_AUTUMN: _l("Mid-Autumn Festival"),
    statutory.NATIONAL_DAY: _l("National Day"),
    "Anti-Fascist 70th Day": _l("70th anniversary of the victory in the War of Resistance against Japan"),
}

# The badge beside a due date.
DUE_LABELS = {
    "paused": _l("Clock paused"),
    "very_overdue": _l("Very overdue"),
    "overdue": _l("Overdue"),
    "due_soon": _l("Due soon"),
}

REPLY_STATUS_LABELS = {
    "draft": lazy_pgettext("reply", "Draft"),
    "pending_review": _l("Waiting for review"),
    "approved": _l("Approved and sent"),
    "returned": _l("Returned to the author"),
}


def template_labels() -> dict:
    """The labels for a page. Statuses and kinds are read on every row of a list, so they come translated
    once per page rather than once per row."""
    return {
        "status_labels": {status: str(label) for status, label in STATUS_LABELS.items()},
        "kind_labels": {kind: str(label) for kind, label in KIND_LABELS.items()},
        "due_labels": {name: str(label) for name, label in DUE_LABELS.items()},
        "action_labels": ACTION_LABELS,
        "public_actor_labels": PUBLIC_ACTOR_LABELS,
        "department_actor": DEPARTMENT_ACTOR,
        "day_reason_labels": DAY_REASON_LABELS,
        "holiday_labels": HOLIDAY_LABELS,
        "reply_status_labels": REPLY_STATUS_LABELS,
        "satisfaction_labels": SATISFACTION_LABELS,
    }
