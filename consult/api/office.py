"""Officer endpoints (bearer token): the department inbox, one submission, drafting a reply, transferring.

Scoped like the office pages: officers and reviewers see their own department only (another department's
submission answers 404, as if it did not exist); admins may pick any department. All changes go through
the tracking engine's services (create_reply, submit_reply, transfer_submission).
"""

import sqlalchemy as sa
from flask import g, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts.models import ADMIN, Department
from consult.api import bp
from consult.api.common import ID, created, department_json, iso, json_body, list_response, page_of
from consult.api.common import query_choice, query_int, query_text
from consult.api.errors import ApiError, domain_problem
from consult.api.idempotency import idempotent
from consult.api.openapi import CURSOR, LIMIT, Param, operation
from consult.api.tokens import token_required
from consult.api.validation import Body, Boolean, Integer, String
from consult.authz import WORKER_ROLES, works_for
from consult.domain import DomainError
from consult.extensions import db
from consult.tracking import services
from consult.tracking.clock import local_today
from consult.tracking.models import KINDS, OPEN_STATUSES, STATUSES, Reply, Submission

DUE_FILTERS = ("due_soon", "overdue", "very_overdue")
ASSIGNEE_FILTERS = ("anyone", "me", "unassigned")
REPLY_BODY = Body("ReplyCreate", {
    "body": String(required=True, max_length=20000, description="The reply (Markdown)."),
    "submit_for_review": Boolean(description="Send it to the department's reviewers straight away."),
}, description="A reply to the submission, drafted in your name; a reviewer approves it before it goes out.")
TRANSFER_BODY = Body("TransferCreate", {
    "department_id": Integer(required=True, minimum=1, description="The department taking the submission over."),
    "reason": String(required=True, max_length=1000, description="Kept on the timeline for staff."),
}, description="Hand the submission to another department; its due date does not change.")


def _user():
    return g.api_user


def inbox_item(submission: Submission, today) -> dict:
    assignee = submission.assignee
    return {
        "id": submission.id, "tracking_no": submission.tracking_no, "kind": submission.kind,
        "status": submission.status, "subject": submission.subject, "received_at": iso(submission.received_at),
        "due_on": iso(submission.due_on), "due_soon": submission.is_due_soon(today),
        "overdue": submission.is_overdue(today), "very_overdue": submission.is_very_overdue(today),
        "assignee": {"id": assignee.id, "name": assignee.display_name} if assignee else None,
        "department": department_json(submission.department),
    }


def reply_json(reply: Reply) -> dict:
    return {"id": reply.id, "status": reply.status, "body": reply.body, "body_html": reply.body_html,
            "author_id": reply.author_id, "submission_ids": [s.id for s in reply.submissions],
            "created_at": iso(reply.created_at)}


def office_view(submission: Submission, today) -> dict:
    """Everything the department's staff see, contact details and internal notes included."""
    return {
        **inbox_item(submission, today), "body": submission.body, "is_public": submission.is_public,
        "answered_at": iso(submission.answered_at),
        "submitter": {"name": submission.submitter_name, "email": submission.contact_email,
                      "phone": submission.submitter_phone},
        "timeline": [
            {"at": iso(e.created_at), "action": e.action, "from_status": e.from_status, "to_status": e.to_status,
             "actor_role": e.actor_role, "actor": e.actor_label, "public_note": e.public_note,
             "internal_note": e.internal_note}
            for e in submission.events
        ],
        "replies": [reply_json(r) for r in submission.replies],
    }


def _department() -> Department:
    """The user's own department; admins choose one with ``?department=`` (default: the first)."""
    user = _user()
    chosen = query_int("department")
    if user.role == ADMIN:
        stmt = sa.select(Department).order_by(Department.code)
        department = db.session.get(Department, chosen) if chosen else db.session.scalars(stmt.limit(1)).first()
    else:
        if chosen and chosen != user.department_id:
            raise ApiError(403, _("You can only see your own department's inbox."))
        department = db.session.get(Department, user.department_id) if user.department_id else None
    if department is None:
        raise ApiError(404, _("No department to show."))
    return department


def _inbox_filters() -> services.InboxFilters:
    status = query_choice("status", (*STATUSES, "all"))
    due = query_choice("due", DUE_FILTERS)
    assignee = query_choice("assignee", ASSIGNEE_FILTERS, "anyone")
    statuses = STATUSES if status == "all" else (status,) if status else OPEN_STATUSES
    return services.InboxFilters(
        statuses=statuses, kind=query_choice("kind", KINDS) or None,
        assignee_id=_user().id if assignee == "me" else None, unassigned=assignee == "unassigned",
        due_soon=due == "due_soon", overdue=due == "overdue", very_overdue=due == "very_overdue",
        text=query_text("q", 200),
    )


def _submission_or_404(submission_id: int) -> Submission:
    """The submission if the token's user works for its department (admins: any), else 404."""
    submission = db.session.get(Submission, submission_id, options=[
        joinedload(Submission.department), joinedload(Submission.assignee), selectinload(Submission.events)])
    if submission is None or not works_for(_user(), submission.department_id):
        raise ApiError(404)
    return submission


@bp.get("/office/inbox")
@operation("getInbox", "The department's submissions, the earliest due date first", tag="office",
           responses={200: "InboxPage"}, auth=True, params=[
               Param("status", {"type": "string", "enum": [*STATUSES, "all"]}, "Default: the open statuses."),
               Param("kind", {"type": "string", "enum": list(KINDS)}),
               Param("due", {"type": "string", "enum": list(DUE_FILTERS)}),
               Param("assignee", {"type": "string", "enum": list(ASSIGNEE_FILTERS)}),
               Param("q", {"type": "string", "maxLength": 200}, "Tracking number, subject or text."),
               Param("department", {"type": "integer", "minimum": 1}, "Admins only: which department."),
               CURSOR, LIMIT])
@token_required(*WORKER_ROLES)
def inbox():
    """The inbox with the same filters as the office page, cursor-paginated."""
    department = _department()
    today = local_today()
    stmt = services.inbox_query(department.id, today, _inbox_filters()).options(
        joinedload(Submission.assignee), joinedload(Submission.department))
    page = page_of(stmt, services.INBOX_ORDER)
    return list_response([inbox_item(s, today) for s in page.items], page)


@bp.get(f"/office/submissions/<{ID}:submission_id>")
@operation("getOfficeSubmission", "One submission of your department, with contacts, timeline and replies",
           tag="office", responses={200: "OfficeSubmission"}, auth=True)
@token_required(*WORKER_ROLES)
def office_submission(submission_id: int):
    """A submission of the token's department (404 for any other)."""
    return office_view(_submission_or_404(submission_id), local_today())


@bp.post(f"/office/submissions/<{ID}:submission_id>/replies")
@operation("createReply", "Draft a reply to a submission", tag="office", responses={201: "Reply"},
           request=REPLY_BODY, auth=True, idempotent=True)
@token_required(*WORKER_ROLES)
@idempotent
def create_reply(submission_id: int):
    """Draft a reply in the token owner's name (and optionally send it for review)."""
    submission = _submission_or_404(submission_id)
    values = json_body(REPLY_BODY)
    try:
        reply = services.create_reply(_user(), [submission], values["body"])
        if values["submit_for_review"]:
            services.submit_reply(reply, actor=_user())
    except DomainError as error:
        return domain_problem(error, aliases={"submissions": "submission_id"})
    db.session.flush()
    return created(reply_json(reply), url_for("api.office_submission", submission_id=submission.id, _external=True))


@bp.post(f"/office/submissions/<{ID}:submission_id>/transfer")
@operation("transferSubmission", "Transfer a submission to another department", tag="office",
           responses={200: "TransferResult"}, request=TRANSFER_BODY, auth=True, idempotent=True)
@token_required(*WORKER_ROLES)
@idempotent
def transfer(submission_id: int):
    """Hand the submission over; it leaves your inbox and keeps its due date."""
    submission = _submission_or_404(submission_id)
    values = json_body(TRANSFER_BODY)
    department = db.session.get(Department, values["department_id"])
    if department is None:
        raise ApiError(422, _("There is no department with this id."),
                       errors={"department_id": [_("Unknown department.")]})
    try:
        services.transfer_submission(submission, department, actor=_user(), reason=values["reason"])
    except DomainError as error:
        return domain_problem(error, aliases={"department": "department_id"})
    db.session.flush()
    return {"id": submission.id, "tracking_no": submission.tracking_no, "status": submission.status,
            "department": department_json(department), "due_on": iso(submission.due_on)}
