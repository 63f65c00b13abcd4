"""Public statistics (政务公开): the figures of the statistics page, as JSON."""

from consult.api import bp
from consult.api.common import query_int
from consult.api.openapi import Param, operation


@bp.get("/stats")
@operation("getStats", "Received, answered, on-time and satisfaction figures per department, kind and month",
           tag="stats", responses={200: "Stats"}, public_read=True, params=[
               Param("department", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                     "Only this department."),
               Param("months", {"type": "integer", "minimum": 1, "maximum": 36},
                     "How many calendar months back, the current one included (default 12)."),
           ],
           description="The same figures and definitions as the public statistics page: a submission counts in "
                       "the month it was received; on time = answered on or before its due date; satisfaction "
                       "= (满意 + 基本满意) / rated. Rates are fractions between 0 and 1, or null.")
def get_stats():
    """The statistics computed by the statistics service (aggregate queries only)."""
    from consult.stats.services import MAX_MONTHS, published_stats

    return published_stats(query_int("department"), query_int("months", 12, 1, MAX_MONTHS))
