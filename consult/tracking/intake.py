"""Receiving a submission: tracking number, query code, deadlines, timeline and the receipt mail; the same
form sent twice is one submission (:func:`receive_once`, by the form's one-time token); and recognising the
same submission sent again from a new form (e.g. after going back in the browser: the form is new, the text
is not)."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import Department, User
from consult.contacts import phone_key
from consult.database import (
    Change, Changed, Condition, Dependent, all_of, execute_built, holds, insert_object, insert_with_dependents,
    take_write_lock, utcnow, whole_write, write_alone,
)
from consult.domain import DomainError
from consult.extensions import db
from consult.localtime import as_utc, local_date
from consult.notify.models import OutboxMessage
from consult.search.documents import Tokens, index_dependent, index_record, tokens_but_title, with_title_tokens
from consult.text import normalize_text
from consult.tracking import numbers
from consult.tracking.deadlines import apply_deadlines
from consult.tracking.mails import MergedReceipt, merged_receipt, queue_receipt
from consult.tracking.models import KINDS, RECEIVED, Submission, TimelineEvent
from consult.tracking.policies import policy_for
from consult.tracking.timeline import CITIZEN_ROLE, event_row, insert_event, record_event
from consult.workdays import calendar_unchanged, kept_overrides

NOTIFY_CHANNELS = ("mail", "sms")
# The same text from the same person to the same target within this time is the same submission.
DUPLICATE_WINDOW = timedelta(minutes=10)
# A form's one-time token (``secrets.token_urlsafe(24)`` on the pages, derived from Idempotency-Key in the APIs).
FORM_TOKEN_MIN, FORM_TOKEN_MAX = 16, 64
FORM_EXPIRED = _l("The form has expired. Please send it again.")

T = TypeVar("T")
R = TypeVar("R")  # the record a form's token names: a submission, or a record that becomes one later or never


@dataclass(frozen=True)
class NewSubmission:
    """A freshly created submission and its query code — the only time the code exists in clear."""

    submission: Submission
    query_code: str  # grouped for display, e.g. ABCD-EFGH-JKMN


def content_key(kind: str, target: str, subject: str, body: str) -> str:
    """SHA-256 (hex) of what makes two submissions the same: the kind, the target (``draft:12``,
    ``mailbox:3``, ``department:5``, ``event:7``) and the normalised subject and text."""
    text = "\n".join((kind, target, normalize_text(subject), normalize_text(body)))
    return hashlib.sha256(text.encode()).hexdigest()


def _same_sender(submission: Submission, user: User | None, email: str, phone: str) -> bool:
    if user is not None and submission.user_id == user.id:
        return True
    if email and submission.submitter_email == email.strip().lower():
        return True
    return phone_key(phone) is not None and phone_key(submission.submitter_phone) == phone_key(phone)


def find_duplicate(
    *,
    kind: str,
    target: str,
    body: str,
    subject: str = "",
    user: User | None = None,
    email: str = "",
    phone: str = "",
    received_at: datetime | None = None,
) -> Submission | None:
    """The submission with the same text that the same person (account, e-mail or phone) sent to the same
    target less than ``DUPLICATE_WINDOW`` ago, if any: the kinds return its receipt instead of a new one."""
    if user is None and not (email or "").strip() and not phone_key(phone):
        return None  # nobody to recognise
    received_at = as_utc(received_at) if received_at is not None else utcnow()
    candidates = db.session.scalars(
        sa.select(Submission)
        .where(Submission.content_key == content_key(kind, target, subject, body),
               Submission.received_at > received_at - DUPLICATE_WINDOW, Submission.received_at <= received_at)
        .order_by(Submission.id)
    )
    return next((c for c in candidates if _same_sender(c, user, email or "", phone or "")), None)


def check_form_token(form_token: str | None) -> str:
    """The form's one-time token, stripped. A missing, too short or too long one is refused (400) with a
    message that asks to send the form again: the page it came from is out of date or not one of ours."""
    token = (form_token or "").strip()
    if not FORM_TOKEN_MIN <= len(token) <= FORM_TOKEN_MAX:
        raise DomainError(FORM_EXPIRED, status=400)
    return token


class TokenTaken(Exception):
    """:func:`write_submission` found its form's token already taken (a twin sent at the same moment): it
    wrote nothing, and :func:`receive_once` answers with the twin's receipt."""

    def __init__(self, form_token: str, earlier: "Submission | None" = None) -> None:
        super().__init__(form_token)
        self.earlier = earlier  # the twin, when already looked up


def submission_with_token(form_token: str) -> Submission | None:
    """The submission received from the form with this one-time token, if any."""
    submission_id = db.session.scalar(_WITH_TOKEN, {"token": form_token})  # the usual answer, none, costs no entity
    return None if submission_id is None else db.session.get(Submission, submission_id)


_WITH_TOKEN = sa.select(Submission.id).where(Submission.form_token == sa.bindparam("token"))  # built once


def receive_once(
    form_token: str | None,
    *,
    create: Callable[[str], T],
    receipt_of: Callable[[R], T],
    check: Callable[[], T | None] | None = None,
    find: Callable[[str], R | None] | None = None,
    savepoint: bool = True,
) -> T:
    """Receive what one public form sent, once: every kind's intake goes through here, and so does every
    public form whose record is not a submission when it arrives (an interview's question, a questionnaire
    response), with its own ``find``.

    1. The token is checked (:func:`check_form_token`: 16–64 characters, else a 400 DomainError).
    2. A token already used gives ``receipt_of(first record)`` — before any other check, so sending the
       same form again answers the same even if, say, the consultation has closed since. The first record
       is ``find(token)``: by default the submission with that token (:func:`submission_with_token`);
       a record kept elsewhere is looked up in its own unique ``form_token`` column.
    3. ``check()`` runs the kind's own checks (raising DomainError) and may return a receipt of its own
       (the same text recognised as sent again from a new form); otherwise it returns None. It is also where
       a kind works out what it will write (:func:`prepare_submission`): no lock is held yet.
    4. ``create(token)`` adds the record (a submission through :func:`create_submission` with
       ``form_token=token``) and its detail row inside a savepoint, after SQLite's write lock is taken
       (``take_write_lock``).
    5. The same form sent twice at the same moment: the unique ``form_token`` column refuses the second
       insert; its savepoint is rolled back (nothing of it stays, no mail) and it gets
       ``receipt_of(first record)`` too — on every kind and both databases, never an error. Any other
       constraint's refusal (no record with the token) is raised as it came.

    With ``savepoint=False`` (comments and letters without files) ``create`` writes nothing before
    :func:`write_submission`, which refuses a taken token itself with ``INSERT … ON CONFLICT DO NOTHING``
    (raising :class:`TokenTaken` before anything else is written): the same answer without a savepoint. The
    token is then looked up only when the answer is not a new record — the checks refused, recognised a
    resend, or the insert found the token taken — and a form sent once, as nearly every form is, costs no
    lookup; the answers are those of steps 2–5.

    Receipts built by ``receipt_of`` carry no query code: it was shown once, to the first answer.
    """
    find = find or submission_with_token
    token = check_form_token(form_token)

    def first_receipt() -> T | None:
        earlier = find(token)
        return None if earlier is None else receipt_of(earlier)

    if savepoint and (receipt := first_receipt()) is not None:  # looked up first (see step 2)
        return receipt
    try:
        recognised = check() if check is not None else None
    except DomainError:  # a form sent before gets its first answer, not the refusal (e.g. closed since)
        if savepoint or (receipt := first_receipt()) is None:
            raise
        return receipt
    if recognised is not None:  # likewise: the token's own submission before the same text's
        return recognised if savepoint else (first_receipt() or recognised)
    take_write_lock(db.session)  # everything above only read: SQLite's write lock is held from here to the commit
    if not savepoint:
        try:
            return create(token)
        except TokenTaken as taken:
            return receipt_of(taken.earlier if taken.earlier is not None else find(token))
    try:
        with db.session.begin_nested():
            return create(token)
    except IntegrityError:
        earlier = find(token)
        if earlier is None:  # some other constraint: a real error
            raise
        return receipt_of(earlier)


def create_submission(
    *,
    kind: str,
    department: Department,
    body: str,
    subject: str = "",
    target: str = "",
    user: User | None = None,
    name: str = "",
    email: str = "",
    phone: str = "",
    is_public: bool = False,
    locale: str | None = None,
    received_at: datetime | None = None,
    clock_start_on: date | None = None,
    window_workdays: int | None = None,
    notify_by: str | None = None,
    form_token: str | None = None,
) -> NewSubmission:
    """Receive a submission of ``kind`` for ``department`` and queue the receipt mail.

    The clock starts on the local day of receipt unless ``clock_start_on`` is given (comments: the day
    the consultation closes); ``window_workdays`` overrides the kind's default (e.g. a mailbox's own window).
    ``notify_by`` is the channel the citizen chose for news ("mail" or "sms"; None: e-mail if they left
    an address, else SMS to a mobile number). ``form_token`` is the one-time token of the form it came from
    (unique; kinds pass it through :func:`receive_once`). Kind modules add their detail row pointing at
    ``result.submission.id``. ``target`` names what the submission is sent to (see :func:`content_key`), so
    :func:`find_duplicate` can recognise it later.
    """
    submission, code = _unnumbered_submission(
        kind=kind, department=department, body=body, subject=subject, target=target, user=user, name=name,
        email=email, phone=phone, is_public=is_public, locale=locale, received_at=received_at,
        clock_start_on=clock_start_on, window_workdays=window_workdays, notify_by=notify_by)
    submission.form_token = form_token
    submission.tracking_no = numbers.new_tracking_no(policy_for(kind).prefix, local_date(submission.received_at))
    record_event(submission, "received", actor=user, actor_role=CITIZEN_ROLE, to_status=RECEIVED)
    submission.status = RECEIVED  # the initial status; every later change goes through transition()
    db.session.add(submission)
    db.session.flush()
    display_code = numbers.format_query_code(code)
    queue_receipt(submission, display_code)
    return NewSubmission(submission, display_code)


@dataclass(frozen=True)
class PreparedSubmission:
    """A submission of one of the busiest intakes (comments and letters) worked out before SQLite's write lock
    is taken (:func:`prepare_submission`): all but its tracking number, which :func:`write_submission` takes
    with the lock held before it writes the rows. Nothing of it is in the database or the session yet."""

    submission: Submission  # transient, without tracking number and form token
    prefix: str  # of its tracking number
    query_code: str  # in clear, ungrouped
    tokens: Tokens  # its index tokens but the title's, which holds the tracking number
    receipt: MergedReceipt | None  # its receipt mail, if one goes by mail
    detail: object | None  # the kind's own new row (a comment, a letter), written with it
    calendar_version: int  # of the calendar its due dates were worked out with


def prepare_submission(
    *,
    kind: str,
    department: Department,
    body: str,
    subject: str = "",
    target: str = "",
    user: User | None = None,
    name: str = "",
    email: str = "",
    phone: str = "",
    is_public: bool = False,
    locale: str | None = None,
    received_at: datetime | None = None,
    clock_start_on: date | None = None,
    window_workdays: int | None = None,
    notify_by: str | None = None,
    detail=None,
) -> PreparedSubmission:
    """Work out a new submission as :func:`create_submission` would (its arguments but the form token), ready
    for :func:`write_submission`: the query code and its hash, the due dates, the index tokens and the receipt
    mail — everything that needs no lock, so that SQLite's write lock is held only for the inserts. ``detail``
    is the kind's own new row, whose ``submission`` :func:`write_submission` sets.

    The due dates are worked out with the calendar this process keeps (``kept_overrides``), without reading it:
    :func:`write_submission` writes only while that calendar is still current.
    """
    overrides, calendar_version = kept_overrides()
    submission, code = _unnumbered_submission(
        kind=kind, department=department, body=body, subject=subject, target=target, user=user, name=name,
        email=email, phone=phone, is_public=is_public, locale=locale, received_at=received_at,
        clock_start_on=clock_start_on, window_workdays=window_workdays, notify_by=notify_by, overrides=overrides)
    submission.status = RECEIVED
    submission.department_id = department.id  # what its index scope reads (the relationship is set at insert)
    return PreparedSubmission(submission, policy_for(kind).prefix, code, tokens_but_title(submission),
                              merged_receipt(submission, numbers.format_query_code(code)), detail, calendar_version)


def write_submission(prepared: PreparedSubmission, form_token: str | None = None, *,
                     changes: list[Change] = (), last: bool = False, condition: Condition | None = None
                     ) -> NewSubmission:
    """Write a :func:`prepare_submission`: take its tracking number, and insert with Core, instead of the ORM's
    unit of work, the submission row (the returned object is persistent and loaded, as after a flush), its
    "received" timeline entry, its search index row and the receipt mail in the outbox — the rows
    :func:`create_submission` writes, word for word — and the kind's ``detail`` row (its ``submission`` set
    to it) and ``changes`` (its counters). On PostgreSQL they all go in one statement.

    A ``form_token`` already taken writes nothing and raises :class:`TokenTaken` (see :func:`receive_once`);
    on SQLite the day's tracking number it took is given back, so numbers stay without gaps there.

    ``last``: the request writes nothing after it. On PostgreSQL, when the receipt goes by mail, its one
    statement is then the request's whole write, and may commit itself (``consult.database.write_alone``); on
    SQLite its rows are committed as soon as they are written, if nothing was written before them
    (``consult.database.whole_write``).

    It writes only if the calendar the due dates were worked out with is still the current one. If another
    process changed it since this one last read it, the due dates and the receipt are worked out again with the
    calendar read now. It writes only if ``condition`` holds too, and raises :class:`Changed` if that is what
    stopped it. On PostgreSQL both are conditions of the one statement, which runs again after the calendar is
    read; on SQLite they are checked first, with the write lock held (:func:`_still_current`).
    """
    submission = prepared.submission
    with whole_write(db.session, last) as connection:  # SQLite: the write lock is taken here (see receive_once)
        if connection.dialect.name != "postgresql":
            prepared = _still_current(prepared, condition)  # before the day's tracking number is taken
        submission.form_token = form_token
        submission.tracking_no = numbers.new_tracking_no(prepared.prefix, local_date(submission.received_at))
        tokens = with_title_tokens(prepared.tokens, submission)
        unless_taken = "form_token" if form_token else None
        detail = prepared.detail
        if detail is not None:
            detail.submission = submission
        event = {"actor": submission.user, "actor_role": CITIZEN_ROLE, "from_status": None, "to_status": RECEIVED}
        if connection.dialect.name == "postgresql":  # every row in one statement: one round trip, not six
            prepared = _write_in_one_statement(prepared, tokens, event, unless_taken, changes, last, condition)
        else:  # SQLite runs in the process: a statement costs no round trip
            if insert_object(db.session, submission, unless_taken=unless_taken) is None:
                numbers.give_back_tracking_no(submission.tracking_no)
                raise TokenTaken(form_token)
            insert_event(connection, submission, "received", **event)
            index_record(connection, submission, tokens)
            if prepared.receipt is not None:
                prepared.receipt.write(connection, submission.tracking_no)
            if detail is not None:
                insert_object(db.session, detail)
            for change in changes:
                execute_built(connection, change.statement, change.params)
        display_code = numbers.format_query_code(prepared.query_code)
        if prepared.receipt is None:
            queue_receipt(submission, display_code, connection=connection)  # by SMS, or nobody to tell
    return NewSubmission(submission, display_code)


def _write_in_one_statement(prepared: PreparedSubmission, tokens: Tokens, event: dict, unless_taken: str | None,
                            changes: list[Change], last: bool, condition: Condition | None) -> PreparedSubmission:
    """PostgreSQL: :func:`write_submission`'s rows, in one statement that writes only while the calendar is the
    version ``prepared`` was worked out with, and ``condition`` holds; worked out again with the current calendar
    until it is; :class:`Changed` if the calendar was current. Returns what was written."""
    submission = prepared.submission
    while True:
        rows = [Dependent(TimelineEvent.__table__, event_row(submission, "received", **event), key="submission_id"),
                index_dependent(submission, tokens)]
        if prepared.receipt is not None:
            rows.append(Dependent(OutboxMessage.__table__, prepared.receipt.values(submission.tracking_no)))
        if last and prepared.receipt is not None:
            write_alone(db.session)
        if insert_with_dependents(db.session, submission, rows, unless_taken=unless_taken,
                                  detail=prepared.detail, detail_key="submission_id", changes=changes,
                                  condition=all_of(calendar_unchanged(prepared.calendar_version), condition)
                                  ) is not None:
            return prepared
        if unless_taken and (earlier := submission_with_token(submission.form_token)) is not None:
            # its tracking number stays unused (see consult.tracking.numbers)
            raise TokenTaken(submission.form_token, earlier)
        prepared = _on_the_current_calendar(prepared, condition)


def _still_current(prepared: PreparedSubmission, condition: Condition | None) -> PreparedSubmission:
    """SQLite, the write lock held: ``prepared`` if the calendar it was worked out with is still the current one
    and ``condition`` holds (one ``SELECT``); else as :func:`_on_the_current_calendar` says."""
    while not holds(db.session, all_of(calendar_unchanged(prepared.calendar_version), condition)):
        prepared = _on_the_current_calendar(prepared, condition)
    return prepared


def _on_the_current_calendar(prepared: PreparedSubmission, condition: Condition | None) -> PreparedSubmission:
    """A write of ``prepared`` found its calendar or ``condition`` no longer current: ``prepared`` worked out again
    with the calendar read now (its due dates and receipt), or :class:`Changed` if the calendar is as it was, so
    that ``condition`` failed."""
    overrides, version = kept_overrides(fresh=True)  # another process changed the calendar: read it
    if version == prepared.calendar_version and condition is not None:
        raise Changed()
    submission = prepared.submission
    apply_deadlines(submission, overrides)
    receipt = prepared.receipt and merged_receipt(submission, numbers.format_query_code(prepared.query_code))
    return replace(prepared, receipt=receipt, calendar_version=version)


def _unnumbered_submission(
    *, kind: str, department: Department, body: str, subject: str, target: str, user: User | None, name: str,
    email: str, phone: str, is_public: bool, locale: str | None, received_at: datetime | None,
    clock_start_on: date | None, window_workdays: int | None, notify_by: str | None, overrides=None,
) -> tuple[Submission, str]:
    """A new submission, not yet in the session, without its tracking number and form token: its hashed query
    code and due dates; and its query code in clear."""
    if kind not in KINDS:
        raise ValueError(f"unknown submission kind {kind!r}")
    if not body.strip():
        raise DomainError(_l("Please write your message."), field="body")
    policy = policy_for(kind)
    received_at = as_utc(received_at) if received_at is not None else utcnow()
    received_on = local_date(received_at)
    code = numbers.new_query_code()
    salt, code_hash = numbers.new_code_hash(code)
    submission = Submission(
        query_code_salt=salt,
        query_code_hash=code_hash,
        kind=kind,
        department=department,
        user=user,
        submitter_name=(name or (user.display_name if user else "")).strip(),
        submitter_email=(email or "").strip().lower(),
        submitter_phone=(phone or "").strip(),
        locale=locale or (user.locale if user else None),
        subject=subject.strip(),
        body=body,
        content_key=content_key(kind, target, subject, body),
        is_public=is_public,
        notify_by=notify_by if notify_by in NOTIFY_CHANNELS else None,
        received_at=received_at,
        clock_start_on=clock_start_on or received_on,
        window_workdays=window_workdays if window_workdays is not None else policy.window_workdays,
        extension_workdays=0,
    )
    apply_deadlines(submission, overrides)
    return submission, code
