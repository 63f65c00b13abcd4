"""Public statistics (政务公开): the figures of the statistics page, as JSON."""

from pydantic import Field

from consult.api import bp, schemas
from consult.api.common import Query, answer
from consult.api.fields import Id, whole_number
from consult.api.openapi import operation
from consult.api.validation import query_args
from consult.stats.formulas import formulas
from consult.stats.services import MAX_MONTHS, published_stats


class StatsQuery(Query):
    department: Id | None = Field(None, description="Only this department.")
    months: whole_number(1, MAX_MONTHS) = Field(12, description="Calendar months back, the current one included.")


@bp.get("/stats")
@operation("getStats", "The 三率 (response, resolution, satisfaction) and the on-time rate per department, kind, "
           "month and year",
           tag="stats", responses={200: schemas.Stats}, public_read=True, query=StatsQuery,
           description="The same figures and definitions as the public statistics page: a submission counts in "
                       "the month it was received; on time = answered on or before its due date; satisfaction "
                       "= (非常满意 + 满意 + 基本满意) / rated; resolution = resolved / rated; response = acted on "
                       "within the response time / due a response. `formulas` gives each in words. Rates are "
                       "fractions between 0 and 1, or null.")
def get_stats():
    """The statistics computed by the statistics service (aggregate queries only)."""
    query = query_args(StatsQuery)
    stats = published_stats(query.department, query.months)
    return answer(schemas.Stats.model_validate({**stats, "formulas": formulas(stats["response_hours"])}))
