"""Hearings, public side: applying to speak (陈述人) and the published record (transcript, report and each
statement's disposition, names masked). Attending (旁听) is an ordinary registration (views/public.py)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.authz import manages_events_of
from consult.database import defer_write_lock
from consult.dispositions import DISPOSITION_LABELS
from consult.events import allocation, hearings, materials
from consult.events.forms import SpeakerForm
from consult.events.models import CATEGORY_LABELS, RECORD, Event
from consult.events.views import bp
from consult.extensions import db
from consult.i18n import chosen_locale
from consult.limits import EVENT_LIMIT
from consult.public_forms import form_rate_limit, submit_form
from consult.public_pages import public_page
from consult.text import render_markdown
from consult.tracking.receipt import allow_receipt_print, honeypot_filled


def _public_hearing_or_404(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    visible = event.published or (current_user.is_authenticated and manages_events_of(current_user, event.department_id))
    if not visible or not event.is_hearing:
        abort(404)
    return event


@bp.route("/<int:event_id>/speak", methods=["GET", "POST"])
@defer_write_lock
@form_rate_limit(EVENT_LIMIT)
def speak(event_id: int):
    """Apply to speak at a hearing with a short statement; answers with the tracking number and query code."""
    event = _public_hearing_or_404(event_id)
    if honeypot_filled():  # a bot: look normal, keep nothing
        flash(_("Your application to speak has been received"), "success")
        return redirect(url_for("events.detail", event_id=event.id))
    user = current_user._get_current_object() if current_user.is_authenticated else None
    form = SpeakerForm()
    if request.method == "GET" and user is not None:
        form.name.data = form.name.data or user.display_name
        form.email.data = form.email.data or user.email
    form.offer(event, hearings.category_seats(event))
    if not allocation.registration_is_open(event):
        flash(_("Applications to speak at this hearing are not open."), "error")
        return redirect(url_for("events.detail", event_id=event.id))
    status = 200
    if request.method == "POST":
        values = dict(name=form.name.data or "", phone=form.phone.data or "", email=form.email.data or "",
                      category=form.category.data or "", statement=form.statement.data or "", user=user)
        result, status = submit_form(
            form,
            submit=lambda: hearings.apply_to_speak(event.id, form_token=form.form_token.data or "",
                                                   locale=chosen_locale(), **values),
            check=lambda: hearings.check_application(event, **values),
        )
        if result is not None:
            allow_receipt_print(result.tracking_no, result.query_code)
            return render_template("events/speak_sent.html", result=result, event=event,
                                   category_labels=CATEGORY_LABELS)
    return render_template("events/speak.html", event=event, form=form), status


@bp.get("/<int:event_id>/record")
@public_page
def hearing_record(event_id: int):
    """The published hearing record: transcript, report, and each statement's disposition (names masked)."""
    event = _public_hearing_or_404(event_id)
    if event.record_published_at is None:
        abort(404)
    return render_template(
        "events/record.html", event=event, transcript=render_markdown(event.transcript),
        report=render_markdown(event.hearing_report), statements=hearings.published_statements(event),
        record=hearings.selection_record(event), category_labels=CATEGORY_LABELS,
        disposition_labels=DISPOSITION_LABELS, files=materials.event_files(event, RECORD), file_url=materials.file_url,
    )
