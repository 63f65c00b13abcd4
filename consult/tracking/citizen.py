"""The citizen's side: finding a submission with its query code, rating the answer, reopening, closing."""

import secrets
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer

from consult.accounts.models import User
from consult.database import utcnow
from consult.domain import DomainError
from consult.extensions import db
from consult.localtime import as_utc, local_date, local_today, zone
from consult.practice import rectification
from consult.tracking import numbers
from consult.tracking.deadlines import restart_clock
from consult.tracking.mails import notify_staff
from consult.tracking.models import ANSWERED, POOR_LEVELS, SATISFACTION_LEVELS, Submission
from consult.tracking.notes import label_note, timeline_note
from consult.tracking.policies import REOPEN_WINDOW_WORKDAYS
from consult.tracking.timeline import CITIZEN_ROLE
from consult.tracking.transitions import transition
from consult.workdays import add_workdays, current_overrides

RATING_SALT = "consult.tracking.rate"
RATING_MAX_AGE = 90 * 24 * 3600
DEFAULT_AUTO_CLOSE_WORKDAYS = 10

SATISFACTION_LABELS = {
    "very_satisfied": _l("Very satisfied"),
    "satisfied": _l("Satisfied"),
    "basically_satisfied": _l("Basically satisfied"),
    "unsatisfied": _l("Not satisfied"),
    "very_unsatisfied": _l("Very dissatisfied"),
}

# Compared against when the tracking number is unknown, so both failures cost the same.
_DUMMY_SALT = secrets.token_hex(16)
_DUMMY_HASH = numbers.hash_query_code(numbers.new_query_code(), _DUMMY_SALT)


def find_submission(tracking_no: str, query_code: str) -> Submission | None:
    """The submission with this tracking number and query code; None for an unknown number or a wrong
    code alike (same work either way, constant-time comparison)."""
    number = numbers.normalise_tracking_no(tracking_no or "")
    # Only letters, digits and dashes can be a tracking number; anything else (e.g. a NUL byte, which
    # PostgreSQL refuses in a query) is simply not found.
    well_formed = number.isascii() and number.replace("-", "").isalnum()
    submission = db.session.scalar(
        sa.select(Submission).where(Submission.tracking_no == number)
    ) if well_formed else None
    salt, expected = (
        (submission.query_code_salt, submission.query_code_hash) if submission else (_DUMMY_SALT, _DUMMY_HASH)
    )
    matches = numbers.query_code_matches(query_code or "", salt, expected)
    return submission if submission is not None and matches else None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RATING_SALT)


def rating_token(submission: Submission) -> str:
    """A signed token letting the answer mail's reader rate this answer without the query code."""
    return rating_token_for(submission.id, submission.answered_at)


def rating_token_for(submission_id: int, answered_at: datetime, serializer: URLSafeTimedSerializer | None = None) -> str:
    """:func:`rating_token` from the submission's id and the time of its answer (``serializer``: one from
    :func:`rating_serializer`, to sign many at once)."""
    return (serializer or _serializer()).dumps([submission_id, as_utc(answered_at).isoformat()])


def rating_serializer() -> URLSafeTimedSerializer:
    """What signs rating tokens, for :func:`rating_token_for` in a loop."""
    return _serializer()


def submission_from_rating_token(token: str, max_age: int = RATING_MAX_AGE) -> Submission | None:
    """The submission a rating link is for, if the token is valid and its answer is still the latest."""
    try:
        submission_id, answered_iso = _serializer().loads(token, max_age=max_age)
    except (BadSignature, ValueError, TypeError):
        return None
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.answered_at is None:
        return None
    return submission if as_utc(submission.answered_at).isoformat() == answered_iso else None


def can_rate(submission: Submission) -> bool:
    """Whether the latest answer is waiting for the citizen's rating."""
    if submission.status != ANSWERED:
        return False
    return submission.rated_at is None or as_utc(submission.rated_at) < as_utc(submission.answered_at)


def rate(
    submission: Submission,
    *,
    resolved: bool,
    satisfaction: str,
    comment: str = "",
    actor: User | None = None,
    now: datetime | None = None,
) -> str:
    """Record the citizen's verdict on the answer (once per answer) and close or reopen the submission.

    A poor rating (不满意 or 非常不满意) reopens it once, due 10 working days later, and opens a rectification
    task for the department (consult.practice.rectification); any other verdict, or a second poor rating,
    closes it (a second poor rating joins the task still open). Returns the new status.
    """
    if not can_rate(submission):
        raise DomainError(_l("This answer cannot be rated (any more)."), status=409)
    if satisfaction not in SATISFACTION_LEVELS:
        raise DomainError(_l("Please choose how satisfied you are."), field="satisfaction")
    submission.resolved, submission.satisfaction = bool(resolved), satisfaction
    submission.satisfaction_comment = (comment or "").strip()
    submission.rated_at = as_utc(now) if now else utcnow()
    submission.rating_removed = False  # a new rating counts until an appeal against it is upheld
    note = label_note(SATISFACTION_LABELS[satisfaction])
    today = local_date(now) if now else local_today()
    if satisfaction in POOR_LEVELS and submission.reopen_count == 0:
        _reopen(submission, actor, note, today)
    else:
        transition(submission, "close", actor=actor, actor_role=CITIZEN_ROLE, public_note=note)
    if satisfaction in POOR_LEVELS:
        rectification.on_poor_rating(submission, today)
    return submission.status


def _reopen(submission: Submission, actor: User | None, note, today: date) -> None:
    transition(submission, "reopen", actor=actor, actor_role=CITIZEN_ROLE, public_note=note,
               internal_note=submission.satisfaction_comment)
    submission.reopen_count += 1
    restart_clock(submission, today, REOPEN_WINDOW_WORKDAYS, keep_extensions=False)
    if submission.assignee is not None:
        notify_staff(submission.assignee, submission, "submission_reopened")


def auto_close_answered(today: date | None = None, after_workdays: int | None = None) -> list[Submission]:
    """Close answered submissions nobody rated within ``after_workdays`` working days of the answer
    (``CONSULT_AUTO_CLOSE_WORKDAYS``, default 10). Called by ``flask remind``."""
    today = today or local_today()
    if after_workdays is None:
        after_workdays = current_app.config.get("CONSULT_AUTO_CLOSE_WORKDAYS", DEFAULT_AUTO_CLOSE_WORKDAYS)
    # n working days span at least n calendar days: a cheap, indexed first cut.
    cutoff = datetime.combine(today - timedelta(days=after_workdays), time.max, tzinfo=zone())
    candidates = db.session.scalars(
        sa.select(Submission)
        .where(Submission.status == ANSWERED, Submission.answered_at <= as_utc(cutoff))
        .order_by(Submission.id)
    )
    overrides = current_overrides()
    closed = []
    for submission in candidates:
        if today > add_workdays(local_date(submission.answered_at), after_workdays, overrides):
            transition(
                submission, "close", actor=None,
                public_note=timeline_note(
                    "Closed automatically: the answer was not rated within %(days)s working days.", days=after_workdays
                ),
            )
            closed.append(submission)
    db.session.flush()
    return closed
