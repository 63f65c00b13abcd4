"""Each user's mail preferences (under /account/notifications)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.models import ROLES
from consult.authz import role_required
from consult.notify import services
from consult.notify.forms import MailPreferencesForm
from consult.notify.views import bp


@bp.route("/account/notifications", methods=["GET", "POST"])
@role_required(*ROLES)  # any logged-in user
def preferences():
    """Let a user turn optional mail off or on; essential mail always goes out."""
    # An unticked box sends nothing, so a POST always reads the form (even an empty one).
    form = MailPreferencesForm(
        formdata=request.form if request.method == "POST" else None,
        optional_mail=current_user.optional_mail,
    )
    if form.validate_on_submit():
        services.set_optional_mail(current_user._get_current_object(), form.optional_mail.data)
        flash(_("Your mail preferences have been saved."), "success")
        return redirect(url_for("notify.preferences"))
    return render_template("notify/preferences.html", form=form), 200 if not form.errors else 422
