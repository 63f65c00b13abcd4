"""The ``practice`` blueprint: rectification tasks and rating appeals for officers, appeal decisions, the
settings and the compliance self-check for admins."""

from flask import Blueprint

bp = Blueprint("practice", __name__)

from consult.practice.views import admin, compliance, office, summary_documents  # noqa: E402,F401  -- routes
