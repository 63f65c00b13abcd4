"""Officer pages of information requests: the department's open requests, one request with the
applicant's full identity (for the handling department's own staff only), recording the outcome with
its written answer, and pausing the clock for a third party's opinion.

Everything else (assigning, asking for clarification, extensions, transfers, review of the answer) is
done on the tracking engine's submission page, linked from here.
"""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import contains_eager

from consult import uploads
from consult.accounts.models import ADMIN, OFFICER, REVIEWER
from consult.authz import WORKER_ROLES, role_required, works_for
from consult.disclosure import handling
from consult.disclosure.forms import OutcomeForm, PauseForm, ResumeForm
from consult.disclosure.models import DELIVERY_LABELS, FORMAT_LABELS, ID_TYPE_LABELS, DisclosureRequest
from consult.disclosure.outcomes import APPLICANT_LABELS, full_label, outcome_for
from consult.disclosure.services import record_outcome
from consult.disclosure.views import bp
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db
from consult.localtime import local_today
from consult.pagination import InvalidCursor, paginate
from consult.tracking.labels import REPLY_STATUS_LABELS
from consult.tracking.models import DISCLOSURE, OPEN_STATUSES, Submission
from consult.tracking.transitions import STATUS_LABELS

OFFICE_ORDER = (Submission.due_on, Submission.id)


def get_request_for_officer_or_404(submission_id: int) -> DisclosureRequest:
    """A request handled by the current user's department (any, for admins); 404 otherwise."""
    found = db.session.get(DisclosureRequest, submission_id)
    if found is None or not works_for(current_user, found.submission.department_id):
        abort(404)
    return found


def sees_full_identity(found: DisclosureRequest) -> bool:
    """Only the handling department's own officers and reviewers see the ID number unmasked."""
    return (current_user.is_authenticated and current_user.role in (OFFICER, REVIEWER)
            and current_user.department_id == found.submission.department_id)


@bp.get("/office/disclosure")
@role_required(*WORKER_ROLES)
def office():
    """The department's information requests still open, by due date (admins: every department)."""
    stmt = (
        sa.select(DisclosureRequest)
        .join(Submission, Submission.id == DisclosureRequest.submission_id)
        .where(Submission.kind == DISCLOSURE, Submission.status.in_(OPEN_STATUSES))
        .options(contains_eager(DisclosureRequest.submission))
    )
    if current_user.role != ADMIN:
        stmt = stmt.where(Submission.department_id == current_user.department_id)
    try:
        page = paginate(db.session, stmt, list(OFFICE_ORDER), request.args.get("cursor"), per_page=50)
    except InvalidCursor:
        abort(400)
    return render_template("disclosure/office.html", page=page, today=local_today(), status_labels=STATUS_LABELS,
                           applicant_labels=APPLICANT_LABELS)


def render_request(found: DisclosureRequest, status: int = 200, **forms):
    """The request page; ``forms`` replaces a blank form that failed (with its errors)."""
    submission = found.submission
    forms = {"outcome_form": OutcomeForm(formdata=None), "pause_form": PauseForm(formdata=None),
             "resume_form": ResumeForm(formdata=None), **forms}
    today = local_today()
    outcome = outcome_for(found.outcome_category, found.outcome_reason)
    ask_by = handling.clarification_request_deadline(submission)
    return render_template(
        "disclosure/request.html", found=found, submission=submission, today=today,
        full_identity=sees_full_identity(found), status_labels=STATUS_LABELS,
        applicant_labels=APPLICANT_LABELS, id_type_labels=ID_TYPE_LABELS, format_labels=FORMAT_LABELS,
        delivery_labels=DELIVERY_LABELS, outcome=outcome, outcome_label=_outcome_label(outcome),
        reply_status_labels=REPLY_STATUS_LABELS,
        clarify_by=ask_by if submission.is_open and today <= ask_by else None,
        clarification_due_on=handling.clarification_due_on(submission), **forms,
    ), status


def _outcome_label(outcome) -> str:
    return "" if outcome is None else full_label(outcome)


@bp.get("/office/disclosure/<int:submission_id>")
@role_required(*WORKER_ROLES)
def handle(submission_id: int):
    """One information request: applicant, what is asked, deadlines, outcome, pause."""
    return render_request(get_request_for_officer_or_404(submission_id))


def _back(found: DisclosureRequest):
    return redirect(url_for("disclosure.handle", submission_id=found.submission_id), 303)


@bp.post("/office/disclosure/<int:submission_id>/outcome")
@role_required(*WORKER_ROLES)
def outcome(submission_id: int):
    """Record the outcome and its written answer; the answer goes to a reviewer before the applicant gets it."""
    found = get_request_for_officer_or_404(submission_id)
    uploads.allow_large_request()
    form = OutcomeForm()
    if not form.validate_on_submit():
        return render_request(found, 422, outcome_form=form)
    category, _sep, reason = form.outcome.data.partition(":")
    try:
        record_outcome(found, actor=current_user._get_current_object(), category=category, reason=reason or None,
                       answer=form.answer.data, files=request.files.getlist(form.attachments.name))
    except DomainError as error:
        status = show_error(error, form)
        return render_request(get_request_for_officer_or_404(submission_id), status, outcome_form=form)
    flash(_("The answer has been sent to the reviewers."), "success")
    return _back(found)


@bp.post("/office/disclosure/<int:submission_id>/pause")
@role_required(*WORKER_ROLES)
def pause(submission_id: int):
    """Pause the clock while a third party is consulted."""
    found = get_request_for_officer_or_404(submission_id)
    form = PauseForm()
    if not form.validate_on_submit():
        return render_request(found, 422, pause_form=form)
    try:
        handling.pause_request(found, actor=current_user._get_current_object(), reason=form.reason.data)
    except DomainError as error:
        status = show_error(error, form)
        return render_request(get_request_for_officer_or_404(submission_id), status, pause_form=form)
    flash(_("The clock is paused."), "success")
    return _back(found)


@bp.post("/office/disclosure/<int:submission_id>/resume")
@role_required(*WORKER_ROLES)
def resume(submission_id: int):
    """Resume the clock; the due date moves by the working days spent waiting."""
    found = get_request_for_officer_or_404(submission_id)
    form = ResumeForm()
    if not form.validate_on_submit():
        return render_request(found, 422, resume_form=form)
    try:
        waited = handling.resume_request(found, actor=current_user._get_current_object())
    except DomainError as error:
        status = show_error(error, form)
        return render_request(get_request_for_officer_or_404(submission_id), status)
    flash(_("The clock runs again; %(days)s working days were not counted.", days=waited), "success")
    return _back(found)
