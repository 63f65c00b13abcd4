"""Open days, staff side: events (editors), registrations, decisions, the draw, CSV and check-in.

Officers and reviewers see their own department's events; editors and admins see all.
"""


from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from consult.accounts.departments import ordered_departments
from consult.authz import (
    EVENT_EDIT_ROLES, EVENT_MANAGE_ROLES, edits_events, manages_events_of, role_required,
)  # fmt: skip
from consult.database import utcnow
from consult.domain import DomainError
from consult.errors import show_error
from consult.events import allocation, checkin, lottery, services
from consult.events.hearings import category_seats
from consult.events.forms import CheckinForm, ConfirmForm, DeclineForm, DrawForm, EventForm, RegistrationForm
from consult.events.models import (
    CATEGORY_LABELS,
    LOTTERY,
    MODE_LABELS,
    PENDING,
    STATUS_LABELS,
    STATUSES,
    Event,
    Registration,
)
from consult.events.views import bp
from consult.extensions import db
from consult.i18n import current_locale_code
from consult.localtime import as_utc, from_local, to_local_naive
from consult.pagination import page_or_400

DATETIME_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")


def _managed_event_or_404(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not manages_events_of(current_user, event.department_id):
        abort(403)
    return event


def _registration_of(event: Event, registration_id: int) -> Registration:
    registration = db.get_or_404(Registration, registration_id)
    if registration.event_id != event.id:
        abort(404)
    return registration


@bp.get("/manage")
@role_required(*EVENT_MANAGE_ROLES)
def manage():
    """Events the staff member works on, latest first."""
    page = page_or_400(services.managed_events, current_user, cursor=request.args.get("cursor"))
    return render_template("events/manage.html", page=page, mode_labels=MODE_LABELS,
                           can_edit=edits_events(current_user))


def _event_form(event: Event | None) -> EventForm:
    form = EventForm(obj=event)
    departments = ordered_departments()
    locale = current_locale_code()
    form.department_id.choices = [SelectChoice(d.id, d.display_name(locale)) for d in departments]
    if event is not None and request.method == "GET":
        for name in DATETIME_FIELDS:
            getattr(form, name).data = to_local_naive(getattr(event, name))
        for category, seats in category_seats(event).items():
            getattr(form, f"seats_{category}").data = seats
    return form


def _form_values(form: EventForm) -> dict:
    values = {name: getattr(form, name).data for name in services.EVENT_FIELDS}
    values["capacity"] = form.capacity.data
    values["description"] = values["description"] or ""
    values["address"] = values["address"] or ""
    values["map_url"] = values["map_url"] or ""
    values["agenda"] = values["agenda"] or ""
    values["materials"] = values["materials"] or ""
    values["category_seats"] = form.category_seats()
    for name in DATETIME_FIELDS:
        values[name] = from_local(values[name])
    return values


@bp.route("/manage/new", methods=["GET", "POST"])
@role_required(*EVENT_EDIT_ROLES)
def new_event():
    """Create an open day, a hearing or a public meeting."""
    form = _event_form(None)
    status = 200
    if form.validate_on_submit():
        try:
            event = services.create_event(_form_values(form), actor=current_user)
        except DomainError as error:
            status = show_error(error, form)
        else:
            flash(_("The event has been created."), "success")
            return redirect(url_for("events.registrations", event_id=event.id))
    elif form.errors:
        status = 422
    return render_template("events/event_form.html", form=form, event=None), status


@bp.route("/manage/<int:event_id>/edit", methods=["GET", "POST"])
@role_required(*EVENT_EDIT_ROLES)
def edit_event(event_id: int):
    """Edit an open day; changing the seats re-balances confirmed and waiting registrations."""
    event = db.get_or_404(Event, event_id)
    form = _event_form(event)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_event(event, _form_values(form), actor=current_user)
        except DomainError as error:
            status = show_error(error, form)
        else:
            flash(_("The event has been saved."), "success")
            return redirect(url_for("events.registrations", event_id=event.id))
    elif form.errors:
        status = 422
    return render_template("events/event_form.html", form=form, event=event), status


@bp.get("/manage/<int:event_id>")
@role_required(*EVENT_MANAGE_ROLES)
def registrations(event_id: int):
    """An event's registrations, filtered by status, with seat and attendance numbers."""
    event = _managed_event_or_404(event_id)
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        abort(400)
    page = page_or_400(services.event_registrations, event, status=status, cursor=request.args.get("cursor"))
    return render_template(
        "events/registrations.html", event=event, page=page, status=status, statuses=STATUSES,
        status_labels=STATUS_LABELS, mode_labels=MODE_LABELS, form=ConfirmForm(),
        over=as_utc(event.ends_at) <= utcnow(), can_edit=edits_events(current_user),
    )


@bp.get("/manage/<int:event_id>/registrations.csv")
@role_required(*EVENT_MANAGE_ROLES)
def export(event_id: int):
    """All registrations as CSV, streamed in batches."""
    event = _managed_event_or_404(event_id)
    return Response(
        stream_with_context(services.export_rows(event.id, {k: str(v) for k, v in STATUS_LABELS.items()},
                                                 {k: str(v) for k, v in CATEGORY_LABELS.items()})),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="event-{event.id}-registrations.csv"'},
    )


@bp.route("/manage/<int:event_id>/add", methods=["GET", "POST"])
@role_required(*EVENT_MANAGE_ROLES)
def add_registration(event_id: int):
    """Register someone by hand (e.g. by phone); seats are given first come."""
    event = _managed_event_or_404(event_id)
    form = RegistrationForm()
    form.require_for(event)
    status = 200
    if form.validate_on_submit():
        try:
            registration = allocation.register(
                event.id, name=form.name.data, phone=form.phone.data or "", email=form.email.data or "",
                id_card=form.id_card.data or "", added_by=current_user, category=form.category.data or None,
            )
        except DomainError as error:
            status = show_error(error, form)
        else:
            flash(_("%(name)s has been added (%(status)s).", name=registration.name,
                    status=STATUS_LABELS[registration.status]), "success")
            return redirect(url_for("events.registrations", event_id=event.id))
    elif form.errors:
        status = 422
    return render_template("events/add_registration.html", event=event, form=form), status


@bp.post("/manage/<int:event_id>/registrations/<int:registration_id>/approve")
@role_required(*EVENT_MANAGE_ROLES)
def approve(event_id: int, registration_id: int):
    """Confirm a pending registration of an approval event."""
    event = _managed_event_or_404(event_id)
    registration = _registration_of(event, registration_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        allocation.decide(registration, approve=True, reason="", officer=current_user)
    except DomainError as error:
        show_error(error)
    else:
        flash(_("%(name)s is confirmed.", name=registration.name), "success")
    return redirect(url_for("events.registrations", event_id=event.id, status=PENDING))


@bp.route("/manage/<int:event_id>/registrations/<int:registration_id>/decline", methods=["GET", "POST"])
@role_required(*EVENT_MANAGE_ROLES)
def decline(event_id: int, registration_id: int):
    """Decline a pending registration with a reason the person receives."""
    event = _managed_event_or_404(event_id)
    registration = _registration_of(event, registration_id)
    form = DeclineForm()
    status = 200
    if form.validate_on_submit():
        try:
            allocation.decide(registration, approve=False, reason=form.reason.data, officer=current_user)
        except DomainError as error:
            status = show_error(error, form)
        else:
            flash(_("The registration of %(name)s has been declined.", name=registration.name), "success")
            return redirect(url_for("events.registrations", event_id=event.id, status=PENDING))
    elif form.errors:
        status = 422
    return render_template("events/decline.html", event=event, registration=registration,
                           form=form), status


@bp.route("/manage/<int:event_id>/draw", methods=["GET", "POST"])
@role_required(*EVENT_MANAGE_ROLES)
def draw(event_id: int):
    """Run the lottery once registration has closed; the seed is recorded and published."""
    event = _managed_event_or_404(event_id)
    if event.mode != LOTTERY:
        abort(404)
    form = DrawForm()
    status = 200
    if form.validate_on_submit():
        try:
            order = lottery.run_draw(event.id, officer=current_user, seed=form.seed.data)
        except DomainError as error:
            status = show_error(error, form)
            if not form.errors:
                return redirect(url_for("events.draw", event_id=event.id))
        else:
            flash(_("The draw is done: %(count)s entrants drawn.", count=len(order)), "success")
            return redirect(url_for("events.registrations", event_id=event.id))
    elif form.errors:
        status = 422
    return render_template("events/draw.html", event=event, form=form,
                           closed=as_utc(event.registration_closes_at) <= utcnow()), status


@bp.route("/manage/<int:event_id>/check-in", methods=["GET", "POST"])
@role_required(*EVENT_MANAGE_ROLES)
def check_in(event_id: int):
    """Check people in at the door: type the code or scan the QR code (camera where the browser allows)."""
    event = _managed_event_or_404(event_id)
    form = CheckinForm()
    result = None
    status = 200
    if form.validate_on_submit():
        try:
            result = checkin.check_in(event, form.code.data, current_user)
        except DomainError as error:
            status = show_error(error, form)
        else:
            form.code.data = ""
    elif form.errors:
        status = 422
    return render_template("events/checkin.html", event=event, form=form, result=result), \
        422 if form.errors and status == 200 else status
