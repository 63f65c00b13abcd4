"""Queue e-mails into the outbox, rendered in the recipient's language."""

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from consult.extensions import db
from consult.notify.models import OutboxMessage


def queue_mail(
    recipient: str,
    template: str,
    *,
    locale: str | None = None,
    dedup_key: str | None = None,
    **context,
) -> OutboxMessage | None:
    """Render ``templates/email/<template>.{subject,txt,html}`` and add it to the outbox.

    The row joins the caller's transaction, so the mail exists exactly when the change that
    caused it is committed. With a ``dedup_key`` that was already queued, nothing is added and
    ``None`` is returned.
    """
    if not recipient:
        return None
    if dedup_key is not None and db.session.scalar(
        sa.select(OutboxMessage.id).where(OutboxMessage.dedup_key == dedup_key)
    ):
        return None
    locale = locale or current_app.config["CONSULT_DEFAULT_LOCALE"]
    with force_locale(locale):
        subject = render_template(f"email/{template}.subject.txt", **context).strip()
        body_text = render_template(f"email/{template}.txt", **context)
        body_html = render_template(f"email/{template}.html", **context)
    message = OutboxMessage(
        recipient=recipient,
        locale=locale,
        template=template,
        subject=" ".join(subject.split()),
        body_text=body_text,
        body_html=body_html,
        dedup_key=dedup_key,
    )
    db.session.add(message)
    db.session.flush()
    return message
