"""好差评 through the API: the citizen's rating (with the query code), and for officers (bearer token) the
department's rectification tasks with their follow-up record and completion (appeals: consult.api.appeals).

Scoped like the office pages: another department's task or submission answers 404. Every change goes
through the services of consult.practice and consult.tracking.citizen.
"""

from typing import Literal

import sqlalchemy as sa
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from consult.api import bp
from consult.api.common import ID, PageQuery, answer, list_response, page_of
from consult.api.fields import Day, Id, Moment, text
from consult.api.idempotency import idempotent
from consult.api.openapi import Header, operation
from consult.api.staff import api_user, department_of_request, in_department_or_404
from consult.api.schemas import Answer, page_of as page_model
from consult.api.submissions import HEADER, TRACKING_NO, QueryCode, _query_code, not_found
from consult.api.tokens import token_required
from consult.api.validation import json_body, query_args
from consult.authz import WORKER_ROLES
from consult.extensions import limiter
from consult.limits import LOOKUP_LIMIT
from consult.localtime import local_today
from consult.practice import rectification
from consult.practice.models import (
    FOLLOW_UP_METHODS, TASK_OPEN, TASK_STATUSES, RectificationTask,
)  # fmt: skip
from consult.tracking import citizen
from consult.tracking.models import SATISFACTION_LEVELS

Level = Literal[SATISFACTION_LEVELS]


class RatingCreate(BaseModel):
    """The citizen's verdict on the latest answer (once per answer)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    resolved: bool = Field(description="问题是否得到解决？ Was the problem solved?")
    satisfaction: Level = Field(description="非常满意 / 满意 / 基本满意 / 不满意 / 非常不满意, best first.")
    comment: text(2000) = Field("", description="Optional comment.")


class RatingResult(Answer):
    tracking_no: str
    status: str = Field(description="closed, or reopened (the first poor rating reopens once).")
    satisfaction: Level
    resolved: bool
    rectification_due_on: Day | None = Field(description="The rectification task a poor rating opened, if any.")


class FollowUp(Answer):
    contacted_by: str
    contacted_at: Moment
    method: Literal[FOLLOW_UP_METHODS]
    outcome: str


class Task(Answer):
    id: int
    submission_id: int
    tracking_no: str
    department_id: int
    satisfaction: Level
    complaint: str
    status: Literal[TASK_STATUSES]
    opened_at: Moment
    due_on: Day
    overdue: bool
    follow_up: FollowUp | None
    result: str
    closed_at: Moment | None


TaskPage = page_model(Task)


class TaskQuery(PageQuery):
    status: Literal[TASK_STATUSES] = Field(TASK_OPEN, description="open (default), done or withdrawn.")
    department: Id | None = Field(None, description="Admins only: which department.")


class FollowUpCreate(BaseModel):
    """The follow-up record (回访): who contacted the citizen, when, how and the outcome."""

    model_config = ConfigDict(strict=True, extra="forbid")

    contacted_by: text(80, required=True)
    contacted_at: AwareDatetime = Field(strict=False, description="ISO 8601 with its offset, not in the future.")
    method: Literal[FOLLOW_UP_METHODS] = Field(description="phone (电话), in_person (当面) or written (书面).")
    outcome: text(5000, required=True)


class TaskComplete(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    result: text(5000, required=True) = Field(description="What was rectified; shown with the published answer.")


def task_json(task: RectificationTask) -> Task:
    follow_up = FollowUp(contacted_by=task.follow_up_by, contacted_at=task.follow_up_at,
                         method=task.follow_up_method, outcome=task.follow_up_outcome) if task.has_follow_up else None
    return Task(
        id=task.id, submission_id=task.submission_id, tracking_no=task.submission.tracking_no,
        department_id=task.department_id, satisfaction=task.satisfaction, complaint=task.complaint,
        status=task.status, opened_at=task.opened_at, due_on=task.due_on, overdue=task.is_overdue(local_today()),
        follow_up=follow_up, result=task.result, closed_at=task.closed_at,
    )


def _task_or_404(task_id: int) -> RectificationTask:
    return in_department_or_404(RectificationTask, task_id)


@bp.post("/submissions/<tracking_no>/rating")
@limiter.limit(LOOKUP_LIMIT)
@operation("rateSubmission", "Rate the answer to a submission (好差评)", tag="submissions",
           responses={200: RatingResult}, body=RatingCreate, rate_limited=True,
           headers=(Header(HEADER, QueryCode, "The query code from the receipt."),),
           description="Once per answer. A poor rating (unsatisfied, very_unsatisfied) reopens the submission "
                       "once and opens a rectification task for the department. A wrong code or unknown number "
                       "answers 404; an answer already rated, or no answer yet, 409.")
def rate_submission(tracking_no: str):
    """The citizen's rating of the latest answer, as on the rating page."""
    code = _query_code()
    submission = citizen.find_submission(tracking_no, code) if code and TRACKING_NO.fullmatch(tracking_no) else None
    if submission is None:
        raise not_found()
    values = json_body(RatingCreate)
    status = citizen.rate(submission, resolved=values.resolved, satisfaction=values.satisfaction,
                          comment=values.comment)
    task = rectification.open_task_of(submission)
    response = answer(RatingResult(tracking_no=submission.tracking_no, status=status,
                                   satisfaction=submission.satisfaction, resolved=submission.resolved,
                                   rectification_due_on=task.due_on if task else None))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/office/rectifications")
@operation("getRectifications", "The department's rectification tasks (整改)", tag="office",
           responses={200: TaskPage}, auth=True, query=TaskQuery,
           description="Open tasks by due date (the earliest first); done or withdrawn ones with ?status=.")
@token_required(*WORKER_ROLES)
def rectifications():
    """The tasks of the token's department (admins: ?department=), cursor-paginated."""
    query = query_args(TaskQuery)
    department = department_of_request(query.department)
    stmt = sa.select(RectificationTask).where(RectificationTask.department_id == department.id,
                                              RectificationTask.status == query.status)
    page = page_of(stmt, (RectificationTask.due_on, RectificationTask.id), query)
    return list_response(TaskPage, [task_json(task) for task in page.items], page)


@bp.get(f"/office/rectifications/<{ID}:task_id>")
@operation("getRectification", "One rectification task with its follow-up record", tag="office",
           responses={200: Task}, auth=True)
@token_required(*WORKER_ROLES)
def rectification_task(task_id: int):
    """A task of the token's department (404 for any other)."""
    return answer(task_json(_task_or_404(task_id)))


@bp.post(f"/office/rectifications/<{ID}:task_id>/follow-up")
@operation("recordFollowUp", "Record the follow-up (回访) of a rectification task", tag="office",
           responses={200: Task}, body=FollowUpCreate, auth=True, idempotent=True,
           description="A task no longer open, or a follow-up in the future, answers 409.")
@token_required(*WORKER_ROLES)
@idempotent
def record_follow_up(task_id: int):
    """Who contacted the citizen, when, how, and the outcome."""
    task = _task_or_404(task_id)
    values = json_body(FollowUpCreate)
    rectification.record_follow_up(task, actor=api_user(), contacted_by=values.contacted_by,
                                   contacted_at=values.contacted_at, method=values.method, outcome=values.outcome)
    return answer(task_json(task))


@bp.post(f"/office/rectifications/<{ID}:task_id>/complete")
@operation("completeRectification", "Complete a rectification task", tag="office", responses={200: Task},
           body=TaskComplete, auth=True, idempotent=True,
           description="Without a follow-up record, or while the reopened submission waits for its new answer, "
                       "answers 409.")
@token_required(*WORKER_ROLES)
@idempotent
def complete_rectification(task_id: int):
    """Close the task with what was rectified."""
    task = _task_or_404(task_id)
    values = json_body(TaskComplete)
    rectification.complete_task(task, actor=api_user(), result=values.result)
    return answer(task_json(task))
