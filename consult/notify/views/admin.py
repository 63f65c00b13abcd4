"""The admin outbox (under /admin/outbox): the list, each message as it will be read, failures, retry."""

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.authz import admin_required
from consult.extensions import db
from consult.notify import services
from consult.notify.forms import RetryForm
from consult.notify.models import FAILED, PENDING, SENT, STATUSES, OutboxMessage
from consult.notify.views import bp
from consult.urls import int_arg

PAGE_SIZE = 50
STATUS_LABELS = {PENDING: _l("Waiting"), SENT: _l("Sent"), FAILED: _l("Failed")}

# A mail's HTML is shown in a sandboxed frame: no scripts, forms, plugins or requests of its own, only the
# inline styles mails use and images carried in the mail itself.
MAIL_HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self'; sandbox"
)


@bp.get("/admin/outbox")
@admin_required
def outbox():
    """List outgoing mail, newest first, optionally by status; pages by id (``?before=``)."""
    status = request.args.get("status")
    if status not in STATUSES:
        status = None
    before = int_arg("before")
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(PAGE_SIZE + 1)
    if status:
        query = query.where(OutboxMessage.status == status)
    if before:
        query = query.where(OutboxMessage.id < before)
    messages = list(db.session.scalars(query.options(sa.orm.defer(OutboxMessage.body_html),
                                                      sa.orm.defer(OutboxMessage.attachments))))
    next_before = messages[PAGE_SIZE - 1].id if len(messages) > PAGE_SIZE else None
    counts = dict(db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    ).all())
    return render_template(
        "notify/outbox.html",
        messages=messages[:PAGE_SIZE],
        status=status,
        counts=counts,
        status_labels=STATUS_LABELS,
        next_before=next_before,
        paged=bool(before),
        retry_form=RetryForm(),
    )


@bp.get("/admin/outbox/<int:message_id>")
@admin_required
def message(message_id: int):
    """One mail as its recipient reads it: the headers, the text part and the HTML part."""
    mail = db.get_or_404(OutboxMessage, message_id)
    return render_template("notify/message.html", message=mail, status_labels=STATUS_LABELS,
                           retry_form=RetryForm())


@bp.get("/admin/outbox/<int:message_id>/html")
@admin_required
def message_html(message_id: int):
    """The HTML part alone, for the sandboxed frame of the message page (never run as part of the site)."""
    mail = db.get_or_404(OutboxMessage, message_id)
    if not mail.body_html:
        abort(404)
    response = Response(mail.body_html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = MAIL_HTML_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/admin/outbox/<int:message_id>/retry")
@admin_required
def retry(message_id: int):
    """Send a failed message again as soon as the sender next runs."""
    if not RetryForm().validate_on_submit():
        abort(400)
    message = db.get_or_404(OutboxMessage, message_id)
    if services.retry_message(message):
        flash(_("The mail to %(recipient)s will be sent again.", recipient=message.recipient), "success")
    else:
        flash(_("Only failed mail can be sent again."), "warning")
    if request.args.get("back") == "message":
        return redirect(url_for("notify.message", message_id=message.id))
    return redirect(url_for("notify.outbox", status=request.args.get("status") or None))
