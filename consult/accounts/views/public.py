"""Log in, log out, register and reset a forgotten password."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_login.config import COOKIE_NAME
from flask_login.utils import decode_cookie

from consult.accounts import services, sessions
from consult.accounts.forms import ChoosePasswordForm, ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from consult.accounts.models import User
from consult.accounts.views import bp
from consult.domain import DomainError
from consult.extensions import limiter, login_manager
from consult.i18n import chosen_locale
from consult.urls import safe_next_url

AUTH_LIMIT = "10 per minute;60 per hour"
READING_METHODS = ("GET", "HEAD", "OPTIONS")


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The user of the sign-in the session (or remember-me) cookie names: one query, None once it ended.

    A sign-in that has ended (logged out elsewhere, expired) is forgotten in this response's cookies, so
    the browser does not keep presenting it.
    """
    user = sessions.user_for_token(token, writing=request.method not in READING_METHODS,
                                   ip=request.remote_addr or "")
    if user is None:
        session.pop("_user_id", None)
        session.pop("_fresh", None)
        remember_cookie = request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME))
        if remember_cookie and decode_cookie(remember_cookie) == token:
            session["_remember"] = "clear"
    return user


login_manager.login_view = "accounts.login"
login_manager.login_message = None
login_manager.id_attribute = "get_login_token"
# Sessions are ended on the server (consult.accounts.sessions); flask-login's IP/browser fingerprint
# would only mark sessions "not fresh", and it wrote to every anonymous visitor's cookie to do so.
login_manager.session_protection = None


def log_out() -> None:
    """End this sign-in on the server and forget it in the cookie (display preferences have cookies of their own)."""
    sessions.end_current_session(current_user._get_current_object())
    logout_user()
    session.clear()


def _start_session(user: User, remember: bool = False) -> None:
    """Log ``user`` in with a fresh session record and an emptied cookie (no session fixation across a login)."""
    session.clear()
    sessions.start_session(user, remember=remember, user_agent=request.user_agent.string,
                           ip=request.remote_addr or "")
    login_user(user, remember=remember)


@bp.route("/account/login", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def login():
    """Log in with e-mail and password; the same message whether the e-mail exists or not."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            _start_session(user, remember=form.remember.data)
            flash(_("You are logged in."), "success")
            return redirect(safe_next_url(form.next.data))
        form.password.errors.append(_("The e-mail address or password is not correct."))
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 422


@bp.post("/account/logout")
@login_required
def logout():
    """Log out: the sign-in ends on the server, so a copy of the cookie no longer works either."""
    log_out()
    flash(_("You have logged out."), "success")
    return redirect(url_for("main.index"))


@bp.route("/account/register", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def register():
    """Start creating a citizen account: a link to finish is mailed to the address.

    Whether or not the address already has an account, the visitor is sent to the same page (the
    owner of an existing account is told by mail instead), so the form reveals no accounts.
    """
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        services.request_registration(form.email.data, form.display_name.data, locale=chosen_locale())
        return redirect(url_for("accounts.registration_sent"))
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 422


@bp.get("/account/register/sent")
def registration_sent():
    """Check your mail: the same page for every address."""
    return render_template("accounts/register_sent.html",
                           hours=current_app.config["REGISTRATION_LINK_MAX_AGE"] // 3600)


@bp.route("/account/register/<token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def finish_registration(token: str):
    """Choose a password with the mailed link; the account is created and logged in."""
    data = services.pending_registration(token)
    if data is None:
        return render_template("accounts/link_invalid.html", registration=True), 400
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            user = services.finish_registration(token, form.password.data)
        except DomainError as error:
            if error.status == 410:
                return render_template("accounts/link_invalid.html", registration=True), 400
            getattr(form, error.field or "password").errors.append(str(error))
        else:
            _start_session(user)
            flash(_("Welcome! Your account has been created."), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/register_finish.html", form=form, email=data["email"]), \
        200 if not form.errors else 422


@bp.route("/account/forgot-password", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer does not reveal whether the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(_("If an account uses this address, we have sent it a link to choose a new password."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form), 200 if not form.errors else 422


@bp.route("/account/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def reset_password(token: str):
    """Choose a new password with a link from the reset mail; every session of the account ends."""
    user = services.user_for_reset_token(token)
    if user is None:
        return render_template("accounts/link_invalid.html", registration=False), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(user, form.password.data)
        flash(_("Your password has been changed. You can now log in."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 200 if not form.errors else 422
