"""Open days, public side: the list, an event's page, registering, and the registrant's own pages.

A registrant without an account manages the registration through the secret link from the confirmation
mail (``/events/r/<token>``); logged-in people also find it under "My registrations". Staff pages are in
:mod:`consult.events.views.office` on the same blueprint.
"""

import sqlalchemy as sa
from flask import Response, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.models import ROLES
from consult.authz import manages_events_of, role_required
from consult.database import defer_write_lock, utcnow
from consult.domain import DomainError
from consult.errors import show_error
from consult.events import allocation, checkin, hearings, mails, services, waitlist
from consult.events import materials as event_materials
from consult.events.forms import ConfirmForm, QuestionForm, RegistrationForm
from consult.events.models import (
    ATTENDEES,
    CATEGORY_LABELS,
    CONFIRMED,
    EVENT_TYPE_LABELS,
    EVENT_TYPES,
    MODE_LABELS,
    STATUS_LABELS,
    WAITLISTED,
    Event,
    Registration,
)
from consult.events.views import bp
from consult.extensions import db, limiter
from consult.i18n import chosen_locale
from consult.limits import EVENT_LIMIT
from consult.localtime import as_utc
from consult.pagination import page_or_400
from consult.public_forms import form_rate_limit, submit_form
from consult.public_pages import public_page
from consult.text import render_markdown
from consult.tracking.models import Submission
from consult.tracking.receipt import after_submit, honeypot_filled, receipt_to_show

QUESTION_RECEIPT_KEY = "event_question_receipt"


def _public_event_or_404(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not event.published and not (current_user.is_authenticated and manages_events_of(current_user, event.department_id)):
        abort(404)
    return event


@bp.get("")
@public_page
def index():
    """Published open days, hearings and public meetings: upcoming first (soonest at the top), or past ones."""
    past = request.args.get("past") == "1"
    event_type = request.args.get("type") or None
    if event_type is not None and event_type not in EVENT_TYPES:
        abort(400)
    page = page_or_400(services.public_events, past=past, cursor=request.args.get("cursor"), event_type=event_type)
    return render_template("events/index.html", page=page, past=past, mode_labels=MODE_LABELS, event_type=event_type,
                           event_types=EVENT_TYPES, type_labels=EVENT_TYPE_LABELS)


@bp.get("/<int:event_id>")
@public_page
def detail(event_id: int):
    """An event's page: what, where, when, seats left and how seats are given."""
    event = _public_event_or_404(event_id)
    return render_template(
        "events/detail.html",
        event=event,
        description=render_markdown(event.description),
        registration_open=allocation.registration_is_open(event),
        not_yet_open=utcnow() < as_utc(event.registration_opens_at),
        mode_labels=MODE_LABELS,
        can_manage=current_user.is_authenticated and manages_events_of(current_user, event.department_id),
        type_labels=EVENT_TYPE_LABELS, category_labels=CATEGORY_LABELS,
        record=hearings.selection_record(event) if event.categories else [],
    )


@bp.get("/<int:event_id>/event.ics")
def calendar(event_id: int):
    """The event as an iCalendar file."""
    event = _public_event_or_404(event_id)
    return Response(
        mails.event_ics(event),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="event-{event.id}.ics"'},
    )


@bp.route("/<int:event_id>/register", methods=["GET", "POST"])
@form_rate_limit(EVENT_LIMIT)
def register(event_id: int):
    """Register for an event (guest or logged in); answers with the registration's own page."""
    event = _public_event_or_404(event_id)
    user = current_user._get_current_object() if current_user.is_authenticated else None
    form = RegistrationForm()
    if request.method == "GET" and user is not None:
        form.name.data = form.name.data or user.display_name
        form.email.data = form.email.data or user.email
    form.require_for(event)
    if not allocation.registration_is_open(event):
        flash(_("Registration for this event is not open."), "error")
        return redirect(url_for("events.detail", event_id=event.id))
    status = 200
    if request.method == "POST":
        values = dict(name=form.name.data or "", phone=form.phone.data or "", email=form.email.data or "",
                      id_card=form.id_card.data or "", user=user, category=form.category.data or None)
        registration, status = submit_form(
            form,
            submit=lambda: allocation.register(event.id, locale=chosen_locale(), **values),
            check=lambda: allocation.check_registration(event, **values),
        )
        if registration is not None:
            flash(_status_message(registration), "success")
            return redirect(url_for("events.registration", token=allocation.manage_token(registration)))
    return render_template("events/register.html", event=event, form=form), status


def _status_message(registration: Registration) -> str:
    if registration.status == CONFIRMED:
        return _("You are registered: your seat is confirmed.")
    if registration.status == WAITLISTED:
        return _("The event is full: you are on the waiting list and will be told if a seat frees up.")
    return _("Your registration has been received. You will be told by e-mail when it is decided.")


def _waitlist_place(registration: Registration) -> int | None:
    """1-based place on the waiting list (a count over this event's waiting list only)."""
    if registration.status != WAITLISTED:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count()).select_from(Registration).where(
            Registration.event_id == registration.event_id,
            Registration.status == WAITLISTED,
            sa.or_(
                Registration.waitlist_position < registration.waitlist_position,
                sa.and_(Registration.waitlist_position == registration.waitlist_position,
                        Registration.id < registration.id),
            ),
        )
    )
    return ahead + 1


def _render_registration(registration: Registration, *, page_url: str, cancel_url: str, question_url: str | None):
    event = registration.event
    now = utcnow()
    token = checkin.checkin_token(registration) if registration.status == CONFIRMED else None
    return render_template(
        "events/registration.html",
        registration=registration,
        event=event,
        status_labels=STATUS_LABELS,
        waitlist_place=_waitlist_place(registration),
        qr_url=url_for("events.qr_code", token=token) if token else None,
        page_url=page_url,
        cancel_url=cancel_url,
        can_cancel=registration.is_active and as_utc(event.starts_at) > now,
        question_url=question_url if as_utc(event.ends_at) <= now and registration.status == CONFIRMED else None,
        category_labels=CATEGORY_LABELS,
        # A meeting's agenda and materials, and the files for attendees, are for its confirmed attendees only.
        agenda=render_markdown(event.agenda) if event.is_meeting and registration.status == CONFIRMED else None,
        materials=render_markdown(event.materials) if event.is_meeting and registration.status == CONFIRMED else None,
        files=(event_materials.event_files(event, ATTENDEES)
               if registration.status == CONFIRMED and event_materials.has_files(event) else []),
        files_key=event_materials.registration_key(registration),
        file_url=event_materials.file_url,
    )


def _registration_by_token_or_404(token: str) -> Registration:
    registration = services.registration_by_token(token)
    if registration is None:
        abort(404)
    return registration


@bp.get("/<int:event_id>/materials")
def materials(event_id: int):
    """The agenda, the materials and the files for an event's attendees: for the holder of the key in their
    link (a confirmed seat, a chosen speaker), a confirmed attendee logged in, or the event's staff."""
    event = db.get_or_404(Event, event_id)
    key = request.args.get("key")
    if not event_materials.may_have_materials(event, key):
        abort(404)
    response = make_response(render_template(
        "events/materials.html", event=event, agenda=render_markdown(event.agenda),
        materials=render_markdown(event.materials), files=event_materials.event_files(event, ATTENDEES),
        files_key=key, file_url=event_materials.file_url))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/r/<token>")
def registration(token: str):
    """A registration's own page: status, QR code for the door, calendar file, cancel button."""
    registration = _registration_by_token_or_404(token)
    return _render_registration(
        registration,
        page_url=url_for("events.registration", token=token),
        cancel_url=url_for("events.cancel_registration", token=token),
        question_url=url_for("events.question", token=token),
    )


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
@limiter.limit(EVENT_LIMIT, methods=["POST"])
def cancel_registration(token: str):
    """Cancel through the secret link, after a confirmation page; a freed seat goes to the waiting list."""
    registration = _registration_by_token_or_404(token)
    return _cancel(registration, url_for("events.registration", token=token))


def _cancel(registration: Registration, back: str):
    """GET: what cancelling means, and a button; POST: cancel and go back to the registration's page."""
    form = ConfirmForm()
    if request.method == "GET":
        if not registration.is_active:
            return redirect(back)
        event = registration.event
        return render_template("events/cancel.html", registration=registration, event=event, form=form, back=back,
                               can_cancel=as_utc(event.starts_at) > utcnow(), status_labels=STATUS_LABELS)
    if not form.validate_on_submit():
        abort(400)
    try:
        waitlist.cancel(registration)
    except DomainError as error:
        show_error(error)
    else:
        flash(_("Your registration has been cancelled."), "success")
    return redirect(back)


@bp.get("/qr/<token>")
def qr_code(token: str):
    """The QR code image of a (genuine) check-in token."""
    if checkin.read_token(token) is None:
        abort(404)
    response = Response(checkin.qr_svg(token), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.route("/r/<token>/question", methods=["GET", "POST"])
@defer_write_lock
@form_rate_limit(EVENT_LIMIT)
def question(token: str):
    """After the event, an attendee's question or comment, tracked like any submission."""
    registration = _registration_by_token_or_404(token)
    if honeypot_filled():  # a bot: look normal, keep nothing
        return render_template("events/question_sent.html", result=None, event=registration.event,
                               registration_url=url_for("events.registration", token=token))
    form = QuestionForm()
    status = 200
    if request.method == "POST":
        result, status = submit_form(form, submit=lambda: services.ask_question(
            registration, subject=form.subject.data or "", body=form.body.data or "",
            form_token=form.form_token.data or "", recognise_resend=True))
        if result is not None:
            return after_submit(
                QUESTION_RECEIPT_KEY, db.session.get(Submission, result.submission_id), result.query_code,
                {"registration_id": registration.id}, thanks_url=url_for("events.question_sent", token=token),
                show_again=lambda shown: _question_sent(registration, token, shown))
        if status == 409 and not any(field.errors for field in form):
            flash(" ".join(form.form_errors), "error")  # e.g. the event is not over yet
            return redirect(url_for("events.registration", token=token))
    return render_template("events/question.html", form=form, registration=registration,
                           event=registration.event), status


@bp.get("/r/<token>/question/sent")
def question_sent(token: str):
    """Confirmation of a question: tracking number, query code (shown once) and the date the answer is due."""
    registration = _registration_by_token_or_404(token)
    receipt = session.get(QUESTION_RECEIPT_KEY)
    if not receipt or receipt.get("registration_id") != registration.id:
        return redirect(url_for("events.registration", token=token))
    return _question_sent(registration, token, receipt_to_show(QUESTION_RECEIPT_KEY))


def _question_sent(registration: Registration, token: str, receipt: dict | None):
    return render_template("events/question_sent.html", result=receipt, event=registration.event,
                           registration_url=url_for("events.registration", token=token))


@bp.get("/mine")
@role_required(*ROLES)
def mine():
    """The logged-in person's registrations."""
    page = page_or_400(services.user_registrations, current_user, cursor=request.args.get("cursor"))
    return render_template("events/mine.html", page=page, status_labels=STATUS_LABELS)


def _own_registration_or_404(registration_id: int) -> Registration:
    registration = db.get_or_404(Registration, registration_id)
    if not services.is_registrant(registration, current_user):
        abort(404)
    return registration


@bp.get("/mine/<int:registration_id>")
@role_required(*ROLES)
def my_registration(registration_id: int):
    """One of my registrations (the same page as the secret link)."""
    registration = _own_registration_or_404(registration_id)
    return _render_registration(
        registration,
        page_url=url_for("events.my_registration", registration_id=registration.id),
        cancel_url=url_for("events.cancel_my_registration", registration_id=registration.id),
        question_url=url_for("events.question", token=allocation.manage_token(registration)),
    )


@bp.route("/mine/<int:registration_id>/cancel", methods=["GET", "POST"])
@role_required(*ROLES)
def cancel_my_registration(registration_id: int):
    """Cancel one of my registrations, after a confirmation page."""
    registration = _own_registration_or_404(registration_id)
    return _cancel(registration, url_for("events.my_registration", registration_id=registration.id))
