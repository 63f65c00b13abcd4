"""The admin's list of sensitive words (under /admin/sensitive-words): comments containing one are held
for moderation."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from consult.authz import admin_required
from consult.domain import DomainError
from consult.drafts import moderation
from consult.drafts.forms import ConfirmForm, SensitiveWordsForm
from consult.drafts.views import bp
from consult.errors import show_error


@bp.route("/admin/sensitive-words", methods=["GET", "POST"])
@admin_required
def sensitive_words():
    """The sensitive-word list: comments containing one are held for moderation."""
    form = SensitiveWordsForm()
    if form.validate_on_submit():
        try:
            added = moderation.add_sensitive_words(form.words.data)
            flash(_("%(n)s words added.", n=added), "success")
            return redirect(url_for("drafts.sensitive_words"))
        except DomainError as error:
            show_error(error, form)
    return render_template("drafts/office/sensitive_words.html", form=form, words=moderation.sensitive_words(),
                           confirm=ConfirmForm(), refresh_seconds=current_app.config["CONSULT_SENSITIVE_WORDS_SECONDS"])


@bp.post("/admin/sensitive-words/<int:word_id>/delete")
@admin_required
def delete_sensitive_word(word_id: int):
    """Remove a word from the list."""
    if ConfirmForm().validate_on_submit():
        moderation.remove_sensitive_word(word_id)
        flash(_("The word has been removed."), "success")
    return redirect(url_for("drafts.sensitive_words"))
