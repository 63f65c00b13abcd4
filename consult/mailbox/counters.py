"""Mailbox counters kept in columns, in step with the tracking engine.

``Mailbox.answered_count`` counts the letters of a box that are answered or closed right now. The tracking
engine (which alone changes statuses) knows nothing of mailboxes, so a ``before_flush`` hook looks at the
letters whose status is about to change and adjusts their mailbox's counter with an atomic
``answered_count + n`` update in the same transaction.
"""

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from consult.database import Change
from consult.mailbox.models import Letter, Mailbox
from consult.tracking.models import ANSWERED, CLOSED, LETTER, Submission

ANSWERED_STATUSES = frozenset({ANSWERED, CLOSED})


_boxes = Mailbox.__table__
_BUMP = (  # built once: every letter runs it
    sa.update(_boxes).where(_boxes.c.id == sa.bindparam("mailbox_id")).values(
        letter_count=_boxes.c.letter_count + sa.bindparam("letters"),
        answered_count=_boxes.c.answered_count + sa.bindparam("answered"),
    )
)


def bump(session, mailbox_id: int, *, letters: int = 0, answered: int = 0) -> None:
    """Add to a mailbox's counters atomically (no read-modify-write race)."""
    if not (letters or answered):
        return
    change = bump_change(mailbox_id, letters=letters, answered=answered)
    session.execute(change.statement, change.params)
    forget(session, mailbox_id)


def bump_change(mailbox_id: int, *, letters: int = 0, answered: int = 0) -> Change:
    """The update of :func:`bump` (a new letter's goes in the statement that writes it; then :func:`forget`)."""
    return Change(_BUMP, {"mailbox_id": mailbox_id, "letters": letters, "answered": answered})


def forget(session, mailbox_id: int) -> None:
    """Let the mailbox, if loaded, read its counters again."""
    mailbox = session.identity_map.get(identity_key(Mailbox, mailbox_id))
    if mailbox is not None:
        session.expire(mailbox, ["letter_count", "answered_count"])


def _answered_delta(submission: Submission) -> int:
    history = sa.inspect(submission).attrs.status.history
    if not history.has_changes() or not history.deleted:
        return 0
    before = history.deleted[0] in ANSWERED_STATUSES
    after = submission.status in ANSWERED_STATUSES
    return int(after) - int(before)


@sa.event.listens_for(Session, "before_flush")
def _count_answered_letters(session, _flush_context, _instances) -> None:
    for obj in list(session.dirty):
        if not isinstance(obj, Submission) or obj.kind != LETTER:
            continue
        delta = _answered_delta(obj)
        if delta:
            mailbox_id = session.execute(
                sa.select(Letter.__table__.c.mailbox_id).where(Letter.__table__.c.submission_id == obj.id)
            ).scalar()
            if mailbox_id is not None:
                bump(session, mailbox_id, answered=delta)

