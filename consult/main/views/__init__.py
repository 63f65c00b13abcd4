"""The ``main`` blueprint: the home page, the health check, and the one administration home (``/admin``)."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from consult.main.views import admin, public  # noqa: E402,F401  -- register the routes
