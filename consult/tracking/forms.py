"""Forms of the tracking pages: the citizen's lookup and rating, officers' actions, replies, the calendar."""

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField, HiddenField, IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField,
)  # fmt: skip
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from consult.forms import strip
from consult.tracking.citizen import SATISFACTION_LABELS
from consult.tracking.models import SATISFACTION_LEVELS

NOTE_MAX = 5000


def _required(message) -> DataRequired:
    return DataRequired(message=message)


# --- the intake kit: what every public form that sends a submission carries ---------------------------

HONEYPOT = "website"  # the field's name: people never see it (templates/_macros/intake.html), bots fill it in


def new_form_token() -> str:
    """A form's one-time token (32 characters; consult.tracking.intake.receive_once takes 16–64)."""
    return secrets.token_urlsafe(24)


class IntakeForm(FlaskForm):
    """The base of every public form a citizen sends (letter, comment, information request, open-day
    question, interview question, questionnaire answer): its one-time token, so the same form sent twice is one submission, and the one
    honeypot field. Templates render both with ``intake_fields(form)`` from ``_macros/intake.html``."""

    form_token = HiddenField(default=new_form_token)
    website = StringField(_l("Leave this field empty"))  # the honeypot (HONEYPOT)


# --- the citizen ---------------------------------------------------------------------------------


class LookupForm(FlaskForm):
    """Tracking number + query code, as printed on the receipt."""

    tracking_no = StringField(
        _l("Tracking number"), validators=[_required(_l("Please enter the tracking number.")), Length(max=40)],
        filters=[strip], description=_l("For example L-20261122-00042."),
    )
    code = StringField(
        _l("Query code"), validators=[_required(_l("Please enter the query code.")), Length(max=40)],
        filters=[strip], description=_l("The code you received with the tracking number."),
    )


class NewCodeForm(FlaskForm):
    """Ask for a new query code: the tracking number and the contact left with the submission."""

    tracking_no = StringField(
        _l("Tracking number"), validators=[_required(_l("Please enter the tracking number.")), Length(max=40)],
        filters=[strip], description=_l("For example L-20261122-00042."),
    )
    contact = StringField(
        _l("Mobile number or e-mail address"),
        validators=[_required(_l("Please enter the mobile number or e-mail address you left.")), Length(max=254)],
        filters=[strip], description=_l("The one you gave when you sent it. The new code is sent there."),
    )


class RateForm(FlaskForm):
    """The satisfaction questionnaire after an answer."""

    resolved = RadioField(
        _l("Was your problem solved?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validators=[InputRequired(message=_l("Please say whether the matter was resolved."))],
    )
    satisfaction = RadioField(
        _l("How satisfied are you with the answer?"),
        choices=[SelectChoice(level, SATISFACTION_LABELS[level]) for level in SATISFACTION_LEVELS],
        validators=[InputRequired(message=_l("Please choose how satisfied you are."))],
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=2000)], filters=[strip])


class ProvideInfoForm(FlaskForm):
    """The information the department asked for."""

    text = TextAreaField(
        _l("The information asked for"),
        validators=[_required(_l("Please write the information that was asked for.")), Length(max=10000)],
        filters=[strip],
    )


# --- officers ------------------------------------------------------------------------------------


class AssignForm(FlaskForm):
    assignee_id = SelectField(_l("Assign to"), coerce=int, validators=[_required(_l("Please choose a colleague."))])


class TransferForm(FlaskForm):
    department_id = SelectField(
        _l("Transfer to department"), coerce=int, validators=[_required(_l("Please choose a department."))]
    )
    reason = TextAreaField(
        _l("Reason for the transfer"), validators=[_required(_l("Please give the reason for the transfer.")),
                                                   Length(max=NOTE_MAX)],
        filters=[strip], description=_l("Seen by staff only. The citizen is told which department now handles it."),
    )


class RequestInfoForm(FlaskForm):
    message = TextAreaField(
        _l("What information do you need?"),
        validators=[_required(_l("Please write what information you need.")), Length(max=NOTE_MAX)],
        filters=[strip], description=_l("The citizen receives this message by e-mail and sees it on the status page."),
    )


class DismissForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the dismissal"),
        validators=[_required(_l("Please give the reason the citizen will see.")), Length(max=NOTE_MAX)],
        filters=[strip], description=_l("The citizen sees this reason: a dismissal is an answer too."),
    )


class ExtensionForm(FlaskForm):
    workdays = IntegerField(
        _l("Extra working days"),
        validators=[InputRequired(message=_l("Please give a number of working days.")),
                    NumberRange(min=1, max=60, message=_l("Please give a number between 1 and 60."))],
    )
    reason = TextAreaField(
        _l("Reason for the extension"),
        validators=[_required(_l("Please give the reason for the extension.")), Length(max=NOTE_MAX)],
        filters=[strip], description=_l("A reviewer decides; the citizen is told if it is approved."),
    )


class StaffInfoForm(FlaskForm):
    """Information the citizen sent by post or telephone, entered by an officer."""

    text = TextAreaField(
        _l("Information received from the citizen"),
        validators=[_required(_l("Please write the information that was asked for.")), Length(max=10000)],
        filters=[strip],
    )


class ReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Reply"), validators=[_required(_l("Please write the reply.")), Length(max=50000)],
        description=_l("Markdown: **bold**, lists with -, links as [text](https://…). "
                       "A preview is shown after saving."),
    )


class ConfirmForm(FlaskForm):
    """A button with a CSRF token."""


class ReviewNoteForm(FlaskForm):
    note = TextAreaField(_l("Note to the author"), validators=[Optional(), Length(max=NOTE_MAX)], filters=[strip])


class ExtensionDecisionForm(FlaskForm):
    decision = HiddenField(validators=[_required(_l("Please approve or decline."))])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=NOTE_MAX)], filters=[strip])


class ReplyTemplateForm(FlaskForm):
    title = StringField(_l("Title"), validators=[_required(_l("Please give the template a title.")), Length(max=120)],
                        filters=[strip])
    body = TextAreaField(_l("Text"), validators=[_required(_l("Please write the template text.")), Length(max=50000)])


# --- the calendar (admins) ---------------------------------------------------------------------


class CalendarOverrideForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(message=_l("Please give a date."))])
    is_workday = RadioField(
        _l("This date is"),
        choices=[SelectChoice("holiday", _l("a holiday (no work)")),
                 SelectChoice("workday", _l("a make-up working day (调休)"))],
        validators=[InputRequired(message=_l("Please choose holiday or working day."))],
    )
    note = StringField(
        _l("Note"), validators=[_required(_l("Please say why the calendar changes (e.g. the State Council notice).")),
                                Length(max=200)],
        filters=[strip], description=_l("Shown to citizens and officers where due dates are explained."),
    )


class RemoveOverrideForm(FlaskForm):
    day = DateField(validators=[InputRequired()])


NOTICE_MAX = 20000


class HolidayNoticeForm(FlaskForm):
    year = IntegerField(
        _l("Year"), validators=[Optional(), NumberRange(min=1950, max=9998, message=_l("Please give a year."))],
        description=_l("Only needed when the pasted text does not include the notice's title."),
    )
    text = TextAreaField(
        _l("Text of the notice"),
        validators=[_required(_l("Please paste the text of the notice.")), Length(max=NOTICE_MAX)],
        render_kw={"rows": 14},
        description=_l("Paste the State Council's notice on the year's holidays (国务院办公厅关于……年部分节假日"
                       "安排的通知), from its title to the end. Each line such as “一、元旦：1月1日至3日放假调休，"
                       "共3天。1月4日（周日）上班。” is read; nothing is changed before you have seen the preview."),
    )
    digest = HiddenField()
