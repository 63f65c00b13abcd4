"""Admin page for Open311 client keys: create one (shown once), revoke one."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.authz import admin_required
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db
from consult.open311 import keys
from consult.open311.forms import NewKeyForm, RevokeKeyForm
from consult.open311.models import Open311Key
from consult.open311.views import admin_bp as bp


def _render(form: NewKeyForm, secret: str | None = None, status: int = 200):
    return render_template(
        "open311/keys.html", form=form, keys=keys.all_keys(), secret=secret,
    ), status


@bp.route("", methods=["GET", "POST"])
@admin_required
def keys_page():
    """The keys, and a form that creates one and shows its secret once."""
    form = NewKeyForm()
    if form.validate_on_submit():
        try:
            new = keys.create_key(form.name.data, created_by=current_user)
        except DomainError as error:
            return _render(form, status=show_error(error, form))
        form = NewKeyForm(formdata=None)
        return _render(form, secret=new.secret)
    return _render(form, status=422 if form.errors else 200)


@bp.post("/<int:key_id>/revoke")
@admin_required
def revoke(key_id: int):
    """Stop accepting a key."""
    key = db.get_or_404(Open311Key, key_id)
    if RevokeKeyForm().validate_on_submit():
        keys.revoke_key(key)
        flash(_("The key “%(name)s” no longer works.", name=key.name), "success")
    return redirect(url_for("open311_admin.keys_page"))
