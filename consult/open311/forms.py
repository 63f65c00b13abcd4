"""The admin's form for Open311 client keys."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class NewKeyForm(FlaskForm):
    name = StringField(
        _l("Who will use the key"),
        validators=[DataRequired(message=_l("Please say who will use this key.")),
                    Length(max=120, message=_l("At most 120 characters."))],
        description=_l("For example the name of the app or the organisation, so you know which key to revoke."),
    )


class RevokeKeyForm(FlaskForm):
    """Only the CSRF token."""
