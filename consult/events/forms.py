"""Forms for events, registrations, decisions, the draw, check-in and questions."""


from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
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

from consult.dispositions import DISPOSITION_LABELS, DISPOSITIONS
from consult.events.hearings import STATEMENT_MAX
from consult.events.models import (
    ATTENDEES, CATEGORIES, CATEGORY_LABELS, EVENT_TYPE_LABELS, EVENT_TYPES, FILE_AUDIENCE_LABELS, FILE_AUDIENCES,
    HEARING_CATEGORIES, MODE_LABELS, MODES,
)  # fmt: skip
from consult.forms import name_field, strip
from consult.tracking.forms import IntakeForm

_DT_FORMAT = "%Y-%m-%dT%H:%M"


def _moment(label):
    return DateTimeLocalField(
        label, format=_DT_FORMAT, validators=[DataRequired(message=_l("Please enter a date and time."))]
    )


class EventForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Please enter a title.")),
                                                 Length(max=200, message=_l("At most 200 characters."))],
                        filters=[strip])
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)],
                                description=_l("Markdown: **bold**, lists, links. Shown on the event page."))
    department_id = SelectField(_l("Department"), coerce=int)
    venue = StringField(_l("Venue"), validators=[DataRequired(message=_l("Please enter the venue.")),
                                                 Length(max=200)], filters=[strip])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)], filters=[strip])
    map_url = StringField(_l("Map link"), validators=[Optional(), Length(max=500),
                                                      URL(message=_l("Please enter a web address (https://…)."))],
                          filters=[strip], description=_l("A link to the place on an online map (optional)."))
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
    event_type = SelectField(_l("Kind of event"), choices=[SelectChoice(t, EVENT_TYPE_LABELS[t]) for t in EVENT_TYPES],
                             default=EVENT_TYPES[0],
                             description=_l("A hearing takes applications to speak by category; a public meeting "
                                            "takes attendees by category."))
    seats_stakeholder = IntegerField(CATEGORY_LABELS["stakeholder"], default=0, validators=[Optional(), NumberRange(min=0, max=10000)])
    seats_resident = IntegerField(CATEGORY_LABELS["resident"], default=0, validators=[Optional(), NumberRange(min=0, max=10000)])
    seats_expert = IntegerField(CATEGORY_LABELS["expert"], default=0, validators=[Optional(), NumberRange(min=0, max=10000)])
    seats_media = IntegerField(CATEGORY_LABELS["media"], default=0, validators=[Optional(), NumberRange(min=0, max=10000)])
    seats_other = IntegerField(CATEGORY_LABELS["other"], default=0, validators=[Optional(), NumberRange(min=0, max=10000)])
    agenda = TextAreaField(_l("Agenda"), validators=[Length(max=20000)],
                           description=_l("Markdown. Shown and mailed to confirmed attendees of a public meeting only."))
    materials = TextAreaField(_l("Materials"), validators=[Length(max=20000)],
                              description=_l("Markdown, e.g. links to the documents. Shown and mailed to confirmed "
                                             "attendees of a public meeting only."))

    def category_seats(self) -> dict[str, int]:
        return {category: getattr(self, f"seats_{category}").data or 0 for category in CATEGORIES}


def _registrant_contact_fields() -> tuple[StringField, StringField]:
    """The mobile phone and e-mail of someone who registers for an event or applies to speak at a hearing:
    ``phone, email = _registrant_contact_fields()``. Each is required when the event asks for it (the form's
    ``require_for``/``offer`` marks it; the service refuses what is missing)."""
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(min=5, max=32)], filters=[strip])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254),
                                                  Email(message=_l("Please enter a valid e-mail address."),
                                                        check_deliverability=False)],
                        filters=[strip])
    return phone, email


class RegistrationForm(FlaskForm):
    name = name_field()
    phone, email = _registrant_contact_fields()
    id_card = StringField(_l("ID card number"), validators=[Optional(), Length(min=6, max=32)], filters=[strip],
                          description=_l("Only the last 4 characters are stored, to check your identity at the door."))

    category = SelectField(_l("I attend as"), choices=[], validate_choice=False)

    def require_for(self, event) -> None:
        """Mark the fields this event asks for as required (for the label and the browser)."""
        self.category.choices = [SelectChoice("", _l("Please choose"))] + [
            SelectChoice(c, CATEGORY_LABELS[c]) for c in event.categories]
        self.category.flags.required = event.is_meeting
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
    seed = StringField(_l("Seed"), validators=[Optional(), Length(max=64)], filters=[strip],
                       description=_l("Leave empty for a random seed, or announce one in advance. It is published."))


class CheckinForm(FlaskForm):
    code = StringField(_l("Check-in code"), validators=[DataRequired(message=_l("Please enter the code.")),
                                                        Length(max=300)], filters=[strip],
                       description=_l("Type the 8-character code under the QR code, or scan the QR code."))


class QuestionForm(IntakeForm):
    subject = StringField(_l("Subject"), validators=[Optional(), Length(max=200)], filters=[strip])
    body = TextAreaField(_l("Your question or comment"),
                         validators=[DataRequired(message=_l("Please write your message.")), Length(max=5000)])


class SpeakerForm(IntakeForm):
    """An application to speak at a hearing (陈述人)."""

    name = name_field()
    phone, email = _registrant_contact_fields()
    category = SelectField(_l("I speak as"), choices=[], validate_choice=False)
    statement = TextAreaField(
        _l("Your statement"),
        validators=[DataRequired(message=_l("Please write what you want to say at the hearing.")),
                    Length(max=STATEMENT_MAX, message=_l("At most %(max)d characters."))],
        description=_l("In short: your view and its reasons. It is answered in the hearing report, whether or not "
                       "you are chosen to speak."))

    def offer(self, event, seats: dict[str, int]) -> None:
        """The categories with speaker places, and the contact fields the event asks for."""
        self.category.choices = [SelectChoice("", _l("Please choose"))] + [
            SelectChoice(c, CATEGORY_LABELS[c]) for c in HEARING_CATEGORIES if seats.get(c, 0) > 0]
        self.category.flags.required = True
        self.phone.flags.required = event.require_phone
        self.email.flags.required = event.require_email


class DispositionForm(FlaskForm):
    disposition = SelectField(_l("Disposition"), choices=[SelectChoice(d, DISPOSITION_LABELS[d]) for d in DISPOSITIONS])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Please give the reason.")),
                                                     Length(max=5000)],
                           description=_l("Published in the hearing record and sent to the speaker as the answer."))


class HearingRecordForm(FlaskForm):
    transcript = TextAreaField(lazy_pgettext("hearing", "Transcript"), validators=[Length(max=200000)],
                               description=_l("Markdown. Published as it is: leave out contact details."))
    hearing_report = TextAreaField(_l("Hearing report"), validators=[Length(max=100000)],
                                   description=_l("Markdown: what was heard and how the views are taken into account."))


class EventFileForm(FlaskForm):
    """Attach a file to an event: for its attendees, or (a hearing) to be published with the record."""

    file = FileField(_l("File"), description=_l("PDF, Word, Excel or an image (PNG, JPEG, GIF, WebP)."))
    audience = SelectField(_l("Who may download it"), choices=[], validate_choice=False)

    def offer(self, event) -> None:
        audiences = FILE_AUDIENCES if event.is_hearing else (ATTENDEES,)
        self.audience.choices = [SelectChoice(a, FILE_AUDIENCE_LABELS[a]) for a in audiences]
