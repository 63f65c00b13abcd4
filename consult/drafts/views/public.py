"""Public pages: the list of drafts, a draft with its articles and comments, versions, commenting, the report."""

import json
from datetime import datetime

import sqlalchemy as sa
from flask import (
    Response, abort, current_app, redirect, render_template, request, session, stream_with_context, url_for,
)  # fmt: skip
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from consult import exports, uploads
from consult.database import defer_write_lock
from consult.cache import worker_cache
from consult.domain import DomainError
from consult.drafts import comments as comment_service
from consult.drafts import figures as figures_module
from consult.drafts import moderation, report, versions
from consult.drafts.articles import article_label
from consult.drafts.forms import CommentForm, ReportCommentForm
from consult.drafts.models import (
    PUBLIC_STATUSES, PUBLISHED, REPORT_PUBLISHED, Comment, Draft, DraftFile, DraftVersion,
)  # fmt: skip
from consult.drafts.queries import (
    DraftFilters, article_labels, get_public_draft_or_404, page_stamp, public_drafts_listing, search_comments,
)  # fmt: skip
from consult.search.query import EMPTY, SearchQuery, parse_or_empty
from consult.drafts.services import may_see_in_office
from consult.drafts.views import bp
from consult.drafts.views.common import (
    department_choices, localized_domain, localized_domain_choices,
)  # fmt: skip
from consult.errors import show_error
from consult.extensions import db, limiter
from consult.forms import chosen_channel
from consult.i18n import current_locale_code
from consult.limits import COMMENT_LIMIT
from consult.localtime import time_left
from consult.pagination import InvalidCursor, paginate
from consult.localtime import as_utc
from consult.public_forms import form_rate_limit, submit_form
from consult.public_pages import keep_page, public_page
from consult.surveys.queries import on_draft
from consult.tracking.receipt import after_submit, honeypot_filled, receipt_to_show
from consult.urls import int_arg
from consult.workbench import trace

COMMENTS_PER_PAGE = 20
RECEIPT_KEY = "draft_comment_receipt"


def _draft_file_access(attachment: uploads.Attachment) -> str | None:
    """Interpretation files are public once their draft is; before that, only staff may have them."""
    draft_file = db.session.scalar(sa.select(DraftFile).where(DraftFile.attachment_id == attachment.id))
    if draft_file is None:
        return None
    draft = draft_file.draft
    if draft.is_public:
        return uploads.PUBLIC
    return uploads.PRIVATE if may_see_in_office(current_user, draft) else None


uploads.register_access_check("draft", _draft_file_access)


def _page(stmt, order, per_page):
    try:
        return paginate(db.session, stmt, order, request.args.get("cursor"), per_page=per_page)
    except InvalidCursor:
        abort(400)


@bp.get("/drafts")
@public_page
def index():
    """Drafts for comment: open ones first; filter by domain, department, status; search the text."""
    filters = DraftFilters.from_args(request.args)
    stmt, order = public_drafts_listing(filters)
    page = _page(stmt, order, 20)
    return render_template(
        "drafts/index.html", page=page, filters=filters,
        domains=localized_domain_choices(),
        departments=department_choices(), statuses=PUBLIC_STATUSES, domain_label=localized_domain,
        time_left=time_left,
    )


@bp.get("/drafts/<int:draft_id>")
@public_page
def detail(draft_id: int):
    """A draft: summary, countdown, articles with comment counts, interpretation beside, comments."""
    stamp = keep_page(page_stamp, draft_id)  # what decides the page: read before it is rendered
    draft = get_public_draft_or_404(draft_id)
    anchor = request.args.get("article") or None
    query, error = parse_or_empty(request.args.get("q"))
    order = request.args.get("order")
    if order == "article" and anchor is None:
        order = "article"
    else:
        order = "relevance" if query and order != "newest" else "newest"
    cursor = request.args.get("cursor")
    left = time_left(draft.closes_at)
    accepting = comment_service.accepting_comments(draft)
    # Below the site header, the page is the same for every reader of this state of the draft (kept per
    # worker for logged-in readers too); the stamp changes with each comment shown or hidden, each edit and
    # status change, and the countdown's hour.
    key = ("draft", draft.id, stamp, current_locale_code(), anchor, order, cursor, left, accepting, query.text,
           bool(error))
    content = worker_cache("pages", current_app.config["CONSULT_PAGE_CACHE_SECONDS"]).get_or_compute(
        key, lambda: _detail_content(draft, anchor, order, left, accepting, query, error,
                                     on_draft(draft.id, public=True)))
    return render_template("drafts/detail.html", draft=draft, content=content)


def _detail_content(draft, anchor: str | None, order: str, left, accepting: bool, query: SearchQuery = EMPTY,
                    error=None, questionnaires=()) -> Markup:
    stmt = comment_service.public_comments_query(draft, anchor)
    # By article: in the order of the anchors, oldest first within an article (one index serves both orders).
    order_by = (Comment.article_anchor, Comment.id) if order == "article" else (Comment.id.desc(),)
    stmt, order_by = search_comments(stmt, query, public=True, order_by=order_by, by_relevance=order == "relevance")
    page = _page(stmt, order_by, COMMENTS_PER_PAGE)
    version = db.session.scalars(
        sa.select(DraftVersion).where(DraftVersion.id == draft.current_version_id)
        .options(selectinload(DraftVersion.articles))
    ).one()
    # What the template shows, in a few queries rather than one per relationship (the same draft object).
    draft = db.session.scalars(
        sa.select(Draft).where(Draft.id == draft.id).options(
            selectinload(Draft.department), selectinload(Draft.qa_pairs), selectinload(Draft.versions),
            selectinload(Draft.files).selectinload(DraftFile.attachment),
        )
    ).one()
    headings = article_labels(draft.id)
    return Markup(render_template(
        "drafts/_detail_content.html", draft=draft, version=version, page=page, anchor=anchor,
        order=order, headings=headings, left=left, domain_label=localized_domain, accepting=accepting,
        query=query, search_error=str(error.message) if error else "", questionnaires=questionnaires,
    ))


@bp.get("/drafts/<int:draft_id>/versions")
@public_page
def versions_page(draft_id: int):
    """The list of versions, and a readable diff between two of them (``?from=1&to=2``)."""
    draft = get_public_draft_or_404(draft_id)
    numbers = [v.number for v in draft.versions]
    newest = numbers[-1]
    to_n = int_arg("to") or newest
    from_n = int_arg("from") or max(1, to_n - 1)
    old, new = versions.get_version(draft, from_n), versions.get_version(draft, to_n)
    if old is None or new is None:
        abort(404)
    diff = versions.diff_html(old.body, new.body) if old.id != new.id else None
    return render_template("drafts/versions.html", draft=draft, old=old, new=new, diff=diff)


@bp.route("/drafts/<int:draft_id>/comment", methods=["GET", "POST"])
@defer_write_lock
@form_rate_limit(COMMENT_LIMIT)
def comment(draft_id: int):
    """Comment on the whole draft or one article (logged in, or as a guest with name and contact)."""
    draft = get_public_draft_or_404(draft_id)
    if honeypot_filled():  # a bot: look normal, keep nothing
        return render_template("drafts/thanks.html", draft=draft, receipt=None)
    form = CommentForm()
    version = draft.current_version  # a draft entered without its text (a record of a past one) has none
    articles = [a for a in version.articles if a.body.strip()] if version is not None else []
    form.article.choices = [("", _("The whole draft"))] + [(a.anchor, article_label(a.anchor, a.heading))
                                                           for a in articles]
    user = _current_user_or_none()
    form.name.flags.required = user is None
    status = 200
    if request.method == "GET":
        form.article.data = request.args.get("article", "")
    else:
        values = dict(body=form.body.data or "", article_anchor=form.article.data, user=user,
                      name=form.name.data or "", email=form.email.data or "", phone=form.phone.data or "")
        receipt, status = submit_form(
            form,
            submit=lambda: comment_service.submit_comment(draft, form_token=form.form_token.data or "",
                                                          locale=current_locale_code(), recognise_resend=True,
                                                          notify_by=chosen_channel(form), **values),
            check=lambda: comment_service.check_comment(draft, **values),
        )
        if receipt is not None:
            return _after_submit(draft, receipt)
        if status == 422 and not comment_service.accepting_comments(draft):
            status = 409
    chosen = next((a for a in articles if a.anchor == form.article.data), None)
    return render_template(
        "drafts/comment.html", draft=draft, form=form, article=chosen,
        accepting=comment_service.accepting_comments(draft),
    ), status


def _current_user_or_none():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _after_submit(draft: Draft, receipt: comment_service.CommentReceipt):
    """Keep the confirmation in the session (the query code exists nowhere else) and show it once."""
    comment = receipt.comment
    return after_submit(
        RECEIPT_KEY, comment.submission, receipt.query_code,
        {"draft_id": comment.draft_id, "held": comment.moderation != PUBLISHED},
        thanks_url=url_for("drafts.comment_thanks", draft_id=draft.id),
        show_again=lambda shown: render_template("drafts/thanks.html", draft=draft, receipt=shown))


@bp.get("/drafts/<int:draft_id>/comment/thanks")
def comment_thanks(draft_id: int):
    """Confirmation: tracking number, query code (shown once) and the date the answer is due."""
    draft = get_public_draft_or_404(draft_id)
    receipt = session.get(RECEIPT_KEY)
    if not receipt or receipt.get("draft_id") != draft.id:
        return redirect(url_for("drafts.detail", draft_id=draft.id))
    return render_template("drafts/thanks.html", draft=draft, receipt=receipt_to_show(RECEIPT_KEY))


@bp.route("/drafts/<int:draft_id>/comments/<int:comment_id>/report", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def report_comment(draft_id: int, comment_id: int):
    """Report a public comment that breaks the rules; reviewers decide."""
    draft = get_public_draft_or_404(draft_id)
    target = db.get_or_404(Comment, comment_id)
    if target.draft_id != draft.id or target.moderation != PUBLISHED:
        abort(404)
    form = ReportCommentForm()
    if form.validate_on_submit():
        try:
            moderation.report_comment(target, form.reason.data, current_user)
        except DomainError as error:
            show_error(error, form)
        else:
            return render_template("drafts/reported.html", draft=draft)
    return render_template("drafts/report_comment.html", draft=draft, comment=target, form=form)


@bp.get("/drafts/<int:draft_id>/report")
@public_page
def feedback_report(draft_id: int):
    """The published feedback report (意见采纳情况): figures, reasons, every comment and its disposition."""
    draft = get_public_draft_or_404(draft_id)
    if draft.status != REPORT_PUBLISHED:
        abort(404)
    figures = report.report_figures(draft)
    page = _page(comment_service.public_comments_query(draft), (Comment.id,), 50)
    headings = article_labels(draft.id)
    return render_template("drafts/report.html", draft=draft, figures=figures, page=page, headings=headings,
                           labels=report.DISPOSITION_LABELS, changes=trace.report_changes(draft),
                           campaigns=trace.campaign_figures(draft.id), stance_labels=figures_module.STANCE_LABELS)


@bp.get("/drafts/<int:draft_id>/report/figures.<fmt>")
@public_page
def report_figures_export(draft_id: int, fmt: str):
    """The published report's numbers (by article, disposition and stance; no personal data) as CSV or JSON."""
    draft = get_public_draft_or_404(draft_id)
    if draft.status != REPORT_PUBLISHED or fmt not in ("csv", "json"):
        abort(404)
    figures = report.report_figures(draft)
    if fmt == "csv":
        body = exports.csv_text(figures_module.figures_csv_rows(figures), header=figures_module.CSV_FIELDS)
        response = Response(body, mimetype="text/csv")
    else:
        body = json.dumps(figures_module.figures_json(draft, figures), ensure_ascii=False, default=_iso)
        response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="draft-{draft.id}-report-figures.{fmt}"'
    return response


def _iso(value):
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


@bp.get("/drafts/<int:draft_id>/report/comments.<fmt>")
def export_public(draft_id: int, fmt: str):
    """The published report's comments and dispositions as CSV or JSON, streamed."""
    draft = get_public_draft_or_404(draft_id)
    if draft.status != REPORT_PUBLISHED or fmt not in ("csv", "json"):
        abort(404)
    return export_response(draft, fmt, public=True)


def export_response(draft, fmt: str, *, public: bool) -> Response:
    """A streamed download of the draft's comments (constant memory: keyset batches, generator output)."""
    rows = report.export_rows(draft, public=public)
    body = report.stream_csv(rows) if fmt == "csv" else report.stream_json(rows)
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="draft-{draft.id}-comments.{fmt}"'
    return response
