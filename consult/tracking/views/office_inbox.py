"""The officers' inbox: the department's submissions by due date, filtered, cursor-paginated."""

from flask import abort, flash, render_template, request
from flask_login import current_user
from sqlalchemy.orm import joinedload

from consult.extensions import db
from consult.localtime import local_today
from consult.pagination import InvalidCursor, paginate
from consult.tracking.models import KINDS, OPEN_STATUSES, STATUSES, Submission
from consult.search.matching import DATE, RELEVANCE
from consult.search.query import parse_or_empty
from consult.search.snippets import highlight
from consult.tracking.queries import InboxFilters, inbox_listing
from consult.tracking.views import bp
from consult.tracking.views.common import working_department, worker_required

PER_PAGE = 50
DUE_FILTERS = ("due_soon", "overdue", "very_overdue")
ASSIGNEE_FILTERS = ("anyone", "me", "unassigned")


def inbox_filters() -> tuple[InboxFilters, dict]:
    """The filters chosen in the query string, and the cleaned parameters to keep in links."""
    args = request.args
    status = args.get("status", "")
    kind = args.get("kind", "")
    due = args.get("due", "")
    assignee = args.get("assignee", "anyone")
    query, error = parse_or_empty(args.get("q"))
    if error is not None:
        flash(str(error.message), "error")
    params = {
        "status": status if status in STATUSES or status == "all" else "",
        "kind": kind if kind in KINDS else "",
        "due": due if due in DUE_FILTERS else "",
        "assignee": assignee if assignee in ASSIGNEE_FILTERS else "anyone",
        "q": query.text,
        "sort": DATE if query and args.get("sort") == DATE else "",
    }
    if params["status"] == "all":
        statuses = STATUSES
    elif params["status"]:
        statuses = (params["status"],)
    else:
        statuses = OPEN_STATUSES
    filters = InboxFilters(
        statuses=statuses,
        kind=params["kind"] or None,
        assignee_id=current_user.id if params["assignee"] == "me" else None,
        unassigned=params["assignee"] == "unassigned",
        due_soon=params["due"] == "due_soon",
        overdue=params["due"] == "overdue",
        very_overdue=params["due"] == "very_overdue",
        query=query,
        sort=params["sort"] or RELEVANCE,
    )
    return filters, {key: value for key, value in params.items() if value and value != "anyone"}


@bp.get("/office/inbox")
@worker_required
def inbox():
    """The department's submissions, the most urgent first; tick several to answer them with one reply."""
    department, choices = working_department()
    filters, params = inbox_filters()
    today = local_today()
    page, snippets = None, {}
    if department is not None:
        stmt, order = inbox_listing(department.id, today, filters)
        try:
            page = paginate(db.session, stmt.options(joinedload(Submission.assignee)), order,
                            request.args.get("cursor"), per_page=PER_PAGE)
        except InvalidCursor:
            abort(400)
        if filters.query:
            snippets = {s.id: highlight(s.body, filters.query, 90) for s in page.items}
        if choices:
            params["department"] = department.id
    return render_template(
        "tracking/inbox.html", department=department, departments=choices, page=page, params=params,
        today=today, kinds=KINDS, statuses=STATUSES, due_filters=DUE_FILTERS, snippets=snippets,
    )
