"""Account forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField, TelField
from wtforms.validators import DataRequired, EqualTo, Length

from consult.forms import email_field, name_field

PASSWORD_LENGTH = Length(min=8, max=128, message=_l("The password must be 8 to 128 characters long."))


class LoginForm(FlaskForm):
    email = email_field(check_format=False)
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(message=_l("Please enter your password.")),
            Length(max=128, message=_l("The password must be 8 to 128 characters long.")),
        ],
    )
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class RegisterForm(FlaskForm):
    """Name and address; the password is chosen through the link mailed to the address."""

    display_name = name_field(_l("Your name"))
    email = email_field()


class ChoosePasswordForm(FlaskForm):
    """The last step of registering, from the mailed link."""

    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Please choose a password.")), PASSWORD_LENGTH],
        description=_l("At least 8 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(message=_l("Please repeat the password.")),
            EqualTo("password", message=_l("The two passwords do not match.")),
        ],
    )


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=_l("Please choose a password.")), PASSWORD_LENGTH],
        description=_l("At least 8 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(message=_l("Please repeat the password.")),
            EqualTo("password", message=_l("The two passwords do not match.")),
        ],
    )


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(message=_l("Please enter your current password.")),
            Length(max=128, message=_l("The password must be 8 to 128 characters long.")),
        ],
    )


class EndSessionsForm(FlaskForm):
    """A button with CSRF protection: end one session, or all but this one."""


class PhoneForm(FlaskForm):
    """Sign in (or link a number) with a code sent by SMS: the number."""

    phone = TelField(
        _l("Mobile number"),
        filters=[lambda value: (value or "").strip()],
        validators=[DataRequired(message=_l("Please enter your mobile number.")), Length(max=32)],
        description=_l("A mainland mobile number. We send it a six-digit code by SMS."),
    )


class PhoneCodeForm(FlaskForm):
    """The code from the SMS."""

    code = StringField(
        _l("Verification code"),
        filters=[lambda value: (value or "").strip()],
        validators=[DataRequired(message=_l("Please enter the code from the text message.")), Length(max=12)],
        description=_l("Six digits, valid for 5 minutes."),
    )
