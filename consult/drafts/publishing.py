"""Publishing the feedback report as a job: answering 100,000 comments takes minutes, longer than a request.

The reviewer's click records a ``queued`` :class:`ReportPublication` (:func:`request_publication`); after the
request's commit the view starts :func:`run_publication` through ``consult.jobs`` (an RQ worker, else a thread
of the web process) and shows the publication's page, which reloads itself until the job is over. The job runs
``report.approve_report`` (which answers every open comment) and records its outcome in **one transaction**:
the report is published with every answer and mail, or, on any error, nothing is, the report still waits for
approval and the page says what went wrong.
"""

import logging
import traceback
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from consult.accounts.models import User
from consult.database import utcnow
from consult.domain import DomainError
from consult.drafts import report
from consult.drafts.models import (
    CLOSED, PUBLICATION_DONE, PUBLICATION_FAILED, PUBLICATION_QUEUED, PUBLICATION_RUNNING, PUBLISHED, REPORT_PENDING,
    Comment, Draft, ReportPublication,
)  # fmt: skip
from consult.drafts.services import advance_drafts
from consult.drafts.transitions import may_review
from consult.extensions import db
from consult.i18n import parsed_locale
from consult.localtime import as_utc
from consult.tracking.models import OPEN_STATUSES, Submission

log = logging.getLogger(__name__)
ACTIVE = (PUBLICATION_QUEUED, PUBLICATION_RUNNING)
# A publication still queued or running after this long is taken for dead (its process ended without a word:
# its one transaction was rolled back, so nothing was published) and may be asked for again.
STALE_AFTER = timedelta(hours=2)


def latest_publication(draft_id: int) -> ReportPublication | None:
    """The newest publication asked for on the draft."""
    return db.session.scalar(sa.select(ReportPublication).where(ReportPublication.draft_id == draft_id)
                             .order_by(ReportPublication.id.desc()).limit(1))


def is_stale(publication: ReportPublication, now=None) -> bool:
    """A queued or running publication whose job has not finished for :data:`STALE_AFTER`."""
    if publication.status not in ACTIVE:
        return False
    return as_utc(now or utcnow()) - as_utc(publication.started_at or publication.requested_at) > STALE_AFTER


def request_publication(draft: Draft, reviewer: User, base_url: str = "") -> tuple[ReportPublication, bool]:
    """Queue the publication of the draft's report: ``(publication, True)``; the caller starts its job after the
    commit. A second click while one is queued or running queues nothing: ``(that one, False)``.

    Refused (403) to anyone but a reviewer of the lead department, and (409) when no report waits for approval.
    ``base_url`` is the site's address as the reviewer reached it, for the links in the answer mails.
    """
    if not may_review(reviewer, draft):
        raise DomainError(_l("Only a reviewer of the lead department may do this."), status=403)
    # PostgreSQL: one request at a time per draft (SQLite: the request's write transaction already serialises).
    db.session.execute(sa.select(Draft.id).where(Draft.id == draft.id).with_for_update())
    active = db.session.scalar(sa.select(ReportPublication).where(
        ReportPublication.draft_id == draft.id, ReportPublication.status.in_(ACTIVE))
        .order_by(ReportPublication.id.desc()).limit(1))
    if active is not None and not is_stale(active):
        return active, False
    if active is not None:
        # Failed without a message of its own: the page says the job stopped without finishing.
        active.status, active.finished_at = PUBLICATION_FAILED, utcnow()
    advance_drafts(draft_id=draft.id)  # a draft whose closing time has passed is recorded as closed first
    if draft.status != CLOSED or draft.report_state != REPORT_PENDING:
        raise DomainError(_l("There is no report waiting for approval."), status=409)
    publication = ReportPublication(draft_id=draft.id, requested_by_id=reviewer.id, status=PUBLICATION_QUEUED,
                                    base_url=base_url[:300])
    db.session.add(publication)
    db.session.flush()
    return publication, True


def _open_comments(draft_id: int) -> int:
    """How many comments publishing the report will answer (for the page: the job's whole work)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Comment).join(Submission, Submission.id == Comment.submission_id)
        .where(Comment.draft_id == draft_id, Comment.moderation == PUBLISHED, Comment.disposition.is_not(None),
               Submission.status.in_(OPEN_STATUSES)))


def run_publication(publication_id: int) -> str:
    """The job: publish the report of a queued publication; returns its final status (done or failed)."""
    publication = db.session.get(ReportPublication, publication_id)
    if publication is None or publication.status != PUBLICATION_QUEUED:
        return publication.status if publication else "missing"
    draft_id, reviewer_id, base_url = publication.draft_id, publication.requested_by_id, publication.base_url
    total = _open_comments(draft_id)
    db.session.commit()
    _record(publication_id, status=PUBLICATION_RUNNING, started_at=utcnow(), total_count=total)
    try:
        # The links in the mails are built on the address the reviewer used, as the request would have.
        with current_app.test_request_context("/", base_url=base_url or None):
            # One transaction: it begins with its write (on SQLite the write lock is taken before any read).
            db.session.execute(sa.update(ReportPublication).where(ReportPublication.id == publication_id)
                               .values(error=""))
            draft, reviewer = db.session.get(Draft, draft_id), db.session.get(User, reviewer_id)
            answered = report.approve_report(draft, reviewer)
            db.session.execute(sa.update(ReportPublication).where(ReportPublication.id == publication_id).values(
                status=PUBLICATION_DONE, finished_at=utcnow(), answered_count=answered))
            db.session.commit()
    except Exception as error:  # noqa: BLE001 -- any failure is shown on the page; nothing was published
        db.session.rollback()
        log.error("publishing the report of draft %s failed:\n%s", draft_id, traceback.format_exc())
        message = _reason(error, reviewer_id)
        _record(publication_id, status=PUBLICATION_FAILED, finished_at=utcnow(), error=message[:500])
        return PUBLICATION_FAILED
    return PUBLICATION_DONE


def _reason(error: Exception, reviewer_id: int | None) -> str:
    """Why the job failed, as the page shows it: a rule's message in the language of the reviewer who asked
    (the job runs outside their request), anything else as the error's name and text."""
    if not isinstance(error, DomainError):
        return f"{type(error).__name__}: {error}"
    reviewer = db.session.get(User, reviewer_id) if reviewer_id is not None else None
    with force_locale(parsed_locale(reviewer.locale if reviewer and reviewer.locale
                                    else current_app.config["CONSULT_DEFAULT_LOCALE"])):
        return str(error)


def _record(publication_id: int, **values) -> None:
    """Record where the job is, in a transaction of its own that begins with the write."""
    db.session.execute(sa.update(ReportPublication).where(ReportPublication.id == publication_id).values(**values))
    db.session.commit()
