"""Editing drafts and moving them through their workflow (DESIGN.md §4).

``draft → in_review → open → closed → report_published`` (and ``withdrawn``). A reviewer of the lead
department approves a draft in review; it is then open from ``opens_at`` and closed from ``closes_at``
(``Draft.status`` derives it; :func:`advance_drafts`, run by the ``remind`` command, records it afterwards).
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult import uploads, workdays
from consult.accounts.departments import department_ids_with_reviewers
from consult.accounts.models import STAFF_ROLES, Department
from consult.authz import DRAFT_ROLES, works_on_drafts_of
from consult.database import utcnow
from consult.domain import DomainError
from consult.drafts import versions, windows
from consult.drafts.domains import DOMAIN_CODES
from consult.drafts.models import (
    CLOSED, DRAFT, IN_REVIEW, OPEN, WITHDRAWN, Comment, Draft, DraftEvent, DraftFile, QAPair,
)  # fmt: skip
from consult.drafts.transitions import may_review, require_status
from consult.extensions import db
from consult.localtime import as_utc, zone
from consult.tracking import services as tracking
from consult.tracking.models import OPEN_STATUSES, Submission
from consult.tracking.notes import timeline_note
from consult.workdays import current_overrides

MIN_WINDOW = timedelta(days=30)  # 重大行政决策程序暂行条例 Art. 15
EDITABLE_FIELDS = ("title", "summary", "department_id", "domain", "legal_basis", "premoderate", "interpretation",
                   "decision_type", "market_related")
WINDOW_FIELDS = ("opens_at", "closes_at", "short_window_reason")
WITHDRAWAL_BATCH = 1000  # comments closed by the withdrawal itself; ``remind`` closes any beyond


def check_window(opens_at: datetime, closes_at: datetime, reason: str, decision_type: str = windows.OTHER,
                 market_related: bool = False) -> None:
    """The window must end after it starts; shorter than the rule for the draft's type (30 days, or 7
    working days for a normative document not tied to market actors) needs a public reason."""
    if decision_type not in windows.DECISION_TYPES:
        raise DomainError(_l("Please choose the type of the decision."), field="decision_type")
    if as_utc(closes_at) <= as_utc(opens_at):
        raise DomainError(_l("The consultation must close after it opens."), field="closes_at")
    if windows.window_is_short(opens_at, closes_at, decision_type, market_related, current_overrides()) \
            and not (reason or "").strip():
        raise DomainError(
            _l("For a %(type)s the consultation lasts %(rule)s; a shorter one needs a reason, which is shown to "
               "the public.", type=windows.DECISION_TYPE_LABELS[decision_type],
               rule=windows.minimum_window(decision_type, market_related).text),
            field="short_window_reason",
        )


def proposed_window(now: datetime) -> tuple[datetime, datetime]:
    """The window a new draft starts with: from the next hour tomorrow, for at least 30 days, closing on a
    working day (a consultation that ends on a weekend or a holiday gives people less time than it says)."""
    opens_at = as_utc(now).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    closes_local = (opens_at + MIN_WINDOW).astimezone(zone())
    closing_day, overrides = closes_local.date(), current_overrides()
    while not workdays.is_workday(closing_day, overrides):
        closing_day += workdays.ONE_DAY
    closes_at = datetime.combine(closing_day, closes_local.timetz()).astimezone(UTC)
    return opens_at, closes_at


def lead_department_can_approve(department_id: int) -> bool:
    """Whether a reviewer works in the department (otherwise only an administrator can approve its drafts)."""
    return department_id in department_ids_with_reviewers()


def _check_fields(fields: dict) -> None:
    if fields.get("domain") not in DOMAIN_CODES:
        raise DomainError(_l("Please choose a policy domain."), field="domain")
    if db.session.get(Department, fields.get("department_id") or 0) is None:
        raise DomainError(_l("Please choose the lead department."), field="department_id")
    if not (fields.get("title") or "").strip():
        raise DomainError(_l("Please enter a title."), field="title")


def create_draft(author, *, body: str, **fields) -> Draft:
    """A new draft (status ``draft``) with version 1 of its text."""
    _check_fields(fields)
    check_window(fields["opens_at"], fields["closes_at"], fields.get("short_window_reason", ""),
                 fields.get("decision_type", windows.OTHER), bool(fields.get("market_related")))
    draft = Draft(status=DRAFT, created_by_id=author.id, **_pick(fields, EDITABLE_FIELDS + WINDOW_FIELDS))
    db.session.add(draft)
    db.session.flush()
    versions.add_version(draft, body, author=author)
    return draft


def update_draft(draft: Draft, author, *, body: str, change_note: str = "", **fields) -> Draft:
    """Save an edit. Before opening the text is edited in place; once open a new version is made.

    While open, the window can no longer change (comments' answer clocks start at the closing date) and
    a changed text needs a change note. Closed, reported and withdrawn drafts cannot be edited.
    """
    if draft.status not in (DRAFT, IN_REVIEW, OPEN):
        raise DomainError(_l("This draft can no longer be edited."), status=409)
    _check_fields(fields)
    if draft.status == OPEN:
        if body != draft.current_version.body:
            if not change_note.strip():
                raise DomainError(_l("Please describe what changed in this version."), field="change_note")
            versions.add_version(draft, body, change_note=change_note, author=author)
    else:
        check_window(fields["opens_at"], fields["closes_at"], fields.get("short_window_reason", ""),
                     fields.get("decision_type", draft.decision_type),
                     bool(fields.get("market_related", draft.market_related)))
        for name, value in _pick(fields, WINDOW_FIELDS).items():
            setattr(draft, name, value)
        versions.replace_current_text(draft, body)
        if draft.status == IN_REVIEW:  # the reviewer approved another text: ask again
            draft.status, draft.approved_at, draft.approved_by_id = DRAFT, None, None
    for name, value in _pick(fields, EDITABLE_FIELDS).items():
        setattr(draft, name, value)
    draft.updated_at = utcnow()
    db.session.flush()
    return draft


def set_interpretation(draft: Draft, text: str, pairs: list[tuple[str, str]]) -> None:
    """Replace the interpretation (解读) and its questions and answers (blank pairs are dropped)."""
    draft.interpretation = text
    set_qa_pairs(draft, pairs)


def set_qa_pairs(draft: Draft, pairs: list[tuple[str, str]]) -> None:
    """Replace the interpretation's questions and answers (blank pairs are dropped)."""
    draft.qa_pairs.clear()
    for position, (question, answer) in enumerate(p for p in pairs if p[0].strip() and p[1].strip()):
        draft.qa_pairs.append(QAPair(position=position, question=question.strip(), answer=answer.strip()))
    draft.updated_at = utcnow()
    db.session.flush()


def attach_file(draft: Draft, attachment, caption: str) -> DraftFile:
    """Add a figure or document to the interpretation."""
    draft_file = DraftFile(draft_id=draft.id, attachment_id=attachment.id, caption=caption)
    db.session.add(draft_file)
    draft.updated_at = utcnow()
    db.session.flush()
    return draft_file


def remove_file(draft_file: DraftFile) -> None:
    """Take a file off the interpretation and delete the stored upload."""
    attachment = draft_file.attachment
    draft_file.draft.updated_at = utcnow()
    db.session.delete(draft_file)
    db.session.flush()
    uploads.delete_attachment(attachment)


def has_interpretation(draft: Draft) -> bool:
    """Whether the draft has interpretation material: text, questions and answers, or files."""
    return bool((draft.interpretation or "").strip() or draft.qa_pairs or draft.files)


def _require_interpretation(draft: Draft, without_interpretation: bool) -> None:
    """Policy interpretation goes out together with the policy (政策解读“三同步”): publishing or sending a
    draft for review without any takes an explicit decision."""
    if not without_interpretation and not has_interpretation(draft):
        raise DomainError(
            _l("This draft has no interpretation yet, and interpretation is to be published together with the "
               "policy. Add the interpretation, or confirm that the draft goes ahead without it."),
            field="without_interpretation",
        )


def submit_for_review(draft: Draft, author, *, without_interpretation: bool = False) -> None:
    """Editor: ask a reviewer to approve the draft for publication (without interpretation only if confirmed)."""
    _require_status(draft, "submit")
    if not draft.current_version or not draft.current_version.articles:
        raise DomainError(_l("The draft has no text yet."), field="body")
    _require_interpretation(draft, without_interpretation)
    draft.status, draft.review_note = IN_REVIEW, ""
    db.session.flush()


def may_see_in_office(user, draft: Draft) -> bool:
    """Staff see a draft in the office once it has been published; before that only editors, admins and
    the lead department's officers and reviewers do (its text and review notes are not yet public)."""
    if not (user.is_authenticated and user.active and user.role in STAFF_ROLES):
        return False
    return draft.has_been_published or works_on_drafts_of(user, draft.department_id)


def office_drafts_query(user, status: str = "") -> sa.Select:
    """The drafts ``user`` may see in the office (:func:`may_see_in_office`), optionally in one status."""
    stmt = sa.select(Draft)
    if user.role not in DRAFT_ROLES:
        stmt = stmt.where(sa.or_(Draft.has_been_published, Draft.department_id == user.department_id))
    if status:
        stmt = stmt.where(Draft.status == status)
    return stmt


def approve_draft(draft: Draft, reviewer, now: datetime | None = None, *, without_interpretation: bool = False) -> None:
    """Reviewer: approve; the draft opens at ``opens_at`` (at once if that has passed). Without interpretation
    only if confirmed."""
    _require_reviewer(draft, reviewer)
    _require_status(draft, "review")
    if draft.approved_at is not None:
        raise DomainError(_l("This draft has already been approved."), status=409)
    _require_interpretation(draft, without_interpretation)
    draft.approved_at, draft.approved_by_id = utcnow(), reviewer.id
    db.session.flush()
    advance_drafts(now or utcnow(), draft_id=draft.id)


def return_draft(draft: Draft, reviewer, note: str) -> None:
    """Reviewer: send the draft back to the editor with a note."""
    _require_reviewer(draft, reviewer)
    _require_status(draft, "review")
    if not note.strip():
        raise DomainError(_l("Please tell the editor what to change."), field="note")
    draft.status, draft.review_note, draft.approved_at, draft.approved_by_id = DRAFT, note.strip(), None, None
    db.session.flush()


def withdraw_draft(draft: Draft, user, reason: str) -> None:
    """Withdraw a draft that is not closed yet; the reason is shown on its public page."""
    _require_status(draft, "withdraw")
    if not reason.strip():
        raise DomainError(_l("Please give a reason."), field="reason")
    draft.status, draft.withdrawn_reason = WITHDRAWN, reason.strip()
    if draft.closed_at is None and draft.opened_at is not None:
        draft.closed_at = utcnow()
    db.session.flush()
    dismiss_comments_of_withdrawn_drafts(user, draft_id=draft.id, limit=WITHDRAWAL_BATCH)


def dismiss_comments_of_withdrawn_drafts(actor=None, *, draft_id: int | None = None, limit: int | None = None) -> int:
    """Close the comments still waiting for an answer on withdrawn drafts; each writer is told why.

    Withdrawing does it for up to ``limit`` comments at once; the daily ``remind`` run finishes the rest.
    Returns how many were closed.
    """
    stmt = (
        sa.select(Submission, Draft.withdrawn_reason)
        .join(Comment, Comment.submission_id == Submission.id)
        .join(Draft, Draft.id == Comment.draft_id)
        .where(Draft.status == WITHDRAWN, Submission.status.in_(OPEN_STATUSES))
        .order_by(Submission.id)
        .limit(limit)
    )
    if draft_id is not None:
        stmt = stmt.where(Draft.id == draft_id)
    rows = db.session.execute(stmt).all()
    for submission, withdrawn_reason in rows:
        tracking.dismiss_with_its_subject(submission, actor=actor, reason=timeline_note(
            "The draft was withdrawn, so comments on it will not be answered. Reason: %(reason)s",
            reason=withdrawn_reason,
        ))
    db.session.flush()
    return len(rows)


def advance_drafts(now: datetime | None = None, draft_id: int | None = None) -> tuple[list[int], list[int]]:
    """Record what the schedule has already decided: approved drafts past their opening time as opened, open
    drafts past their closing time as closed, each with a history entry dated when it took effect.

    Pages never call this (``Draft.status`` already answers from the approved window); the daily ``remind``
    does, and so does every service that changes a draft, before it changes it. Each change is a conditional
    ``UPDATE``, so two runs at once record it once. Returns the ids opened and closed.
    """
    now = as_utc(now or utcnow())
    due = sa.select(Draft.id, Draft.recorded_status, Draft.approved_at, Draft.opens_at, Draft.closes_at).where(
        sa.or_(
            sa.and_(Draft.recorded_status == IN_REVIEW, Draft.approved_at.is_not(None), Draft.opens_at <= now),
            sa.and_(Draft.recorded_status == OPEN, Draft.closes_at <= now),
        )
    )
    if draft_id is not None:
        due = due.where(Draft.id == draft_id)
    opened, closed = [], []
    for row in db.session.execute(due).all():
        recorded = row.recorded_status
        if recorded == IN_REVIEW:
            at = max(as_utc(row.opens_at), as_utc(row.approved_at))
            if _record(row.id, IN_REVIEW, OPEN, "opened", at, opened_at=at):
                opened.append(row.id)
                recorded = OPEN
        if recorded == OPEN and as_utc(row.closes_at) <= now:
            at = as_utc(row.closes_at)
            if _record(row.id, OPEN, CLOSED, "closed", at, closed_at=at):
                closed.append(row.id)
    if opened or closed:
        for draft in db.session.scalars(sa.select(Draft).where(Draft.id.in_(opened + closed))):
            db.session.refresh(draft)
    return opened, closed


def _record(draft_id: int, before: str, after: str, action: str, at: datetime, **stamps) -> bool:
    changed = db.session.execute(
        sa.update(Draft).where(Draft.id == draft_id, Draft.recorded_status == before)
        .values(recorded_status=after, **stamps).execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        db.session.add(DraftEvent(draft_id=draft_id, action=action, happened_at=at))
        db.session.flush()
    return bool(changed)


def draft_history(draft: Draft) -> list[DraftEvent]:
    """The draft's recorded openings and closings, oldest first."""
    return list(db.session.scalars(
        sa.select(DraftEvent).where(DraftEvent.draft_id == draft.id).order_by(DraftEvent.id)
    ))


def _require_status(draft: Draft, action: str) -> None:
    advance_drafts(draft_id=draft.id)  # a change is made on the recorded status the schedule has reached
    require_status(draft, action)


def _require_reviewer(draft: Draft, user) -> None:
    if not may_review(user, draft):
        raise DomainError(_l("Only a reviewer of the lead department may do this."), status=403)


def _pick(fields: dict, names: tuple[str, ...]) -> dict:
    return {name: fields[name] for name in names if name in fields}
