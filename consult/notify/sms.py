"""Text messages (SMS) through the outbox: templates as Chinese providers register them, and the rules.

Chinese SMS providers send only pre-registered templates: each template has a code at the provider, numbered
parameters, and goes out under a registered signature (【签名】). Consult keeps the same list here
(``TEMPLATES``); ``SMS_TEMPLATE_CODES`` maps each name to the provider's code. A message is queued with its
parameters, and ``body_text`` keeps the text as the phone will show it, for the outbox pages and the log.
Domestic templates are registered in Chinese, so the text is always rendered in Chinese.

Length. A message in Chinese is one segment up to 70 characters, signature included; a longer one is sent
as several segments of 67 characters each, and each segment is billed (``segments``; admins see the
length and cost of every template on the SMS page).

Rules, checked when a message is queued (``refusal``):

* mainland mobile numbers only (1[3-9] and 9 more digits), unless ``SMS_ALLOW_INTERNATIONAL``;
* a number that replied T (``SmsOptOut``) gets nothing but a code its owner asks for;
* at most ``SMS_DAILY_CAP_PER_NUMBER`` messages per number and local day;
* at most ``SMS_DAILY_BUDGET`` messages in all per local day; reaching it is logged as an error and mailed
  to the administrators once that day — the usual sign of SMS pumping (toll fraud);
* quiet hours: a message that is not urgent (only codes are) is not sent between ``SMS_QUIET_START`` and
  ``SMS_QUIET_END`` local time (default 21:00–08:00); it waits in the outbox until the morning.

Nothing here sends an SMS to a number nobody gave for that purpose: notifications go to the number a
citizen left on their own submission or registration, codes to the number typed into the form that asks
for one, and that form is rate-limited per number and per address.
"""

import logging
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from consult.contacts import normalize_phone
from consult.database import utcnow
from consult.extensions import db
from consult.formats import format_day, format_moment
from consult.i18n import parsed_locale
from consult.localtime import as_utc, to_local
from consult.notify.models import SMS, OutboxMessage, SmsOptOut
from consult.notify.services import add_to_outbox

log = logging.getLogger(__name__)

SEGMENT = 70  # characters in a single Chinese message
LONG_SEGMENT = 67  # characters per segment of a longer one (the rest carries the joining header)
OPT_OUT_NOTE = "回复T退订"
SMS_LOCALE = "zh_CN"

DEFAULTS = {
    "SMS_BACKEND": "log",
    "SMS_SIGNATURE": "Consult",
    "SMS_DAILY_CAP_PER_NUMBER": 10,
    "SMS_DAILY_BUDGET": 5000,
    "SMS_QUIET_START": "21:00",
    "SMS_QUIET_END": "08:00",
    "SMS_PRICE_PER_SEGMENT": "0.045",
    "SMS_ALLOW_INTERNATIONAL": False,
    "SMS_TEMPLATE_CODES": {},
}


@dataclass(frozen=True)
class SmsTemplate:
    """One template as registered with the provider: its text and the order of its parameters."""

    name: str
    text: object  # a lazy string with {placeholders}, English in the source, Chinese when rendered
    params: tuple[str, ...]
    urgent: bool = False  # may go out in quiet hours
    requested: bool = False  # sent only because its owner asked for it just now (codes): ignores the opt-out
    description: object = ""


TEMPLATES = {t.name: t for t in (
    SmsTemplate("verification_code", _l("Your verification code is {code}. It is valid for 5 minutes. "
                                        "If you did not ask for it, please ignore this message."),
                ("code",), urgent=True, requested=True, description=_l("Phone verification code")),
    SmsTemplate("query_code", _l("The new query code of your matter {no} is {code}; the old code no longer "
                                 "works. Look it up at {url}"),
                ("no", "code", "url"), urgent=True, requested=True, description=_l("A new query code, on request")),
    SmsTemplate("receipt", _l("Your matter has been received under number {no} and will be answered by {due}. "
                              "Progress: {url}"),
                ("no", "due", "url"), description=_l("Receipt")),
    SmsTemplate("info_request", _l("Your matter {no} needs more information from you. Please see {url}"),
                ("no", "url"), description=_l("Request for more information")),
    SmsTemplate("extended", _l("The time limit for answering your matter {no} has been extended to {due}. "
                               "Details: {url}"),
                ("no", "due", "url"), description=_l("Extension")),
    SmsTemplate("answered", _l("Your matter {no} has been answered. Read the answer: {url}"),
                ("no", "url"), description=_l("Answer")),
    SmsTemplate("dismissed", _l("Your matter {no} has been closed without being taken up. The reason: {url}"),
                ("no", "url"), description=_l("Not taken up")),
    SmsTemplate("registration", _l("Your place at {event} on {date} is confirmed. Details: {url}"),
                ("event", "date", "url"), description=_l("Open-day confirmation")),
    SmsTemplate("event_reminder", _l("Reminder: {event}, for which you registered, takes place on {date}. "
                                     "Details: {url}"),
                ("event", "date", "url"), description=_l("Open-day reminder")),
    SmsTemplate("meeting_seat", _l("You have a seat at {event} on {date}. Agenda, materials and admission code: "
                                   "{url}"),
                ("event", "date", "url"), description=_l("Public-meeting seat, with the materials")),
    SmsTemplate("speaker_chosen", _l("You are chosen to speak at {event} on {date}. Materials: {url}"),
                ("event", "date", "url"), description=_l("Chosen to speak at a hearing")),
    SmsTemplate("not_selected", _l("Your application for {event} was not selected this time. Details: {url}"),
                ("event", "url"), description=_l("Not selected for a hearing or public meeting")),
    SmsTemplate("rating_followup", _l("We have received your rating of matter {no}. The department will "
                                      "contact you about it by {due}."),
                ("no", "due"), description=_l("Follow-up of a dissatisfied rating")),
)}

# The citizen mails of the tracking engine and the SMS that goes with each.
FOR_MAIL = {
    "submission_receipt": "receipt",
    "submission_info_request": "info_request",
    "submission_extended": "extended",
    "submission_answer": "answered",
    "submission_dismissed": "dismissed",
}


def setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])


def mobile_number(raw: str | None) -> str | None:
    """The 11-digit mainland mobile number in ``raw``, or None (a landline, a foreign or a bad number)."""
    normalized = normalize_phone(raw)
    if normalized and len(normalized) == 11 and normalized.isdigit():
        return normalized
    if setting("SMS_ALLOW_INTERNATIONAL"):
        digits = "".join(ch for ch in (raw or "") if ch.isdigit())
        if (raw or "").strip().startswith("+") and 8 <= len(digits) <= 15:
            return "+" + digits
    return None


def _as_text(value) -> str:
    """A parameter as the message shows it: 2026年12月16日, or 2026年12月20日 09:30 with a time."""
    if isinstance(value, datetime):
        return format_moment(value)
    if isinstance(value, date):
        return format_day(value)
    return str(value)


def render(template: SmsTemplate, params: dict) -> str:
    """The message as the phone shows it: 【signature】, the text, and the opt-out note."""
    with force_locale(parsed_locale(SMS_LOCALE)):
        text = str(template.text).format(**{name: params[name] for name in template.params})
    note = "" if template.requested else f" {OPT_OUT_NOTE}"  # a space ends a link before it
    return f"【{setting('SMS_SIGNATURE')}】{text}{note}"


def segments(text: str) -> int:
    """How many billed segments ``text`` takes."""
    return 1 if len(text) <= SEGMENT else math.ceil(len(text) / LONG_SEGMENT)


def cost(text: str) -> Decimal:
    """What sending ``text`` once costs, at ``SMS_PRICE_PER_SEGMENT`` (yuan)."""
    return Decimal(str(setting("SMS_PRICE_PER_SEGMENT"))) * segments(text)


def _clock(name: str) -> time:
    return time.fromisoformat(setting(name))


def in_quiet_hours(moment: datetime) -> bool:
    start, end, now = _clock("SMS_QUIET_START"), _clock("SMS_QUIET_END"), to_local(moment).time()
    return (now >= start or now < end) if start > end else start <= now < end


def after_quiet_hours(moment: datetime) -> datetime:
    """``moment`` itself outside quiet hours, else the end of this night's quiet hours (UTC)."""
    if not in_quiet_hours(moment):
        return moment
    local = to_local(moment)
    end = datetime.combine(local.date(), _clock("SMS_QUIET_END"), tzinfo=local.tzinfo)
    if end <= local:
        end += timedelta(days=1)
    return as_utc(end)


def _start_of_local_day(moment: datetime) -> datetime:
    local = to_local(moment)
    return as_utc(datetime.combine(local.date(), time(0), tzinfo=local.tzinfo))


def sent_today(phone: str | None = None, now: datetime | None = None) -> int:
    """SMS queued since local midnight, to ``phone`` or to anyone."""
    query = sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.channel == SMS, OutboxMessage.created_at >= _start_of_local_day(now or utcnow()))
    if phone is not None:
        query = query.where(OutboxMessage.recipient == phone)
    return db.session.scalar(query) or 0


def opted_out(phone: str) -> bool:
    return db.session.get(SmsOptOut, phone) is not None


def refusal(phone: str | None, template: SmsTemplate, now: datetime | None = None) -> object | None:
    """Why an SMS of ``template`` may not go to ``phone`` now (a message for people), or None."""
    if phone is None:
        return _l("Text messages can only be sent to a mainland mobile number.")
    if not template.requested and opted_out(phone):
        return _l("This number has asked for no more text messages.")
    if sent_today(phone, now) >= int(setting("SMS_DAILY_CAP_PER_NUMBER")):
        return _l("This number has received as many text messages today as we send in a day. "
                  "Please try again tomorrow.")
    if sent_today(None, now) >= int(setting("SMS_DAILY_BUDGET")):
        _budget_reached(now or utcnow())
        return _l("Text messages cannot be sent at the moment. Please try again later.")
    return None


def queue_sms(raw_phone: str | None, name: str, *, dedup_key: str | None = None, now: datetime | None = None,
              **params) -> OutboxMessage | None:
    """Add the SMS ``name`` with ``params`` to the outbox, in the caller's transaction; None (and nothing
    added) when a rule refuses it (see :func:`refusal`) or ``dedup_key`` was already queued."""
    template = TEMPLATES[name]
    phone = mobile_number(raw_phone)
    now = now or utcnow()
    reason = refusal(phone, template, now)
    if reason is not None:
        log.info("SMS %s not queued: %s", name, reason)
        return None
    if dedup_key is not None and db.session.scalar(
        sa.select(OutboxMessage.id).where(OutboxMessage.dedup_key == dedup_key)
    ):
        return None
    with force_locale(parsed_locale(SMS_LOCALE)):
        values = {key: _as_text(params[key]) for key in template.params}
    message = OutboxMessage(
        channel=SMS, recipient=phone, locale=SMS_LOCALE, template=name, subject="",
        body_text=render(template, values), params=values, essential=True, dedup_key=dedup_key,
        next_attempt_at=now if template.urgent else after_quiet_hours(now),
    )
    return add_to_outbox(message)


def queue_sms_many(name: str, messages: list[tuple[str, dict]], now: datetime | None = None) -> int:
    """Queue the SMS ``name`` to many numbers at once (``(phone, params)`` each, phones as
    :func:`mobile_number` gives them), under the rules of :func:`queue_sms`, checked with three queries for
    the whole list (opt-outs, today's count per number, today's total) and added in one multi-row insert.
    Returns how many were queued."""
    template = TEMPLATES[name]
    now = now or utcnow()
    phones = {phone for phone, _params in messages}
    if not phones:
        return 0
    refused = set() if template.requested else set(
        db.session.scalars(sa.select(SmsOptOut.phone).where(SmsOptOut.phone.in_(phones))))
    today = dict(db.session.execute(
        sa.select(OutboxMessage.recipient, sa.func.count()).where(
            OutboxMessage.channel == SMS, OutboxMessage.created_at >= _start_of_local_day(now),
            OutboxMessage.recipient.in_(phones)).group_by(OutboxMessage.recipient)).all())
    cap, left = int(setting("SMS_DAILY_CAP_PER_NUMBER")), int(setting("SMS_DAILY_BUDGET")) - sent_today(None, now)
    send_at = now if template.urgent else after_quiet_hours(now)
    rows = []
    for phone, params in messages:
        if phone in refused or today.get(phone, 0) >= cap:
            log.info("SMS %s not queued: opted out or daily cap reached", name)
            continue
        if left <= 0:
            _budget_reached(now)
            break
        with force_locale(parsed_locale(SMS_LOCALE)):
            values = {key: _as_text(params[key]) for key in template.params}
        rows.append({"channel": SMS, "recipient": phone, "locale": SMS_LOCALE, "template": name, "subject": "",
                     "body_text": render(template, values), "body_html": "", "params": values, "essential": True,
                     "next_attempt_at": send_at, "created_at": now})
        today[phone], left = today.get(phone, 0) + 1, left - 1
    if rows:
        db.session.execute(sa.insert(OutboxMessage), rows)
    return len(rows)


def opt_out(raw_phone: str, source: str = "reply") -> bool:
    """Record that ``raw_phone`` wants no more SMS; False if it is not a mobile number."""
    phone = mobile_number(raw_phone)
    if phone is None:
        return False
    if not opted_out(phone):
        db.session.add(SmsOptOut(phone=phone, source=source))
        db.session.flush()
    return True


def opt_back_in(raw_phone: str) -> None:
    phone = mobile_number(raw_phone)
    if phone is not None:
        db.session.execute(sa.delete(SmsOptOut).where(SmsOptOut.phone == phone))


def _budget_reached(now: datetime) -> None:
    """Log and tell the administrators, once a day, that the day's SMS budget is used up."""
    from consult.accounts.models import ADMIN, User
    from consult.notify.services import queue_mail

    day = to_local(now).date().isoformat()
    log.error("SMS daily budget of %s reached on %s: further SMS are refused today", setting("SMS_DAILY_BUDGET"),
              day)
    admins = db.session.scalars(sa.select(User).where(User.role == ADMIN, User.active.is_(True)))
    for admin in admins:
        queue_mail(admin.email, "sms_budget_reached", user=admin, dedup_key=f"sms-budget:{day}:{admin.id}",
                   budget=setting("SMS_DAILY_BUDGET"), day=day)


def template_table() -> list[dict]:
    """Every template with an example, its length, segments and cost, for the admins' SMS page."""
    rows = []
    for template in TEMPLATES.values():
        example = render(template, {name: EXAMPLE_VALUES[name] for name in template.params})
        rows.append({"template": template, "code": setting("SMS_TEMPLATE_CODES").get(template.name, ""),
                     "example": example, "length": len(example), "segments": segments(example),
                     "cost": cost(example)})
    return rows


EXAMPLE_VALUES = {
    "code": "385102", "no": "L-20261202-000123", "due": "2026年12月16日", "url": "https://consult.example/t/L-20261202-000123",
    "event": "市政府开放日", "date": "12月20日 09:30",
}
