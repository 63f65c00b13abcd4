"""The admin's stance lexicon (under /admin/stance-lexicon): the cue phrases the analysis tags stances with."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.authz import admin_required
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db
from consult.workbench import lexicon
from consult.workbench.forms import LexiconForm, RestoreForm
from consult.workbench.views import bp


def _page(form: LexiconForm, status: int = 200):
    newest = lexicon.current()
    return render_template("workbench/lexicon.html", form=form, shown=lexicon.shown(lexicon.current_text()),
                           newest=newest, versions=lexicon.history(), restore_form=RestoreForm()), status


@bp.route("/admin/stance-lexicon", methods=["GET", "POST"])
@admin_required
def lexicon_page():
    """The lexicon in use, listed per stance, and the form that edits it; saved versions below."""
    form = LexiconForm()
    if request.method == "GET":
        form.body.data = lexicon.current_text()
        return _page(form)
    if not form.validate():
        return _page(form, 422)
    try:
        saved = lexicon.save(form.body.data, current_user)
    except DomainError as error:
        return _page(form, show_error(error, form))
    return _committed(saved, _("The lexicon is saved. The next analysis of each draft uses it; analyses already "
                               "done change only when they are run again."))


@bp.post("/admin/stance-lexicon/shipped")
@admin_required
def restore_shipped_lexicon():
    """Use the lexicon shipped with Consult again (saved as the newest version)."""
    return _restore(None)


@bp.post("/admin/stance-lexicon/versions/<int:version_id>")
@admin_required
def restore_lexicon(version_id: int):
    """Use a saved version again (saved as the newest version)."""
    return _restore(version_id)


def _restore(version_id: int | None):
    if not RestoreForm().validate_on_submit():
        flash(_("The form has expired. Please send it again."), "error")
        return redirect(url_for("workbench.lexicon_page"))
    try:
        saved = lexicon.restore(version_id, current_user)
    except DomainError as error:
        show_error(error)
        return redirect(url_for("workbench.lexicon_page"))
    return _committed(saved, _("The lexicon is restored. The next analysis of each draft uses it; analyses "
                               "already done change only when they are run again."))


def _committed(saved, done: str):
    """Commit a save or a restore and go back to the lexicon page, saying whether anything changed."""
    db.session.commit()
    flash(_("Nothing changed: this is the lexicon in use.") if saved is None else done, "success")
    return redirect(url_for("workbench.lexicon_page"))
