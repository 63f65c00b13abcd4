"""The ``interviews`` blueprint: the announcements, live pages and archive for the public (``/interviews``),
the moderators' pages (``/office/interviews``) and announcing and editing interviews (``/admin/interviews``)."""

from flask import Blueprint

bp = Blueprint("interviews", __name__)

from consult.interviews.views import admin, office, public  # noqa: E402,F401  -- register the routes
