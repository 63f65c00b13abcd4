"""Officer pages: the department's rectification tasks (follow-up, completion) and its rating appeals."""

from datetime import datetime

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.models import ADMIN
from consult.authz import works_for
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db
from consult.localtime import local_today, zone
from consult.pagination import InvalidCursor, paginate
from consult.practice import appeals, rectification
from consult.practice.forms import (
    APPEAL_GROUND_LABELS, FOLLOW_UP_METHOD_LABELS, AppealForm, CompleteTaskForm, FollowUpForm,
)  # fmt: skip
from consult.practice.models import TASK_OPEN, TASK_STATUSES, RatingAppeal, RectificationTask
from consult.practice.views import bp
from consult.practice.views.labels import APPEAL_STATUS_LABELS, TASK_STATUS_LABELS
from consult.tracking.citizen import SATISFACTION_LABELS
from consult.tracking.views.common import (
    get_submission_for_officer_or_404, worker_required, working_department,
)  # fmt: skip

LABELS = {
    "task_status_labels": TASK_STATUS_LABELS, "appeal_status_labels": APPEAL_STATUS_LABELS,
    "satisfaction_labels": SATISFACTION_LABELS, "method_labels": FOLLOW_UP_METHOD_LABELS,
    "ground_labels": APPEAL_GROUND_LABELS,
}


def get_task_for_officer_or_404(task_id: int) -> RectificationTask:
    """A task of the current user's department (admins: any), else 404."""
    task = db.session.get(RectificationTask, task_id)
    if task is None or not works_for(current_user, task.department_id):
        abort(404)
    return task


def _page(stmt, order):
    try:
        return paginate(db.session, stmt, order, request.args.get("cursor"), per_page=50)
    except InvalidCursor:
        abort(400)


@bp.get("/office/rectifications")
@worker_required
def tasks():
    """The department's rectification tasks: open ones by due date (overdue first), or done / withdrawn."""
    department, choices = working_department()
    status = request.args.get("status", TASK_OPEN)
    if status not in TASK_STATUSES:
        status = TASK_OPEN
    page = None
    if department is not None:
        stmt = sa.select(RectificationTask).where(RectificationTask.department_id == department.id,
                                                 RectificationTask.status == status)
        page = _page(stmt, (RectificationTask.due_on, RectificationTask.id))
    return render_template("practice/tasks.html", department=department, departments=choices, page=page,
                           status=status, today=local_today(), **LABELS)


def _render_task(task: RectificationTask, follow_up=None, complete=None, status: int = 200):
    return render_template(
        "practice/task.html", task=task, today=local_today(),
        follow_up=follow_up or FollowUpForm(formdata=None, contacted_by=current_user.display_name),
        complete=complete or CompleteTaskForm(formdata=None), **LABELS,
    ), status


@bp.get("/office/rectifications/<int:task_id>")
@worker_required
def task_detail(task_id: int):
    """One task: the complaint, the follow-up record and the result."""
    return _render_task(get_task_for_officer_or_404(task_id))


@bp.post("/office/rectifications/<int:task_id>/follow-up")
@worker_required
def record_follow_up(task_id: int):
    """Record the follow-up (回访)."""
    task = get_task_for_officer_or_404(task_id)
    form = FollowUpForm()
    if not form.validate_on_submit():
        return _render_task(task, follow_up=form, status=422)
    contacted_at = form.contacted_at.data.replace(tzinfo=zone()) if isinstance(form.contacted_at.data, datetime) \
        else None
    try:
        rectification.record_follow_up(task, actor=current_user, contacted_by=form.contacted_by.data,
                                       contacted_at=contacted_at, method=form.method.data, outcome=form.outcome.data)
    except DomainError as error:
        status = show_error(error, form)
        return _render_task(db.session.get(RectificationTask, task_id), follow_up=form, status=status)
    flash(_("The follow-up has been recorded."), "success")
    return redirect(url_for("practice.task_detail", task_id=task_id), 303)


@bp.post("/office/rectifications/<int:task_id>/complete")
@worker_required
def complete_task(task_id: int):
    """Complete the task with what was rectified (refused without a follow-up record)."""
    task = get_task_for_officer_or_404(task_id)
    form = CompleteTaskForm()
    if not form.validate_on_submit():
        return _render_task(task, complete=form, status=422)
    try:
        rectification.complete_task(task, actor=current_user, result=form.result.data)
    except DomainError as error:
        status = show_error(error, form)
        return _render_task(db.session.get(RectificationTask, task_id), complete=form, status=status)
    flash(_("The rectification has been completed."), "success")
    return redirect(url_for("practice.task_detail", task_id=task_id), 303)


@bp.get("/office/appeals")
@worker_required
def department_appeals():
    """The department's appeals against ratings and their decisions, newest first."""
    department, choices = working_department()
    page = None
    if department is not None:
        stmt = sa.select(RatingAppeal).where(RatingAppeal.department_id == department.id)
        page = _page(stmt, (RatingAppeal.id.desc(),))
    return render_template("practice/appeals.html", department=department, departments=choices, page=page,
                           **LABELS)


@bp.route("/office/submissions/<int:submission_id>/appeal", methods=["GET", "POST"])
@worker_required
def appeal(submission_id: int):
    """Appeal the submission's current poor rating as mistaken or malicious."""
    submission = get_submission_for_officer_or_404(submission_id)
    form = AppealForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                appeals.file_appeal(submission, actor=current_user, ground=form.ground.data, reason=form.reason.data)
            except DomainError as error:
                status = show_error(error, form)
                submission = get_submission_for_officer_or_404(submission_id)
            else:
                flash(_("The appeal has been sent to an administrator."), "success")
                return redirect(url_for("practice.department_appeals",
                                        department=submission.department_id if current_user.role == ADMIN else None), 303)
        else:
            status = 422
    return render_template("practice/appeal_form.html", submission=submission, form=form,
                           existing=appeals.appeal_of_current_rating(submission),
                           can_appeal=appeals.can_appeal(submission), **LABELS), status
