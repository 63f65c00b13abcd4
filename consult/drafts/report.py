"""Answering comments at scale and the feedback report (意见采纳情况), with streamed exports."""

import json
from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult import exports
from consult.database import utcnow
from consult.domain import DomainError
from consult.drafts.models import (
    CLOSED, DISPOSITIONS, HELD, PUBLISHED, REJECTED, REPORT_APPROVED, REPORT_NONE, REPORT_PENDING,
    REPORT_PUBLISHED, Comment, Draft, DraftVersion, public_comment_text,
)  # fmt: skip
from consult.drafts.figures import ReportFigures, report_figures  # noqa: F401  -- the report's numbers
from consult.drafts.publication import DISPOSITION_LABELS, answer_open_comments  # noqa: F401  -- labels for views
from consult.drafts.queries import article_labels
from consult.drafts.services import advance_drafts
from consult.drafts.transitions import may_answer, may_review
from consult.extensions import db
from consult.localtime import as_utc, zone
from consult.tracking import services as tracking
from consult.tracking.models import OPEN_STATUSES, Submission

EXPORT_BATCH = 1000
EXPORT_FIELDS = ("tracking_no", "received_at", "version", "article", "name", "comment", "moderation",
                 "disposition", "reason", "group")


def _require_answering(draft: Draft, user) -> None:
    if not may_answer(user, draft):
        raise DomainError(_l("You may not answer the comments on this draft."), status=403)
    if draft.status != CLOSED or draft.report_state == REPORT_APPROVED:
        raise DomainError(_l("Comments are answered after the consultation closes and before the report is "
                             "published."), status=409)


def group_members(draft: Draft, group_id: int) -> list[Comment]:
    """The comments of one group (rejected comments are never grouped)."""
    return list(db.session.scalars(
        sa.select(Comment).where(Comment.draft_id == draft.id, Comment.group_id == group_id).order_by(Comment.id)
    ))


def reply_to_group(draft: Draft, group_id: int, author, body: str):
    """One reply (through the tracking engine, reviewed before it goes out) answering every open comment
    of the group. Returns the reply."""
    _require_answering(draft, author)
    submissions = [c.submission for c in group_members(draft, group_id) if c.submission.status in OPEN_STATUSES]
    if not submissions:
        raise DomainError(_l("Every comment in this group has already been answered."), status=409)
    reply = tracking.create_reply(author, submissions, body)
    tracking.submit_reply(reply, actor=author)
    return reply


def set_disposition(draft: Draft, comments: list[Comment], disposition: str, reason: str, user) -> int:
    """Give ``comments`` a disposition with a reason (shown in the report); returns how many changed."""
    reason = check_disposition(draft, user, disposition, reason)
    changed = 0
    for comment in comments:
        if comment.draft_id != draft.id or comment.moderation == REJECTED:
            continue
        comment.disposition, comment.disposition_reason = disposition, reason
        changed += 1
    db.session.flush()
    return changed


def check_disposition(draft: Draft, user, disposition: str, reason: str) -> str:
    """Refuse a disposition ``user`` may not give now, or one without a known value or a reason; returns the
    reason as it will be stored."""
    _require_answering(draft, user)
    if draft.report_state == REPORT_PENDING:
        raise DomainError(_l("The report is being reviewed; ask the reviewer to return it first."), status=409)
    if disposition not in DISPOSITIONS:
        raise DomainError(_l("Please choose a disposition."), field="disposition")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Please give the reason shown in the feedback report."), field="reason")
    return reason


def undecided_count(draft: Draft) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Comment.id)).where(
            Comment.draft_id == draft.id, Comment.moderation.in_((PUBLISHED, HELD)), Comment.disposition.is_(None)
        )
    )


def submit_report(draft: Draft, user, summary: str) -> None:
    """Send the feedback report for approval once every comment has a disposition."""
    _require_answering(draft, user)
    if draft.report_state == REPORT_PENDING:
        raise DomainError(_l("The report is already waiting for approval."), status=409)
    if db.session.scalar(sa.select(sa.func.count(Comment.id)).where(
            Comment.draft_id == draft.id, Comment.moderation == HELD)):
        raise DomainError(_l("Some comments are still held for moderation."), status=409)
    missing = undecided_count(draft)
    if missing:
        raise DomainError(_l("%(n)s comments have no disposition yet.", n=missing), status=409)
    from consult.workbench.queries import undecided_units  # the workbench builds on this module

    units = undecided_units(draft.id)
    if units:
        raise DomainError(_l("%(n)s units of the comment analysis have no disposition yet.", n=units), status=409)
    draft.report_summary, draft.report_state, draft.review_note = (summary or "").strip(), REPORT_PENDING, ""
    db.session.flush()


def approve_report(draft: Draft, reviewer, *, now: datetime | None = None) -> int:
    """Reviewer: publish the report; the draft becomes ``report_published`` and every comment still open is
    answered with its disposition and reason (``consult.drafts.publication``). Returns how many were answered.

    The report is claimed with one conditional ``UPDATE``, so of two reviewers publishing at once only one
    does, and no comment is answered twice.
    """
    if not may_review(reviewer, draft):
        raise DomainError(_l("Only a reviewer of the lead department may do this."), status=403)
    advance_drafts(draft_id=draft.id)  # the closing is recorded, with its history entry, before the report
    if draft.status != CLOSED or draft.report_state != REPORT_PENDING:
        raise DomainError(_l("There is no report waiting for approval."), status=409)
    when = now or utcnow()
    claimed = db.session.execute(
        sa.update(Draft)
        .where(Draft.id == draft.id, Draft.status == CLOSED, Draft.report_state == REPORT_PENDING)
        .values(report_state=REPORT_APPROVED, report_approved_by_id=reviewer.id, recorded_status=REPORT_PUBLISHED,
                report_published_at=when, updated_at=utcnow()),
        execution_options={"synchronize_session": False},
    ).rowcount
    db.session.expire(draft)
    if claimed != 1:
        raise DomainError(_l("There is no report waiting for approval."), status=409)
    return answer_open_comments(draft, reviewer, when)


def return_report(draft: Draft, reviewer, note: str) -> None:
    """Reviewer: send the report back to the editor with a note."""
    if not may_review(reviewer, draft):
        raise DomainError(_l("Only a reviewer of the lead department may do this."), status=403)
    if draft.report_state != REPORT_PENDING:
        raise DomainError(_l("There is no report waiting for approval."), status=409)
    if not (note or "").strip():
        raise DomainError(_l("Please tell the editor what to change."), field="note")
    draft.report_state, draft.review_note = REPORT_NONE, note.strip()
    db.session.flush()


def export_rows(draft: Draft, *, public: bool) -> Iterator[dict]:
    """Every comment with its disposition, read in keyset batches (constant memory for any size).

    The public export leaves out comments rejected at moderation and held ones. Both exports are files that
    travel: names are masked and the text is redacted of personal data (``public_comment_text``) in both.
    The draft's id is read now: the rows are produced while the response streams, after the request's
    commit has expired (and the session released) the draft.
    """
    # The article labels are read now too: they are worded in the reader's language, which is looked up
    # through the logged-in user, no longer loaded once the response streams.
    return _export_rows(draft.id, public, article_labels(draft.id))


def _export_rows(draft_id: int, public: bool, labels: dict) -> Iterator[dict]:
    columns = (Comment.id, Submission.tracking_no, Submission.received_at, DraftVersion.number,
               Comment.article_anchor, Comment.public_name, Comment.body, Comment.moderation,
               Comment.disposition, Comment.disposition_reason, Comment.group_id,
               Submission.submitter_name, Submission.submitter_phone, Submission.submitter_email)
    base = (sa.select(*columns).join(Submission, Submission.id == Comment.submission_id)
            .join(DraftVersion, DraftVersion.id == Comment.version_id).where(Comment.draft_id == draft_id))
    if public:
        base = base.where(Comment.moderation == PUBLISHED)
    last_id, local = 0, zone()
    while True:
        batch = db.session.execute(base.where(Comment.id > last_id).order_by(Comment.id).limit(EXPORT_BATCH)).all()
        if not batch:
            return
        for row in batch:
            yield {
                "tracking_no": row.tracking_no,
                "received_at": as_utc(row.received_at).astimezone(local).isoformat(timespec="seconds"),
                "version": row.number, "article": labels.get(row.article_anchor, ""), "name": row.public_name,
                "comment": public_comment_text(row.body, row.submitter_name, row.submitter_phone,
                                               row.submitter_email),
                "moderation": row.moderation, "disposition": row.disposition or "",
                "reason": row.disposition_reason, "group": row.group_id or "",
            }
        last_id = batch[-1].id
        db.session.expire_all()


def stream_csv(rows: Iterator[dict]) -> Iterator[str]:
    """CSV text in chunks, through the one export writer (no cell a spreadsheet would run as a formula)."""
    return exports.csv_chunks(([row[field] for field in EXPORT_FIELDS] for row in rows), header=EXPORT_FIELDS)


def stream_json(rows: Iterator[dict]) -> Iterator[str]:
    """A JSON array, one object per comment, written as it is read."""
    yield "["
    for i, row in enumerate(rows):
        yield ("," if i else "") + json.dumps(row, ensure_ascii=False)
    yield "]"
