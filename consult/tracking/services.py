"""The tracking engine's public API, in one place for views, the API and other domains.

Every function here adds and flushes but never commits: the request (or CLI command) commits once.
Business-rule violations raise :class:`consult.domain.DomainError` with a user-facing message.
"""

from consult.localtime import local_date, local_today
from consult.tracking.actions import (
    assign_submission,
    dismiss_submission,
    dismiss_with_its_subject,
    provide_info,
    request_info,
    transfer_submission,
    transfer_targets,
)
from consult.tracking.citizen import (
    auto_close_answered,
    can_rate,
    find_submission,
    rate,
    rating_token,
    submission_from_rating_token,
)
from consult.tracking.deadlines import (
    DueDateExplanation,
    explain_due,
    pause_clock,
    recompute_due_dates,
    remove_calendar_override,
    resume_clock,
    set_calendar_override,
)
from consult.tracking.extension_requests import (
    decide_extension, due_dates_if_approved, pending_extension, request_extension,
)  # fmt: skip
from consult.tracking.holiday_notices import NoticePreview, apply_notice, preview_notice
from consult.tracking.intake import (
    DUPLICATE_WINDOW, NewSubmission, PreparedSubmission, check_form_token, create_submission, find_duplicate,
    prepare_submission, receive_once, submission_with_token, write_submission,
)  # fmt: skip
from consult.tracking.numbers import format_query_code
from consult.tracking.queries import (
    INBOX_ORDER,
    InboxFilters,
    extensions_awaiting_review,
    inbox_listing,
    inbox_query,
    replies_awaiting_review,
    is_sender,
    user_submissions_query,
)
from consult.tracking.reminders import send_reminders
from consult.tracking.replies import (
    answer_of, approve_reply, create_reply, may_edit_reply, may_review_reply, return_reply, submit_reply, update_reply,
)  # fmt: skip
from consult.tracking.reply_templates import (
    create_reply_template,
    delete_reply_template,
    reply_templates_for,
    update_reply_template,
)
from consult.tracking.timeline import public_events, record_kind_event
from consult.tracking.transitions import STATUS_LABELS, allowed_actions, can_transition, transition

__all__ = [
    "DUPLICATE_WINDOW", "INBOX_ORDER", "STATUS_LABELS", "DueDateExplanation", "InboxFilters", "NewSubmission",
    "NoticePreview", "allowed_actions", "answer_of", "apply_notice", "approve_reply", "assign_submission",
    "auto_close_answered", "can_rate",
    "can_transition", "check_form_token", "create_reply", "create_reply_template", "create_submission", "decide_extension",
    "delete_reply_template", "dismiss_submission", "pause_clock", "record_kind_event", "resume_clock", "dismiss_with_its_subject", "due_dates_if_approved", "explain_due",
    "extensions_awaiting_review", "find_duplicate", "prepare_submission", "PreparedSubmission", "receive_once", "submission_with_token",
    "write_submission",
    "find_submission", "format_query_code", "inbox_listing", "inbox_query", "local_date", "local_today",
    "may_edit_reply", "may_review_reply", "pending_extension",
    "preview_notice", "provide_info", "public_events", "rate", "rating_token", "recompute_due_dates", "remove_calendar_override",
    "replies_awaiting_review", "reply_templates_for", "request_extension", "request_info", "return_reply",
    "send_reminders", "set_calendar_override", "submission_from_rating_token", "submit_reply",
    "transfer_submission", "transfer_targets", "transition", "update_reply", "update_reply_template",
    "is_sender",
    "user_submissions_query",
]  # fmt: skip
