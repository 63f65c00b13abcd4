"""Forms for mail preferences and the admin outbox."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField


class MailPreferencesForm(FlaskForm):
    optional_mail = BooleanField(
        _l("Send me optional e-mails"),
        description=_l(
            "Reminders and news about things you follow. Mails you need — the receipt of a submission, "
            "its answer, a password reset — are always sent."
        ),
    )


class RetryForm(FlaskForm):
    """The retry button: no fields, only the CSRF token."""
