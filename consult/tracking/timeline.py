"""Writing and reading a submission's append-only timeline."""

import sqlalchemy as sa

from consult.accounts.models import User
from consult.database import execute_built
from consult.extensions import db
from consult.tracking import kinds, notes
from consult.tracking.models import Submission, TimelineEvent

CITIZEN_ROLE, SYSTEM_ROLE = "citizen", "system"


def record_event(
    submission: Submission,
    action: str,
    *,
    actor: User | None,
    to_status: str | None = None,
    public_note: "notes.Note | str" = "",
    internal_note: "notes.Note | str" = "",
    actor_role: str | None = None,
) -> TimelineEvent:
    """Append an event; ``to_status`` defaults to the current status (an event without a status change).

    ``actor`` None means the system, unless ``actor_role`` says "citizen" (an anonymous submitter). A note is
    text a person typed, kept as typed, or a ``timeline_note(...)``, put into words when it is shown.
    """
    role, label = _actor_identity(submission, actor, actor_role)
    event = TimelineEvent(
        submission=submission,
        **event_values(action, actor=actor, role=role, label=label, from_status=submission.status,
                       to_status=to_status or submission.status, public_note=public_note,
                       internal_note=internal_note),
    )
    db.session.add(event)
    return event


def insert_event(connection, submission: Submission, action: str, *, actor: User | None, actor_role: str | None,
                 from_status: str | None, to_status: str | None) -> None:
    """:func:`record_event` with one Core ``INSERT`` on ``connection``, for a submission written the same way
    (``consult.tracking.intake.write_submission``): the same row, without the ORM's unit of work."""
    execute_built(connection, _INSERT_EVENT, {"submission_id": submission.id, **event_row(
        submission, action, actor=actor, actor_role=actor_role, from_status=from_status, to_status=to_status)})


def event_row(submission: Submission, action: str, *, actor: User | None, actor_role: str | None,
              from_status: str | None, to_status: str | None) -> dict:
    """The values of :func:`insert_event`'s row but its submission id, by column (``public_note``, where
    :func:`event_values` names the attribute ``public_note_text``)."""
    role, label = _actor_identity(submission, actor, actor_role)
    values = event_values(action, actor=actor, role=role, label=label, from_status=from_status, to_status=to_status)
    if not _EVENT_COLUMNS:
        _EVENT_COLUMNS.update((prop.key, prop.columns[0].key) for prop in sa.inspect(TimelineEvent).column_attrs)
    return {_EVENT_COLUMNS[key]: value for key, value in values.items()}


_EVENT_COLUMNS: dict[str, str] = {}  # attribute -> column of TimelineEvent, filled on first use


_INSERT_EVENT = TimelineEvent.__table__.insert()  # built once: every comment and letter runs it


def event_values(action: str, *, actor: User | None, role: str, label: str, from_status: str | None,
                 to_status: str | None, public_note: "notes.Note | str" = "",
                 internal_note: "notes.Note | str" = "") -> dict:
    """The columns of one timeline event (without its submission): :func:`record_event` and the bulk
    inserts of ``consult.tracking.bulk`` write the same rows."""
    public_text, public_message = notes.stored(public_note)
    internal_text, internal_message = notes.stored(internal_note)
    return {
        "actor_id": actor.id if actor is not None else None, "actor_role": role, "actor_label": label,
        "action": action, "from_status": from_status, "to_status": to_status,
        "public_note_text": public_text, "public_note_message": public_message,
        "internal_note_text": internal_text, "internal_note_message": internal_message,
    }


def staff_identity(actor: User | None) -> tuple[str, str]:
    """The role and label a staff member (or the system, for None) is recorded with on the timeline."""
    return (actor.role, actor.display_name) if actor is not None else (SYSTEM_ROLE, "")


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


def record_kind_event(submission: Submission, action: str, *, actor: User | None,
                      public_note: "notes.Note | str" = "", internal_note: "notes.Note | str" = "") -> TimelineEvent:
    """A step only the submission's kind knows (a letter moved to another mailbox, a disclosure outcome),
    on its timeline. ``action`` must be one the kind registered a label for (:mod:`consult.tracking.kinds`):
    other domains write the timeline only through the engine, and only what the engine can name."""
    if action not in kinds.kind_of(submission.kind).action_labels:
        raise ValueError(f"{submission.kind} registered no timeline action {action!r}")
    return record_event(submission, action, actor=actor, public_note=public_note, internal_note=internal_note)
