"""Admin pages of the mailboxes (under /admin/mailboxes): every mailbox with its settings, creating and
editing one."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from consult.accounts.departments import ordered_departments
from consult.accounts.models import Department
from consult.authz import admin_required
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db
from consult.i18n import current_locale_code
from consult.mailbox.forms import MailboxForm
from consult.mailbox.models import CATEGORIES, CATEGORY_LABELS, Mailbox
from consult.mailbox.services import save_mailbox
from consult.mailbox.views import bp

@bp.get("/admin/mailboxes")
@admin_required
def admin_list():
    """Every mailbox with its settings and counters."""
    mailboxes = db.session.scalars(
        sa.select(Mailbox).options(sa.orm.joinedload(Mailbox.department)).order_by(Mailbox.name)
    ).all()
    return render_template("mailbox/admin_list.html", mailboxes=mailboxes, category_labels=CATEGORY_LABELS)


@bp.route("/admin/mailboxes/new", methods=["GET", "POST"])
@bp.route("/admin/mailboxes/<int:mailbox_id>", methods=["GET", "POST"])
@admin_required
def admin_edit(mailbox_id: int | None = None):
    """Create or edit a mailbox: department, categories, answer window, publication, attachments."""
    mailbox = db.get_or_404(Mailbox, mailbox_id) if mailbox_id else None
    form = MailboxForm(obj=mailbox)
    locale = current_locale_code()
    departments = ordered_departments()
    form.department_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(d.id, d.display_name(locale)) for d in departments
    ]
    if request.method == "GET" and mailbox is None:
        form.categories.data = list(CATEGORIES)
    status = 200
    if form.validate_on_submit():
        try:
            saved = save_mailbox(
                mailbox, name=form.name.data, department=db.session.get(Department, form.department_id.data or 0),
                description=form.description.data, categories=form.categories.data or [],
                window_workdays=form.window_workdays.data, allow_publication=form.allow_publication.data,
                allow_attachments=form.allow_attachments.data, active=form.active.data,
                require_verified_phone=form.require_verified_phone.data,
            )
        except DomainError as error:
            status = show_error(error, form)
        else:
            flash(_("The mailbox “%(name)s” has been saved.", name=saved.name), "success")
            return redirect(url_for("mailbox.admin_list"))
    elif form.errors:
        status = 422
    return render_template("mailbox/admin_form.html", form=form, mailbox=mailbox), status
