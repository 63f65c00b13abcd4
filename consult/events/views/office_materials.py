"""An event's files, staff side: attach files for the attendees (or, for a hearing, to publish with the
record) through the upload checks, and remove them. Staff of the event's department (and editors, admins).
Only hearings and public meetings take files. An open day that got files before that rule shows them here so staff
can remove them; it takes no new ones, and an open day without files has no Files page (404)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import uploads
from consult.authz import EVENT_MANAGE_ROLES, role_required
from consult.domain import DomainError
from consult.errors import show_error
from consult.events import materials
from consult.events.forms import ConfirmForm, EventFileForm
from consult.events.models import FILE_AUDIENCE_LABELS, Event, EventFile
from consult.events.views import bp
from consult.events.views.office import _managed_event_or_404
from consult.extensions import db


def _event_with_files_or_404(event_id: int) -> tuple[Event, list[EventFile]]:
    """An event the current user manages that takes files or still has some, with its files (else 404)."""
    event = _managed_event_or_404(event_id)
    files = materials.event_files(event)
    if not materials.has_files(event) and not files:
        abort(404)
    return event, files


@bp.route("/manage/<int:event_id>/files", methods=["GET", "POST"])
@role_required(*EVENT_MANAGE_ROLES)
def event_files(event_id: int):
    """The event's files, and a form to attach one (checked like every upload)."""
    event, files = _event_with_files_or_404(event_id)
    form, status = None, 200
    if materials.has_files(event):
        uploads.allow_large_request()
        form = EventFileForm()
        form.offer(event)
        if form.validate_on_submit():
            try:
                row = materials.add_file(event, form.file.data, audience=form.audience.data, actor=current_user)
            except DomainError as error:
                status = show_error(error, form)
            else:
                flash(_("%(name)s is attached.", name=row.attachment.original_filename), "success")
                return redirect(url_for("events.event_files", event_id=event.id))
        elif form.errors:
            status = 422
    elif request.method == "POST":
        abort(404)
    return render_template("events/files.html", event=event, form=form, files=files,
                           audience_labels=FILE_AUDIENCE_LABELS, remove_form=ConfirmForm(),
                           file_url=materials.file_url), status


@bp.post("/manage/<int:event_id>/files/<int:attachment_id>/remove")
@role_required(*EVENT_MANAGE_ROLES)
def remove_event_file(event_id: int, attachment_id: int):
    """Take a file off the event and delete it."""
    event, _files = _event_with_files_or_404(event_id)
    row = db.get_or_404(EventFile, attachment_id)
    if row.event_id != event.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = row.attachment.original_filename
    try:
        materials.remove_file(row, actor=current_user)
    except DomainError as error:
        show_error(error)
    else:
        flash(_("%(name)s is removed.", name=name), "success")
    return redirect(url_for("events.event_files", event_id=event.id))
