"""Questionnaires for citizens: the list, a questionnaire's page, answering it, and the published results."""

import sqlalchemy as sa
from flask import abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.database import defer_write_lock, utcnow
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db
from consult.limits import SURVEY_LIMIT
from consult.pagination import InvalidCursor, paginate
from consult.public_forms import RATE_LIMITED, form_rate_limit, rate_limited
from consult.public_pages import public_page
from consult.surveys import results
from consult.surveys.services import article_anchors
from consult.surveys.forms import AnswerForm
from consult.surveys.models import (
    ACCOUNT, ANONYMOUS, ANSWER_MODE_LABELS, CLOSED, KIND_LABELS, MULTIPLE, OPEN, PUBLIC_STATUSES, RANKING,
    RESULTS_PUBLIC, SCALE, SINGLE, TEXT, Questionnaire,
)
from consult.surveys.responses import field_name, submit_response
from consult.surveys.views import bp
from consult.surveys.views.common import export, results_context
from consult.urls import int_arg
from consult.tracking.receipt import honeypot_filled

ANSWERED_COOKIE = "answered_questionnaires"  # the soft per-browser check of anonymous questionnaires
COOKIE_DAYS = 365
PER_PAGE = 20


def _public_or_404(questionnaire_id: int, *, alone: bool = False) -> Questionnaire:
    """The questionnaire if the public may see it, with its questions (``alone``: without, one query)."""
    questionnaire = (results.load_alone if alone else results.load)(questionnaire_id)
    if questionnaire is None or questionnaire.status not in PUBLIC_STATUSES:
        abort(404)
    return questionnaire


def _published_or_404(questionnaire_id: int, *, alone: bool = False) -> Questionnaire:
    questionnaire = _public_or_404(questionnaire_id, alone=alone)
    if not questionnaire.results_published:
        abort(404)
    return questionnaire


@bp.get("/questionnaires")
@public_page
def index():
    """Open questionnaires (closing soonest first), or closed ones whose results are published."""
    closed = request.args.get("closed") == "1"
    now = utcnow()
    stmt = sa.select(Questionnaire).where(Questionnaire.status == (CLOSED if closed else OPEN))
    if closed:
        stmt = stmt.where(Questionnaire.results_visibility == RESULTS_PUBLIC)
        order = [Questionnaire.closes_at.desc(), Questionnaire.id.desc()]
    else:
        order = [Questionnaire.closes_at, Questionnaire.id]
    try:
        page = paginate(db.session, stmt, order, request.args.get("cursor"), per_page=PER_PAGE)
    except InvalidCursor:
        abort(400)
    return render_template("surveys/index.html", page=page, closed=closed, now=now, mode_labels=ANSWER_MODE_LABELS)


@bp.get("/questionnaires/<int:questionnaire_id>")
@public_page
def show(questionnaire_id: int):
    """A questionnaire: what it asks about, its window, who may answer and how, links to answer and results."""
    questionnaire = _public_or_404(questionnaire_id)
    return render_template("surveys/show.html", questionnaire=questionnaire, mode_labels=ANSWER_MODE_LABELS,
                           kind_labels=KIND_LABELS)


def _raw_answers(questionnaire: Questionnaire) -> dict[int, object]:
    """The answers as sent by the form: a radio or checkboxes per choice question, a number per option of a
    ranking, a text area per free-text question."""
    raw = {}
    for question in questionnaire.questions:
        name = field_name(question)
        if question.kind in (SINGLE, SCALE):
            raw[question.id] = request.form.get(name)
        elif question.kind == MULTIPLE:
            raw[question.id] = request.form.getlist(name)
        elif question.kind == RANKING:
            raw[question.id] = {o.id: request.form.get(f"{name}-{o.id}", "").strip() for o in question.options}
        elif question.kind == TEXT:
            raw[question.id] = request.form.get(name, "")
    return raw


def _answered_here(questionnaire_id: int) -> bool:
    return str(questionnaire_id) in (request.cookies.get(ANSWERED_COOKIE) or "").split(".")


@bp.route("/questionnaires/<int:questionnaire_id>/answer", methods=["GET", "POST"])
@defer_write_lock
@form_rate_limit(SURVEY_LIMIT)
def answer(questionnaire_id: int):
    """Answer a questionnaire. Every problem is shown at once beside its question, with what was typed kept;
    branches are decided on the server, so the page works without JavaScript."""
    questionnaire = _public_or_404(questionnaire_id)
    if questionnaire.status != OPEN:
        return redirect(url_for("surveys.show", questionnaire_id=questionnaire.id))
    form = AnswerForm()
    errors: dict[str, list[str]] = {}
    status = 200
    already = questionnaire.answer_mode == ANONYMOUS and _answered_here(questionnaire.id)
    needs_login = questionnaire.answer_mode == ACCOUNT and not current_user.is_authenticated
    if request.method == "POST" and not needs_login:
        if honeypot_filled():  # a bot: look normal, keep nothing
            return render_template("surveys/thanks.html", questionnaire=questionnaire)
        if rate_limited():
            form.form_errors.append(str(RATE_LIMITED))
            status = 429
        elif already:
            form.form_errors.append(_("This browser has already sent an answer to this questionnaire."))
            status = 409
        elif form.validate_on_submit():
            try:
                submit_response(questionnaire, _raw_answers(questionnaire), form_token=form.form_token.data or "",
                                user=current_user._get_current_object() if current_user.is_authenticated else None,
                                phone=form.phone.data or "", email=form.email.data or "")
            except DomainError as error:
                status = show_error(error, form, summary=True)
                errors = {name: [str(m) for m in messages] for name, messages in error.errors.items()
                          if name.startswith("q")}
            else:
                response = make_response(redirect(url_for("surveys.thanks", questionnaire_id=questionnaire.id)))
                seen = [i for i in (request.cookies.get(ANSWERED_COOKIE) or "").split(".") if i.isdigit()]
                response.set_cookie(ANSWERED_COOKIE, ".".join((seen + [str(questionnaire.id)])[-50:]),
                                    max_age=COOKIE_DAYS * 86400, httponly=True, samesite="Lax",
                                    secure=request.is_secure)
                return response
        else:
            status = 422
    return render_template("surveys/answer.html", questionnaire=questionnaire, form=form, errors=errors,
                           values=request.form if request.method == "POST" else {}, already=already,
                           needs_login=needs_login, field_name=field_name,
                           anchors=article_anchors(questionnaire)), status


@bp.get("/questionnaires/<int:questionnaire_id>/thanks")
def thanks(questionnaire_id: int):
    """Thanks, and when the results will be published."""
    questionnaire = _public_or_404(questionnaire_id)
    return render_template("surveys/thanks.html", questionnaire=questionnaire)


@bp.get("/questionnaires/<int:questionnaire_id>/results")
@public_page
def published_results(questionnaire_id: int):
    """The published results: counts and shares per option as charts with tables, and a cross-tabulation of
    any two choice questions."""
    questionnaire = _published_or_404(questionnaire_id, alone=True)
    context = results_context(questionnaire, int_arg("rows"), int_arg("columns"), staff=False)
    return render_template("surveys/results.html", questionnaire=questionnaire, staff=False, **context)


@bp.get("/questionnaires/<int:questionnaire_id>/results/questions/<int:question_id>/topics")
@public_page
def published_topics(questionnaire_id: int, question_id: int):
    """The free-text answers of a question summarised by topic (key words and sizes, no texts)."""
    questionnaire = _published_or_404(questionnaire_id)
    question = next((q for q in questionnaire.questions if q.id == question_id and q.kind == TEXT), None)
    if question is None:
        abort(404)
    return render_template("surveys/topics.html", questionnaire=questionnaire,
                           summary=results.text_summary(question), staff=False)


@bp.get("/questionnaires/<int:questionnaire_id>/results.<any(csv, xlsx):fmt>")
def published_export(questionnaire_id: int, fmt: str):
    """The published counts table as CSV or XLSX."""
    return export(_published_or_404(questionnaire_id), "summary", fmt)
