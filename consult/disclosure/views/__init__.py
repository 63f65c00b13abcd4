"""The ``disclosure`` blueprint: the public information-request form, the officers' pages for requests,
and the annual openness report."""

from flask import Blueprint

bp = Blueprint("disclosure", __name__)

from consult.disclosure.views import office, office_documents, office_report, public  # noqa: E402,F401  -- register the routes
