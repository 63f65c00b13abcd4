"""Forms for events, registrations, decisions, the draw, check-in and questions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, URL

from consult.events.models import MODE_LABELS, MODES
from consult.forms import name_field
from consult.tracking.forms import IntakeForm

_DT_FORMAT = "%Y-%m-%dT%H:%M"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _moment(label):
    return DateTimeLocalField(
        label, format=_DT_FORMAT, validators=[DataRequired(message=_l("Please enter a date and time."))]
    )


class EventForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Please enter a title.")),
                                                 Length(max=200, message=_l("At most 200 characters."))],
                        filters=[_strip])
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)],
                                description=_l("Markdown: **bold**, lists, links. Shown on the event page."))
    department_id = SelectField(_l("Department"), coerce=int)
    venue = StringField(_l("Venue"), validators=[DataRequired(message=_l("Please enter the venue.")),
                                                 Length(max=200)], filters=[_strip])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)], filters=[_strip])
    map_url = StringField(_l("Map link"), validators=[Optional(), Length(max=500),
                                                      URL(message=_l("Please enter a web address (https://…)."))],
                          filters=[_strip], description=_l("A link to the place on an online map (optional)."))
    starts_at = _moment(_l("Starts at"))
    ends_at = _moment(_l("Ends at"))
    registration_opens_at = _moment(_l("Registration opens at"))
    registration_closes_at = _moment(_l("Registration closes at"))
    capacity = IntegerField(_l("Seats"), validators=[DataRequired(message=_l("Please enter the number of seats.")),
                                                     NumberRange(min=1, max=100000)])
    mode = SelectField(_l("How seats are given"), choices=[SelectChoice(m, MODE_LABELS[m]) for m in MODES])
    require_phone = BooleanField(_l("Ask for a phone number"), default=True)
    require_email = BooleanField(_l("Ask for an e-mail address"), default=True)
    ask_id_card = BooleanField(_l("Ask for an ID card number (only the last 4 characters are kept)"))
    published = BooleanField(_l("Published (visible to the public)"), default=True)


class RegistrationForm(FlaskForm):
    name = name_field()
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(min=5, max=32)], filters=[_strip])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254),
                                                  Email(message=_l("Please enter a valid e-mail address."),
                                                        check_deliverability=False)],
                        filters=[_strip])
    id_card = StringField(_l("ID card number"), validators=[Optional(), Length(min=6, max=32)], filters=[_strip],
                          description=_l("Only the last 4 characters are stored, to check your identity at the door."))

    def require_for(self, event) -> None:
        """Mark the fields this event asks for as required (for the label and the browser)."""
        self.phone.flags.required = event.require_phone
        self.email.flags.required = event.require_email
        self.id_card.flags.required = event.ask_id_card


class ConfirmForm(FlaskForm):
    """A button with CSRF protection (cancel, approve)."""


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Please give the reason.")),
                                                     Length(max=2000)],
                           description=_l("The person receives this reason by e-mail."))


class DrawForm(FlaskForm):
    seed = StringField(_l("Seed"), validators=[Optional(), Length(max=64)], filters=[_strip],
                       description=_l("Leave empty for a random seed, or announce one in advance. It is published."))


class CheckinForm(FlaskForm):
    code = StringField(_l("Check-in code"), validators=[DataRequired(message=_l("Please enter the code.")),
                                                        Length(max=300)], filters=[_strip],
                       description=_l("Type the 8-character code under the QR code, or scan the QR code."))


class QuestionForm(IntakeForm):
    subject = StringField(_l("Subject"), validators=[Optional(), Length(max=200)], filters=[_strip])
    body = TextAreaField(_l("Your question or comment"),
                         validators=[DataRequired(message=_l("Please write your message.")), Length(max=5000)])
