"""Forms of the information-request pages: the public request form, the officer's outcome and pause
forms, and the hand-typed figures of the annual report."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    DecimalField, IntegerField, SelectField, StringField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from consult.disclosure.figures import FIGURES, NOTES_MAX
from consult.disclosure.models import (
    DELIVERIES, DELIVERY_LABELS, FORMAT_LABELS, FORMATS, ID_TYPE_LABELS, ID_TYPES, MAX_ATTACHMENTS,
)  # fmt: skip
from consult.disclosure.outcomes import APPLICANT_LABELS, APPLICANT_TYPES, outcome_choices
from consult.disclosure.services import ADDRESS_MAX, ANSWER_MAX, DESCRIPTION_MAX, NAME_MAX, SUBJECT_MAX
from consult.forms import contact_fields, strip
from consult.tracking.forms import IntakeForm

_MAX = _l("At most %(max)d characters.")


def _choices(codes, labels, blank: bool = True) -> list[SelectChoice]:
    return ([SelectChoice("", "—")] if blank else []) + [SelectChoice(code, labels[code]) for code in codes]


class RequestForm(IntakeForm):
    """An information request."""

    department_id = SelectField(_l("Body you ask"), coerce=int, validate_choice=False,
                                description=_l("The government body that holds the information."))
    applicant_type = SelectField(_l("You ask as"), choices=_choices(APPLICANT_TYPES, APPLICANT_LABELS),
                                 validators=[DataRequired(message=_l("Please choose who is asking."))])
    name = StringField(_l("Name of the person or organisation"), filters=[strip], validators=[
        DataRequired(message=_l("Please enter the name.")), Length(max=NAME_MAX, message=_MAX)])
    contact_person = StringField(_l("Contact person (organisations)"), filters=[strip],
                                 validators=[Length(max=80, message=_MAX)])
    id_type = SelectField(_l("Identity document"), choices=_choices(ID_TYPES, ID_TYPE_LABELS),
                          validators=[DataRequired(message=_l("Please choose the kind of document."))],
                          description=_l("Organisations give their unified social credit code."))
    id_number = StringField(_l("Document number"), filters=[strip], validators=[
        DataRequired(message=_l("Please enter the document number.")), Length(max=40, message=_MAX)],
        description=_l("Seen in full only by the staff handling your request; shown masked everywhere else."))
    phone, email, notify_by_sms = contact_fields()
    postal_address = StringField(_l("Postal address"), filters=[strip],
                                 validators=[Length(max=ADDRESS_MAX, message=_MAX)],
                                 description=_l("Needed if the information is to be sent by post."))
    postcode = StringField(_l("Postcode"), filters=[strip], validators=[Length(max=6, message=_MAX)])
    subject = StringField(_l("Information requested (title)"), filters=[strip], validators=[
        DataRequired(message=_l("Please name the information you ask for.")), Length(max=SUBJECT_MAX, message=_MAX)],
        description=_l("For example the title and number of a document."))
    description = TextAreaField(_l("Description of the information"), validators=[
        DataRequired(message=_l("Please describe the information you ask for.")),
        Length(max=DESCRIPTION_MAX, message=_MAX)],
        description=_l("Describe it so it can be found: subject, period, document number, issuing body."))
    preferred_format = SelectField(_l("Format"), choices=_choices(FORMATS, FORMAT_LABELS, blank=False))
    delivery = SelectField(_l("How you want to receive it"), choices=_choices(DELIVERIES, DELIVERY_LABELS, blank=False))


class OutcomeForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), validate_choice=False,
                          validators=[DataRequired(message=_l("Please choose the outcome (and its reason)."))],
                          description=_l("The categories of the annual report on government information disclosure."))
    answer = TextAreaField(_l("Written answer to the applicant"), validators=[
        DataRequired(message=_l("Please write the answer to the applicant.")), Length(max=ANSWER_MAX, message=_MAX)],
        description=_l("State the decision, its legal basis and the applicant's remedies (review, lawsuit)."))
    attachments = MultipleFileField(
        _l("Files for the applicant (optional)"),
        description=_l("Up to %(n)s files: PDF, Word, Excel or images. The applicant can download them once "
                       "the answer is approved.", n=MAX_ATTACHMENTS))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = [SelectChoice("", "—")] + [SelectChoice(k, label) for k, label in outcome_choices()]


class PauseForm(FlaskForm):
    reason = TextAreaField(_l("Whose opinion is asked for, and why"), validators=[
        DataRequired(message=_l("Please say whose opinion is asked for and why.")), Length(max=1000, message=_MAX)],
        description=_l("Staff only. The applicant sees that the clock is paused for a third party's opinion."))


class ResumeForm(FlaskForm):
    """Nothing to fill in: the button resumes the clock."""


def figures_form_class():
    """A form with one field per hand-typed figure of the annual report, and the notes."""

    class FiguresForm(FlaskForm):
        notes = TextAreaField(_l("Problems, improvements and other matters to report"),
                              validators=[Length(max=NOTES_MAX, message=_MAX)])

    for figure in FIGURES:
        field_class = DecimalField if figure.decimal else IntegerField
        setattr(FiguresForm, figure.key, field_class(
            figure.label,
            validators=[Optional(), NumberRange(min=0, message=_l("Please enter a number of at least 0."))],
            description=figure.official,
        ))
    return FiguresForm
