"""The ``notify`` blueprint: each user's mail preferences, and the admin's outbox."""

from flask import Blueprint

bp = Blueprint("notify", __name__)

from consult.notify.views import admin, admin_sms, public  # noqa: E402,F401  -- register the routes
