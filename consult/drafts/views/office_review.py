"""Reviewers: approve drafts and feedback reports, moderate comments; admins: the sensitive-word list."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import jobs
from consult.accounts.models import ADMIN, EDITOR, OFFICER, REVIEWER
from consult.authz import role_required, works_on_drafts_of
from consult.domain import DomainError
from consult.drafts import moderation, publishing, report, services, transitions
from consult.drafts.forms import ConfirmForm, NoteForm, PublishForm, RejectForm
from consult.drafts.models import Comment, ReportPublication
from consult.drafts.views import bp
from consult.drafts.views.common import get_draft_for_staff_or_404
from consult.errors import show_error
from consult.extensions import db
from consult.pagination import InvalidCursor, paginate

reviewer_required = role_required(REVIEWER, ADMIN)


def _back(draft_id: int):
    return redirect(url_for("drafts.office_detail", draft_id=draft_id))


@bp.post("/office/drafts/<int:draft_id>/approve")
@reviewer_required
def approve(draft_id: int):
    """Approve a draft in review: it opens at its opening time (at once if that has passed)."""
    draft = get_draft_for_staff_or_404(draft_id)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            services.approve_draft(draft, current_user, without_interpretation=form.without_interpretation.data)
            flash(_("The draft has been approved."), "success")
        except DomainError as error:
            show_error(error)
    return _back(draft.id)


@bp.post("/office/drafts/<int:draft_id>/return")
@reviewer_required
def return_draft(draft_id: int):
    """Send a draft in review back to the editor with a note."""
    draft = get_draft_for_staff_or_404(draft_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            services.return_draft(draft, current_user, form.note.data or "")
            flash(_("The draft has been returned to the editor."), "success")
        except DomainError as error:
            show_error(error)
    return _back(draft.id)


@bp.post("/office/drafts/<int:draft_id>/report/approve")
@reviewer_required
def approve_report(draft_id: int):
    """Publish the feedback report: queue its job (answering every comment takes minutes on a large draft) and
    show its progress. A second click while it is queued or running shows the same one."""
    draft = get_draft_for_staff_or_404(draft_id)
    if not ConfirmForm().validate_on_submit():
        return _back(draft.id)
    try:
        publication, queued = publishing.request_publication(draft, current_user, request.url_root)
    except DomainError as error:
        show_error(error)
        return _back(draft.id)
    db.session.commit()  # the job reads the publication from its own session
    if queued:
        jobs.start(publishing.run_publication, publication.id,
                   description=f"Publish the feedback report (draft {draft.id})")
        flash(_("The feedback report is being published. This page shows how far it has got."), "success")
    else:
        flash(_("The feedback report is already being published."), "info")
    return redirect(url_for("drafts.report_publication", draft_id=draft.id, publication_id=publication.id))


@bp.get("/office/drafts/<int:draft_id>/report/publications/<int:publication_id>")
@role_required(EDITOR, ADMIN, REVIEWER, OFFICER)
def report_publication(draft_id: int, publication_id: int):
    """How the publication of the feedback report goes: waiting, answering the comments, done or failed."""
    draft = get_draft_for_staff_or_404(draft_id)
    publication = db.get_or_404(ReportPublication, publication_id)
    if publication.draft_id != draft.id:
        abort(404)
    if not works_on_drafts_of(current_user, draft.department_id):
        abort(403)
    stale = publishing.is_stale(publication)
    return render_template(
        "drafts/office/publication.html", draft=draft, publication=publication, stale=stale,
        active=publication.status in publishing.ACTIVE and not stale, confirm=ConfirmForm(),
        may_retry=(publication.status == "failed" or stale) and "review_report" in transitions.allowed_actions(
            current_user, draft),
    )


@bp.post("/office/drafts/<int:draft_id>/report/return")
@reviewer_required
def return_report(draft_id: int):
    """Send the feedback report back to the editor."""
    draft = get_draft_for_staff_or_404(draft_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            report.return_report(draft, current_user, form.note.data or "")
            flash(_("The report has been returned to the editor."), "success")
        except DomainError as error:
            show_error(error)
    return _back(draft.id)


@bp.get("/office/drafts/moderation")
@reviewer_required
def moderation_queue():
    """Held comments and reported comments waiting for a decision, oldest first."""
    stmt = moderation.moderation_queue(current_user)
    try:
        page = paginate(db.session, stmt, (Comment.id,), request.args.get("cursor"), per_page=30)
    except InvalidCursor:
        abort(400)
    return render_template("drafts/office/moderation.html", page=page, confirm=ConfirmForm(), reject=RejectForm())


@bp.post("/office/drafts/comments/<int:comment_id>/moderate")
@reviewer_required
def moderate(comment_id: int):
    """Approve, keep (after reports) or reject a comment; a rejection tells the writer why."""
    comment = db.get_or_404(Comment, comment_id)
    action = request.form.get("action")
    form = RejectForm() if action == "reject" else ConfirmForm()
    if not form.validate_on_submit():
        flash(_("Please give the reason the writer will see."), "error")
        return redirect(url_for("drafts.moderation_queue"))
    try:
        if action == "approve":
            moderation.approve_comment(comment, current_user)
        elif action == "keep":
            moderation.keep_comment(comment, current_user)
        elif action == "reject":
            moderation.reject_comment(comment, current_user, form.reason.data)
        else:
            abort(400)
        flash(_("Done."), "success")
    except DomainError as error:
        show_error(error)
    return redirect(url_for("drafts.moderation_queue"))
