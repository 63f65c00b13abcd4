"""The workbench's rules: asking for an analysis, reading a unit, and disposing of it (or of one comment in it).

Dispositions live on the comments, where the feedback report reads them. A unit's disposition is written to
every comment of the unit except those an official decided one by one (``AnalysisMember.overridden``).
A questionnaire's written answers are analysed the same way (one run per questionnaire, its free-text
questions as the groups), and their units are read, never disposed of: an answer to a questionnaire is not a
submission and gets no reply, so nothing here creates or answers one.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.database import utcnow
from consult.domain import DomainError
from consult.drafts import report, transitions
from consult.drafts.models import CLOSED, OPEN, REJECTED, REPORT_APPROVED, REPORT_PENDING, Comment, Draft
from consult.extensions import db
from consult.surveys import transitions as survey_transitions
from consult.surveys.models import APPROVED, TEXT, Questionnaire, SurveyQuestion
from consult.surveys.models import CLOSED as SURVEY_CLOSED
from consult.surveys.models import OPEN as SURVEY_OPEN
from consult.workbench import jobs, sources, trace
from consult.workbench.models import (
    ACTIVE_STATUSES, DONE, FAILED, QUEUED, AnalysisMember, AnalysisRun, AnalysisUnit,
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
    return _queue(sources.of_draft(draft.id), preview=draft.status == OPEN, user=user,
                  busy=_l("The comments are already being analysed."))


def _queue(source: sources.Source, *, preview: bool, user, busy) -> AnalysisRun:
    """A queued run of the source, unless one is queued or running (``busy``, 409); a run that gave no sign of
    life for long is marked failed first. The caller has locked the source's row."""
    active = db.session.scalar(sa.select(AnalysisRun).where(
        source.owns(), AnalysisRun.status.in_(ACTIVE_STATUSES)).order_by(AnalysisRun.id.desc()))
    if active is not None:
        if not jobs.is_stale(active):
            raise DomainError(busy, status=409)
        active.status, active.finished_at = FAILED, utcnow()
        active.error = "The job stopped without finishing (its process ended)."
    run = source.new_run(status=QUEUED, preview=preview, requested_by_id=user.id if user is not None else None)
    db.session.add(run)
    db.session.flush()
    return run


def may_analyse_answers(user, questionnaire: Questionnaire) -> bool:
    """Who may see a questionnaire's results before publication (its department's staff, editors and admins)
    may analyse and read its written answers."""
    return survey_transitions.may_see(user, questionnaire)


def _has_text_questions(questionnaire_id: int) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(
        SurveyQuestion.questionnaire_id == questionnaire_id, SurveyQuestion.kind == TEXT)))


def request_answer_analysis(questionnaire: Questionnaire, user) -> AnalysisRun:
    """Queue an analysis of the questionnaire's written answers (a preview while it is open); the caller
    dispatches it after commit. ``user`` None: the daily job, when the questionnaire has closed."""
    if user is not None and not may_analyse_answers(user, questionnaire):
        raise DomainError(_l("You may not analyse the answers to this questionnaire."), status=403)
    if questionnaire.status not in (SURVEY_OPEN, SURVEY_CLOSED):
        raise DomainError(_l("Written answers are analysed once the questionnaire is open."), status=409)
    if not _has_text_questions(questionnaire.id):
        raise DomainError(_l("This questionnaire has no free-text question."), status=409)
    db.session.execute(sa.select(Questionnaire.id).where(Questionnaire.id == questionnaire.id).with_for_update())
    return _queue(sources.of_questionnaire(questionnaire.id), preview=questionnaire.status == SURVEY_OPEN,
                  user=user, busy=_l("The answers are already being analysed."))


def queue_closed_questionnaires(now=None) -> list[int]:
    """For the daily job: queue the analysis of every closed questionnaire with written answers that has no
    run made after it closed (done, queued or running; a failed one is tried again the next day). Returns
    the runs' ids, for :func:`consult.workbench.jobs.dispatch` after the commit."""
    now = now or utcnow()
    after_closing = sa.exists().where(
        AnalysisRun.questionnaire_id == Questionnaire.id, AnalysisRun.preview.is_(False),
        AnalysisRun.status.in_((*ACTIVE_STATUSES, DONE)))
    answered = sa.exists().where(SurveyQuestion.questionnaire_id == Questionnaire.id, SurveyQuestion.kind == TEXT,
                                 SurveyQuestion.answer_count > 0)
    due = db.session.scalars(sa.select(Questionnaire).where(
        Questionnaire.recorded_status == APPROVED, Questionnaire.closes_at <= now, answered, ~after_closing)
        .order_by(Questionnaire.id)).all()
    queued = []
    for questionnaire in due:
        try:
            queued.append(request_answer_analysis(questionnaire, None).id)
        except DomainError:  # one is already running (asked for by hand a moment ago)
            continue
    return queued


def _current_unit(unit: AnalysisUnit) -> AnalysisRun:
    run = db.session.scalar(sa.select(AnalysisRun).where(sources.of_run(unit.run).owns(), AnalysisRun.status == DONE)
                            .order_by(AnalysisRun.id.desc()).limit(1))
    if run is None or run.id != unit.run_id:
        raise DomainError(_l("A newer analysis has replaced this unit. Please open it again from the list."),
                          status=409)
    return run


def mark_read(unit: AnalysisUnit, user) -> None:
    """Record that ``user`` has read the unit (once; the first reader stays)."""
    if unit.run.draft_id is not None:
        if not may_analyse(user, db.session.get(Draft, unit.run.draft_id)):
            raise DomainError(_l("You may not analyse the comments on this draft."), status=403)
    elif not may_analyse_answers(user, db.session.get(Questionnaire, unit.run.questionnaire_id)):
        raise DomainError(_l("You may not analyse the answers to this questionnaire."), status=403)
    _current_unit(unit)
    if unit.read_at is None:
        unit.read_at, unit.read_by_id = utcnow(), user.id
    db.session.flush()


def decide_unit(unit: AnalysisUnit, disposition: str, reason: str, user) -> int:
    """Give the unit one disposition with a reason: every comment of it gets them, except comments decided
    one by one. Returns how many comments changed."""
    _require_comments(unit)
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
    _require_comments(unit)
    _current_unit(unit)
    member = db.session.get(AnalysisMember, (unit.run_id, comment_id))
    if member is None or member.unit_id != unit.id:
        raise DomainError(_l("This comment is not part of the unit."), status=404)
    draft = db.session.get(Draft, unit.run.draft_id)
    report.set_disposition(draft, [db.session.get(Comment, comment_id)], disposition, reason, user)
    member.overridden = True
    db.session.flush()


def _require_comments(unit: AnalysisUnit) -> None:
    if unit.run.draft_id is None:
        raise DomainError(_l("Written answers to a questionnaire are read, not answered: they take no disposition."),
                          status=409)
