"""Answering many submissions at once: a published decision (a draft's feedback report) that answers each
submission it covers that is still open.

The same state change as :func:`consult.tracking.transitions.transition` (the ``answer_by_publication``
rule of its table, its timestamps, one timeline event each, the answer mail where the citizen left an
address), done set-based for any number of submissions: rows are read in keyset batches with only the
columns needed (locked ``FOR UPDATE`` on PostgreSQL), each batch is one ``UPDATE`` per distinct answer time
taken, one multi-row insert of timeline events and one of outbox mails and texts (a citizen told by SMS
gets the answer's text message instead of the mail, as ``notify_citizen`` does). Memory stays bounded by the batch;
there is no ORM round trip per submission. Everything joins the caller's transaction; nothing commits.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from consult.accounts.models import Department, User
from consult.extensions import db
from consult.i18n import parsed_locale
from consult.localtime import as_utc, local_date, zone
from consult.notify import sms
from consult.notify.models import SMS
from consult.notify.services import merge_mark, merged, queue_rendered, render_mail
from consult.search.documents import rescope_submissions
from consult.tracking.citizen import rating_serializer, rating_token_for
from consult.tracking.mails import lookup_url, rate_url, short_url
from consult.tracking.models import Submission, TimelineEvent
from consult.tracking.notes import Note
from consult.tracking.timeline import event_values, staff_identity
from consult.tracking.transitions import TRANSITIONS, workdays_taken
from consult.workdays import current_overrides

ACTION = "answer_by_publication"
BATCH = 1000


@dataclass(frozen=True)
class PublishedAnswer:
    """What one submission is told: the public note of its timeline event (the answer, in the reader's
    language when shown) and the extra context of its answer mail (``None``: no mail)."""

    note: Note
    mail: dict[str, Any] | None


@dataclass(frozen=True)
class SubmissionFacts:
    """What an answer mail's templates read of its submission (as :class:`Submission` offers it)."""

    id: int
    tracking_no: str
    kind: str
    submitter_name: str
    department: Department


def answer_by_publication(
    selection: sa.Select,
    answer_for: Callable[[sa.Row], PublishedAnswer],
    *,
    actor: User | None,
    when: datetime,
    mail_template: str,
    sms_template: str = sms.FOR_MAIL["submission_answer"],
    key: sa.ColumnElement[int] = Submission.id,
    batch_size: int = BATCH,
) -> int:
    """Answer every still open submission among those ``selection`` reads; returns how many were answered.

    ``selection`` is a ``select(...)`` of the caller's columns over ``Submission`` (joined to the kind's own
    table, filtered to what the decision covers); ``answer_for(row)`` says what each one is told. ``when``
    is the decision's time: the answer time of every submission, so statistics count each one as answered
    that day, on time or late against its own due date. ``key`` is a unique integer column of the
    selection the batches follow (e.g. the kind's own id, whose index serves the caller's filter). Submissions answered before (e.g. by a reply to
    their group) are not touched, so publishing twice answers nobody twice.
    """
    rule = TRANSITIONS[ACTION]
    role, label = staff_identity(actor)
    answered_on, overrides = local_date(when), current_overrides()
    taken: dict[date, int] = {}
    departments: dict[int, Department] = {}
    stmt = (
        selection.add_columns(
            Submission.id.label("submission_id"), Submission.status.label("submission_status"),
            Submission.received_at.label("submission_received_at"), Submission.tracking_no.label("submission_no"),
            Submission.kind.label("submission_kind"), Submission.department_id.label("submission_department_id"),
            Submission.submitter_name.label("submission_name"), Submission.submitter_email.label("submission_email"),
            Submission.locale.label("submission_locale"), Submission.submitter_phone.label("submission_phone"),
            Submission.notify_by.label("submission_notify_by"),
            User.email.label("account_email"), User.locale.label("account_locale"), User.phone.label("account_phone"),
        )
        .outerjoin(User, User.id == Submission.user_id)
        .add_columns(key.label("batch_key"))
        .where(Submission.status.in_(rule.sources))
        .order_by(key)
        .limit(batch_size)
        .with_for_update(of=Submission)
    )
    db.session.flush()
    links = _Links(lookup_url(_SLOT), rate_url(_SLOT), short_url(_SLOT), rating_serializer())
    local = zone()
    answered, last_id = 0, 0
    while True:
        rows = db.session.execute(stmt.where(key > last_id)).all()
        if not rows:
            break
        last_id = rows[-1].batch_key
        by_workdays: dict[int, list[int]] = defaultdict(list)
        events, mails, texts, event_columns = [], defaultdict(list), [], {}
        for row in rows:
            answer = answer_for(row)
            received_on = as_utc(row.submission_received_at).astimezone(local).date()
            if received_on not in taken:
                taken[received_on] = workdays_taken(received_on, answered_on, overrides)
            by_workdays[taken[received_on]].append(row.submission_id)
            # The same answer is put into columns once per batch (the note is kept, so its id stays its own).
            values_key = (id(answer.note), row.submission_status)
            if values_key not in event_columns:
                event_columns[values_key] = (answer.note, event_values(
                    ACTION, actor=actor, role=role, label=label, from_status=row.submission_status,
                    to_status=rule.target, public_note=answer.note))
            events.append({"submission_id": row.submission_id, "created_at": when, **event_columns[values_key][1]})
            if answer.mail is None:
                continue
            recipient, phone = _contact(row)
            if phone is not None:
                texts.append((phone, {"no": row.submission_no, "url": links.short.replace(_SLOT, row.submission_no)}))
            elif recipient:
                locale = row.submission_locale or row.account_locale or current_app.config["CONSULT_DEFAULT_LOCALE"]
                mails[locale].append((recipient, row, answer))
        for workdays, ids in by_workdays.items():
            result = db.session.execute(
                sa.update(Submission)
                .where(Submission.id.in_(ids), Submission.status.in_(rule.sources))
                .values(status=rule.target, answered_at=when, answered_on=answered_on, answered_workdays=workdays),
                execution_options={"synchronize_session": False},
            )
            if result.rowcount != len(ids):  # locked rows cannot change under us: refuse rather than guess
                raise RuntimeError("submissions changed while they were being answered")
        _reindex([row.submission_id for row in rows])
        db.session.execute(sa.insert(TimelineEvent), events)
        for locale, batch in mails.items():
            with force_locale(parsed_locale(locale)):
                queue_rendered(_merged_mails(batch, mail_template, locale, when, departments, links))
        sms.queue_sms_many(sms_template, texts)
        answered += len(rows)
    _forget_loaded_submissions()
    return answered


def _contact(row: sa.Row) -> tuple[str, str | None]:
    """The address to mail and, for a citizen told by SMS, the mobile number to text instead (the rule of
    ``consult.tracking.mails.sms_number``, on the batch's columns)."""
    email = row.account_email or row.submission_email or ""
    phone = sms.mobile_number(row.submission_phone or row.account_phone)
    if phone is not None and (row.submission_notify_by == SMS or (row.submission_notify_by is None and not email)):
        return email, phone
    return email, None


_SLOT = "MERGESLOT"  # stands for a tracking number or token (URL-safe either way) in a link built once


@dataclass(frozen=True)
class _Links:
    """The status page, rating and SMS short links, built once with ``_SLOT`` where each submission's value
    goes."""

    lookup: str
    rate: str
    short: str
    signer: Any  # signs the rating tokens (consult.tracking.citizen.rating_serializer)


def _merged_mails(batch: list, template: str, locale: str, when: datetime, departments: dict,
                  links: _Links) -> list[dict]:
    """The mails of one language: each group of mails that read alike (same kind, department, answer, and
    whether a name was left) is rendered once and merged with each recipient's name, number and links
    (``consult.notify.services.merged``); ``when`` signs each rating link."""
    rendered: dict[tuple, dict] = {}
    mails = []
    for recipient, row, answer in batch:
        key = (row.submission_kind, row.submission_department_id, bool(row.submission_name),
               tuple((name, str(value)) for name, value in answer.mail.items()))
        if key not in rendered:
            rendered[key] = render_mail("", template, locale=locale, **_merge_context(row, answer, departments))
        token = rating_token_for(row.submission_id, when, links.signer)
        mails.append(merged(rendered[key], recipient, {
            "no": row.submission_no, "name": row.submission_name,
            "lookup_url": links.lookup.replace(_SLOT, row.submission_no), "rate_url": links.rate.replace(_SLOT, token),
        }))
    return mails


def _merge_context(row: sa.Row, answer: PublishedAnswer, departments: dict) -> dict:
    department_id = row.submission_department_id
    if department_id not in departments:
        departments[department_id] = db.session.get(Department, department_id)
    facts = SubmissionFacts(0, merge_mark("no"), row.submission_kind,
                            merge_mark("name") if row.submission_name else "", departments[department_id])
    return {"submission": facts, "lookup_url": merge_mark("lookup_url"), "rate_url": merge_mark("rate_url"),
            **answer.mail}


def _reindex(ids: list[int]) -> None:
    """Give the search index rows of submissions just answered their answered scope tokens: the update went
    around the session's index hook (consult.search.documents), and an answered record is found where
    officers' and citizens' similar answers look. Only the scope tokens change, in one statement: an answer
    touches no indexed text, so none is segmented again."""
    rescope_submissions(db.session.connection(), ids)


def _forget_loaded_submissions() -> None:
    """Submissions already in the session were changed behind its back: reload them when next read."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Submission):
            db.session.expire(obj)
