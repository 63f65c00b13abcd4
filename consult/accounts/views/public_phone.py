"""Signing in with a mobile number and a code sent by SMS (no password), and linking a number to an account.

The number waits in the session between the two steps; the code page shows it masked. A signed-in
citizen who goes through the same steps links the number to their account; otherwise the number signs in
to the account it is linked to, or to a new citizen account that has only the number.
"""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts import phone
from consult.accounts.forms import PhoneCodeForm, PhoneForm
from consult.accounts.models import CITIZEN
from consult.accounts.views import bp
from consult.accounts.views.public import AUTH_LIMIT, _start_session
from consult.contacts import mask_phone
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db, limiter

PENDING_KEY = "phone_sign_in"
CODE_LIMIT = "5 per minute;20 per hour"


def _linking() -> bool:
    return current_user.is_authenticated and current_user.role == CITIZEN


@bp.route("/account/phone", methods=["GET", "POST"])
@limiter.limit(CODE_LIMIT, methods=["POST"])
def phone_sign_in():
    """Step 1: the number; a code is sent to it."""
    if current_user.is_authenticated and not _linking():
        return redirect(url_for("main.index"))
    form = PhoneForm()
    status = 200
    if form.validate_on_submit():
        try:
            number = phone.send_code(form.phone.data, ip=request.remote_addr or "")
        except DomainError as error:
            status = show_error(error, form, summary=True)
            status = 429 if error.status == 429 else status  # too soon, too often: the form says until when
        else:
            session[PENDING_KEY] = number
            return redirect(url_for("accounts.phone_code"), 303)
    elif form.errors:
        status = 422
    return render_template("accounts/phone.html", form=form, linking=_linking()), status


@bp.route("/account/phone/code", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def phone_code():
    """Step 2: the code; signs in (or links the number) when it is right."""
    number = session.get(PENDING_KEY)
    if not number:
        return redirect(url_for("accounts.phone_sign_in"))
    form = PhoneCodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            phone.check_code(number, form.code.data)
        except DomainError as error:
            db.session.commit()  # the try counts even though the code was wrong
            status = show_error(error, form, summary=True)
            return render_template("accounts/phone_code.html", form=form, masked=mask_phone(number),
                                   linking=_linking()), status
        try:
            user = phone.account_for_phone(number, current=current_user if _linking() else None,
                                           locale=session.get("locale"))
        except DomainError as error:
            status = show_error(error, form, aliases={"phone": "code"}, summary=True)
        else:
            session.pop(PENDING_KEY, None)
            if _linking():
                flash(_("Your mobile number has been verified and linked to your account."), "success")
            else:
                _start_session(user)
                flash(_("You are logged in."), "success")
            return redirect(url_for("tracking.my_submissions"), 303)
    elif form.errors:
        status = 422
    return render_template("accounts/phone_code.html", form=form, masked=mask_phone(number),
                           linking=_linking()), status
