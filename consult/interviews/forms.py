"""Forms of the interview pages: asking a question, announcing an interview, moderating and answering."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from consult.forms import citizen_name_field, contact_fields, strip
from consult.interviews.services import ANSWER_MAX, NAME_MAX, NOTE_MAX, QUESTION_MAX, SUMMARY_MAX, TITLE_MAX
from consult.tracking.forms import IntakeForm

_DT_FORMAT = "%Y-%m-%dT%H:%M"


class QuestionForm(IntakeForm):
    """A citizen's question (with the intake kit's one-time token and honeypot)."""

    body = TextAreaField(_l("Your question"), validators=[
        DataRequired(message=_l("Please write your question.")),
        Length(max=QUESTION_MAX, message=_l("At most %(max)d characters.")),
    ], description=_l("One question, in a few sentences. Questions put to the officials are shown on the "
                      "interview's page with your name masked (e.g. 张*)."))
    name = citizen_name_field(NAME_MAX)
    phone, email, notify_by_sms = contact_fields()


class InterviewForm(FlaskForm):
    title = StringField(_l("Topic"), filters=[strip], validators=[
        DataRequired(message=_l("Please enter a topic.")),
        Length(max=TITLE_MAX, message=_l("At most %(max)d characters.")),
    ])
    description = TextAreaField(_l("About the interview"), validators=[Length(max=20000)],
                                description=_l("Markdown: **bold**, lists, links. Shown on the announcement."))
    department_id = SelectField(_l("Department"), coerce=int)
    starts_at = DateTimeLocalField(_l("Starts at"), format=_DT_FORMAT,
                                   validators=[DataRequired(message=_l("Please enter a date and time."))])
    ends_at = DateTimeLocalField(_l("Ends at"), format=_DT_FORMAT,
                                 validators=[DataRequired(message=_l("Please enter a date and time."))])
    officials = TextAreaField(_l("Officials"), validators=[
        DataRequired(message=_l("Name at least one official, one a line: name, title.")),
    ], description=_l("One a line: name, then a comma and the title, e.g. 张明，县教育局局长."))


class ModerateForm(FlaskForm):
    """Put a question to the officials, or set it aside with a note for staff."""

    note = TextAreaField(_l("Note for staff (optional)"), validators=[Length(max=NOTE_MAX)])


class AnswerForm(FlaskForm):
    question_id = SelectField(_l("Answer to"), coerce=int, validate_choice=False)
    official_id = SelectField(_l("Official"), coerce=int, validate_choice=False)
    body = TextAreaField(_l("What the official said"), validators=[
        DataRequired(message=_l("Please write the answer.")),
        Length(max=ANSWER_MAX, message=_l("At most %(max)d characters.")),
    ], description=_l("Markdown: **bold**, lists, links. Shown on the live page as soon as it is saved."))
    files = MultipleFileField(
        _l("Images and documents (optional)"),
        description=_l("Up to 6 files: images (PNG, JPEG, GIF, WebP) are shown with the answer; PDF, Word and "
                       "Excel files can be downloaded."),
    )


class ArchiveForm(FlaskForm):
    summary = TextAreaField(_l("Summary"), validators=[Length(max=SUMMARY_MAX)],
                            description=_l("Markdown. Shown above the transcript of the archived interview."))


class ConfirmForm(FlaskForm):
    """A button that changes something (start, end): only its CSRF token."""
