"""Forms of the workbench (dispositions use the drafts' own DispositionForm)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class RunForm(FlaskForm):
    """Start (or retry) an analysis: a button with its CSRF token."""


class ReadForm(FlaskForm):
    """Mark a unit as read."""


class RevisionForm(FlaskForm):
    """The revised text of the draft, recorded after the consultation."""

    body = TextAreaField(_l("Revised text"), validators=[DataRequired(message=_l("Please enter the text.")),
                                                         Length(max=500_000)],
                         description=_l("Markdown, one article per 第X条 or heading, as when the draft was written."))
    change_note = TextAreaField(_l("What changed in this version"),
                                validators=[DataRequired(message=_l("Please describe what changed in this version.")),
                                            Length(max=2000)])


class ChangesForm(FlaskForm):
    """The articles an adopted unit changed (checkboxes named ``anchors``, read from the request)."""


class LexiconForm(FlaskForm):
    """The stance lexicon as TOML (checked as a whole by ``consult.workbench.lexicon.check``)."""

    body = TextAreaField(_l("Lexicon"), validators=[DataRequired(message=_l("Please enter the lexicon."))],
                         description=_l("One [[stance]] section per stance (支持, 反对, 建议修改) with its strong "
                                        "cues (weight 2) and other cues (weight 1); [negation] and [turn] as "
                                        "described in the comments at the top."),
                         render_kw={"rows": 30, "spellcheck": "false"})


class RestoreForm(FlaskForm):
    """Restore a saved version of the lexicon, or the shipped one: a button with its CSRF token."""
