"""Account forms: logging in, registering, passwords; and the admin's department and staff forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, PasswordField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, Regexp

from consult.accounts.models import ROLE_LABELS, STAFF_ROLES
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


# --- admin: departments and staff accounts ----------------------------------------------------------

class DepartmentForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(message=_l("Please enter a code.")),
            Length(max=32, message=_l("At most 32 characters.")),
            Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Use only letters, digits, '-' and '_'.")),
        ],
        description=_l("A short identifier such as SFJ, used in exports and the API."),
    )
    name = StringField(
        _l("Name (Chinese)"),
        validators=[DataRequired(message=_l("Please enter a name.")), Length(max=120, message=_l("At most 120 characters."))],
    )
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=160, message=_l("At most 160 characters."))])
    contact_email = email_field(_l("Contact e-mail"), required=False)
    sort_order = IntegerField(
        _l("Place in the official order"),
        validators=[Optional(),
                    NumberRange(min=0, max=1_000_000, message=_l("Please give a number from 0 to 1,000,000."))],
        description=_l("Departments are listed everywhere in this order, smallest number first; empty keeps the "
                       "place (a new department goes last). Numbers 10 apart leave room to put one in between."),
    )


def _role_choices():
    return [(role, ROLE_LABELS[role]) for role in STAFF_ROLES]


class StaffUserForm(FlaskForm):
    display_name = name_field()
    role = SelectField(_l("Role"), choices=_role_choices)
    department_id = SelectField(_l("Department"), coerce=int, description=_l("Required for officers and reviewers."))
    active = BooleanField(_l("Account is active"), default=True)


class NewStaffUserForm(StaffUserForm):
    email = email_field()
    password = PasswordField(
        _l("Initial password"),
        validators=[
            DataRequired(message=_l("Please choose a password.")),
            Length(min=8, max=128, message=_l("The password must be 8 to 128 characters long.")),
        ],
        description=_l("Give it to the person securely; they can change it with the password reset."),
    )
