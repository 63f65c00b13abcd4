"""The administrators' SMS page (templates with their length and cost, today's count against the budget,
opt-outs) and the gateway's callback for replies (回复T退订)."""

import hashlib
import hmac

import sqlalchemy as sa
from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TelField
from wtforms.validators import DataRequired, Length

from consult.authz import admin_required
from consult.extensions import csrf, db, limiter
from consult.notify import sms
from consult.notify.models import SmsOptOut
from consult.notify.views import bp

OPT_OUT_WORDS = {"T", "TD", "N", "退订", "退定", "取消"}


class OptOutForm(FlaskForm):
    phone = TelField(_l("Mobile number"), filters=[lambda value: (value or "").strip()],
                     validators=[DataRequired(message=_l("Please enter the mobile number.")), Length(max=32)])


@bp.get("/admin/sms")
@admin_required
def sms_settings():
    """Every template as the phone shows it, with its length, segments and cost; today's use; opt-outs."""
    return render_template(
        "notify/sms.html",
        templates=sms.template_table(),
        sent_today=sms.sent_today(),
        budget=int(sms.setting("SMS_DAILY_BUDGET")),
        cap=int(sms.setting("SMS_DAILY_CAP_PER_NUMBER")),
        backend=sms.setting("SMS_BACKEND"),
        quiet=(sms.setting("SMS_QUIET_START"), sms.setting("SMS_QUIET_END")),
        price=sms.setting("SMS_PRICE_PER_SEGMENT"),
        opt_outs=db.session.scalar(sa.select(sa.func.count()).select_from(SmsOptOut)),
        form=OptOutForm(),
    )


@bp.post("/admin/sms/opt-outs")
@admin_required
def add_opt_out():
    """Record an opt-out received another way (by phone, in writing)."""
    form = OptOutForm()
    if form.validate_on_submit() and sms.opt_out(form.phone.data, source="admin"):
        flash(_("No more text messages will be sent to this number, except codes its owner asks for."), "success")
    else:
        flash(_("Please enter a mainland mobile number, e.g. 13800138000."), "error")
    return redirect(url_for("notify.sms_settings"))


def _signed(body: bytes) -> bool:
    secret = current_app.config.get("SMS_INBOUND_SECRET") or ""
    given = request.headers.get("X-Consult-Signature", "")
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return bool(secret) and hmac.compare_digest(expected, given)


@bp.post("/sms/inbound")
@csrf.exempt
@limiter.limit("600 per minute")
def inbound():
    """Replies forwarded by the gateway, as JSON (one reply or a list; ``phone``/``mobile`` and ``text``),
    signed with ``SMS_INBOUND_SECRET`` (hex HMAC-SHA256 of the body in ``X-Consult-Signature``). A reply of
    T (TD, N, 退订…) records an opt-out. Without the secret configured the endpoint does not exist."""
    if not current_app.config.get("SMS_INBOUND_SECRET"):
        abort(404)
    body = request.get_data(cache=True)
    if not _signed(body):
        abort(403)
    payload = request.get_json(silent=True)
    replies = payload if isinstance(payload, list) else [payload]
    recorded = 0
    for reply in replies:
        if not isinstance(reply, dict):
            abort(400)
        text = str(reply.get("text", "")).strip().upper()
        number = str(reply.get("phone") or reply.get("mobile") or "")
        if text in OPT_OUT_WORDS and sms.opt_out(number):
            recorded += 1
    return jsonify({"opt_outs": recorded})
