"""Public statistics (政务公开): the figures of the statistics page, as JSON."""

from pydantic import Field

from consult.api import bp, schemas
from consult.api.common import Query, answer
from consult.api.fields import Id, whole_number
from consult.api.openapi import operation
from consult.api.validation import query_args
from consult.stats.services import MAX_MONTHS, published_stats


class StatsQuery(Query):
    department: Id | None = Field(None, description="Only this department.")
    months: whole_number(1, MAX_MONTHS) = Field(12, description="Calendar months back, the current one included.")


@bp.get("/stats")
@operation("getStats", "Received, answered, on-time and satisfaction figures per department, kind and month",
           tag="stats", responses={200: schemas.Stats}, public_read=True, query=StatsQuery,
           description="The same figures and definitions as the public statistics page: a submission counts in "
                       "the month it was received; on time = answered on or before its due date; satisfaction "
                       "= (满意 + 基本满意) / rated. Rates are fractions between 0 and 1, or null.")
def get_stats():
    """The statistics computed by the statistics service (aggregate queries only)."""
    query = query_args(StatsQuery)
    return answer(schemas.Stats.model_validate(published_stats(query.department, query.months)))
