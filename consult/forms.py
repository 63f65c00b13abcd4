"""Shared form pieces."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length

NAME_MAX = 80


def email_field(label=None, required: bool = True) -> EmailField:
    validators = [Length(max=254, message=_l("At most 254 characters."))]
    if required:
        validators.insert(0, DataRequired(message=_l("Please enter your e-mail address.")))
    validators.append(Email(message=_l("Please enter a valid e-mail address."), check_deliverability=False))
    return EmailField(label or _l("E-mail"), validators=validators, filters=[_strip])


def name_field(label=None) -> StringField:
    return StringField(
        label or _l("Name"),
        validators=[
            DataRequired(message=_l("Please enter a name.")),
            Length(max=NAME_MAX, message=_l("At most 80 characters.")),
        ],
        filters=[_strip],
    )


def _strip(value):
    return value.strip() if isinstance(value, str) else value
