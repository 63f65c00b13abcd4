"""One submission in the officers' workspace: details, how the due date was computed, the full timeline,
and the actions the state machine allows now (each a POST form; a refused action shows why)."""

from collections.abc import Callable

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from consult.accounts.models import OFFICER, REVIEWER, Department, User
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db
from consult.localtime import local_today
from consult.tracking import kind_details, services
from consult.tracking.forms import (
    AssignForm, DismissForm, ExtensionForm, RequestInfoForm, StaffInfoForm, TransferForm,
)  # fmt: skip
from consult.tracking.models import APPROVED, ASSIGNED, RECEIVED, REOPENED, Reply, Submission
from consult.tracking.views import bp
from consult.tracking.views.common import (
    FIELD_ALIASES, department_label, get_submission_for_officer_or_404, worker_required,
)  # fmt: skip

ANSWERABLE = (RECEIVED, ASSIGNED, REOPENED)  # statuses a new reply may be written for


def _load(submission_id: int) -> Submission:
    return get_submission_for_officer_or_404(
        submission_id,
        joinedload(Submission.department),
        joinedload(Submission.assignee),
        joinedload(Submission.user),
        selectinload(Submission.events),
        selectinload(Submission.replies).selectinload(Reply.submissions),
    )


def _colleagues(department_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.department_id == department_id, User.role.in_((OFFICER, REVIEWER)), User.active.is_(True))
            .order_by(User.display_name, User.id)
        )
    )


def _fill_choices(form: FlaskForm, submission: Submission) -> None:
    if isinstance(form, AssignForm):
        form.assignee_id.choices = [SelectChoice(u.id, u.display_name) for u in _colleagues(submission.department_id)]
    elif isinstance(form, TransferForm):
        form.department_id.choices = [SelectChoice(d.id, department_label(d))
                                      for d in services.transfer_targets(submission)]


def _forms(submission: Submission, overrides: dict[str, FlaskForm]) -> dict[str, FlaskForm]:
    forms = {
        "assign_form": AssignForm(formdata=None),
        "transfer_form": TransferForm(formdata=None),
        "info_form": RequestInfoForm(formdata=None),
        "dismiss_form": DismissForm(formdata=None),
        "extension_form": ExtensionForm(formdata=None),
        "staff_info_form": StaffInfoForm(formdata=None),
    }
    forms.update(overrides)
    for form in forms.values():
        _fill_choices(form, submission)
    return forms


def render_detail(submission: Submission, status: int = 200, **forms: FlaskForm):
    """The submission page; ``forms`` replaces the blank form of an action that failed (with its errors)."""
    replies = list(submission.replies)
    return render_template(
        "tracking/submission.html",
        submission=submission,
        today=local_today(),
        explanation=services.explain_due(submission),
        actions=services.allowed_actions(submission),
        pending_extension=services.pending_extension(submission),
        replies=replies,
        answer=services.answer_of(submission),
        can_reply=submission.status in ANSWERABLE and all(r.status == APPROVED for r in replies),
        in_department=current_user.department_id == submission.department_id,
        kind_details=kind_details.details_for(submission),
        **_forms(submission, forms),
    ), status


@bp.get("/office/submissions/<int:submission_id>")
@worker_required
def submission_detail(submission_id: int):
    """Everything about one submission, for its department's staff."""
    return render_detail(_load(submission_id))


def _act(submission_id: int, form_name: str, form_class, perform: Callable, done) -> object:
    """Validate ``form_class``, run ``perform(submission, form)`` and redirect; on failure show the page again.

    ``perform`` may return a URL to go to instead of the submission page (e.g. after a transfer).
    """
    submission = _load(submission_id)
    form = form_class()
    _fill_choices(form, submission)
    if not form.validate_on_submit():
        return render_detail(submission, 422, **{form_name: form})
    try:
        target = perform(submission, form)
    except DomainError as error:
        status = show_error(error, form, aliases=FIELD_ALIASES)
        return render_detail(_load(submission_id), status, **{form_name: form})
    flash(done, "success")
    return redirect(target or url_for("tracking.submission_detail", submission_id=submission_id), 303)


@bp.post("/office/submissions/<int:submission_id>/assign")
@worker_required
def assign(submission_id: int):
    """Give the submission to oneself or to a colleague of the department."""

    def perform(submission, form):
        services.assign_submission(submission, db.get_or_404(User, form.assignee_id.data), actor=current_user)

    return _act(submission_id, "assign_form", AssignForm, perform, _("The submission has been assigned."))


@bp.post("/office/submissions/<int:submission_id>/transfer")
@worker_required
def transfer(submission_id: int):
    """Hand the submission to another department; its due date does not change."""

    def perform(submission, form):
        department = db.get_or_404(Department, form.department_id.data)
        services.transfer_submission(submission, department, actor=current_user, reason=form.reason.data)
        return url_for("tracking.inbox")

    return _act(submission_id, "transfer_form", TransferForm, perform,
                _("The submission has been transferred. Its due date is unchanged."))


@bp.post("/office/submissions/<int:submission_id>/request-info")
@worker_required
def request_info(submission_id: int):
    """Ask the citizen for more information (mailed, and shown on their status page)."""

    def perform(submission, form):
        services.request_info(submission, actor=current_user, message=form.message.data)

    return _act(submission_id, "info_form", RequestInfoForm, perform,
                _("The citizen has been asked for more information."))


@bp.post("/office/submissions/<int:submission_id>/info")
@worker_required
def record_info(submission_id: int):
    """Enter information the citizen sent by post or telephone."""

    def perform(submission, form):
        services.provide_info(submission, form.text.data, actor=current_user)

    return _act(submission_id, "staff_info_form", StaffInfoForm, perform, _("The information has been recorded."))


@bp.post("/office/submissions/<int:submission_id>/dismiss")
@worker_required
def dismiss(submission_id: int):
    """Close the submission without a reply; the citizen sees the reason."""

    def perform(submission, form):
        services.dismiss_submission(submission, actor=current_user, reason=form.reason.data)

    return _act(submission_id, "dismiss_form", DismissForm, perform, _("The submission has been dismissed."))


@bp.post("/office/submissions/<int:submission_id>/extension")
@worker_required
def request_extension(submission_id: int):
    """Ask a reviewer for more working days."""

    def perform(submission, form):
        services.request_extension(submission, actor=current_user, workdays=form.workdays.data, reason=form.reason.data)

    return _act(submission_id, "extension_form", ExtensionForm, perform,
                _("The extension request has been sent to the reviewers."))
