"""Officer endpoints (bearer token): the department inbox, one submission, drafting a reply, transferring.

Scoped like the office pages: officers and reviewers see their own department only (another department's
submission answers 404, as if it did not exist); admins may pick any department. All changes go through
the tracking engine's services (create_reply, submit_reply, transfer_submission).
"""

from typing import Literal

from flask import url_for
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts.models import Department
from consult.api import bp, schemas
from consult.api.common import ID, SearchPageQuery, answer, department_json, list_response, page_of, search_of
from consult.search.matching import RELEVANCE
from consult.api.errors import ApiError, field_names
from consult.api.fields import Id, text
from consult.api.idempotency import idempotent
from consult.api.openapi import operation
from consult.api.staff import api_user, department_of_request, in_department_or_404
from consult.api.tokens import token_required
from consult.api.validation import json_body, query_args
from consult.authz import WORKER_ROLES
from consult.extensions import db
from consult.localtime import local_today
from consult.tracking import services
from consult.tracking.models import KINDS, OPEN_STATUSES, STATUSES, Reply, Submission

DUE_FILTERS = ("due_soon", "overdue", "very_overdue")
ASSIGNEE_FILTERS = ("anyone", "me", "unassigned")


class InboxQuery(SearchPageQuery):
    status: Literal[(*STATUSES, "all")] | None = Field(None, description="Default: the open statuses.")
    kind: Literal[KINDS] | None = None
    due: Literal[DUE_FILTERS] | None = None
    assignee: Literal[ASSIGNEE_FILTERS] | None = None
    department: Id | None = Field(None, description="Admins only: which department.")


class ReplyCreate(BaseModel):
    """A reply to the submission, drafted in your name; a reviewer approves it before it goes out."""

    model_config = ConfigDict(strict=True, extra="forbid")

    body: text(20000, required=True) = Field(description="The reply (Markdown).")
    submit_for_review: bool = Field(False, description="Send it to the department's reviewers straight away.")


class TransferCreate(BaseModel):
    """Hand the submission to another department; its due date does not change."""

    model_config = ConfigDict(strict=True, extra="forbid")

    department_id: Id = Field(description="The department taking the submission over.")
    reason: text(1000, required=True) = Field(description="Kept on the timeline for staff.")


def inbox_item(submission: Submission, today) -> dict:
    assignee = submission.assignee
    return {
        "id": submission.id, "tracking_no": submission.tracking_no, "kind": submission.kind,
        "status": submission.status, "subject": submission.subject, "received_at": submission.received_at,
        "due_on": submission.due_on, "due_soon": submission.is_due_soon(today),
        "overdue": submission.is_overdue(today), "very_overdue": submission.is_very_overdue(today),
        "assignee": {"id": assignee.id, "name": assignee.display_name} if assignee else None,
        "department": department_json(submission.department),
    }


def reply_json(reply: Reply) -> schemas.Reply:
    return schemas.Reply(id=reply.id, status=reply.status, body=reply.body, body_html=reply.body_html,
                         author_id=reply.author_id, submission_ids=[s.id for s in reply.submissions],
                         created_at=reply.created_at)


def office_view(submission: Submission, today) -> schemas.OfficeSubmission:
    """Everything the department's staff see, contact details and internal notes included."""
    return schemas.OfficeSubmission(
        **inbox_item(submission, today), body=submission.body, is_public=submission.is_public,
        answered_at=submission.answered_at,
        submitter={"name": submission.submitter_name, "email": submission.contact_email,
                   "phone": submission.submitter_phone},
        timeline=[
            {"at": e.created_at, "action": e.action, "from_status": e.from_status, "to_status": e.to_status,
             "actor_role": e.actor_role, "actor": e.actor_label, "public_note": e.public_note,
             "internal_note": e.internal_note}
            for e in submission.events
        ],
        replies=[reply_json(r) for r in submission.replies],
    )


def _inbox_filters(query: InboxQuery) -> services.InboxFilters:
    status, due = query.status, query.due
    statuses = STATUSES if status == "all" else (status,) if status else OPEN_STATUSES
    return services.InboxFilters(
        statuses=statuses, kind=query.kind, assignee_id=api_user().id if query.assignee == "me" else None,
        unassigned=query.assignee == "unassigned", due_soon=due == "due_soon", overdue=due == "overdue",
        very_overdue=due == "very_overdue", query=search_of(query), sort=query.sort or RELEVANCE,
    )


def submission_or_404(submission_id: int) -> Submission:
    """The submission if the token's user works for its department (admins: any), else 404."""
    return in_department_or_404(Submission, submission_id, options=[
        joinedload(Submission.department), joinedload(Submission.assignee), selectinload(Submission.events)])


@bp.get("/office/inbox")
@operation("getInbox", "The department's submissions, the earliest due date first", tag="office",
           responses={200: schemas.InboxPage}, auth=True, query=InboxQuery)
@token_required(*WORKER_ROLES)
def inbox():
    """The inbox with the same filters as the office page, cursor-paginated."""
    query = query_args(InboxQuery)
    department = department_of_request(query.department)
    today = local_today()
    stmt, order = services.inbox_listing(department.id, today, _inbox_filters(query))
    page = page_of(stmt.options(joinedload(Submission.assignee), joinedload(Submission.department)), order, query)
    return list_response(schemas.InboxPage, [inbox_item(s, today) for s in page.items], page)


@bp.get(f"/office/submissions/<{ID}:submission_id>")
@operation("getOfficeSubmission", "One submission of your department, with contacts, timeline and replies",
           tag="office", responses={200: schemas.OfficeSubmission}, auth=True)
@token_required(*WORKER_ROLES)
def office_submission(submission_id: int):
    """A submission of the token's department (404 for any other)."""
    return answer(office_view(submission_or_404(submission_id), local_today()))


@bp.post(f"/office/submissions/<{ID}:submission_id>/replies")
@operation("createReply", "Draft a reply to a submission", tag="office", responses={201: schemas.Reply},
           body=ReplyCreate, auth=True, idempotent=True,
           description="A submission that already has a reply in preparation, or waits for the citizen, "
                       "answers 409.")
@token_required(*WORKER_ROLES)
@idempotent
def create_reply(submission_id: int):
    """Draft a reply in the token owner's name (and optionally send it for review)."""
    submission = submission_or_404(submission_id)
    values = json_body(ReplyCreate)
    with field_names(submissions="submission_id"):
        reply = services.create_reply(api_user(), [submission], values.body)
        if values.submit_for_review:
            services.submit_reply(reply, actor=api_user())
    db.session.flush()
    return answer(reply_json(reply), 201, url_for("api.office_submission", submission_id=submission.id, _external=True))


@bp.post(f"/office/submissions/<{ID}:submission_id>/transfer")
@operation("transferSubmission", "Transfer a submission to another department", tag="office",
           responses={200: schemas.TransferResult}, body=TransferCreate, auth=True, idempotent=True,
           description="An unknown department, or the submission's own, answers 409.")
@token_required(*WORKER_ROLES)
@idempotent
def transfer(submission_id: int):
    """Hand the submission over; it leaves your inbox and keeps its due date."""
    submission = submission_or_404(submission_id)
    values = json_body(TransferCreate)
    department = db.session.get(Department, values.department_id)
    if department is None:
        raise ApiError(409, _("There is no department with this id."),
                       errors={"department_id": [_("Unknown department.")]})
    with field_names(department="department_id"):
        services.transfer_submission(submission, department, actor=api_user(), reason=values.reason)
    db.session.flush()
    return answer(schemas.TransferResult(id=submission.id, tracking_no=submission.tracking_no,
                                         status=submission.status, department=department_json(department),
                                         due_on=submission.due_on))
