"""The ``stats`` blueprint: public statistics and the officers' dashboard."""

from flask import Blueprint

bp = Blueprint("stats", __name__)

from consult.stats.views import office, public  # noqa: E402,F401  -- register the routes
