"""Drafts for comment: the list, one draft with its articles, its public comments, and commenting."""

from flask import url_for
from flask_babel import gettext as _

from consult.api import bp
from consult.api.common import ID, department_json, iso, json_body, list_response, page_of, query_choice, query_int
from consult.api.common import created, query_text, request_locale
from consult.api.errors import ApiError
from consult.api.idempotency import form_token, idempotent
from consult.api.openapi import CURSOR, LIMIT, Param, operation
from consult.api.validation import Body, Integer, String
from consult.database import utcnow
from consult.drafts import comments as comment_service
from consult.drafts.domains import DOMAIN_CODES
from consult.drafts.models import PUBLIC_STATUSES, PUBLISHED, Article, Comment, Draft
from consult.drafts.queries import PUBLIC_ORDER, DraftFilters, public_drafts_query
from consult.drafts.services import advance_draft, advance_drafts
from consult.drafts.views.common import get_public_draft_or_404
from consult.extensions import db, limiter

COMMENT_LIMIT = "10 per minute"
COMMENT_BODY = Body("CommentCreate", {
    "body": String(required=True, max_length=comment_service.BODY_MAX, description="The comment (plain text)."),
    "article_id": Integer(minimum=1, description="Comment on one article (an `articles[].id` of the draft); "
                                                 "leave out to comment on the whole draft."),
    "name": String(max_length=80, description="Your name (shown masked, e.g. 张*)."),
    "phone": String(max_length=32),
    "email": String(max_length=254, format="email"),
}, description="A comment on a draft. Give a name and an e-mail address or phone number.")


def draft_summary(draft: Draft) -> dict:
    return {
        "id": draft.id, "title": draft.title, "summary": draft.summary, "status": draft.status,
        "domain": draft.domain, "department": department_json(draft.department), "opens_at": iso(draft.opens_at),
        "closes_at": iso(draft.closes_at), "accepting_comments": comment_service.accepting_comments(draft),
        "comment_count": draft.comment_count,
        "url": url_for("drafts.detail", draft_id=draft.id, _external=True),
    }


def draft_detail(draft: Draft) -> dict:
    version = draft.current_version
    return {
        **draft_summary(draft), "legal_basis": draft.legal_basis, "interpretation": draft.interpretation,
        "version": version.number if version else 0,
        "articles": [
            {"id": a.id, "anchor": a.anchor, "heading": a.heading, "body": a.body, "comment_count": a.comment_count}
            for a in (version.articles if version else [])
        ],
        "questions": [{"question": qa.question, "answer": qa.answer} for qa in draft.qa_pairs],
    }


def comment_json(comment: Comment) -> dict:
    return {"id": comment.id, "public_name": comment.public_name, "body": comment.public_body,
            "article_anchor": comment.article_anchor or None, "created_at": iso(comment.created_at)}


@bp.get("/drafts")
@operation("listDrafts", "Drafts for comment: open ones first, newest first", tag="drafts",
           responses={200: "DraftPage"}, public_read=True, params=[
               Param("status", {"type": "string", "enum": list(PUBLIC_STATUSES)}),
               Param("domain", {"type": "string", "enum": list(DOMAIN_CODES)}, "Policy domain code."),
               Param("department", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}, "Lead department id."),
               Param("q", {"type": "string", "maxLength": 100}, "Words in the title or summary."),
               CURSOR, LIMIT])
def list_drafts():
    """Drafts the public may see, filtered like the drafts page."""
    advance_drafts(utcnow())
    filters = DraftFilters(
        text=query_text("q", 100), domain=query_choice("domain", DOMAIN_CODES),
        department_id=query_int("department"), status=query_choice("status", PUBLIC_STATUSES),
    )
    page = page_of(public_drafts_query(filters), PUBLIC_ORDER)
    return list_response([draft_summary(d) for d in page.items], page)


@bp.get(f"/drafts/<{ID}:draft_id>")
@operation("getDraft", "One draft: text by article, interpretation and Q&A", tag="drafts",
           responses={200: "Draft"}, public_read=True)
def get_draft(draft_id: int):
    """A public draft with its current version's articles."""
    draft = get_public_draft_or_404(draft_id)
    advance_draft(draft, utcnow())
    return draft_detail(draft)


@bp.get(f"/drafts/<{ID}:draft_id>/comments")
@operation("listDraftComments", "Public comments on a draft, newest first (names masked)", tag="drafts",
           responses={200: "CommentPage"}, public_read=True, params=[
               Param("article", {"type": "string", "maxLength": 80}, "Only comments on the article with this anchor."),
               CURSOR, LIMIT])
def list_draft_comments(draft_id: int):
    """Published comments only: held and rejected ones never appear, nor any contact details."""
    draft = get_public_draft_or_404(draft_id)
    anchor = query_text("article", 80) or None
    page = page_of(comment_service.public_comments_query(draft, anchor), (Comment.id.desc(),))
    return list_response([comment_json(c) for c in page.items], page)


def _article_anchor(draft: Draft, article_id: int | None) -> str | None:
    """The anchor of the current version's article ``article_id``; 422 if the draft has no such article."""
    if article_id is None:
        return None
    article = db.session.get(Article, article_id)
    if article is None or article.version_id != draft.current_version_id:
        raise ApiError(422, _("This article does not exist in the current version."),
                       errors={"article_id": [_("This article does not exist in the current version.")]})
    return article.anchor


@bp.post(f"/drafts/<{ID}:draft_id>/comments")
@limiter.limit(COMMENT_LIMIT)
@operation("createDraftComment", "Comment on a draft or one of its articles", tag="drafts",
           responses={201: "CommentReceipt"}, request=COMMENT_BODY, rate_limited=True, idempotent=True,
           description="Creates a tracked submission exactly like the comment form: same checks, same receipt "
                       "mail, answer due 15 working days after the consultation closes.")
@idempotent
def create_draft_comment(draft_id: int):
    """Receive a comment through the same service as the form."""
    draft = get_public_draft_or_404(draft_id)
    values = json_body(COMMENT_BODY)
    anchor = _article_anchor(draft, values["article_id"])
    receipt = comment_service.submit_comment(
        draft, body=values["body"], form_token=form_token(), article_anchor=anchor, name=values["name"],
        email=values["email"], phone=values["phone"], locale=request_locale(),
    )
    if receipt.duplicate:
        raise ApiError(409, _("This comment was already received."))
    submission = receipt.comment.submission
    return created({
        "tracking_no": submission.tracking_no, "query_code": receipt.query_code, "due_on": iso(submission.due_on),
        "status": submission.status, "comment_id": receipt.comment.id,
        "moderation": "published" if receipt.comment.moderation == PUBLISHED else "held",
    }, url_for("api.get_submission", tracking_no=submission.tracking_no, _external=True))
