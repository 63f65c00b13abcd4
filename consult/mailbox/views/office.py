"""Staff pages of the mailboxes: a department's open letters, moving a letter to another mailbox."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from consult.accounts.models import ADMIN
from consult.authz import WORKER_ROLES, role_required, works_for
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db
from consult.i18n import current_locale_code
from consult.localtime import local_today
from consult.mailbox import queries
from consult.mailbox.forms import MoveLetterForm
from consult.mailbox.models import CATEGORY_LABELS, Letter, Mailbox
from consult.mailbox.services import move_letter
from consult.mailbox.views import bp
from consult.pagination import InvalidCursor, paginate
from consult.tracking.transitions import STATUS_LABELS


def get_letter_for_officer_or_404(letter_id: int) -> Letter:
    """A letter handled by the current user's department (any, for admins); 404 otherwise."""
    letter = db.get_or_404(Letter, letter_id)
    if not works_for(current_user, letter.submission.department_id):
        abort(404)
    return letter


@bp.get("/mailboxes/office")
@role_required(*WORKER_ROLES)
def office():
    """The department's letters still waiting for an answer, by due date, with their mailbox; links to the
    frequently asked questions of the department's mailboxes."""
    department_id = None if current_user.role == ADMIN else current_user.department_id
    try:
        page = paginate(db.session, queries.department_letters_query(department_id), queries.OFFICE_ORDER,
                        request.args.get("cursor"), per_page=50)
    except InvalidCursor:
        abort(400)
    mailboxes = sa.select(Mailbox).order_by(Mailbox.name)
    if department_id is not None:
        mailboxes = mailboxes.where(Mailbox.department_id == department_id)
    return render_template("mailbox/office.html", page=page, today=local_today(), status_labels=STATUS_LABELS,
                           category_labels=CATEGORY_LABELS, mailboxes=db.session.scalars(mailboxes).all())


@bp.route("/mailboxes/letters/<int:letter_id>/move", methods=["GET", "POST"])
@role_required(*WORKER_ROLES)
def move(letter_id: int):
    """Move a letter filed in the wrong mailbox to another one, with a note (another department's box:
    the letter is transferred to that department too)."""
    letter = get_letter_for_officer_or_404(letter_id)
    targets = db.session.scalars(
        sa.select(Mailbox).where(Mailbox.active.is_(True), Mailbox.id != letter.mailbox_id).order_by(Mailbox.name)
    ).all()
    form = MoveLetterForm(category=letter.category)
    locale = current_locale_code()
    form.mailbox_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(m.id, f"{m.name} · {m.department.display_name(locale)}") for m in targets
    ]
    status = 200
    if form.validate_on_submit():
        target = next((m for m in targets if m.id == form.mailbox_id.data), None)
        if target is None:
            form.mailbox_id.errors = list(form.mailbox_id.errors) + [_("Please choose a mailbox.")]
            status = 422
        else:
            try:
                move_letter(letter, target, actor=current_user._get_current_object(), note=form.note.data,
                            category=form.category.data)
            except DomainError as error:
                status = show_error(error, form)
            else:
                flash(_("The letter has been moved to “%(name)s”.", name=target.name), "success")
                if works_for(current_user, letter.submission.department_id):
                    return redirect(url_for("mailbox.move", letter_id=letter.id))
                return redirect(url_for("mailbox.office"))
    elif form.errors:
        status = 422
    return render_template("mailbox/move.html", form=form, letter=letter, submission=letter.submission,
                           status_labels=STATUS_LABELS, category_labels=CATEGORY_LABELS), status
