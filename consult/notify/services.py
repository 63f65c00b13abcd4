"""Queue e-mails into the outbox, rendered in the recipient's language, and mail preferences."""

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from cachetools import LRUCache
from flask import current_app
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import User
from consult.database import utcnow
from consult.extensions import db
from consult.i18n import parsed_locale
from consult.notify.models import FAILED, PENDING, OutboxMessage


@dataclass(frozen=True)
class MailAttachment:
    """A small file sent with a mail, e.g. ``MailAttachment("event.ics", "text/calendar", ics_bytes)``."""

    filename: str
    content_type: str
    data: bytes | str

    def to_json(self) -> dict:
        data = self.data.encode("utf-8") if isinstance(self.data, str) else self.data
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "data": base64.b64encode(data).decode("ascii"),
        }


def queue_mail(
    recipient: str,
    template: str,
    *,
    locale: str | None = None,
    dedup_key: str | None = None,
    essential: bool = True,
    user: User | None = None,
    attachments: Iterable[MailAttachment] = (),
    **context,
) -> OutboxMessage | None:
    """Render ``templates/email/<template>.{subject.txt,txt,html}`` and add it to the outbox.

    The row joins the caller's transaction, so the mail exists exactly when the change that
    caused it is committed. Returns ``None`` (and adds nothing) when there is no recipient, when
    ``dedup_key`` was already queued, or when the mail is optional (``essential=False``: e.g. open-day
    reminders) and the recipient's account turned optional mail off. ``user``, the recipient's account
    when known, also picks the language when ``locale`` is not given and is passed to the templates.
    """
    if not recipient:
        return None
    if dedup_key is not None and db.session.scalar(
        sa.select(OutboxMessage.id).where(OutboxMessage.dedup_key == dedup_key)
    ):
        return None
    if not essential and not wants_optional_mail(recipient, user):
        return None
    return prepare_mail(recipient, template, locale=locale, dedup_key=dedup_key, essential=essential, user=user,
                        attachments=attachments, **context).queue()


@dataclass(frozen=True)
class PreparedMail:
    """A mail rendered and not yet in the outbox (:func:`prepare_mail`): rendering can happen before the
    transaction takes a lock, adding it after."""

    message: OutboxMessage

    def queue(self) -> OutboxMessage | None:
        """Add it to the outbox in the caller's transaction (see :func:`add_to_outbox`)."""
        return add_to_outbox(self.message)


def prepare_mail(recipient: str, template: str, *, locale: str | None = None, dedup_key: str | None = None,
                 essential: bool = True, user: User | None = None, attachments: Iterable[MailAttachment] = (),
                 **context) -> PreparedMail:
    """The mail :func:`queue_mail` would add, rendered, without its checks and without adding it."""
    locale = locale or (user.locale if user is not None else None) or current_app.config["CONSULT_DEFAULT_LOCALE"]
    with force_locale(parsed_locale(locale)):
        values = render_mail(recipient, template, locale=locale, essential=essential, user=user, **context)
    return PreparedMail(OutboxMessage(
        **values, attachments=[a.to_json() for a in attachments] or None, dedup_key=dedup_key,
    ))


def add_to_outbox(message: OutboxMessage) -> OutboxMessage | None:
    """Add a mail or SMS to the outbox in the caller's transaction; None when its ``dedup_key`` was queued
    meanwhile by a concurrent transaction (the unique key refuses the second row)."""
    if message.dedup_key is None:
        db.session.add(message)
        db.session.flush()
        return message
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None
    return message


def render_mail(recipient: str, template: str, *, locale: str, essential: bool = True, user: User | None = None,
                **context) -> dict:
    """The outbox columns of one mail, rendered in the current language (the caller enters ``force_locale``
    once, e.g. for a whole batch of mails in one language): recipient, locale, template, subject, bodies."""
    context["user"] = user
    context["mail_optional"] = not essential
    subject = _render(f"email/{template}.subject.txt", context).strip()
    return {
        "recipient": recipient, "locale": locale, "template": template, "subject": " ".join(subject.split()),
        "body_text": _render(f"email/{template}.txt", context), "body_html": _render(f"email/{template}.html", context),
        "essential": essential,
    }


_MERGE_FIELD = re.compile("\ue000(\\w+)\ue001")


def merge_mark(name: str) -> str:
    """A placeholder for the per-recipient value ``name`` in a mail rendered once for many recipients
    (see :func:`merged`); characters of Unicode's private use area, left alone by HTML escaping."""
    return f"\ue000{name}\ue001"


def merged(rendered: dict, recipient: str, values: dict[str, str]) -> dict:
    """One recipient's mail from a :func:`render_mail` made with :func:`merge_mark` placeholders: a mail
    merge, for many mails that differ only in a few values (a name, a number, a link) that the templates
    print as they are. The values are filled in as text, and HTML-escaped in the HTML part."""
    def fill(text: str, html: bool) -> str:
        return _MERGE_FIELD.sub(lambda m: str(escape(values[m[1]])) if html else values[m[1]], text)

    return {**rendered, "recipient": recipient, "subject": " ".join(fill(rendered["subject"], False).split()),
            "body_text": fill(rendered["body_text"], False), "body_html": fill(rendered["body_html"], True)}


# Mails rendered once with merge_mark placeholders, per app (its config and translations): see render_merged.
MERGED_MAILS = 512


def render_merged(template: str, *, locale: str, key: tuple, context: dict, essential: bool = True) -> dict:
    """:func:`render_mail` of ``template`` with ``context`` (whose per-mail values are :func:`merge_mark`
    placeholders), rendered once per ``key`` and kept in the app: a mail sent on every submission costs a
    dictionary lookup and :func:`merged` instead of three template renderings. ``key`` must name everything
    else the templates print (e.g. the department's name, the due date, the site's address)."""
    cache = current_app.extensions.setdefault("consult_merged_mails", LRUCache(MERGED_MAILS))
    cache_key = (template, locale, essential, key)
    rendered = cache.get(cache_key)
    if rendered is None:
        with force_locale(parsed_locale(locale)):
            rendered = render_mail("", template, locale=locale, essential=essential, **context)
        cache[cache_key] = rendered
    return rendered


def queue_rendered(values: list[dict]) -> int:
    """Add many mails made by :func:`render_mail` to the outbox in one multi-row insert (the caller's
    transaction, like :func:`queue_mail`); returns how many."""
    if values:
        now = utcnow()
        db.session.execute(sa.insert(OutboxMessage), [{"next_attempt_at": now, "created_at": now, **v} for v in values])
    return len(values)


def _render(name: str, context: dict) -> str:
    """Render a mail template with its context and the app's Jinja globals (``_``, ``url_for``,
    ``site_name``…), but without the request's context processors: a mail is the same whichever
    request, command or job queued it, and it can be queued outside a request (cron, RQ)."""
    return current_app.jinja_env.get_template(name).render(context)


def wants_optional_mail(recipient: str, user: User | None = None) -> bool:
    """Whether optional mail may go to ``recipient`` (addresses without an account: yes)."""
    if user is None:
        user = db.session.scalar(sa.select(User).where(User.email == recipient.strip().lower()))
    return user is None or user.optional_mail


def set_optional_mail(user: User, enabled: bool) -> None:
    """Turn the user's optional (non-essential) mail on or off; essential mail is not affected."""
    user.optional_mail = enabled
    db.session.flush()


def retry_message(message: OutboxMessage) -> bool:
    """Put a failed message back in the queue to be sent now, with a fresh count of attempts."""
    if message.status != FAILED:
        return False
    message.status = PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_until = None
    db.session.flush()
    return True
