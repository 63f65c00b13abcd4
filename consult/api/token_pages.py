"""Staff pages for personal API tokens (HTML, with CSRF): list, create (the secret shown once), revoke."""

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from consult.accounts.models import STAFF_ROLES
from consult.api import tokens
from consult.api.models import ApiToken
from consult.authz import role_required
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db
from consult.forms import strip

bp = Blueprint("api_tokens", __name__)

EXPIRY_LABELS = {30: _l("In 30 days"), 90: _l("In 90 days"), 365: _l("In a year"), 0: _l("Never")}


class TokenForm(FlaskForm):
    name = StringField(
        lazy_pgettext("thing", "Name"), filters=[strip],
        validators=[DataRequired(message=_l("Please name the token, e.g. after the program that uses it.")),
                    Length(max=tokens.NAME_MAX, message=_l("At most %(max)d characters."))],
        description=_l("So you recognise it later, e.g. “county dashboard” or “inbox script”."),
    )
    expires_in_days = SelectField(
        _l("Expires"), coerce=int, default=90,
        choices=[SelectChoice(days, EXPIRY_LABELS[days]) for days in tokens.EXPIRY_CHOICES],
    )


class RevokeForm(FlaskForm):
    """Only the CSRF token: revoking needs no input."""


def _page(form: TokenForm, status: int = 200, secret: str | None = None, created: ApiToken | None = None):
    user = current_user._get_current_object()
    page = render_template(
        "api/tokens.html", form=form, revoke_form=RevokeForm(), tokens=tokens.user_tokens(user),
        is_active=tokens.is_active, secret=secret, created=created,
    )
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"  # the secret must not stay in any cache
    return response


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def index():
    """Your API tokens; create one (its secret is shown once, on the answer to the form)."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, secret = tokens.create_token(current_user._get_current_object(), form.name.data,
                                                form.expires_in_days.data)
        except DomainError as error:
            return _page(form, show_error(error, form))
        return _page(TokenForm(formdata=None), 201, secret=secret, created=token)
    return _page(form, 422 if form.errors else 200)


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@role_required(*STAFF_ROLES)
def revoke(token_id: int):
    """Revoke one of your tokens: programs using it get 401 from now on."""
    token = db.get_or_404(ApiToken, token_id)
    if token.user_id != current_user.id:
        abort(404)
    if RevokeForm().validate_on_submit():
        tokens.revoke_token(token, actor=current_user._get_current_object())
        flash(_("The token “%(name)s” is revoked.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))
