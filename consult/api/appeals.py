"""Appeals against ratings (申诉复核) through the API: the department files one and lists its own (officers,
reviewers, bearer token); an administrator outside that department lists them all and decides.

The same services as the pages (consult.practice.appeals): an upheld appeal takes the rating out of every
rate and withdraws the rectification task it opened; the timeline records both decisions.
"""

from typing import Literal, Self

import sqlalchemy as sa
from flask import url_for
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import joinedload

from consult.accounts.models import ADMIN
from consult.api import bp
from consult.api.common import ID, PageQuery, answer, department_json, list_response, page_of
from consult.api.fields import REQUIRED_TEXT_PATTERN, Id, Moment, text
from consult.api.idempotency import idempotent
from consult.api.office import submission_or_404
from consult.api.openapi import operation
from consult.api.schemas import Answer, Department, page_of as page_model
from consult.api.staff import api_user, department_of_request, in_department_or_404
from consult.api.tokens import token_required
from consult.api.validation import json_body, query_args
from consult.authz import WORKER_ROLES
from consult.practice import appeals
from consult.practice.models import APPEAL_GROUNDS, APPEAL_PENDING, APPEAL_STATUSES, RatingAppeal
from consult.tracking.models import SATISFACTION_LEVELS

DECISIONS = ("uphold", "reject")


class Appeal(Answer):
    id: int
    submission_id: int
    tracking_no: str
    department_id: int
    department: Department
    satisfaction: Literal[SATISFACTION_LEVELS] = Field(description="The rating appealed against.")
    ground: Literal[APPEAL_GROUNDS]
    reason: str
    status: Literal[APPEAL_STATUSES]
    filed_at: Moment
    decided_at: Moment | None
    decision_note: str
    rating_counts: bool = Field(description="Whether the submission's rating still counts in the rates (false "
                                            "once an appeal against it is upheld).")
    may_decide: bool = Field(description="Whether the token's owner may decide it: an administrator outside the "
                                         "department, while it is pending.")


AppealPage = page_model(Appeal)


class AppealCreate(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    ground: Literal[APPEAL_GROUNDS] = Field(description="mistaken or malicious.")
    reason: text(5000, required=True)


class AppealDecision(BaseModel):
    """Uphold (the rating stops counting) or reject (with a note saying why) a pending appeal."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"allOf": [{
        "if": {"properties": {"decision": {"const": "reject"}}},
        "then": {"required": ["note"], "properties": {"note": {"type": "string", "pattern": REQUIRED_TEXT_PATTERN}}},
    }]})

    decision: Literal[DECISIONS]
    note: text(5000) | None = Field(None, description="Shown to the department; required when rejecting.")

    @model_validator(mode="after")
    def _reason_for_a_rejection(self) -> Self:
        if self.decision == "reject" and not self.note:
            raise PydanticCustomError("note_required", "a note when rejecting", {"field": "note"})
        return self


class DepartmentAppealQuery(PageQuery):
    department: Id | None = Field(None, description="Admins only: which department.")


class AppealQuery(PageQuery):
    status: Literal[APPEAL_STATUSES] = Field(APPEAL_PENDING, description="pending (default), upheld or rejected.")


def appeal_json(appeal: RatingAppeal) -> Appeal:
    submission = appeal.submission
    return Appeal(
        id=appeal.id, submission_id=appeal.submission_id, tracking_no=submission.tracking_no,
        department_id=appeal.department_id, department=department_json(appeal.department),
        satisfaction=appeal.satisfaction, ground=appeal.ground, reason=appeal.reason, status=appeal.status,
        filed_at=appeal.filed_at, decided_at=appeal.decided_at, decision_note=appeal.decision_note,
        rating_counts=not submission.rating_removed,
        may_decide=appeal.status == APPEAL_PENDING and appeals.may_decide(api_user(), appeal),
    )


def _listing(stmt: sa.Select) -> sa.Select:
    return stmt.options(joinedload(RatingAppeal.submission), joinedload(RatingAppeal.department))


@bp.post(f"/office/submissions/<{ID}:submission_id>/appeal")
@operation("appealRating", "Appeal a submission's poor rating (申诉复核)", tag="office",
           responses={201: Appeal}, body=AppealCreate, auth=True, idempotent=True,
           description="Once per rating; only a poor rating that still counts (409 otherwise). An administrator "
                       "outside the department decides (POST /admin/appeals/{appeal_id}/decision).")
@token_required(*WORKER_ROLES)
@idempotent
def appeal_rating(submission_id: int):
    """File the department's appeal against the current rating."""
    submission = submission_or_404(submission_id)
    values = json_body(AppealCreate)
    appeal = appeals.file_appeal(submission, actor=api_user(), ground=values.ground, reason=values.reason)
    return answer(appeal_json(appeal), 201, url_for("api.office_appeal", appeal_id=appeal.id, _external=True))


@bp.get("/office/appeals")
@operation("getDepartmentAppeals", "The department's appeals against ratings and their decisions", tag="office",
           responses={200: AppealPage}, auth=True, query=DepartmentAppealQuery,
           description="Newest first. Officers and reviewers see their own department; admins pick one.")
@token_required(*WORKER_ROLES)
def department_appeals():
    """The appeals of the token's department (admins: ?department=), cursor-paginated."""
    query = query_args(DepartmentAppealQuery)
    department = department_of_request(query.department)
    stmt = _listing(sa.select(RatingAppeal).where(RatingAppeal.department_id == department.id))
    page = page_of(stmt, (RatingAppeal.id.desc(),), query)
    return list_response(AppealPage, [appeal_json(appeal) for appeal in page.items], page)


@bp.get(f"/office/appeals/<{ID}:appeal_id>")
@operation("getAppeal", "One appeal with its decision", tag="office", responses={200: Appeal}, auth=True,
           description="An appeal of another department answers 404 (admins see every appeal).")
@token_required(*WORKER_ROLES)
def office_appeal(appeal_id: int):
    """An appeal of the token's department."""
    return answer(appeal_json(in_department_or_404(RatingAppeal, appeal_id)))


@bp.get("/admin/appeals")
@operation("getAppeals", "Appeals against ratings awaiting a decision, or decided (administrators)", tag="admin",
           responses={200: AppealPage}, auth=True, query=AppealQuery,
           description="Every department's appeals in the order they were filed. `may_decide` says which ones the "
                       "token's owner may decide: not those of their own department.")
@token_required(ADMIN)
def admin_appeals():
    """All appeals of one status, oldest first (as the admin page)."""
    query = query_args(AppealQuery)
    stmt = _listing(sa.select(RatingAppeal).where(RatingAppeal.status == query.status))
    page = page_of(stmt, (RatingAppeal.filed_at, RatingAppeal.id), query)
    return list_response(AppealPage, [appeal_json(appeal) for appeal in page.items], page)


@bp.post(f"/admin/appeals/<{ID}:appeal_id>/decision")
@operation("decideAppeal", "Uphold or reject an appeal (administrators outside the department)", tag="admin",
           responses={200: Appeal}, body=AppealDecision, auth=True, idempotent=True,
           description="Upheld: the rating no longer counts in any rate (the statistics count it under "
                       "`ratings_removed`) and its open rectification task is withdrawn. Rejected: a note says "
                       "why. An administrator of the appealing department answers 403; an appeal already "
                       "decided, 409.")
@token_required(ADMIN)
@idempotent
def decide_appeal(appeal_id: int):
    """Decide a pending appeal."""
    appeal = in_department_or_404(RatingAppeal, appeal_id)
    values = json_body(AppealDecision)
    appeals.decide_appeal(appeal, actor=api_user(), uphold=values.decision == "uphold", note=values.note or "")
    return answer(appeal_json(appeal))
