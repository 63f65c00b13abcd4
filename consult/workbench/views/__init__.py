"""The ``workbench`` blueprint: the staff pages of the analysis of a draft's comments and of a questionnaire's
written answers."""

from flask import Blueprint

bp = Blueprint("workbench", __name__)


@bp.app_template_filter("count")
def _count(value) -> str:
    """A count with digit grouping (10,000): Chinese and English group digits alike, and Babel's locale-aware
    formatting cost a third of a millisecond per number (a fifth of the overview page's time)."""
    return f"{int(value or 0):,}"


from consult.workbench.views import admin, office, office_answers  # noqa: E402,F401  -- register the routes
