"""The ``accounts`` blueprint: logging in and out, registering, passwords and one's own sign-ins (under
``/account``), and the admin's pages for departments and staff accounts (under ``/admin``)."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from consult.accounts.views import admin, public, public_phone, public_sessions  # noqa: E402,F401  -- register the routes
