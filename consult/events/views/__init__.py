"""The ``events`` blueprint (``/events``): open days for the public and their registrants, and the staff's
pages for events, registrations, decisions, the draw and check-in."""

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")

from consult.events.views import office, public  # noqa: E402,F401  -- register the routes
