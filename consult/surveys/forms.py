"""Forms of the questionnaire pages: building one, reviewing it, and answering it (the questions themselves
are read by consult.surveys.responses, which decides branches on the server)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateTimeLocalField, EmailField, RadioField, SelectField, StringField, TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from consult.forms import strip
from consult.surveys.models import (
    ANSWER_MODE_LABELS, ANSWER_MODES, KIND_LABELS, QUESTION_KINDS, RESULTS_INTERNAL, RESULTS_PUBLIC,
)
from consult.surveys.services import INTRO_MAX, NOTE_MAX, PROMPT_MAX, TITLE_MAX
from consult.tracking.forms import IntakeForm


class QuestionnaireForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip], validators=[
        DataRequired(message=_l("Please enter a title.")), Length(max=TITLE_MAX)])
    intro = TextAreaField(_l("Introduction"), validators=[Length(max=INTRO_MAX)],
                          description=_l("Shown above the questions: why the department asks, and what it will "
                                         "do with the answers."))
    department_id = SelectField(_l("Department"), coerce=int)
    draft_id = SelectField(_l("Attached to a draft (optional)"), coerce=int,
                           description=_l("Attached to a draft, questions can be about one of its articles."))
    opens_at = DateTimeLocalField(_l("Opens"), format="%Y-%m-%dT%H:%M",
                                  validators=[InputRequired(message=_l("Please give the opening time."))])
    closes_at = DateTimeLocalField(_l("Closes"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(message=_l("Please give the closing time."))])
    answer_mode = RadioField(_l("Who may answer"), default=ANSWER_MODES[0],
                             choices=[SelectChoice(m, ANSWER_MODE_LABELS[m]) for m in ANSWER_MODES],
                             description=_l("Decides how far “one response per person” can be kept: per account, "
                                            "per phone number or e-mail address, or per browser only."))
    results_visibility = RadioField(_l("Results"), default=RESULTS_PUBLIC, choices=[
        SelectChoice(RESULTS_PUBLIC, _l("Published when the questionnaire closes")),
        SelectChoice(RESULTS_INTERNAL, _l("Kept for staff only")),
    ])


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind of question"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in QUESTION_KINDS])
    prompt = TextAreaField(_l("Question"), validators=[
        DataRequired(message=_l("Please write the question.")), Length(max=PROMPT_MAX)])
    options = TextAreaField(_l("Options, one per line"),
                            description=_l("For single choice, multiple choice and ranking. A scale always "
                                           "runs from 1 to 5; free text has no options."))
    required = BooleanField(_l("An answer is required"))
    branch_option_id = SelectField(_l("Show only to those who answered"), coerce=int, validate_choice=False,
                                   description=_l("Leave as “everyone” unless the question depends on an "
                                                  "earlier answer."))
    article_anchor = SelectField(_l("About the article"), validate_choice=False)


class ReturnForm(FlaskForm):
    note = TextAreaField(_l("What should change"), validators=[
        DataRequired(message=_l("Please say what should change.")), Length(max=NOTE_MAX)])


class ConfirmForm(FlaskForm):
    """A button that changes something (CSRF only)."""


class AnswerForm(IntakeForm):
    """The parts of the answer page that are not questions (with the intake kit's one-time token and honeypot)."""

    phone = TelField(_l("Phone"), filters=[strip], validators=[Optional(), Length(max=32)])
    email = EmailField(_l("E-mail"), filters=[strip], validators=[Optional(), Length(max=254)])
