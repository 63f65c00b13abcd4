"""A user's own sign-ins (see and end them) and changing the password, for staff and citizens alike."""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from ua_parser import parse as parse_user_agent

from consult.accounts import services, sessions
from consult.accounts.forms import ChangePasswordForm, EndSessionsForm
from consult.accounts.views import bp
from consult.accounts.views.public import AUTH_LIMIT, log_out
from consult.domain import DomainError
from consult.extensions import limiter


@dataclass(frozen=True)
class SessionRow:
    """One sign-in as the sessions page lists it."""

    id: int
    device: str
    ip: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    remember: bool
    current: bool


@lru_cache(maxsize=512)
def describe_device(user_agent: str) -> str:
    """``Chrome · Windows`` from a browser's User-Agent; "" when it names neither."""
    parsed = parse_user_agent(user_agent or "")
    browser = parsed.user_agent.family if parsed.user_agent and parsed.user_agent.family != "Other" else ""
    system = parsed.os.family if parsed.os and parsed.os.family != "Other" else ""
    return " · ".join(part for part in (browser, system) if part)


@bp.get("/account/sessions")
@login_required
def session_list():
    """Where the account is logged in: device, address, since when; end any of them or all others."""
    me = current_user._get_current_object()
    current_id = me.login_session.id if me.login_session is not None else None
    rows = [
        SessionRow(s.id, describe_device(s.user_agent) or _("Unknown device"), s.ip, s.created_at, s.last_seen_at,
                   s.expires_at, s.remember, s.id == current_id)
        for s in sessions.active_sessions(me)
    ]
    rows.sort(key=lambda row: not row.current)  # this device first
    return render_template("accounts/sessions.html", rows=rows, form=EndSessionsForm(),
                           touch_minutes=int(sessions.TOUCH_EVERY.total_seconds() // 60))


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    """End one sign-in of the account (ending this device's own is logging out)."""
    if not EndSessionsForm().validate_on_submit():
        abort(400)
    me = current_user._get_current_object()
    if me.login_session is not None and me.login_session.id == session_id:
        log_out()
        flash(_("You have logged out."), "success")
        return redirect(url_for("main.index"))
    if not sessions.end_session(me, session_id):
        abort(404)
    flash(_("That session has ended: whoever used it has to log in again."), "success")
    return redirect(url_for("accounts.session_list"))


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():
    """Sign out everywhere else: every sign-in of the account but this one ends."""
    if not EndSessionsForm().validate_on_submit():
        abort(400)
    me = current_user._get_current_object()
    ended = sessions.end_other_sessions(me, keep=me.login_session)
    flash(ngettext("%(num)s other session has ended.", "%(num)s other sessions have ended.", ended), "success")
    return redirect(url_for("accounts.session_list"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def change_password():
    """Change the password (knowing the current one); every other session of the account ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        me = current_user._get_current_object()
        try:
            ended = services.change_password(me, form.current_password.data, form.password.data,
                                             keep=me.login_session)
        except DomainError as error:
            getattr(form, error.field or "password").errors.append(str(error))
        else:
            flash(_("Your password has been changed.") + " " + ngettext(
                "%(num)s other session has ended.", "%(num)s other sessions have ended.", ended), "success")
            return redirect(url_for("accounts.session_list"))
    return render_template("accounts/change_password.html", form=form), 200 if not form.errors else 422
