"""Replies with review: draft → pending_review → approved (the submissions are answered) or returned.

One reply may answer many submissions of its department (a bulk reply to near-identical comments). A
reviewer of the department approves it; the author never approves their own reply (four eyes), even
when the author is a reviewer.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import User
from consult.authz import REVIEW_ROLES, require_reviewer, require_worker, works_for
from consult.database import utcnow
from consult.domain import DomainError
from consult.extensions import db
from consult.text import render_markdown
from consult.tracking.actions import handed_to
from consult.tracking.citizen import rating_token
from consult.tracking.mails import notify_citizen, notify_staff, rate_url
from consult.tracking.models import (
    APPROVED, ASSIGNED, DRAFT, PENDING_REVIEW, RECEIVED, REOPENED, RETURNED, Reply, Submission, reply_submissions,
)  # fmt: skip
from consult.tracking.notes import timeline_note
from consult.tracking.transitions import STATUS_LABELS, can_transition, transition

EDITABLE = (DRAFT, RETURNED)


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DomainError(_l("Please write the reply."), field="body")
    return body


def _active_reply_of(submission: Submission) -> Reply | None:
    """A reply not yet approved that already covers ``submission``."""
    return db.session.scalar(
        sa.select(Reply)
        .join(reply_submissions, reply_submissions.c.reply_id == Reply.id)
        .where(reply_submissions.c.submission_id == submission.id, Reply.status != APPROVED)
    )


def create_reply(author: User, submissions: Sequence[Submission], body: str) -> Reply:
    """Draft a reply to one or more open submissions of the author's department.

    Submissions nobody has taken yet are assigned to the author; ones waiting for the citizen's
    information, or already covered by another unapproved reply, are refused.
    """
    if not submissions:
        raise DomainError(_l("Choose at least one submission to reply to."), field="submissions")
    department_id = submissions[0].department_id
    require_worker(author, department_id)
    for submission in submissions:
        _check_answerable_later(submission, department_id)
    reply = Reply(department_id=department_id, author=author, body=_clean_body(body))
    reply.body_html = str(render_markdown(reply.body))
    reply.submissions = list(submissions)
    db.session.add(reply)
    for submission in submissions:
        db.session.expire(submission, ["replies"])  # viewonly: reload to include the new reply
        if submission.status == RECEIVED:
            transition(submission, "assign", actor=author, internal_note=handed_to(author))
            submission.assignee = author
    db.session.flush()
    return reply


def _check_answerable_later(submission: Submission, department_id: int) -> None:
    if submission.department_id != department_id:
        raise DomainError(_l("A reply can only answer submissions of one department."), field="submissions")
    if submission.status not in (RECEIVED, ASSIGNED, REOPENED):  # not closed, nor waiting for the citizen
        raise DomainError(_not_answerable(submission), field="submissions")
    if _active_reply_of(submission) is not None:
        raise DomainError(
            _l("%(no)s already has a reply in preparation.", no=submission.tracking_no), field="submissions"
        )


def _not_answerable(submission: Submission):
    return _l(
        "%(no)s cannot be answered: its status is “%(status)s”.",
        no=submission.tracking_no, status=STATUS_LABELS[submission.status],
    )


def _require_status(reply: Reply, *statuses: str) -> None:
    if reply.status not in statuses:
        raise DomainError(_l("This reply cannot be changed in its current state."), status=409)


def may_edit_reply(reply: Reply, user: User) -> bool:
    """Whether ``user`` may change and submit ``reply``: its author, while it is a draft or returned."""
    return reply.status in EDITABLE and user.id == reply.author_id


def may_review_reply(reply: Reply, user: User) -> bool:
    """Whether ``user`` may approve or return ``reply``: a reviewer of its department (or an admin) who did
    not write it (four eyes), while it waits for review. The pages ask this; the services enforce it."""
    return (reply.status == PENDING_REVIEW and user.id != reply.author_id
            and works_for(user, reply.department_id) and user.role in REVIEW_ROLES)


def _require_four_eyes(reply: Reply, reviewer: User) -> None:
    """Refuse anyone but a reviewer of the reply's department who is not its author."""
    require_reviewer(reviewer, reply.department_id)
    if reviewer.id == reply.author_id:
        raise DomainError(_l("Another reviewer must approve your own reply."), status=403)


def update_reply(reply: Reply, *, editor: User, body: str) -> None:
    """Change the text of a draft or returned reply (its author only)."""
    _require_status(reply, *EDITABLE)
    if editor.id != reply.author_id:
        raise DomainError(_l("Only the author can edit this reply."), status=403)
    reply.body = _clean_body(body)
    reply.body_html = str(render_markdown(reply.body))
    reply.updated_at = utcnow()


def submit_reply(reply: Reply, *, actor: User) -> None:
    """Send a draft (or a returned reply after editing) to the department's reviewers."""
    _require_status(reply, *EDITABLE)
    if actor.id != reply.author_id:
        raise DomainError(_l("Only the author can submit this reply for review."), status=403)
    reply.status = PENDING_REVIEW
    reply.submitted_at = utcnow()


def approve_reply(reply: Reply, *, reviewer: User, note: str = "") -> None:
    """Publish the reply: every linked submission becomes answered and the citizen gets the answer.

    Refused (nothing changes) if any linked submission can no longer be answered, e.g. it was dismissed,
    transferred away, or is waiting for the citizen's information: return the reply and fix it instead.
    """
    _require_status(reply, PENDING_REVIEW)
    _require_four_eyes(reply, reviewer)
    for submission in reply.submissions:
        if submission.department_id != reply.department_id or not can_transition(submission, "answer"):
            raise DomainError(_not_answerable(submission), status=409)
    reply.status, reply.reviewer, reply.reviewed_at, reply.review_note = APPROVED, reviewer, utcnow(), note.strip()
    for submission in reply.submissions:
        transition(submission, "answer", actor=reviewer, internal_note=timeline_note("Reply #%(id)s", id=reply.id))
        notify_citizen(submission, "submission_answer", reply=reply, rate_url=rate_url(rating_token(submission)))


def return_reply(reply: Reply, *, reviewer: User, note: str) -> None:
    """Send the reply back to its author with a note saying what to change."""
    _require_status(reply, PENDING_REVIEW)
    _require_four_eyes(reply, reviewer)
    note = (note or "").strip()
    if not note:
        raise DomainError(_l("Please tell the author what to change."), field="note")
    reply.status, reply.reviewer, reply.reviewed_at, reply.review_note = RETURNED, reviewer, utcnow(), note
    first = reply.submissions[0]
    notify_staff(reply.author, first, "reply_returned", reply=reply, reviewer=reviewer)


def answer_of(submission: Submission) -> Reply | None:
    """The latest approved reply to ``submission`` (its answer), if any."""
    approved = [reply for reply in submission.replies if reply.status == APPROVED]
    return approved[-1] if approved else None
