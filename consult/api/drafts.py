"""Drafts for comment: the list, one draft with its articles, its public comments, and commenting."""

from typing import Literal, Self

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from consult.database import defer_write_lock
from consult.api import bp, schemas
from consult.api.common import (
    ID, SearchPageQuery, answer, department_json, list_response, page_of, request_locale, search_of,
)
from consult.api.errors import ApiError
from consult.api.fields import REQUIRED_TEXT_PATTERN, Email, Id, text
from consult.api.idempotency import form_token, idempotent
from consult.api.openapi import operation
from consult.api.validation import json_body, query_args
from consult.drafts import comments as comment_service
from consult.drafts import figures
from consult.drafts.domains import DOMAIN_CODES
from consult.drafts.models import PUBLIC_STATUSES, PUBLISHED, REPORT_PUBLISHED, Article, Comment, Draft
from consult.drafts.queries import (
    DraftFilters, get_draft_to_comment_or_404, get_public_draft_or_404, public_drafts_listing, search_comments,
)
from consult.search.matching import RELEVANCE
from consult.extensions import db, limiter
from consult.limits import COMMENT_LIMIT

Anchor = text(80, required=True)  # an article's `anchor` (e.g. art-3), as in GET /drafts/{id}
# "An e-mail address or a phone number": one of them present and more than white space.
CONTACT_RULE = {"anyOf": [
    {"required": [name], "properties": {name: {"type": "string", "pattern": REQUIRED_TEXT_PATTERN}}}
    for name in ("email", "phone")
]}


class DraftQuery(SearchPageQuery):
    status: Literal[PUBLIC_STATUSES] | None = None
    domain: Literal[tuple(DOMAIN_CODES)] | None = Field(None, description="Policy domain code.")
    department: Id | None = Field(None, description="Lead department id.")


class CommentQuery(SearchPageQuery):
    article: Anchor | None = Field(None, description="Only comments on the article with this anchor.")


class CommentCreate(BaseModel):
    """A comment on a draft: a name, and an e-mail address or a phone number (or both)."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={
        "allOf": [CONTACT_RULE, {"not": {"required": ["article_id", "article"]}}]})

    body: text(comment_service.BODY_MAX, required=True) = Field(description="The comment (plain text).")
    article_id: Id | None = Field(None, description="Comment on one article: an `articles[].id` of the draft.")
    article: Anchor | None = Field(None, description="Or name the article by its `anchor` (e.g. art-3), as in "
                                                     "GET /drafts/{id}. Leave both out for the whole draft.")
    name: text(80, required=True) = Field(description="Your name (shown masked, e.g. 张*).")
    phone: text(32) | None = Field(None, description="Any phone number (as on the comment form).")
    email: Email | None = None
    notify_by: Literal["mail", "sms"] | None = Field(None, description="How to tell the sender of progress: "
                                                      "`sms` to the mobile number (never with the query code), "
                                                      "`mail`; left out: e-mail if an address is given, else SMS.")

    @model_validator(mode="after")
    def _rules(self) -> Self:
        if not (self.email or self.phone):
            raise PydanticCustomError("contact_required", "an e-mail address or a phone number", {"field": "email"})
        if self.article_id is not None and self.article is not None:
            raise PydanticCustomError("one_article", "article_id or article", {"field": "article"})
        return self


def draft_summary(draft: Draft) -> dict:
    return {
        "id": draft.id, "title": draft.title, "summary": draft.summary, "status": draft.status,
        "domain": draft.domain, "department": department_json(draft.department), "opens_at": draft.opens_at,
        "closes_at": draft.closes_at, "accepting_comments": comment_service.accepting_comments(draft),
        "comment_count": draft.comment_count,
        "url": url_for("drafts.detail", draft_id=draft.id, _external=True),
    }


def draft_detail(draft: Draft) -> schemas.Draft:
    version = draft.current_version
    return schemas.Draft(
        **draft_summary(draft), legal_basis=draft.legal_basis, interpretation=draft.interpretation,
        version=version.number if version else 0,
        articles=[
            {"id": a.id, "anchor": a.anchor, "heading": a.heading, "body": a.body, "comment_count": a.comment_count}
            for a in (version.articles if version else [])
        ],
        questions=[{"question": qa.question, "answer": qa.answer} for qa in draft.qa_pairs],
    )


def comment_json(comment: Comment) -> dict:
    return {"id": comment.id, "public_name": comment.public_name, "body": comment.public_body,
            "article_anchor": comment.article_anchor or None, "created_at": comment.created_at}


@bp.get("/drafts")
@operation("listDrafts", "Drafts for comment: open ones first, newest first", tag="drafts",
           responses={200: schemas.DraftPage}, public_read=True, query=DraftQuery)
def list_drafts():
    """Drafts the public may see, filtered like the drafts page."""
    query = query_args(DraftQuery)
    filters = DraftFilters(query=search_of(query), domain=query.domain or "", department_id=query.department,
                           status=query.status or "", sort=query.sort or RELEVANCE)
    stmt, order = public_drafts_listing(filters)
    page = page_of(stmt, order, query)
    return list_response(schemas.DraftPage, [draft_summary(d) for d in page.items], page)


@bp.get(f"/drafts/<{ID}:draft_id>")
@operation("getDraft", "One draft: text by article, interpretation and Q&A", tag="drafts",
           responses={200: schemas.Draft}, public_read=True)
def get_draft(draft_id: int):
    """A public draft with its current version's articles."""
    draft = get_public_draft_or_404(draft_id)
    return answer(draft_detail(draft))


@bp.get(f"/drafts/<{ID}:draft_id>/comments")
@operation("listDraftComments", "Public comments on a draft, newest first (names masked); searchable", tag="drafts",
           responses={200: schemas.CommentPage}, public_read=True, query=CommentQuery)
def list_draft_comments(draft_id: int):
    """Published comments only: held and rejected ones never appear, nor any contact details."""
    draft = get_public_draft_or_404(draft_id)
    query = query_args(CommentQuery)
    stmt, order = search_comments(comment_service.public_comments_query(draft, query.article), search_of(query),
                                  public=True, order_by=(Comment.id.desc(),), by_relevance=query.sort != "date")
    page = page_of(stmt, order, query)
    return list_response(schemas.CommentPage, [comment_json(c) for c in page.items], page)


@bp.get(f"/drafts/<{ID}:draft_id>/report")
@operation("getDraftReport", "The published feedback report's numbers: by article, disposition and stance",
           tag="drafts", responses={200: schemas.ReportFigures}, public_read=True,
           description="Counts only, no personal data: the same numbers as the public report page and its "
                       "CSV/JSON downloads. 404 until the report is published.")
def get_draft_report(draft_id: int):
    """The numbers of a published feedback report."""
    draft = get_public_draft_or_404(draft_id)
    if draft.status != REPORT_PUBLISHED:
        raise ApiError(404, _("The feedback report of this draft has not been published."))
    return answer(schemas.ReportFigures(**figures.figures_json(draft, figures.report_figures(draft))))


def _article_anchor(draft: Draft, values: CommentCreate) -> str | None:
    """The anchor of the current version's article the comment names (409 if the draft has no such article)."""
    if values.article_id is None and values.article is None:
        return None
    where = Article.id == values.article_id if values.article_id is not None else Article.anchor == values.article
    article = db.session.scalar(sa.select(Article).where(Article.version_id == draft.current_version_id, where))
    if article is None:
        field = "article_id" if values.article_id is not None else "article"
        message = _("This article does not exist in the current version.")
        raise ApiError(409, message, errors={field: [message]})
    return article.anchor


@bp.post(f"/drafts/<{ID}:draft_id>/comments")
@defer_write_lock
@limiter.limit(COMMENT_LIMIT)
@operation("createDraftComment", "Comment on a draft or one of its articles", tag="drafts",
           responses={201: schemas.CommentReceipt}, body=CommentCreate, rate_limited=True, idempotent=True,
           description="Creates a tracked submission exactly like the comment form: same checks, same receipt "
                       "mail, answer due 15 working days after the consultation closes.")
@idempotent
def create_draft_comment(draft_id: int):
    """Receive a comment through the same service as the form."""
    draft = get_draft_to_comment_or_404(draft_id)
    values = json_body(CommentCreate)
    anchor = comment_service.check_on_current_draft(draft, lambda: _article_anchor(draft, values), (ApiError,))
    receipt = comment_service.submit_comment(
        draft, body=values.body, form_token=form_token(), article_anchor=anchor, name=values.name,
        email=values.email or "", phone=values.phone or "", locale=request_locale(), notify_by=values.notify_by,
    )
    if receipt.duplicate:
        raise ApiError(409, _("This comment was already received."))
    submission = receipt.comment.submission
    return answer(schemas.CommentReceipt(
        tracking_no=submission.tracking_no, query_code=receipt.query_code, due_on=submission.due_on,
        status=submission.status, comment_id=receipt.comment.id,
        moderation="published" if receipt.comment.moderation == PUBLISHED else "held",
    ), 201, url_for("api.get_submission", tracking_no=submission.tracking_no, _external=True))
