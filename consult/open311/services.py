"""What Open311 shows and does: services (mailbox categories), published letters as service requests,
and filing a letter for a client with a valid key.

Only letters the public may already read appear (:func:`consult.mailbox.queries.publishable`), presented
with :func:`consult.mailbox.queries.present`: the name is masked and phone numbers and e-mail addresses are
removed. The ``service_request_id`` is the tracking number.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from consult.database import utcnow
from consult.extensions import db
from consult.localtime import from_local, to_local, zone
from consult.mailbox import services as mailbox_services
from consult.mailbox.models import CATEGORIES, CATEGORY_LABELS, Letter, Mailbox
from consult.mailbox.queries import LetterFilters, present, public_letters_query
from consult.open311.models import Open311Key
from consult.tracking.models import LETTER, OPEN_STATUSES, Submission
from consult.tracking.numbers import normalise_tracking_no

DEFAULT_SPAN = timedelta(days=90)
MAX_REQUESTS = 1000
MAX_IDS = 100
TOKEN_PREFIX = "o311-"
STATUSES = ("open", "closed")


class Open311Error(Exception):
    """A request the spec says to refuse: answered with the spec's error body and ``status``."""

    def __init__(self, description, status: int = 400):
        super().__init__(str(description))
        self.description, self.status = description, status


# --- services: one per mailbox category ---------------------------------------------------------------

def service_code(mailbox_id: int, category: str) -> str:
    return f"{mailbox_id}-{category}"


def parse_service_code(code: str) -> tuple[int, str] | None:
    """``(mailbox_id, category)`` of a code like ``3-complaint``, or None when malformed."""
    number, _, category = (code or "").partition("-")
    if not number.isdigit() or category not in CATEGORIES or len(number) > 9:
        return None
    return int(number), category


def _service(mailbox: Mailbox, category: str) -> dict:
    return {
        "service_code": service_code(mailbox.id, category),
        "service_name": f"{mailbox.name} · {CATEGORY_LABELS[category]}",
        "description": mailbox.description or str(CATEGORY_LABELS[category]),
        "metadata": False,
        "type": "realtime",
        "keywords": category,
        "group": mailbox.name,
    }


def list_services() -> list[dict]:
    """Every category of every mailbox accepting letters, by mailbox name."""
    mailboxes = db.session.scalars(sa.select(Mailbox).where(Mailbox.active.is_(True)).order_by(Mailbox.name))
    return [_service(mailbox, category) for mailbox in mailboxes for category in CATEGORIES
            if category in (mailbox.categories or ())]


def find_service(code: str) -> tuple[Mailbox, str] | None:
    """The active mailbox and category a service code names, or None."""
    parsed = parse_service_code(code)
    if parsed is None:
        return None
    mailbox = db.session.get(Mailbox, parsed[0])
    if mailbox is None or not mailbox.active or parsed[1] not in (mailbox.categories or ()):
        return None
    return mailbox, parsed[1]


def service_definition(code: str) -> dict | None:
    """The definition of a service (no extra attributes: a letter needs only the standard fields)."""
    return {"service_code": code, "attributes": []} if find_service(code) is not None else None


# --- service requests: published letters ----------------------------------------------------------------

def _w3c(moment: datetime | None) -> str | None:
    return to_local(moment).isoformat(timespec="seconds") if moment is not None else None


def parse_datetime(value: str, name: str) -> datetime:
    """A W3C datetime (``2025-11-10T08:00:00+08:00``; without an offset: the configured zone) in UTC."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(_l("%(name)s must be a date and time like 2025-11-10T08:00:00+08:00.", name=name)) \
            from None
    return from_local(moment)


@dataclass(frozen=True)
class RequestFilters:
    """The GET ``requests`` parameters, checked."""

    ids: tuple[str, ...] = ()
    codes: tuple[tuple[int, str], ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args, now: datetime | None = None) -> "RequestFilters":
        """Read the spec's filters; raise :class:`Open311Error` for a malformed one.

        With ``service_request_id`` every other filter is ignored. Without dates the last 90 days are
        searched; a range may not span more than 90 days.
        """
        ids = tuple(dict.fromkeys(normalise_tracking_no(i) for i in (args.get("service_request_id") or "")
                                  .split(",") if i.strip()))
        if ids:
            if len(ids) > MAX_IDS:
                raise Open311Error(_l("At most %(n)s service_request_id values.", n=MAX_IDS))
            return cls(ids=ids)
        codes = []
        for code in (args.get("service_code") or "").split(","):
            if code.strip():
                parsed = parse_service_code(code.strip())
                if parsed is None:
                    raise Open311Error(_l("Unknown service_code: %(code)s", code=code.strip()))
                codes.append(parsed)
        statuses = tuple(s.strip().lower() for s in (args.get("status") or "").split(",") if s.strip())
        if any(s not in STATUSES for s in statuses):
            raise Open311Error(_l("status must be open or closed."))
        start = parse_datetime(args["start_date"], "start_date") if args.get("start_date") else None
        end = parse_datetime(args["end_date"], "end_date") if args.get("end_date") else None
        if start is None and end is None:
            end = now or utcnow()
        if start is None:
            start = end - DEFAULT_SPAN
        if end is None:
            end = start + DEFAULT_SPAN
        if end < start:
            raise Open311Error(_l("end_date must not be before start_date."))
        if end - start > DEFAULT_SPAN:
            raise Open311Error(_l("A search may not span more than 90 days."))
        return cls(codes=tuple(codes), start=start, end=end, statuses=statuses)


def _request(letter, shown, tracking_no: str, status: str, updated: datetime | None) -> dict:
    expected = datetime.combine(shown.due_on, time(23, 59, 59), tzinfo=zone())
    return {
        "service_request_id": tracking_no,
        "status": status,
        "status_notes": Markup(shown.answer_html).striptags(),
        "service_name": f"{shown.mailbox_name} · {shown.category_label}",
        "service_code": service_code(shown.mailbox_id, shown.category),
        "description": f"{shown.subject}\n\n{Markup(shown.body_html).striptags()}".strip(),
        "agency_responsible": shown.department_name,
        "service_notice": "",
        "requested_datetime": _w3c(letter.submission.received_at),
        "updated_datetime": _w3c(updated),
        "expected_datetime": expected.isoformat(timespec="seconds"),
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": "",
        "long": "",
        "media_url": "",
    }


def open311_status(submission: Submission) -> str:
    return "open" if submission.status in OPEN_STATUSES else "closed"


def find_requests(filters: RequestFilters, locale: str) -> list[dict]:
    """Published letters matching ``filters``, newest first, at most 1000."""
    stmt = public_letters_query(LetterFilters())
    if filters.ids:
        stmt = stmt.where(Submission.tracking_no.in_(filters.ids))
    else:
        stmt = stmt.where(Submission.received_at >= filters.start, Submission.received_at <= filters.end)
        if filters.codes:
            stmt = stmt.where(sa.or_(*(sa.and_(Letter.mailbox_id == m, Letter.category == c)
                                       for m, c in filters.codes)))
        if filters.statuses == ("open",):
            stmt = stmt.where(Submission.status.in_(OPEN_STATUSES))
        elif filters.statuses == ("closed",):
            stmt = stmt.where(Submission.status.not_in(OPEN_STATUSES))
    letters = list(db.session.scalars(
        stmt.order_by(Submission.received_at.desc(), Submission.id.desc()).limit(MAX_REQUESTS)
    ))
    return [
        _request(letter, shown, letter.submission.tracking_no, open311_status(letter.submission),
                 letter.submission.closed_at or letter.submission.answered_at)
        for letter, shown in zip(letters, present(letters, locale, with_body=True))
    ]


def find_request(tracking_no: str, locale: str) -> dict | None:
    """One published letter by its tracking number, or None."""
    found = find_requests(RequestFilters(ids=(normalise_tracking_no(tracking_no),)), locale)
    return found[0] if found else None


def request_id_for_token(token: str) -> str | None:
    """The tracking number of the letter a client filed and got ``token`` for, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 64:
        return None
    return db.session.scalar(
        sa.select(Submission.tracking_no).where(Submission.form_token == token, Submission.kind == LETTER)
    )


# --- filing a letter ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filed:
    """The answer to a POST: the tracking number, the token, and whether it is a repeat of an earlier POST."""

    tracking_no: str
    token: str
    query_code: str | None
    due_on: date

    @property
    def duplicate(self) -> bool:
        return self.query_code is None


def _form_token(key: Open311Key, idempotency_key: str | None) -> str:
    """The letter's one-time token: derived from the client's ``Idempotency-Key`` (so a retry files nothing
    new), else random."""
    if idempotency_key:
        digest = hashlib.sha256(f"{key.id}:{idempotency_key}".encode()).hexdigest()
        return TOKEN_PREFIX + digest[:48]
    return TOKEN_PREFIX + secrets.token_hex(24)


def full_name(first: str | None, last: str | None) -> str:
    """``张`` + ``三`` → 张三 (family name first); ``Ann`` + ``Lee`` → Ann Lee."""
    first, last = (first or "").strip(), (last or "").strip()
    if (first + last).isascii():
        return f"{first} {last}".strip()
    return f"{last}{first}"


def file_request(key: Open311Key, values, *, idempotency_key: str | None = None, locale: str | None = None) -> Filed:
    """File a letter from the POST ``values`` through :func:`consult.mailbox.services.submit_letter` (same
    checks, due date and receipt mail as the web form). Raises Open311Error or DomainError."""
    found = find_service(values.get("service_code", ""))
    if found is None:
        raise Open311Error(_l("Unknown service_code: %(code)s", code=values.get("service_code", "")), 404)
    mailbox, category = found
    description = (values.get("description") or "").strip()
    subject = (values.get("subject") or values.get("attribute[subject]") or "").strip()
    if not subject and description:  # Open311 has no title: the first line of the description
        subject = description.splitlines()[0].strip()[: mailbox_services.SUBJECT_MAX]
    receipt = mailbox_services.submit_letter(
        mailbox, category=category, subject=subject, body=description, form_token=_form_token(key, idempotency_key),
        name=full_name(values.get("first_name"), values.get("last_name")),
        phone=values.get("phone", ""), email=values.get("email", ""),
        public=(values.get("public") or "").lower() in ("true", "1", "yes"), locale=locale,
    )
    if not receipt.duplicate:
        key.request_count += 1
    key.last_used_at = utcnow()
    submission = receipt.letter.submission
    return Filed(submission.tracking_no, submission.form_token, receipt.query_code, submission.due_on)

