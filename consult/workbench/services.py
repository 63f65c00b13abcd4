"""The workbench's rules: asking for an analysis, reading a unit, and disposing of it (or of one comment in it).

Dispositions live on the comments, where the feedback report reads them. A unit's disposition is written to
every comment of the unit except those an official decided one by one (``AnalysisMember.overridden``).
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.database import utcnow
from consult.domain import DomainError
from consult.drafts import report, transitions
from consult.drafts.models import CLOSED, OPEN, REJECTED, REPORT_APPROVED, REPORT_PENDING, Comment, Draft
from consult.extensions import db
from consult.workbench import jobs, queries, trace
from consult.workbench.models import (
    ACTIVE_STATUSES, FAILED, QUEUED, AnalysisMember, AnalysisRun, AnalysisUnit,
)  # fmt: skip


def may_analyse(user, draft: Draft) -> bool:
    """Who works on the answers of a draft may analyse its comments (consult.drafts.transitions.may_answer)."""
    return transitions.may_answer(user, draft)


def request_analysis(draft: Draft, user) -> AnalysisRun:
    """Queue an analysis of the draft's comments (a preview while open); the caller dispatches it after commit.

    Refused while another run of the draft is queued or running (unless that one gave no sign of life for
    long: it is then marked failed), and once the report is on its way or published.
    """
    if not may_analyse(user, draft):
        raise DomainError(_l("You may not analyse the comments on this draft."), status=403)
    if draft.status not in (OPEN, CLOSED) or draft.report_state in (REPORT_PENDING, REPORT_APPROVED):
        raise DomainError(_l("Comments are analysed while the consultation is open (as a preview) and after it "
                             "closes, until the feedback report is sent for approval."), status=409)
    # PostgreSQL: one request at a time per draft (SQLite: the write transaction already serialises).
    db.session.execute(sa.select(Draft.id).where(Draft.id == draft.id).with_for_update())
    active = db.session.scalar(sa.select(AnalysisRun).where(
        AnalysisRun.draft_id == draft.id, AnalysisRun.status.in_(ACTIVE_STATUSES)).order_by(AnalysisRun.id.desc()))
    if active is not None:
        if not jobs.is_stale(active):
            raise DomainError(_l("The comments are already being analysed."), status=409)
        active.status, active.finished_at = FAILED, utcnow()
        active.error = "The job stopped without finishing (its process ended)."
    run = AnalysisRun(draft_id=draft.id, status=QUEUED, preview=draft.status == OPEN, requested_by_id=user.id)
    db.session.add(run)
    db.session.flush()
    return run


def _current_unit(unit: AnalysisUnit) -> AnalysisRun:
    run = queries.current_run(unit.run.draft_id)
    if run is None or run.id != unit.run_id:
        raise DomainError(_l("A newer analysis has replaced this unit. Please open it again from the list."),
                          status=409)
    return run


def mark_read(unit: AnalysisUnit, user) -> None:
    """Record that ``user`` has read the unit (once; the first reader stays)."""
    draft = db.session.get(Draft, unit.run.draft_id)
    if not may_analyse(user, draft):
        raise DomainError(_l("You may not analyse the comments on this draft."), status=403)
    _current_unit(unit)
    if unit.read_at is None:
        unit.read_at, unit.read_by_id = utcnow(), user.id
    db.session.flush()


def decide_unit(unit: AnalysisUnit, disposition: str, reason: str, user) -> int:
    """Give the unit one disposition with a reason: every comment of it gets them, except comments decided
    one by one. Returns how many comments changed."""
    draft = db.session.get(Draft, unit.run.draft_id)
    reason = report.check_disposition(draft, user, disposition, reason)
    run = _current_unit(unit)
    follows_unit = sa.select(AnalysisMember.comment_id).where(
        AnalysisMember.unit_id == unit.id, AnalysisMember.overridden.is_(False))
    changed = db.session.execute(
        sa.update(Comment).where(Comment.id.in_(follows_unit), Comment.draft_id == draft.id,
                                 Comment.moderation != REJECTED)
        .values(disposition=disposition, disposition_reason=reason).execution_options(synchronize_session=False)
    ).rowcount
    if unit.disposition is None:
        run.decided_comments = AnalysisRun.decided_comments + unit.size
        run.undecided_units = AnalysisRun.undecided_units - 1
    now = utcnow()
    unit.disposition, unit.disposition_reason, unit.decided_at, unit.decided_by_id = disposition, reason, now, user.id
    if unit.read_at is None:
        unit.read_at, unit.read_by_id = now, user.id
    trace.unlink_if_not_adopted(unit)
    db.session.flush()
    return changed


def decide_member(unit: AnalysisUnit, comment_id: int, disposition: str, reason: str, user) -> None:
    """Give one comment of the unit its own disposition; later decisions on the unit leave it alone."""
    _current_unit(unit)
    member = db.session.get(AnalysisMember, (unit.run_id, comment_id))
    if member is None or member.unit_id != unit.id:
        raise DomainError(_l("This comment is not part of the unit."), status=404)
    draft = db.session.get(Draft, unit.run.draft_id)
    report.set_disposition(draft, [db.session.get(Comment, comment_id)], disposition, reason, user)
    member.overridden = True
    db.session.flush()
