"""Hearings, staff side: the applications to speak, choosing the speakers, each statement's disposition, and
publishing the transcript and the hearing report. Staff of the event's department (and editors, admins)."""

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.authz import EVENT_MANAGE_ROLES, role_required
from consult.database import utcnow
from consult.dispositions import DISPOSITION_LABELS
from consult.domain import DomainError
from consult.errors import show_error
from consult.events import hearings, services
from consult.events.forms import DispositionForm, DrawForm, HearingRecordForm
from consult.events.models import CATEGORY_LABELS, HEARING_CATEGORIES, SPEAKER_STATUS_LABELS, Event, HearingSpeaker
from consult.events.views import bp
from consult.events.views.office import _managed_event_or_404
from consult.extensions import db
from consult.localtime import as_utc
from consult.pagination import page_or_400


def _managed_hearing_or_404(event_id: int) -> Event:
    event = _managed_event_or_404(event_id)
    if not event.is_hearing:
        abort(404)
    return event


@bp.route("/manage/<int:event_id>/speakers", methods=["GET", "POST"])
@role_required(*EVENT_MANAGE_ROLES)
def speakers(event_id: int):
    """The applications to speak with their statements; once applications close, choose the speakers."""
    event = _managed_hearing_or_404(event_id)
    form = DrawForm()
    status = 200
    if form.validate_on_submit():
        try:
            order = hearings.select_speakers(event.id, officer=current_user, seed=form.seed.data)
        except DomainError as error:
            status = show_error(error, form)
        else:
            flash(_("The speakers are chosen from %(count)s applications.",
                    count=sum(len(ids) for ids in order.values())), "success")
            return redirect(url_for("events.speakers", event_id=event.id))
    elif form.errors:
        status = 422
    category = request.args.get("category") or None
    if category is not None and category not in HEARING_CATEGORIES:
        abort(400)
    page = page_or_400(hearings.hearing_speakers, event, category=category, cursor=request.args.get("cursor"))
    return render_template(
        "events/speakers.html", event=event, page=page, form=form, category=category,
        record=hearings.selection_record(event), category_labels=CATEGORY_LABELS,
        status_labels=SPEAKER_STATUS_LABELS, disposition_labels=DISPOSITION_LABELS,
        closed=as_utc(event.registration_closes_at) <= utcnow(),
    ), status


@bp.get("/manage/<int:event_id>/speakers.csv")
@role_required(*EVENT_MANAGE_ROLES)
def export_speakers(event_id: int):
    """The applications to speak as CSV, chosen speakers first, without contact details or statements."""
    event = _managed_hearing_or_404(event_id)
    labels = {"category": CATEGORY_LABELS, "status": SPEAKER_STATUS_LABELS, "disposition": DISPOSITION_LABELS}
    return Response(
        stream_with_context(services.export_speakers(
            event.id, {name: {k: str(v) for k, v in values.items()} for name, values in labels.items()})),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="hearing-{event.id}-speakers.csv"'},
    )


@bp.route("/manage/<int:event_id>/speakers/<int:submission_id>", methods=["GET", "POST"])
@role_required(*EVENT_MANAGE_ROLES)
def speaker_disposition(event_id: int, submission_id: int):
    """One statement: its text and the disposition with a reason the record will publish."""
    event = _managed_hearing_or_404(event_id)
    speaker = db.get_or_404(HearingSpeaker, submission_id)
    if speaker.event_id != event.id:
        abort(404)
    form = DispositionForm(obj=None if request.method == "POST" else _disposition_data(speaker))
    status = 200
    if form.validate_on_submit():
        try:
            hearings.set_disposition(speaker, disposition=form.disposition.data, reason=form.reason.data,
                                     officer=current_user)
        except DomainError as error:
            status = show_error(error, form)
        else:
            flash(_("The disposition is saved."), "success")
            return redirect(url_for("events.speakers", event_id=event.id))
    elif form.errors:
        status = 422
    return render_template("events/speaker.html", event=event, speaker=speaker, form=form,
                           category_labels=CATEGORY_LABELS, status_labels=SPEAKER_STATUS_LABELS), status


def _disposition_data(speaker: HearingSpeaker):
    class Data:
        disposition = speaker.disposition
        reason = speaker.disposition_reason

    return Data


@bp.route("/manage/<int:event_id>/record", methods=["GET", "POST"])
@role_required(*EVENT_MANAGE_ROLES)
def edit_hearing_record(event_id: int):
    """Publish the transcript and the hearing report with every disposition; this answers every statement."""
    event = _managed_hearing_or_404(event_id)
    form = HearingRecordForm(obj=event)
    status = 200
    if form.validate_on_submit():
        try:
            answered = hearings.publish_record(event.id, transcript=form.transcript.data or "",
                                               report=form.hearing_report.data or "", officer=current_user)
        except DomainError as error:
            status = show_error(error, form)
        else:
            flash(_("The hearing record is published; %(count)s statements are answered.", count=answered), "success")
            return redirect(url_for("events.hearing_record", event_id=event.id))
    elif form.errors:
        status = 422
    return render_template("events/record_form.html", event=event, form=form), status
