"""Log in, log out, register and reset a forgotten password."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from consult.accounts import services
from consult.accounts.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from consult.accounts.models import User
from consult.domain import DomainError
from consult.extensions import db, limiter, login_manager
from consult.urls import safe_next_url

bp = Blueprint("accounts", __name__, url_prefix="/account")

AUTH_LIMIT = "10 per minute;60 per hour"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    uid, _sep, stamp = user_id.partition(".")
    if not uid.isdigit():
        return None
    user = db.session.get(User, int(uid))
    if user is None or user.auth_stamp != stamp:
        return None
    return user


login_manager.login_view = "accounts.login"
login_manager.login_message = None
login_manager.session_protection = "basic"


def _start_session(user: User, remember: bool = False) -> None:
    """Log ``user`` in with a fresh session (no session fixation), keeping display preferences."""
    keep = {key: session[key] for key in ("locale", "large_text") if key in session}
    session.clear()
    session.update(keep)
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
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


@bp.post("/logout")
@login_required
def logout():
    """Log out and forget the session."""
    logout_user()
    keep = {key: session[key] for key in ("locale", "large_text") if key in session}
    session.clear()
    session.update(keep)
    flash(_("You have logged out."), "success")
    return redirect(url_for("main.index"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def register():
    """Create a citizen account and log in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_citizen(
                form.email.data, form.display_name.data, form.password.data, locale=session.get("locale")
            )
        except DomainError as error:
            getattr(form, error.field or "email").errors.append(str(error))
        else:
            _start_session(user)
            flash(_("Welcome! Your account has been created."), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 422


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer does not reveal whether the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(_("If an account uses this address, we have sent it a link to choose a new password."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form), 200 if not form.errors else 422


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def reset_password(token: str):
    """Choose a new password with a link from the reset mail."""
    user = services.user_for_reset_token(token)
    if user is None:
        return render_template("accounts/reset_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(user, form.password.data)
        flash(_("Your password has been changed. You can now log in."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 200 if not form.errors else 422
