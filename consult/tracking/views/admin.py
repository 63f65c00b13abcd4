"""The admin's working-day calendar: holidays and make-up working days that override the published
calendar, and the State Council's yearly holiday notice, previewed then applied. Each change recomputes the
due dates of open submissions (and logs it on their timelines)."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from consult.authz import admin_required
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db
from consult.tracking import services
from consult.tracking.forms import CalendarOverrideForm, HolidayNoticeForm, RemoveOverrideForm
from consult.tracking.views import bp
from consult.workdays import CalendarOverride, HolidayNotice


def _moved(count: int) -> str:
    return ngettext("The calendar has been changed: %(num)d open submission's due date moved.",
                    "The calendar has been changed: %(num)d open submissions' due dates moved.", count)


def _render(form: CalendarOverrideForm | None = None, status: int = 200, *, notice_form=None, preview=None):
    overrides = db.session.scalars(sa.select(CalendarOverride).order_by(CalendarOverride.day.desc()))
    notices = db.session.scalars(sa.select(HolidayNotice).order_by(HolidayNotice.year.desc()))
    return render_template(
        "tracking/calendar.html", form=form or CalendarOverrideForm(formdata=None), overrides=list(overrides),
        remove_form=RemoveOverrideForm(formdata=None), notices=list(notices),
        notice_form=notice_form or HolidayNoticeForm(formdata=None), preview=preview,
    ), status


@bp.route("/admin/calendar", methods=["GET", "POST"])
@admin_required
def calendar():
    """List the overrides; add a holiday or a make-up working day with a note."""
    form = CalendarOverrideForm()
    if not form.validate_on_submit():
        return _render(form, 422 if form.errors else 200)
    try:
        moved = services.set_calendar_override(
            form.day.data, form.is_workday.data == "workday", form.note.data, current_user
        )
    except DomainError as error:
        return _render(form, show_error(error, form))
    flash(_moved(len(moved)), "success")
    return redirect(url_for("tracking.calendar"), 303)


@bp.post("/admin/calendar/remove")
@admin_required
def remove_override():
    """Withdraw an override: the published calendar applies to that date again."""
    form = RemoveOverrideForm()
    if not form.validate_on_submit():
        return _render(status=422)
    try:
        moved = services.remove_calendar_override(form.day.data, current_user)
    except DomainError as error:
        return _render(status=show_error(error))
    flash(_moved(len(moved)), "success")
    return redirect(url_for("tracking.calendar"), 303)


@bp.post("/admin/calendar/notice")
@admin_required
def import_notice():
    """Preview a pasted State Council holiday notice; apply it once previewed (the same text)."""
    form = HolidayNoticeForm()
    if not form.validate_on_submit():
        return _render(notice_form=form, status=422)
    try:
        preview = services.preview_notice(form.text.data, form.year.data, current_user)
    except DomainError as error:
        return _render(notice_form=form, status=show_error(error, form))
    submitted_digest, form.digest.data = form.digest.data or "", preview.digest
    if request.form.get("action") != "apply":
        return _render(notice_form=form, preview=preview)
    try:
        moved = services.apply_notice(form.text.data, form.year.data, current_user, submitted_digest)
    except DomainError as error:
        return _render(notice_form=form, preview=preview, status=show_error(error, form))
    flash(_("The State Council's holiday notice for %(year)d has been applied to the calendar.", year=preview.year),
          "success")
    flash(_moved(len(moved)), "success")
    return redirect(url_for("tracking.calendar"), 303)
