"""Forms of the mailbox pages: writing a letter, moving it, and configuring mailboxes."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from consult.forms import citizen_name_field, contact_fields, strip
from consult.mailbox.models import CATEGORIES, CATEGORY_LABELS, DEFAULT_WINDOW_WORKDAYS
from consult.mailbox.services import BODY_MAX, NAME_MAX, NOTE_MAX, SUBJECT_MAX
from consult.tracking.forms import IntakeForm


class LetterForm(IntakeForm):
    """A letter to a mailbox."""

    mailbox_id = SelectField(_l("Mailbox"), coerce=int, validate_choice=False)
    category = SelectField(_l("Category"), validate_choice=False,
                           validators=[DataRequired(message=_l("Please choose a category."))])
    subject = StringField(_l("Subject"), filters=[strip], validators=[
        DataRequired(message=_l("Please enter a subject.")),
        Length(max=SUBJECT_MAX, message=_l("At most %(max)d characters.")),
    ])
    body = TextAreaField(_l("Your letter"), validators=[
        DataRequired(message=_l("Please write your letter.")),
        Length(max=BODY_MAX, message=_l("At most %(max)d characters.")),
    ], description=_l("Say what happened, where and when, and what you would like the department to do."))
    attachments = MultipleFileField(
        _l("Attachments (optional)"),
        description=_l("Up to 3 files: PDF, Word (DOCX), Excel (XLSX) or images (PNG, JPEG, GIF, WebP). "
                       "Attachments are never published."),
    )
    name = citizen_name_field(NAME_MAX)
    phone, email, notify_by_sms = contact_fields()
    public = BooleanField(_l("My letter and its answer may be published (my name shown masked, e.g. 张*)"))


class MoveLetterForm(FlaskForm):
    mailbox_id = SelectField(_l("Move to mailbox"), coerce=int,
                             validators=[DataRequired(message=_l("Please choose a mailbox."))])
    category = SelectField(_l("Category in the new mailbox"),
                           choices=[SelectChoice(c, CATEGORY_LABELS[c]) for c in CATEGORIES])
    note = TextAreaField(_l("Why is the letter moved?"), validators=[
        DataRequired(message=_l("Please say why the letter is moved.")),
        Length(max=NOTE_MAX, message=_l("At most %(max)d characters.")),
    ], description=_l("Kept on the letter's timeline for staff; the writer sees only which mailbox it moved to."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MailboxForm(FlaskForm):
    name = StringField(lazy_pgettext("thing", "Name"), filters=[strip], validators=[
        DataRequired(message=lazy_pgettext("thing", "Please enter a name.")), Length(max=120),
    ], description=_l("For example 县长信箱, 投诉举报 or 政策咨询."))
    department_id = SelectField(_l("Department that answers the letters"), coerce=int)
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)],
                                description=_l("Shown on the mailbox's page: what to write about, and what not."))
    categories = MultiCheckboxField(_l("Categories"), choices=[SelectChoice(c, CATEGORY_LABELS[c]) for c in CATEGORIES])
    window_workdays = IntegerField(_l("Answer within (working days)"), default=DEFAULT_WINDOW_WORKDAYS,
                                   validators=[DataRequired(message=_l("Please give a number of days.")),
                                               NumberRange(min=1, max=120, message=_l("Between 1 and 120."))])
    allow_publication = BooleanField(_l("Answered letters may be published when the writer agrees"), default=True)
    allow_attachments = BooleanField(_l("Writers may attach files"), default=True)
    require_verified_phone = BooleanField(
        _l("Writers must verify their mobile number"),
        description=_l("Only citizens signed in with a mobile number they proved by SMS code may write."))
    active = BooleanField(_l("Accepting letters"), default=True)


class FaqForm(FlaskForm):
    """One question of a mailbox's 常见问题 and its answer."""

    question = StringField(_l("Question"), filters=[strip], validators=[
        DataRequired(message=_l("Please enter the question.")),
        Length(max=300, message=_l("At most %(max)d characters.")),
    ])
    answer = TextAreaField(_l("Answer"), validators=[
        DataRequired(message=_l("Please enter the answer.")),
        Length(max=5000, message=_l("At most %(max)d characters.")),
    ], description=_l("Markdown may be used. Never write a person's name, phone number or address here: "
                      "the answer is public."))
    position = IntegerField(_l("Order"), default=0, validators=[
        Optional(), NumberRange(min=0, max=999, message=_l("Between 0 and 999."))],
        description=_l("Questions with a lower number are shown first."))
