"""Shared form pieces."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import BooleanField, EmailField, StringField, TelField
from wtforms.validators import DataRequired, Email, Length, Optional

NAME_MAX = 80


def email_field(label=None, required: bool = True, check_format: bool = True) -> EmailField:
    """An e-mail field; ``check_format=False`` where an address is only looked up (log in), so accounts on
    special-use domains such as the demo's ``consult.localhost`` can still sign in."""
    validators = [Length(max=254, message=_l("At most 254 characters."))]
    if required:
        validators.insert(0, DataRequired(message=_l("Please enter your e-mail address.")))
    if check_format:
        validators.append(Email(message=_l("Please enter a valid e-mail address."), check_deliverability=False))
    return EmailField(label or _l("E-mail"), validators=validators, filters=[strip])


def name_field(label=None) -> StringField:
    return StringField(
        label or lazy_pgettext("person", "Name"),
        validators=[
            DataRequired(message=_l("Please enter a name.")),
            Length(max=NAME_MAX, message=_l("At most 80 characters.")),
        ],
        filters=[strip],
    )


def strip(value):
    """A form filter: surrounding white space removed from text, any other value as it is."""
    return value.strip() if isinstance(value, str) else value


def field_attrs(described: list[str], field, autocomplete: str | None = None) -> dict:
    """HTML attributes for a form field: only those that apply (WTForms would print ``None``)."""
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    if field.flags.required:
        attrs["required"] = True
    return attrs


def init_app(app) -> None:
    app.jinja_env.globals["field_attrs"] = field_attrs


def sms_choice_field() -> BooleanField:
    """The citizen's choice of channel for news of their submission (consult.tracking.mails.sms_number)."""
    return BooleanField(
        _l("Tell me of progress by SMS instead of e-mail"),
        description=_l("To the mobile number you give: the receipt, requests for information, extensions and the "
                       "answer. A text message never contains your query code."),
    )


def citizen_name_field(max_length: int) -> StringField:
    """The name a citizen signs a letter or a question with: required, at most ``max_length`` characters (the
    service's own limit). Declared in the form beside :func:`contact_fields`::

        name = citizen_name_field(NAME_MAX)
        phone, email, notify_by_sms = contact_fields()
    """
    return StringField(_l("Your name"), filters=[strip], validators=[
        DataRequired(message=_l("Please enter your name.")),
        Length(max=max_length, message=_l("At most %(max)d characters.")),
    ])


def contact_fields() -> tuple[TelField, EmailField, BooleanField]:
    """How a citizen who sends a letter, an information request or an interview question can be reached:
    ``phone, email, notify_by_sms = contact_fields()`` in the form's class body (new fields each call, made
    where they are declared, so the form keeps its order). The service checks and normalises what is typed
    (consult.contacts) and asks for at least one of phone and e-mail."""
    phone = TelField(_l("Phone"), filters=[strip], validators=[Length(max=32)],
                     description=_l("A mobile number such as 13800138000, or a landline with its area code."))
    email = EmailField(_l("E-mail"), filters=[strip], validators=[
        Optional(), Length(max=254),
        Email(message=_l("Please enter a valid e-mail address."), check_deliverability=False),
    ])
    return phone, email, sms_choice_field()


def chosen_channel(form) -> str | None:
    """"sms" when the form's SMS box is ticked, else None (e-mail if an address was left, else SMS)."""
    field = getattr(form, "notify_by_sms", None)
    return "sms" if field is not None and field.data else None
