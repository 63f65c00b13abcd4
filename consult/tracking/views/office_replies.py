"""Replies: writing one for one or many submissions (from a template), the preview, review by a reviewer;
the reviewers' queues of replies and extension requests; the department's reply templates."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts.models import ADMIN, Department
from consult.authz import works_for
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db
from consult.pagination import InvalidCursor, paginate
from consult.search.similar import similar_replies
from consult.tracking import services
from consult.tracking.forms import ConfirmForm, ExtensionDecisionForm, ReplyForm, ReplyTemplateForm, ReviewNoteForm
from consult.tracking.models import ExtensionRequest, Reply, ReplyTemplate, Submission
from consult.tracking.views import bp
from consult.tracking.views.common import (
    get_extension_for_reviewer_or_404, get_reply_for_officer_or_404, reviewer_required, worker_required,
    working_department,
)  # fmt: skip
from consult.urls import int_arg, int_args

MAX_BULK = 200


def _selected_submissions() -> list[Submission]:
    """The submissions ticked in the inbox (``?submission=<id>`` repeated); 404 for any not the user's."""
    ids = sorted(set(int_args("submission")))[:MAX_BULK]
    if not ids:
        return []
    found = list(
        db.session.scalars(
            sa.select(Submission).where(Submission.id.in_(ids)).options(joinedload(Submission.department))
            .order_by(Submission.due_on, Submission.id)
        )
    )
    if len(found) != len(ids) or not all(works_for(current_user, s.department_id) for s in found):
        abort(404)
    return found


@bp.route("/office/replies/new", methods=["GET", "POST"])
@worker_required
def new_reply():
    """Write one reply for the selected submissions; ``?template=<id>`` starts from a reply template."""
    submissions = _selected_submissions()
    if not submissions:
        flash(_("Choose at least one submission to reply to."), "error")
        return redirect(url_for("tracking.inbox"))
    department_id = submissions[0].department_id
    templates = services.reply_templates_for(department_id)
    form = ReplyForm()
    chosen = int_arg("template")
    similar = similar_replies(" ".join(f"{s.subject} {s.body}" for s in submissions[:20]), department_id,
                              [s.id for s in submissions])
    if request.method == "GET" and chosen:
        template = next((t for t in templates if t.id == chosen), None)
        if template is not None:
            form.body.data = template.body
    earlier = int_arg("earlier")
    if request.method == "GET" and earlier:
        copied = next((r for r in similar if r.reply_id == earlier), None)
        if copied is not None:  # only a reply offered here: the department's own, approved
            form.body.data = copied.body
    status = 200
    if form.validate_on_submit():
        try:
            reply = services.create_reply(current_user, submissions, form.body.data)
        except DomainError as error:
            status = show_error(error, form)
            submissions = _selected_submissions()
        else:
            flash(_("The reply has been saved as a draft. Check the preview, then submit it for review."), "success")
            return redirect(url_for("tracking.reply_detail", reply_id=reply.id), 303)
    elif form.errors:
        status = 422
    return render_template(
        "tracking/reply_new.html", form=form, submissions=submissions, templates=templates,
        ids=[s.id for s in submissions], similar=similar,
    ), status


def render_reply(reply: Reply, status: int = 200, form: ReplyForm | None = None,
                 note_form: ReviewNoteForm | None = None):
    """The reply page: preview, the submissions it answers, and the forms its state allows."""
    return render_template(
        "tracking/reply.html", reply=reply, editable=services.may_edit_reply(reply, current_user),
        can_review=services.may_review_reply(reply, current_user),
        form=form or ReplyForm(formdata=None, body=reply.body), note_form=note_form or ReviewNoteForm(formdata=None),
        confirm=ConfirmForm(formdata=None),
    ), status


@bp.route("/office/replies/<int:reply_id>", methods=["GET", "POST"])
@worker_required
def reply_detail(reply_id: int):
    """Preview a reply; its author edits it here while it is a draft or returned."""
    reply = get_reply_for_officer_or_404(reply_id)
    if request.method == "GET":
        return render_reply(reply)
    form = ReplyForm()
    if not form.validate_on_submit():
        return render_reply(reply, 422, form=form)
    try:
        services.update_reply(reply, editor=current_user, body=form.body.data)
    except DomainError as error:
        status = show_error(error, form)
        return render_reply(get_reply_for_officer_or_404(reply_id), status, form=form)
    flash(_("The reply has been saved."), "success")
    return redirect(url_for("tracking.reply_detail", reply_id=reply_id), 303)


def _reply_action(reply_id: int, form_class, perform, done):
    reply = get_reply_for_officer_or_404(reply_id)
    form = form_class()
    if not form.validate_on_submit():
        return render_reply(reply, 422, note_form=form if isinstance(form, ReviewNoteForm) else None)
    try:
        perform(reply, form)
    except DomainError as error:
        status = show_error(error, form)
        note_form = form if isinstance(form, ReviewNoteForm) else None
        return render_reply(get_reply_for_officer_or_404(reply_id), status, note_form=note_form)
    flash(done, "success")
    return redirect(url_for("tracking.reply_detail", reply_id=reply_id), 303)


@bp.post("/office/replies/<int:reply_id>/submit")
@worker_required
def submit_reply(reply_id: int):
    """Send the reply to the department's reviewers."""
    return _reply_action(reply_id, ConfirmForm, lambda reply, _form: services.submit_reply(reply, actor=current_user),
                         _("The reply has been submitted for review."))


@bp.post("/office/replies/<int:reply_id>/approve")
@reviewer_required
def approve_reply(reply_id: int):
    """Approve and send the reply: every submission it covers becomes answered."""

    def perform(reply, form):
        services.approve_reply(reply, reviewer=current_user, note=form.note.data or "")

    return _reply_action(reply_id, ReviewNoteForm, perform, _("The reply has been approved and sent."))


@bp.post("/office/replies/<int:reply_id>/return")
@reviewer_required
def return_reply(reply_id: int):
    """Send the reply back to its author with a note."""

    def perform(reply, form):
        services.return_reply(reply, reviewer=current_user, note=form.note.data or "")

    return _reply_action(reply_id, ReviewNoteForm, perform, _("The reply has been returned to its author."))


def _page(stmt, order):
    try:
        return paginate(db.session, stmt.order_by(None), order, request.args.get("cursor"), per_page=50)
    except InvalidCursor:
        abort(400)


@bp.get("/office/review/replies")
@reviewer_required
def review_replies():
    """Replies of the department waiting for a reviewer, oldest first."""
    department, choices = working_department()
    page = None
    if department is not None:
        stmt = services.replies_awaiting_review(department.id).options(
            joinedload(Reply.author), selectinload(Reply.submissions)
        )
        page = _page(stmt, (Reply.id,))
    return render_template("tracking/review_replies.html", department=department, departments=choices, page=page)


def _render_extensions(department, choices, status: int = 200, form=None):
    page = None
    if department is not None:
        stmt = services.extensions_awaiting_review(department.id).options(
            joinedload(ExtensionRequest.requested_by), joinedload(ExtensionRequest.submission)
        )
        page = _page(stmt, (ExtensionRequest.id,))
    return render_template(
        "tracking/review_extensions.html", department=department, departments=choices, page=page,
        form=form or ExtensionDecisionForm(formdata=None),
        due_if_approved=services.due_dates_if_approved(page.items) if page else {},
    ), status


@bp.get("/office/review/extensions")
@reviewer_required
def review_extensions():
    """Extension requests of the department waiting for a decision, oldest first."""
    department, choices = working_department()
    return _render_extensions(department, choices)


@bp.post("/office/extensions/<int:request_id>/decide")
@reviewer_required
def decide_extension(request_id: int):
    """Approve (the due date moves and the citizen is told) or decline an extension request."""
    extension = get_extension_for_reviewer_or_404(request_id)
    form = ExtensionDecisionForm()
    department_id = extension.submission.department_id
    if not form.validate_on_submit() or form.decision.data not in ("approve", "decline"):
        flash(_("Please approve or decline."), "error")
        return _render_extensions(extension.submission.department, [], 422, form)
    try:
        services.decide_extension(extension, reviewer=current_user, approve=form.decision.data == "approve",
                                  note=form.note.data or "")
    except DomainError as error:
        status = show_error(error)
        return _render_extensions(db.session.get(Department, department_id), [], status, form)
    flash(_("The extension has been approved.") if form.decision.data == "approve"
          else _("The extension has been declined."), "success")
    target = url_for("tracking.review_extensions", department=department_id if current_user.role == ADMIN else None)
    return redirect(target, 303)


@bp.route("/office/reply-templates", methods=["GET", "POST"])
@worker_required
def reply_templates():
    """The department's reusable reply texts; add one here."""
    department, choices = working_department()
    form = ReplyTemplateForm()
    status = 200
    if department is not None and form.validate_on_submit():
        try:
            services.create_reply_template(current_user, department.id, form.title.data, form.body.data)
        except DomainError as error:
            status = show_error(error, form)
        else:
            flash(_("The template has been saved."), "success")
            return redirect(url_for("tracking.reply_templates", department=department.id if choices else None), 303)
    elif form.errors:
        status = 422
    templates = services.reply_templates_for(department.id) if department is not None else []
    return render_template(
        "tracking/reply_templates.html", department=department, departments=choices, form=form,
        templates=templates, confirm=ConfirmForm(formdata=None),
    ), status


@bp.post("/office/reply-templates/<int:template_id>/delete")
@worker_required
def delete_reply_template(template_id: int):
    """Remove a reply template of the department."""
    template = db.session.get(ReplyTemplate, template_id)
    if template is None or not works_for(current_user, template.department_id):
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.delete_reply_template(current_user, template)
        flash(_("The template has been deleted."), "success")
    return redirect(url_for("tracking.reply_templates"), 303)
