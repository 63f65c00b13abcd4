"""Staff pages of a mailbox's frequently asked questions (常见问题): the officers and reviewers of the
mailbox's department (and admins) write, edit and remove entries, or make one from an answered letter."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.authz import WORKER_ROLES, role_required, works_for
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db
from consult.mailbox import faq
from consult.mailbox.forms import FaqForm
from consult.mailbox.models import PRIVATE_CATEGORIES, FaqEntry, Letter, Mailbox
from consult.mailbox.views import bp
from consult.pagination import InvalidCursor, paginate
from consult.tracking.models import ANSWERED, CLOSED, Submission

LETTERS_PER_PAGE = 20


def get_mailbox_for_faq_or_403(mailbox_id: int) -> Mailbox:
    """The mailbox (404 if none) when the current user keeps its FAQ, else 403."""
    mailbox = db.get_or_404(Mailbox, mailbox_id)
    if not works_for(current_user, mailbox.department_id):
        abort(403)
    return mailbox


def get_faq_for_staff_or_403(faq_id: int) -> FaqEntry:
    entry = db.get_or_404(FaqEntry, faq_id)
    get_mailbox_for_faq_or_403(entry.mailbox_id)
    return entry


def _answered_letters(mailbox: Mailbox):
    """The mailbox's answered letters (not reports), latest answer first, one page by cursor."""
    stmt = (
        sa.select(Letter).join(Submission, Submission.id == Letter.submission_id)
        .where(Letter.mailbox_id == mailbox.id, Submission.status.in_((ANSWERED, CLOSED)),
               Letter.category.not_in(tuple(PRIVATE_CATEGORIES)))
        .options(sa.orm.contains_eager(Letter.submission))
    )
    try:
        return paginate(db.session, stmt, (Submission.answered_at.desc(), Letter.id.desc()),
                        request.args.get("cursor"), per_page=LETTERS_PER_PAGE)
    except InvalidCursor:
        abort(400)


def _manage_page(mailbox: Mailbox, form: FaqForm, status: int = 200):
    made_from = set(db.session.scalars(sa.select(FaqEntry.source_letter_id).where(
        FaqEntry.mailbox_id == mailbox.id, FaqEntry.source_letter_id.is_not(None))))
    return render_template("mailbox/faq_manage.html", mailbox=mailbox, entries=faq.faq_entries(mailbox.id),
                           form=form, letters=_answered_letters(mailbox), made_from=made_from), status


@bp.get("/mailboxes/office/<int:mailbox_id>/faq")
@role_required(*WORKER_ROLES)
def faq_manage(mailbox_id: int):
    """The mailbox's FAQ with a form to add a question, and its answered letters to make entries from."""
    mailbox = get_mailbox_for_faq_or_403(mailbox_id)
    return _manage_page(mailbox, FaqForm(formdata=None))


@bp.post("/mailboxes/office/<int:mailbox_id>/faq")
@role_required(*WORKER_ROLES)
def faq_create(mailbox_id: int):
    """Add a question and its answer to the mailbox's FAQ."""
    mailbox = get_mailbox_for_faq_or_403(mailbox_id)
    form = FaqForm()
    if not form.validate_on_submit():
        return _manage_page(mailbox, form, 422)
    try:
        faq.save_faq(None, mailbox=mailbox, actor=current_user._get_current_object(), question=form.question.data,
                     answer=form.answer.data, position=form.position.data or 0)
    except DomainError as error:
        return _manage_page(mailbox, form, show_error(error, form))
    flash(_("The question has been added to the frequently asked questions."), "success")
    return redirect(url_for("mailbox.faq_manage", mailbox_id=mailbox.id))


@bp.route("/mailboxes/office/faq/<int:faq_id>/edit", methods=["GET", "POST"])
@role_required(*WORKER_ROLES)
def faq_edit(faq_id: int):
    """Change a question or its answer."""
    entry = get_faq_for_staff_or_403(faq_id)
    form = FaqForm(obj=entry)
    status = 200
    if form.validate_on_submit():
        try:
            faq.save_faq(entry, mailbox=entry.mailbox, actor=current_user._get_current_object(),
                         question=form.question.data, answer=form.answer.data, position=form.position.data or 0)
        except DomainError as error:
            status = show_error(error, form)
        else:
            flash(_("The question has been saved."), "success")
            return redirect(url_for("mailbox.faq_manage", mailbox_id=entry.mailbox_id))
    elif form.errors:
        status = 422
    return render_template("mailbox/faq_edit.html", form=form, entry=entry, mailbox=entry.mailbox), status


@bp.post("/mailboxes/office/faq/<int:faq_id>/delete")
@role_required(*WORKER_ROLES)
def faq_delete(faq_id: int):
    """Remove a question from the FAQ."""
    entry = get_faq_for_staff_or_403(faq_id)
    mailbox_id = entry.mailbox_id
    faq.delete_faq(entry, actor=current_user._get_current_object())
    flash(_("The question has been removed from the frequently asked questions."), "success")
    return redirect(url_for("mailbox.faq_manage", mailbox_id=mailbox_id))


@bp.post("/mailboxes/office/letters/<int:letter_id>/faq")
@role_required(*WORKER_ROLES)
def faq_from_letter(letter_id: int):
    """One click: a new FAQ entry from an answered letter (redacted), opened for editing."""
    letter = db.get_or_404(Letter, letter_id)
    get_mailbox_for_faq_or_403(letter.mailbox_id)
    try:
        entry = faq.faq_from_letter(letter, actor=current_user._get_current_object())
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("mailbox.faq_manage", mailbox_id=letter.mailbox_id))
    flash(_("A question has been made from the letter, without the writer's personal data. "
            "Please check it; it is already public."), "success")
    return redirect(url_for("mailbox.faq_edit", faq_id=entry.id))
