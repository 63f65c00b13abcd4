"""Statistics as JSON: the public statistics page (政务公开), and the officers' dashboard (bearer token), both
with the 三率 and the on-time rate and their formulas."""

from pydantic import Field

from consult.accounts.models import STAFF_ROLES
from consult.api import bp, schemas
from consult.api.common import Query, answer, department_json
from consult.api.fields import Day, Id, whole_number
from consult.api.openapi import operation
from consult.api.staff import api_user, department_of_request
from consult.api.tokens import token_required
from consult.api.validation import query_args
from consult.localtime import local_today
from consult.practice.rectification import department_task_counts
from consult.stats import dashboard as board
from consult.stats.formulas import formulas
from consult.stats.services import MAX_MONTHS, compute_stats, published_stats


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


class DashboardQuery(Query):
    department: Id | None = Field(None, description="Admins only: which department (default: the first).")
    months: whole_number(1, MAX_MONTHS) = Field(12, description="Calendar months back, the current one included.")


class OpenCounts(schemas.Answer):
    open: int
    due_soon: int = Field(description="Due within 3 working days.")
    overdue: int


class TaskCounts(schemas.Answer):
    open: int = Field(description="Open rectification tasks (整改).")
    overdue: int


class Dashboard(schemas.Answer):
    department: schemas.Department
    as_of: Day
    my_overdue: int = Field(description="Open submissions assigned to the token's owner, past their due date.")
    my_due_soon: int = Field(description="Open submissions assigned to the token's owner, due within 3 working "
                                         "days.")
    awaiting_review: int = Field(description="Replies waiting for a reviewer: the department's for reviewers and "
                                             "admins, one's own for officers.")
    extensions_awaiting: int = Field(description="Extension requests waiting for a decision (reviewers, admins).")
    submissions: OpenCounts = Field(description="The department's open submissions now.")
    rectifications: TaskCounts
    stats: schemas.Stats = Field(description="The department's figures as in GET /stats?department=: the 三率 and "
                                             "the on-time rate in total, by kind, by month and by year, with "
                                             "their formulas.")


@bp.get("/office/dashboard")
@operation("getDashboard", "The officer's dashboard: my deadlines, work awaiting review, the department's figures",
           tag="office", responses={200: Dashboard}, auth=True, query=DashboardQuery,
           description="The same figures as the dashboard page. Officers and reviewers see their own department; "
                       "admins pick one.")
@token_required(*STAFF_ROLES)
def dashboard():
    """The figures of the dashboard page for the token's department (admins: ?department=)."""
    query = query_args(DashboardQuery)
    department = department_of_request(query.department)
    user, today = api_user(), local_today()
    stats = compute_stats(department.id, query.months, today)
    return answer(Dashboard(
        department=department_json(department), as_of=today,
        my_overdue=board.my_overdue(user, today).count, my_due_soon=board.my_due_soon(user, today).count,
        awaiting_review=board.awaiting_review(user, department.id).count,
        extensions_awaiting=board.extensions_awaiting(user, department.id),
        submissions=board.department_open_counts(department.id, today),
        rectifications=department_task_counts(department.id, today),
        stats=schemas.Stats.model_validate({**stats, "formulas": formulas(stats["response_hours"])}),
    ))
