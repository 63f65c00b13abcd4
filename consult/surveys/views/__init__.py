"""The ``surveys`` blueprint: questionnaires for citizens (list, answer, published results) and for staff
(building, review, results and exports)."""

from flask import Blueprint

bp = Blueprint("surveys", __name__)

from consult.surveys.views import office, office_results, public  # noqa: E402,F401  -- register the routes
