"""Staff search the comments on a draft: every comment (held and rejected too), best match first."""

import sqlalchemy as sa
from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy.orm import joinedload

from consult.drafts import transitions
from consult.drafts.models import Comment
from consult.drafts.queries import article_labels, search_comments
from consult.drafts.views import bp
from consult.drafts.views.office_answers import answer_roles
from consult.drafts.views.common import get_draft_for_staff_or_404
from consult.extensions import db
from consult.pagination import InvalidCursor, paginate
from consult.search.query import parse_or_empty
from consult.search.snippets import highlight

PER_PAGE = 50


@bp.get("/office/drafts/<int:draft_id>/comments")
@answer_roles
def staff_comments(draft_id: int):
    """Every comment on the draft, newest first; with ``q``, the matching ones, best match first (or newest
    first with ``sort=date``). The lead department's staff, editors and admins only, as for the export."""
    draft = get_draft_for_staff_or_404(draft_id)
    if not transitions.may_answer(current_user, draft):
        abort(403)
    query, error = parse_or_empty(request.args.get("q"))
    by_date = request.args.get("sort") == "date"
    stmt = sa.select(Comment).where(Comment.draft_id == draft.id).options(joinedload(Comment.submission))
    stmt, order = search_comments(stmt, query, public=False, order_by=(Comment.id.desc(),),
                                  by_relevance=not by_date)
    try:
        page = paginate(db.session, stmt, order, request.args.get("cursor"), per_page=PER_PAGE)
    except InvalidCursor:
        abort(400)
    snippets = {c.id: highlight(c.body, query, 160) for c in page.items} if query else {}
    return render_template(
        "drafts/office/comments.html", draft=draft, page=page, query=query, error=str(error.message) if error else "",
        sort="date" if by_date and query else "", snippets=snippets, headings=article_labels(draft.id),
    )
