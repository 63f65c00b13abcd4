"""The ``mailbox`` blueprint: public pages (mailboxes, published letters, writing a letter), the officers'
pages and the admin's mailbox configuration."""

from flask import Blueprint

bp = Blueprint("mailbox", __name__)

from consult.mailbox.views import admin, office, office_faq, public  # noqa: E402,F401  -- register the routes
