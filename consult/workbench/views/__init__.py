"""The ``workbench`` blueprint: the staff pages of a draft's comment analysis."""

from flask import Blueprint
from flask_babel import format_decimal

bp = Blueprint("workbench", __name__)


@bp.app_template_filter("count")
def _count(value) -> str:
    """A count with the reader's digit grouping (10,000)."""
    return format_decimal(value or 0)


from consult.workbench.views import office  # noqa: E402,F401  -- register the routes
