"""Hearings (听证会): applying to speak, choosing the speakers by category, and the published record.

* **Applying.** Anyone may apply to speak (陈述人) while registration is open, with a short statement and the
  category they speak for. Each application is a tracked submission of the department (kind
  ``hearing_speaker``), due a set number of working days after the hearing. Anyone may also attend (旁听):
  an ordinary registration for the event's seats (:mod:`consult.events.allocation`).
* **Choosing** (once registration has closed). Each category has its own number of speaker places. A
  category with no more applicants than places: all are chosen. An oversubscribed category: the lottery
  decides, exactly as for open days (:func:`consult.events.lottery.draw_order`), with the category's own
  seed ``f"{seed}:{category}"`` over its applications in number order; the first ones drawn are chosen.
  Places a category leaves empty are not given to another. The seed is published with the selection record
  (applications and choices per category: counts, never names).
* **Afterwards.** The office gives every statement (chosen or not) a disposition with a reason, and publishes
  the transcript (听证笔录) and the hearing report. Publishing answers each application through the tracking
  engine: the disposition and reason are its answer.
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult import contacts
from consult.accounts.models import User
from consult.authz import require_event_manager
from consult.database import utcnow
from consult.dispositions import DISPOSITION_LABELS, DISPOSITIONS
from consult.domain import DomainError, FieldErrors
from consult.events import mails
from consult.events.allocation import check_contact
from consult.events.lottery import SEED_MAX, draw_order, new_seed
from consult.events.models import (
    APPLIED,
    HEARING_CATEGORIES,
    NOT_SELECTED,
    SELECTED,
    CategorySeats,
    Event,
    HearingSpeaker,
    Registration,
)
from consult.events.seats import lock_event
from consult.extensions import db
from consult.localtime import as_utc, local_date
from consult.pagination import Page, paginate
from consult.tracking.bulk import PublishedAnswer, answer_by_publication
from consult.tracking.mails import absolute_url
from consult.tracking.models import HEARING_STATEMENT, Submission
from consult.tracking.notes import label_note, timeline_note

STATEMENT_MAX = 2000
ANSWER_MAIL = "hearing_statement_answered"


# --- seats per category -------------------------------------------------------------------------------
def category_seats(event: Event) -> dict[str, int]:
    """The places of each of the event's categories (0 for a category without any)."""
    stored = dict(db.session.execute(
        sa.select(CategorySeats.category, CategorySeats.seats).where(CategorySeats.event_id == event.id)).all())
    return {category: stored.get(category, 0) for category in event.categories}


def set_category_seats(event: Event, seats: dict[str, int]) -> None:
    """Store the places per category of a hearing (speakers) or a meeting (attendees)."""
    problems = FieldErrors()
    for category in event.categories:
        if (seats.get(category) or 0) < 0:
            problems.add(f"seats_{category}", _l("The number of places cannot be negative."))
    problems.raise_if_any()
    existing = {row.category: row for row in db.session.scalars(
        sa.select(CategorySeats).where(CategorySeats.event_id == event.id))}
    for category in event.categories:
        value = seats.get(category) or 0
        if category in existing:
            existing[category].seats = value
        else:
            db.session.add(CategorySeats(event_id=event.id, category=category, seats=value))
    for category, row in existing.items():
        if category not in event.categories:
            db.session.delete(row)
    db.session.flush()


# --- applying to speak --------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpeakerResult:
    submission_id: int
    tracking_no: str
    query_code: str | None  # None when the same form was sent again (the code was shown the first time)
    due_on: date
    category: str


def _result(speaker: HearingSpeaker, query_code: str | None) -> SpeakerResult:
    submission = speaker.submission
    return SpeakerResult(submission.id, submission.tracking_no, query_code, submission.due_on, speaker.category)


def check_application(event: Event, *, name: str, phone: str = "", email: str = "", category: str = "",
                      statement: str = "", user: User | None = None) -> tuple[str, str, str, str]:
    """Every problem of an application to speak at once (one DomainError); returns name, phone, e-mail and
    the statement cleaned up."""
    if not event.is_hearing:
        raise DomainError(_l("This event is not a hearing."), status=404)
    name, phone, email, problems = check_contact(event, name=name, phone=phone, email=email, user=user)
    statement = (statement or "").strip()
    if not phone and not email:
        problems.add("email", _l("Please leave a phone number or an e-mail address, so that you can be told "
                                 "whether you are chosen to speak."))
    if category not in HEARING_CATEGORIES:
        problems.add("category", _l("Please choose whom you speak for."))
    elif category_seats(event).get(category, 0) <= 0:
        problems.add("category", _l("This hearing has no speaker places for this category."))
    if not statement:
        problems.add("statement", _l("Please write what you want to say at the hearing."))
    elif len(statement) > STATEMENT_MAX:
        problems.add("statement", _l("The statement can have at most %(count)s characters.", count=STATEMENT_MAX))
    problems.raise_if_any()
    return name, phone, email, statement


def _receipt_of(submission) -> SpeakerResult:
    """The receipt of an application already received (without its query code, which was shown once)."""
    speaker = db.session.scalar(sa.select(HearingSpeaker).where(HearingSpeaker.submission_id == submission.id))
    return _result(speaker, None)


def _refuse_second_application(event: Event, user: User | None, email_key: str | None, phone_key: str | None):
    conditions = []
    if user is not None:
        conditions.append(HearingSpeaker.user_id == user.id)
    if email_key:
        conditions.append(HearingSpeaker.email_key == email_key)
    if phone_key:
        conditions.append(HearingSpeaker.phone_key == phone_key)
    if not conditions:
        return
    existing = db.session.scalar(
        sa.select(HearingSpeaker).where(HearingSpeaker.event_id == event.id, sa.or_(*conditions)).limit(1))
    if existing is None:
        return
    problems = FieldErrors()
    if email_key and existing.email_key == email_key:
        problems.add("email", _l("An application to speak with this e-mail address has already been received."))
    if phone_key and existing.phone_key == phone_key:
        problems.add("phone", _l("An application to speak with this phone number has already been received."))
    if not problems:
        raise DomainError(_l("You have already applied to speak at this hearing with your account."))
    problems.raise_if_any()


def apply_to_speak(event_id: int, *, name: str, category: str, statement: str, form_token: str, phone: str = "",
                   email: str = "", user: User | None = None, locale: str | None = None,
                   now: datetime | None = None) -> SpeakerResult:
    """Receive an application to speak: a tracked submission due after the hearing, and its detail row.

    The same form sent twice gives the first application back (without its query code)."""
    from consult.events.allocation import registration_is_open
    from consult.tracking.services import create_submission, receive_once

    now = now or utcnow()
    event = db.session.get(Event, event_id)
    if event is None or not event.published or not event.is_hearing:
        raise DomainError(_l("This event does not exist."), status=404)

    def check() -> None:
        nonlocal name, phone, email, statement
        name, phone, email, statement = check_application(event, name=name, phone=phone, email=email,
                                                          category=category, statement=statement, user=user)
        if not registration_is_open(event, now):
            raise DomainError(_l("Applications to speak at this hearing are not open."), status=409)
        _refuse_second_application(event, user, contacts.email_key(email), contacts.phone_key(phone))

    def create(token: str) -> SpeakerResult:
        created = create_submission(
            kind=HEARING_STATEMENT, target=f"event:{event.id}", department=event.department,
            subject=event.title, body=statement, user=user, name=name, email=email, phone=phone,
            locale=locale, received_at=now, clock_start_on=max(local_date(event.ends_at), local_date(now)),
            form_token=token,
        )
        speaker = HearingSpeaker(
            submission_id=created.submission.id, event_id=event.id, category=category, status=APPLIED,
            user_id=user.id if user is not None else None, email_key=contacts.email_key(email),
            phone_key=contacts.phone_key(phone),
        )
        db.session.add(speaker)
        db.session.flush()
        return _result(speaker, created.query_code)

    return receive_once(form_token, check=check, create=create, receipt_of=_receipt_of)


# --- choosing the speakers ----------------------------------------------------------------------------
def select_speakers(event_id: int, *, officer: User, seed: str | None = None,
                    now: datetime | None = None) -> dict[str, list[int]]:
    """Choose the speakers by the rule above once registration has closed; returns, per category, the
    applications' numbers in the order chosen (the draw order of an oversubscribed category)."""
    now = now or utcnow()
    event = lock_event(event_id)
    require_event_manager(officer, event.department_id)
    if not event.is_hearing:
        raise DomainError(_l("This event is not a hearing."), status=404)
    if event.speakers_selected_at is not None:
        raise DomainError(_l("The speakers have already been chosen."), status=409)
    if now < as_utc(event.registration_closes_at):
        raise DomainError(_l("The speakers can only be chosen after applications close."), status=409)
    seed = (seed or "").strip() or new_seed()
    if len(seed) > SEED_MAX:
        raise DomainError(_l("The seed can have at most 64 characters."), field="seed")
    seats = category_seats(event)
    applications = db.session.scalars(
        sa.select(HearingSpeaker).where(HearingSpeaker.event_id == event.id, HearingSpeaker.status == APPLIED)
        .options(sa.orm.joinedload(HearingSpeaker.submission))
    ).all()
    by_category: dict[str, dict[int, HearingSpeaker]] = {category: {} for category in event.categories}
    for application in applications:
        by_category.setdefault(application.category, {})[application.submission_id] = application
    order: dict[str, list[int]] = {}
    for category, entrants in by_category.items():
        places = seats.get(category, 0)
        drawn = len(entrants) > places
        order[category] = draw_order(list(entrants), f"{seed}:{category}") if drawn else sorted(entrants)
        for rank, submission_id in enumerate(order[category], start=1):
            application = entrants[submission_id]
            application.status = SELECTED if rank <= places else NOT_SELECTED
            application.draw_rank = rank if drawn else None
    event.speakers_seed = seed
    event.speakers_selected_at = now
    event.speakers_selected_by_id = officer.id
    db.session.flush()
    _tell_applicants(event, applications, officer)
    return order


def _tell_applicants(event: Event, applications: list[HearingSpeaker], officer: User) -> None:
    """Each applicant's timeline says whether they were chosen; the mail says it too, with the record's link."""
    from consult.tracking.services import record_kind_event

    from consult.events.materials import materials_url, speaker_key

    record_url = absolute_url("events.detail", f"/events/{event.id}", event_id=event.id)
    for application in applications:
        chosen = application.status == SELECTED
        note = (timeline_note("Chosen to speak at the hearing.") if chosen
                else timeline_note("Not chosen to speak at the hearing; the statement is still considered and "
                                   "answered in the hearing report."))
        record_kind_event(application.submission, "speaker_chosen" if chosen else "speaker_not_chosen",
                          actor=officer, public_note=note)
        mails.speaker_selection(application, event, chosen=chosen, record_url=record_url,
                                materials_url=materials_url(event, speaker_key(application)) if chosen else "")


# --- the selection record -----------------------------------------------------------------------------
@dataclass(frozen=True)
class CategoryRecord:
    category: str
    places: int
    applied: int
    chosen: int
    drawn: bool  # the category was oversubscribed: the lottery decided


def selection_record(event: Event) -> list[CategoryRecord]:
    """Per category: places, applications and how many were chosen (counts only; the public may see it)."""
    seats = category_seats(event)
    if event.is_hearing:
        rows = db.session.execute(
            sa.select(HearingSpeaker.category, HearingSpeaker.status, sa.func.count())
            .where(HearingSpeaker.event_id == event.id).group_by(HearingSpeaker.category, HearingSpeaker.status))
        chosen_status = SELECTED
    else:
        rows = db.session.execute(
            sa.select(Registration.category, Registration.status, sa.func.count())
            .where(Registration.event_id == event.id, Registration.category.is_not(None))
            .group_by(Registration.category, Registration.status))
        chosen_status = "confirmed"
    applied = dict.fromkeys(event.categories, 0)
    chosen = dict.fromkeys(event.categories, 0)
    for category, status, count in rows:
        if status == "cancelled":
            continue
        applied[category] = applied.get(category, 0) + count
        if status == chosen_status:
            chosen[category] = chosen.get(category, 0) + count
    done = event.speakers_selected_at if event.is_hearing else event.drawn_at
    return [CategoryRecord(c, seats.get(c, 0), applied[c], chosen[c],
                           bool(done) and applied[c] > seats.get(c, 0) and (event.is_hearing or event.mode == "lottery"))
            for c in event.categories]


# --- staff list, dispositions, the record -------------------------------------------------------------
def hearing_speakers(event: Event, *, cursor: str | None, category: str | None = None, per_page: int = 100) -> Page:
    """A hearing's applications to speak, in the order received (staff only: names and statements)."""
    query = (sa.select(HearingSpeaker).where(HearingSpeaker.event_id == event.id)
             .options(sa.orm.joinedload(HearingSpeaker.submission)))
    if category in HEARING_CATEGORIES:
        query = query.where(HearingSpeaker.category == category)
    return paginate(db.session, query, [HearingSpeaker.submission_id], cursor, per_page=per_page)


def set_disposition(speaker: HearingSpeaker, *, disposition: str, reason: str, officer: User) -> None:
    """Give a statement its disposition and reason (until the record is published)."""
    event = speaker.event
    require_event_manager(officer, event.department_id)
    if event.record_published_at is not None:
        raise DomainError(_l("The hearing record is published: its dispositions can no longer change."), status=409)
    problems = FieldErrors()
    if disposition not in DISPOSITIONS:
        problems.add("disposition", _l("Please choose a disposition."))
    reason = (reason or "").strip()
    if not reason:
        problems.add("reason", _l("Please give the reason."))
    problems.raise_if_any()
    speaker.disposition, speaker.disposition_reason = disposition, reason
    db.session.flush()


def check_record(event: Event, *, transcript: str, report: str, now: datetime | None = None) -> None:
    """Every reason the hearing record cannot be published yet, at once."""
    now = now or utcnow()
    if not event.is_hearing:
        raise DomainError(_l("This event is not a hearing."), status=404)
    if event.record_published_at is not None:
        raise DomainError(_l("The hearing record has already been published."), status=409)
    problems = FieldErrors()
    if as_utc(event.ends_at) > now:
        problems.add(None, _l("The record can be published once the hearing is over."))
    if event.speakers_selected_at is None:
        problems.add(None, _l("Choose the speakers first."))
    undecided = db.session.scalar(sa.select(sa.func.count()).select_from(HearingSpeaker).where(
        HearingSpeaker.event_id == event.id, HearingSpeaker.disposition.is_(None)))
    if undecided:
        problems.add(None, _l("%(count)s statements have no disposition yet.", count=undecided))
    if not (transcript or "").strip():
        problems.add("transcript", _l("Please enter the transcript."))
    if not (report or "").strip():
        problems.add("hearing_report", _l("Please enter the hearing report."))
    problems.raise_if_any()


def publish_record(event_id: int, *, transcript: str, report: str, officer: User,
                   now: datetime | None = None) -> int:
    """Publish the transcript, the report and every disposition; answers each open application through the
    tracking engine (its disposition and reason). Returns how many were answered."""
    now = now or utcnow()
    event = lock_event(event_id)
    require_event_manager(officer, event.department_id)
    check_record(event, transcript=transcript, report=report, now=now)
    event.transcript, event.hearing_report = transcript.strip(), report.strip()
    event.record_published_at, event.record_published_by_id = now, officer.id
    db.session.flush()
    record_url = absolute_url("events.hearing_record", f"/events/{event.id}/record", event_id=event.id)
    labels = {code: label_note(DISPOSITION_LABELS[code]) for code in DISPOSITIONS}
    answers: dict[tuple, PublishedAnswer] = {}

    def answer_for(row: sa.Row) -> PublishedAnswer:
        key = (row.disposition, row.disposition_reason)
        if key not in answers:
            answers[key] = PublishedAnswer(
                note=timeline_note("Answered in the published hearing report: %(disposition)s. Reason: %(reason)s",
                                   disposition=labels[row.disposition], reason=row.disposition_reason),
                mail={"event_title": event.title, "record_url": record_url,
                      "disposition": DISPOSITION_LABELS[row.disposition], "reason": row.disposition_reason})
        return answers[key]

    selection = (
        sa.select(HearingSpeaker.disposition, HearingSpeaker.disposition_reason)
        .select_from(HearingSpeaker).join(Submission, Submission.id == HearingSpeaker.submission_id)
        .where(HearingSpeaker.event_id == event.id, HearingSpeaker.disposition.is_not(None))
    )
    return answer_by_publication(selection, answer_for, actor=officer, when=now, mail_template=ANSWER_MAIL,
                                 key=HearingSpeaker.submission_id)


@dataclass(frozen=True)
class PublicStatement:
    """One statement as the published record shows it: the masked name, never a contact detail."""

    number: int
    masked_name: str
    category: str
    chosen: bool
    disposition: str
    reason: str


def published_statements(event: Event) -> list[PublicStatement]:
    """The record's statements with their dispositions (empty until the record is published)."""
    if event.record_published_at is None:
        return []
    rows = db.session.execute(
        sa.select(HearingSpeaker.category, HearingSpeaker.status, HearingSpeaker.disposition,
                  HearingSpeaker.disposition_reason, Submission.submitter_name)
        .join(Submission, Submission.id == HearingSpeaker.submission_id)
        .where(HearingSpeaker.event_id == event.id)
        .order_by(HearingSpeaker.status.desc(), HearingSpeaker.category, HearingSpeaker.submission_id))
    return [PublicStatement(n, contacts.mask_name(name) or "—", category, status == SELECTED, disposition, reason)
            for n, (category, status, disposition, reason, name) in enumerate(rows, start=1)]
