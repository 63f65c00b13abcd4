"""Admin pages: deciding rating appeals, and the settings of the practice rules."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.authz import admin_required
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db
from consult.pagination import InvalidCursor, paginate
from consult.practice import appeals
from consult.practice.forms import AppealDecisionForm, PracticeSettingsForm
from consult.practice.models import APPEAL_PENDING, APPEAL_STATUSES, RatingAppeal
from consult.practice.settings import current_settings, save_settings
from consult.practice.views import bp
from consult.practice.views.office import LABELS


def _appeals_page(status: str):
    stmt = sa.select(RatingAppeal).where(RatingAppeal.status == status)
    try:
        return paginate(db.session, stmt, (RatingAppeal.filed_at, RatingAppeal.id), request.args.get("cursor"),
                        per_page=50)
    except InvalidCursor:
        abort(400)


def _render_appeals(status: str, form=None, code: int = 200):
    return render_template("practice/admin_appeals.html", page=_appeals_page(status), status=status,
                           form=form or AppealDecisionForm(formdata=None), may_decide=appeals.may_decide,
                           **LABELS), code


@bp.get("/admin/appeals")
@admin_required
def admin_appeals():
    """Appeals against ratings: those awaiting a decision (oldest first), or those decided."""
    status = request.args.get("status", APPEAL_PENDING)
    return _render_appeals(status if status in APPEAL_STATUSES else APPEAL_PENDING)


@bp.post("/admin/appeals/<int:appeal_id>/decide")
@admin_required
def decide_appeal(appeal_id: int):
    """Uphold (the rating no longer counts) or reject an appeal."""
    appeal = db.get_or_404(RatingAppeal, appeal_id)
    form = AppealDecisionForm()
    decision = request.form.get("decision")
    if not form.validate_on_submit() or decision not in ("uphold", "reject"):
        flash(_("Please uphold or reject the appeal."), "error")
        return _render_appeals(APPEAL_PENDING, form, 422)
    try:
        appeals.decide_appeal(appeal, actor=current_user, uphold=decision == "uphold", note=form.note.data or "")
    except DomainError as error:
        code = show_error(error, form)
        return _render_appeals(APPEAL_PENDING, form, code)
    flash(_("The appeal has been upheld: the rating no longer counts.") if decision == "uphold"
          else _("The appeal has been rejected."), "success")
    return redirect(url_for("practice.admin_appeals"), 303)


@bp.route("/admin/practice", methods=["GET", "POST"])
@admin_required
def settings():
    """Rectification time, response time and the feedback-report deadline of the compliance board."""
    saved = current_settings()
    form = PracticeSettingsForm(obj=saved)
    code = 200
    if form.validate_on_submit():
        try:
            save_settings(rectification_workdays=form.rectification_workdays.data,
                          response_hours=form.response_hours.data, feedback_report_days=form.feedback_report_days.data)
        except DomainError as error:
            code = show_error(error, form)
        else:
            flash(_("The settings have been saved."), "success")
            return redirect(url_for("practice.settings"), 303)
    elif form.errors:
        code = 422
    return render_template("practice/settings.html", form=form), code
