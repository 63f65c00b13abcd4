"""Forms of the drafts pages (editing, review, commenting, moderation, answering)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField, DateTimeLocalField, FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField,
)  # fmt: skip
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from consult.drafts.comments import BODY_MAX
from consult.drafts.models import DISPOSITIONS
from consult.drafts.report import DISPOSITION_LABELS
from consult.drafts.windows import DECISION_TYPE_LABELS, DECISION_TYPES
from consult.forms import sms_choice_field, strip
from consult.tracking.forms import IntakeForm


class DraftForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Please enter a title.")), Length(max=200)],
                        filters=[strip])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=2000)],
                            description=_l("A few sentences shown in the list and at the top of the page."))
    department_id = SelectField(_l("Lead department"), coerce=int)
    domain = SelectField(_l("Policy domain"))
    legal_basis = TextAreaField(_l("Legal basis"), validators=[Length(max=2000)])
    opens_at = DateTimeLocalField(_l("Consultation opens"), format="%Y-%m-%dT%H:%M",
                                  validators=[DataRequired(message=_l("Please give a date and time."))])
    closes_at = DateTimeLocalField(_l("Consultation closes"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(message=_l("Please give a date and time."))])
    decision_type = SelectField(
        _l("Type of decision"), choices=[SelectChoice(code, DECISION_TYPE_LABELS[code]) for code in DECISION_TYPES],
        default="other",
        description=_l("Sets the shortest consultation: major administrative decisions, rules and other drafts at "
                       "least 30 days; normative documents at least 7 working days, or 30 days where closely tied "
                       "to market actors."),
    )
    market_related = BooleanField(_l("Closely tied to market actors (涉及市场主体)"))
    short_window_reason = TextAreaField(
        _l("Reason for a window shorter than the rule"), validators=[Length(max=1000)],
        description=_l("Required when the consultation is shorter than the rule for its type; shown on the public "
                       "page."),
    )
    premoderate = BooleanField(_l("Check every comment before it is published"))
    body = TextAreaField(
        _l("Text of the draft"), validators=[DataRequired(message=_l("Please enter the text."))],
        description=_l("Markdown. Each line starting with 第X条, and each heading, starts an article that can be "
                       "commented on."),
    )
    change_note = TextAreaField(_l("What changed in this version"), validators=[Length(max=2000)],
                                description=_l("Required when you change the text of an open draft."))
    # Set by a Word import: the stored file and figures that saving links to the draft.
    source_id = HiddenField()
    figure_ids = HiddenField()


class WordImportForm(FlaskForm):
    file = FileField(_l("Word file (.docx)"), description=_l(
        "Word or WPS: save the draft as .docx. Headings, 第X条 articles, lists, tables, bold and italic are kept; "
        "images become the draft's figures. You can check and correct the text before saving."))


class QAPairForm(Form):
    question = StringField(_l("Question"), validators=[Length(max=500)], filters=[strip])
    answer = TextAreaField(_l("Answer"), validators=[Length(max=5000)])


class InterpretationForm(FlaskForm):
    interpretation = TextAreaField(_l("Interpretation (解读)"), validators=[Length(max=50000)],
                                   description=_l("Markdown. Shown beside the text of the draft."))
    qa = FieldList(FormField(QAPairForm), min_entries=1)


class UploadForm(FlaskForm):
    file = FileField(_l("File"), description=_l("PDF, Word (DOCX), Excel (XLSX) or an image (PNG, JPEG, GIF, WebP)."))
    caption = StringField(_l("Caption"), validators=[Length(max=200)], filters=[strip])


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class ConfirmForm(FlaskForm):
    """A button with CSRF protection and nothing else."""


class PublishForm(FlaskForm):
    """Sending a draft for review, or approving it; a draft without interpretation needs the box ticked."""

    without_interpretation = BooleanField(
        _l("Go ahead without interpretation"),
        description=_l("Interpretation is to be published together with the policy (政策解读“三同步”). Tick only "
                       "if this draft really goes out without it."),
    )


class CommentForm(IntakeForm):
    body = TextAreaField(_l("Your comment"), validators=[
        DataRequired(message=_l("Please write your comment.")),
        Length(max=BODY_MAX, message=_l("At most %(max)d characters.")),
    ])
    article = SelectField(_l("Which part do you comment on?"), validate_choice=False)
    name = StringField(_l("Your name"), validators=[Length(max=80)], filters=[strip])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254),
                                                  Email(message=_l("Please enter a valid e-mail address."),
                                                        check_deliverability=False)], filters=[strip])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)], filters=[strip])
    notify_by_sms = sms_choice_field()


class ReportCommentForm(FlaskForm):
    reason = TextAreaField(_l("Why should this comment be removed?"), validators=[Length(max=500)])


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Reason the writer will see"),
                           validators=[DataRequired(message=_l("Please give the reason.")), Length(max=1000)])


class DispositionForm(FlaskForm):
    disposition = SelectField(_l("Disposition"), choices=[SelectChoice(d, DISPOSITION_LABELS[d]) for d in DISPOSITIONS])
    reason = TextAreaField(_l("Reason (shown in the feedback report)"),
                           validators=[DataRequired(message=_l("Please give the reason.")), Length(max=2000)])


class GroupReplyForm(FlaskForm):
    body = TextAreaField(_l("Reply to every comment in this group"),
                         validators=[DataRequired(message=_l("Please write the reply.")), Length(max=10000)],
                         description=_l("Markdown. A reviewer approves the reply before it is sent."))


class ReportForm(FlaskForm):
    summary = TextAreaField(_l("Summary of the feedback report"), validators=[Length(max=20000)],
                            description=_l("Markdown. Shown above the figures and the list of comments."))


class SensitiveWordsForm(FlaskForm):
    words = TextAreaField(_l("New words"), description=_l("One word or phrase per line."),
                          validators=[DataRequired(message=_l("Please enter at least one word."))])
