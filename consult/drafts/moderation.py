"""Moderating comments: held comments, visitors' reports, and the sensitive-word list."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import ADMIN
from consult.database import utcnow
from consult.domain import DomainError
from consult.drafts.comments import count_comment
from consult.drafts.models import HELD, PUBLISHED, REJECTED, Comment, CommentReport, Draft, SensitiveWord
from consult.drafts.transitions import may_review
from consult.extensions import db
from consult.text import normalize_text
from consult.tracking import services as tracking

MODERATION_LABELS = {PUBLISHED: _l("Public"), HELD: _l("Held for moderation"), REJECTED: _l("Rejected")}

REPORT_REASON_MAX = 500


def _require(comment: Comment, reviewer, *states: str) -> None:
    if not may_review(reviewer, comment.draft):
        raise DomainError(_l("Only a reviewer of the lead department may do this."), status=403)
    if comment.moderation not in states:
        raise DomainError(_l("This comment has already been moderated."), status=409)


def approve_comment(comment: Comment, reviewer) -> None:
    """Publish a held comment."""
    _require(comment, reviewer, HELD)
    comment.moderation = PUBLISHED
    count_comment(comment.draft, comment.article_anchor, +1)
    db.session.flush()


def reject_comment(comment: Comment, reviewer, reason: str) -> None:
    """Refuse a held (or reported) comment: it disappears from the public page and its submission is
    dismissed through the tracking engine, so the writer is told ``reason``."""
    _require(comment, reviewer, HELD, PUBLISHED)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Please give the reason the writer will see."), field="reason")
    if comment.moderation == PUBLISHED:
        count_comment(comment.draft, comment.article_anchor, -1)
    comment.moderation, comment.moderation_reason = REJECTED, reason
    _resolve_reports(comment)
    if comment.submission.is_open:
        tracking.dismiss_submission(comment.submission, actor=reviewer, reason=reason)
    db.session.flush()


def keep_comment(comment: Comment, reviewer) -> None:
    """Close the reports on a public comment that breaks no rule."""
    _require(comment, reviewer, PUBLISHED)
    _resolve_reports(comment)
    db.session.flush()


def _resolve_reports(comment: Comment) -> None:
    comment.report_count = 0
    db.session.execute(
        sa.update(CommentReport).where(CommentReport.comment_id == comment.id, CommentReport.resolved_at.is_(None))
        .values(resolved_at=utcnow()).execution_options(synchronize_session=False)
    )


def report_comment(comment: Comment, reason: str, reporter=None) -> CommentReport:
    """A visitor reports a public comment; reviewers see it in their queue."""
    if comment.moderation != PUBLISHED:
        raise DomainError(_l("This comment cannot be reported."), status=404)
    reason = (reason or "").strip()
    if len(reason) > REPORT_REASON_MAX:
        raise DomainError(_l("At most %(n)s characters.", n=REPORT_REASON_MAX), field="reason")
    report = CommentReport(comment_id=comment.id, reason=reason,
                           reporter_id=reporter.id if reporter is not None and reporter.is_authenticated else None)
    db.session.add(report)
    db.session.execute(
        sa.update(Comment).where(Comment.id == comment.id).values(report_count=Comment.report_count + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(comment, ["report_count"])
    db.session.flush()
    return report


def moderation_queue(reviewer) -> sa.Select:
    """Held comments and reported public comments of the drafts the reviewer may moderate, oldest first."""
    stmt = sa.select(Comment).join(Draft, Draft.id == Comment.draft_id).where(
        sa.or_(Comment.moderation == HELD, sa.and_(Comment.moderation == PUBLISHED, Comment.report_count > 0))
    )
    if reviewer.role != ADMIN:
        stmt = stmt.where(Draft.department_id == reviewer.department_id)
    return stmt


# --- sensitive words -------------------------------------------------------------------------------------

def sensitive_words() -> list[SensitiveWord]:
    return list(db.session.scalars(sa.select(SensitiveWord).order_by(SensitiveWord.word)))


def add_sensitive_words(text: str) -> int:
    """Add one word per line (normalised; duplicates ignored); return how many were new."""
    existing = set(db.session.scalars(sa.select(SensitiveWord.word)))
    added = 0
    for line in (text or "").splitlines():
        word = normalize_text(line)[:100]
        if word and word not in existing:
            db.session.add(SensitiveWord(word=word))
            existing.add(word)
            added += 1
    if not added:
        raise DomainError(_l("Please enter at least one new word."), field="words")
    db.session.flush()
    return added


def remove_sensitive_word(word_id: int) -> None:
    word = db.session.get(SensitiveWord, word_id)
    if word is not None:
        db.session.delete(word)
        db.session.flush()
