"""Questionnaires: the open (and closed, published) ones, one with its questions, answering it through the
same service as the form, and the published results (from the counters). The answers' models are here
rather than in schemas, beside the only views that build them."""

from typing import Literal

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field

from consult.api import bp
from consult.api.common import ID, PageQuery, answer, cursor_error, department_json, list_response
from consult.api.errors import ApiError
from consult.api.fields import Email, Moment, Url, text
from consult.api.idempotency import form_token, idempotent
from consult.api.openapi import operation
from consult.api.schemas import Answer, Department, page_of
from consult.api.validation import json_body, query_args
from consult.database import defer_write_lock
from consult.domain import DomainError
from consult.extensions import db, limiter
from consult.limits import SURVEY_LIMIT
from consult.pagination import InvalidCursor, paginate
from consult.surveys import results
from consult.surveys.models import (
    ANSWER_MODES, CLOSED, OPEN, QUESTION_KINDS, RANKING, RESULTS_PUBLIC, RESULTS_VISIBILITIES, Questionnaire,
)
from consult.surveys.responses import submit_response


class QuestionnaireQuery(PageQuery):
    closed: Literal["0", "1"] | None = Field(None, description="1 for closed questionnaires with published results.")


class OptionOut(Answer):
    id: int
    label: str


class QuestionOut(Answer):
    id: int
    number: int
    kind: Literal[QUESTION_KINDS]
    prompt: str
    required: bool = Field(description="Required when shown (see `shown_if_option_id`).")
    shown_if_option_id: int | None = Field(description="Shown, and its answer kept, only when this option of an "
                                                       "earlier question was chosen; null: always shown.")
    article_anchor: str | None = Field(description="The article of the attached draft the question is about.")
    options: list[OptionOut]


class QuestionnaireOut(Answer):
    id: int
    title: str
    intro: str
    department: Department
    draft_id: int | None
    opens_at: Moment
    closes_at: Moment
    status: Literal[OPEN, CLOSED]
    answer_mode: Literal[ANSWER_MODES] = Field(description="anonymous (one per browser, not checkable here), "
                                                           "contact (one per phone or e-mail), account (page only).")
    results_visibility: Literal[RESULTS_VISIBILITIES]
    response_count: int
    url: Url
    questions: list[QuestionOut] | None = Field(description="In the single questionnaire only; null in lists.")


QuestionnairePage = page_of(QuestionnaireOut)


class ResponseCreate(BaseModel):
    """A response. ``answers`` maps each question id (as a string) to: an option id (single choice, scale), a
    list of option ids (multiple choice), an object of option id → rank 1… (ranking) or a text (free text)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    answers: dict[str, int | list[int] | dict[str, int] | text(5000)]
    phone: text(32) | None = Field(None, description="For a questionnaire in `contact` mode: this or `email`.")
    email: Email | None = None


class ResponseReceipt(Answer):
    questionnaire_id: int
    response_id: int
    status: Literal["received"]


class OptionResultOut(Answer):
    id: int
    label: str
    count: int = Field(description="Chosen (ranking: ranked first).")
    share: float | None = Field(description="Of those who answered the question (0…1).")
    points: int | None = Field(description="Ranking points (n for first of n options … 1 for last); null otherwise.")


class QuestionResultOut(Answer):
    id: int
    kind: Literal[QUESTION_KINDS]
    prompt: str
    answered: int
    mean: float | None = Field(description="The mean of a 1–5 scale; null otherwise.")
    options: list[OptionResultOut]


class ResultsOut(Answer):
    questionnaire_id: int
    response_count: int
    questions: list[QuestionResultOut]


def _json(questionnaire: Questionnaire, *, with_questions: bool) -> dict:
    questions = None
    if with_questions:
        questions = [{
            "id": q.id, "number": n, "kind": q.kind, "prompt": q.prompt, "required": q.required,
            "shown_if_option_id": q.branch_option_id, "article_anchor": q.article_anchor or None,
            "options": [{"id": o.id, "label": o.label} for o in q.options],
        } for n, q in enumerate(questionnaire.questions, 1)]
    return {
        "id": questionnaire.id, "title": questionnaire.title, "intro": questionnaire.intro,
        "department": department_json(questionnaire.department), "draft_id": questionnaire.draft_id,
        "opens_at": questionnaire.opens_at, "closes_at": questionnaire.closes_at, "status": questionnaire.status,
        "answer_mode": questionnaire.answer_mode, "results_visibility": questionnaire.results_visibility,
        "response_count": questionnaire.response_count,
        "url": url_for("surveys.show", questionnaire_id=questionnaire.id, _external=True), "questions": questions,
    }


def _public_or_404(questionnaire_id: int) -> Questionnaire:
    questionnaire = results.load(questionnaire_id)
    if questionnaire is None or questionnaire.status not in (OPEN, CLOSED):
        raise ApiError(404)
    return questionnaire


@bp.get("/questionnaires")
@operation("listQuestionnaires", "Open questionnaires (closing soonest first), or closed ones with published "
           "results", tag="questionnaires", responses={200: QuestionnairePage}, public_read=True,
           query=QuestionnaireQuery)
def list_questionnaires():
    """Open questionnaires, or closed ones whose results are published."""
    query = query_args(QuestionnaireQuery)
    closed = query.closed == "1"
    stmt = sa.select(Questionnaire).where(Questionnaire.status == (CLOSED if closed else OPEN))
    if closed:
        stmt = stmt.where(Questionnaire.results_visibility == RESULTS_PUBLIC)
    order = [Questionnaire.closes_at.desc(), Questionnaire.id.desc()] if closed else [Questionnaire.closes_at,
                                                                                      Questionnaire.id]
    try:
        page = paginate(db.session, stmt, order, query.cursor, per_page=query.limit)
    except InvalidCursor:
        raise cursor_error() from None
    return list_response(QuestionnairePage, [_json(q, with_questions=False) for q in page.items], page)


@bp.get(f"/questionnaires/<{ID}:questionnaire_id>")
@operation("getQuestionnaire", "A questionnaire with its questions and options", tag="questionnaires",
           responses={200: QuestionnaireOut}, public_read=True)
def get_questionnaire(questionnaire_id: int):
    """One open or closed questionnaire, with its questions."""
    return answer(QuestionnaireOut(**_json(_public_or_404(questionnaire_id), with_questions=True)))


def _raw(questionnaire: Questionnaire, given: dict) -> dict[int, object]:
    known = {str(q.id): q for q in questionnaire.questions}
    unknown = sorted(set(given) - set(known))
    if unknown:
        message = _("No such question.")
        raise ApiError(409, message, errors={f"answers.{key}": [message] for key in unknown[:10]})
    return {known[key].id: value for key, value in given.items()}


@bp.post(f"/questionnaires/<{ID}:questionnaire_id>/responses")
@defer_write_lock
@limiter.limit(SURVEY_LIMIT)
@operation("createQuestionnaireResponse", "Answer a questionnaire", tag="questionnaires",
           responses={201: ResponseReceipt}, body=ResponseCreate, rate_limited=True, idempotent=True,
           description="Checks the answers exactly like the form: branches decided here (an answer to a hidden "
                       "question is dropped), every missing required question or wrong option named at once "
                       "(409, `errors` by `q<id>`). A questionnaire that is not open, or the same contact "
                       "answering twice, answers 409; one in `account` mode can be answered on its page only.")
@idempotent
def create_questionnaire_response(questionnaire_id: int):
    """Take a response through the same service as the form."""
    questionnaire = _public_or_404(questionnaire_id)
    values = json_body(ResponseCreate)
    if questionnaire.answer_mode == "account":
        raise ApiError(409, _("Please log in to answer this questionnaire."))
    raw = _raw(questionnaire, values.answers)
    try:
        response, _new = submit_response(questionnaire, raw, form_token=form_token(), phone=values.phone or "",
                                         email=values.email or "")
    except DomainError as error:
        if error.status in (403, 404):
            raise ApiError(error.status) from None
        errors = {name: [str(m) for m in messages] for name, messages in error.errors.items()} or None
        raise ApiError(409, str(error.message), errors=errors) from None
    return answer(ResponseReceipt(questionnaire_id=questionnaire.id, response_id=response.id, status="received"),
                  201, url_for("api.get_questionnaire", questionnaire_id=questionnaire.id, _external=True))


@bp.get(f"/questionnaires/<{ID}:questionnaire_id>/results")
@operation("getQuestionnaireResults", "The published results of a closed questionnaire", tag="questionnaires",
           responses={200: ResultsOut}, public_read=True,
           description="Counts and shares per option from the counters kept as responses arrive; 404 until the "
                       "questionnaire closes, and always for results kept internal.")
def get_questionnaire_results(questionnaire_id: int):
    """Counts and shares per option, once published."""
    questionnaire = _public_or_404(questionnaire_id)
    if not questionnaire.results_published:
        raise ApiError(404)
    questions = [{
        "id": r.question.id, "kind": r.question.kind, "prompt": r.question.prompt, "answered": r.answered,
        "mean": r.mean,
        "options": [{"id": o.id, "label": o.label, "count": o.count, "share": o.share,
                     "points": o.points if r.question.kind == RANKING else None} for o in r.options],
    } for r in results.question_results(questionnaire)]
    return answer(ResultsOut(questionnaire_id=questionnaire.id, response_count=questionnaire.response_count,
                             questions=questions))
