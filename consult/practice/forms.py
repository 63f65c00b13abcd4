"""Forms of the rectification, appeal and settings pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, IntegerField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from consult.forms import strip
from consult.practice.models import APPEAL_GROUNDS, FOLLOW_UP_METHODS
from consult.practice.settings import LIMITS

FOLLOW_UP_METHOD_LABELS = {
    "phone": _l("By telephone"),
    "in_person": _l("In person"),
    "written": _l("In writing"),
}
APPEAL_GROUND_LABELS = {
    "mistaken": _l("Mistaken (e.g. the citizen rated another matter or chose the wrong option)"),
    "malicious": _l("Malicious (e.g. a rating unrelated to the answer, given to harm the department)"),
}


class FollowUpForm(FlaskForm):
    """The follow-up record (回访)."""

    contacted_by = StringField(_l("Who contacted the citizen"), filters=[strip], validators=[
        DataRequired(message=_l("Please say who contacted the citizen.")), Length(max=80)])
    contacted_at = DateTimeLocalField(_l("When"), format="%Y-%m-%dT%H:%M", validators=[
        InputRequired(message=_l("Please give the date and time of the follow-up."))])
    method = RadioField(_l("How"), choices=[SelectChoice(m, FOLLOW_UP_METHOD_LABELS[m]) for m in FOLLOW_UP_METHODS],
                        validators=[InputRequired(message=_l("Please choose how the citizen was contacted."))])
    outcome = TextAreaField(_l("Outcome"), filters=[strip], validators=[
        DataRequired(message=_l("Please describe the outcome of the follow-up.")), Length(max=5000)])


class CompleteTaskForm(FlaskForm):
    """What was rectified; shown with the public answer where the submission is public."""

    result = TextAreaField(_l("What was rectified"), filters=[strip], validators=[
        DataRequired(message=_l("Please describe what was rectified.")), Length(max=5000)],
        description=_l("Shown with the answer where the submission is published."))


class AppealForm(FlaskForm):
    """A department's appeal against a rating (申诉复核)."""

    ground = RadioField(_l("Why the rating is wrong"),
                        choices=[SelectChoice(g, APPEAL_GROUND_LABELS[g]) for g in APPEAL_GROUNDS],
                        validators=[InputRequired(message=_l("Please choose why the rating is wrong."))])
    reason = TextAreaField(_l("Reason"), filters=[strip], validators=[
        DataRequired(message=_l("Please give the reason for the appeal.")), Length(max=5000)])


class AppealDecisionForm(FlaskForm):
    note = TextAreaField(_l("Note"), filters=[strip], validators=[Optional(), Length(max=5000)])


def _setting(label, name, description):
    low, high = LIMITS[name]
    return IntegerField(label, description=description, validators=[
        InputRequired(message=_l("Please enter a whole number from %(low)s to %(high)s.", low=low, high=high)),
        NumberRange(low, high, message=_l("Please enter a whole number from %(low)s to %(high)s.", low=low,
                                          high=high))])


class PracticeSettingsForm(FlaskForm):
    rectification_workdays = _setting(_l("Rectification due within (working days)"), "rectification_workdays",
                                      _l("A poor rating gives the department this long to rectify. Default 15."))
    response_hours = _setting(_l("Response time (hours of working days)"), "response_hours",
                              _l("The 响应率 counts submissions acted on within this many hours of working days "
                                 "after receipt. Default 24, one working day."))
    feedback_report_days = _setting(_l("Feedback report due (days after a consultation closes)"),
                                    "feedback_report_days",
                                    _l("The compliance board lists closed drafts without a published feedback "
                                       "report after this many days. Default 30."))


class AnnualReportForm(FlaskForm):
    """When and where the government-information annual report was published."""

    year = IntegerField(_l("Year of the report"), validators=[
        InputRequired(message=_l("Please give the year of the report.")), NumberRange(2000, 2100)])
    published_on = DateField(_l("Published on"), validators=[
        InputRequired(message=_l("Please give the date of publication."))])
    url = StringField(_l("Where (address of the published report)"), filters=[strip],
                      validators=[Optional(), Length(max=500)])
