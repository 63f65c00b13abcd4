"""Writing and reading a submission's append-only timeline."""

from flask import current_app
from flask_babel import force_locale

from consult.accounts.models import User
from consult.extensions import db
from consult.i18n import parsed_locale
from consult.tracking.models import Submission, TimelineEvent

CITIZEN_ROLE, SYSTEM_ROLE = "citizen", "system"


def record_event(
    submission: Submission,
    action: str,
    *,
    actor: User | None,
    to_status: str | None = None,
    public_note: str = "",
    internal_note: str = "",
    actor_role: str | None = None,
) -> TimelineEvent:
    """Append an event; ``to_status`` defaults to the current status (an event without a status change).

    ``actor`` None means the system, unless ``actor_role`` says "citizen" (an anonymous submitter).
    """
    role, label = _actor_identity(submission, actor, actor_role)
    event = TimelineEvent(
        submission=submission,
        actor_id=actor.id if actor is not None else None,
        actor_role=role,
        actor_label=label,
        action=action,
        from_status=submission.status,
        to_status=to_status or submission.status,
        public_note=_as_text(public_note),
        internal_note=_as_text(internal_note),
    )
    db.session.add(event)
    return event


def _as_text(note) -> str:
    """Store notes as text; a lazy (translatable) note is rendered in the site's default language."""
    if isinstance(note, str):
        return note
    with force_locale(parsed_locale(current_app.config["CONSULT_DEFAULT_LOCALE"])):
        return str(note or "")


def _actor_identity(submission: Submission, actor: User | None, role: str | None) -> tuple[str, str]:
    if actor is not None:
        return role or actor.role, actor.display_name
    if role == CITIZEN_ROLE:
        return CITIZEN_ROLE, submission.submitter_name
    return role or SYSTEM_ROLE, ""


def public_events(submission: Submission) -> list[TimelineEvent]:
    """The events the citizen may see (status changes and events with a public note).

    Views must show only ``public_note``, the statuses, the time and ``actor_role`` of these events —
    never ``internal_note`` or a staff member's name.
    """
    return [event for event in submission.events if event.is_public]
