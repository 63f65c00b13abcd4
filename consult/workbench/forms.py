"""Forms of the workbench (dispositions use the drafts' own DispositionForm)."""

from flask_wtf import FlaskForm


class RunForm(FlaskForm):
    """Start (or retry) an analysis: a button with its CSRF token."""


class ReadForm(FlaskForm):
    """Mark a unit as read."""
