"""Online interviews: the list, one interview with its transcript, and sending a question (the same service
as the form)."""

from typing import Literal, Self

from flask import url_for
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from consult.api import bp, schemas
from consult.api.common import ID, PageQuery, answer, cursor_error, department_json, list_response, request_locale
from consult.api.drafts import CONTACT_RULE
from consult.api.errors import ApiError
from consult.api.fields import Email, Phone, text
from consult.api.idempotency import form_token, idempotent
from consult.api.openapi import operation
from consult.api.validation import json_body, query_args
from consult.database import defer_write_lock
from consult.extensions import db, limiter
from consult.interviews import queries, services
from consult.interviews.models import Interview
from consult.limits import INTERVIEW_LIMIT
from consult.pagination import InvalidCursor


class InterviewQuery(PageQuery):
    past: Literal["0", "1"] | None = Field(None, description="1 for the archive (ended and archived interviews).")


class QuestionCreate(BaseModel):
    """A question to an interview: a name, and a phone number or an e-mail address (or both)."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"allOf": [CONTACT_RULE]})

    body: text(services.QUESTION_MAX, required=True) = Field(description="The question (plain text).")
    name: text(services.NAME_MAX, required=True)
    phone: Phone | None = None
    email: Email | None = None
    notify_by: Literal["mail", "sms"] | None = Field(None, description="How to send the tracking number if the "
                                                      "question is not answered during the interview.")

    @model_validator(mode="after")
    def _contact(self) -> Self:
        if not (self.email or self.phone):
            raise PydanticCustomError("contact_required", "a phone number or an e-mail address", {"field": "phone"})
        return self


def _summary_json(interview: Interview) -> dict:
    return {
        "id": interview.id, "title": interview.title, "department": department_json(interview.department),
        "starts_at": interview.starts_at, "ends_at": interview.ends_at, "status": interview.status,
        "accepts_questions": interview.accepts_questions,
        "officials": [{"name": o.name, "title": o.title} for o in interview.officials],
        "url": url_for("interviews.detail", interview_id=interview.id, _external=True),
    }


def _entry_json(entry: queries.ShownEntry) -> dict:
    return {
        "id": entry.id, "kind": entry.kind, "speaker": entry.speaker, "speaker_title": entry.speaker_title,
        "text": entry.text, "question_id": entry.question_id, "created_at": entry.created_at,
        "files": [{"name": f.original_filename, "content_type": f.content_type, "size": f.size,
                   "url": url_for("uploads.download", attachment_id=f.id, filename=f.original_filename,
                                  _external=True)} for f in entry.files],
    }


@bp.get("/interviews")
@operation("listInterviews", "Online interviews: live and upcoming (soonest first) or the archive (latest first)",
           tag="interviews", responses={200: schemas.InterviewPage}, public_read=True, query=InterviewQuery)
def list_interviews():
    """Interviews with their time, department, officials and status."""
    query = query_args(InterviewQuery)
    which = queries.PAST if query.past == "1" else queries.UPCOMING
    try:
        page = queries.public_interviews(which=which, cursor=query.cursor, per_page=query.limit)
    except InvalidCursor:
        raise cursor_error() from None
    return list_response(schemas.InterviewPage, [_summary_json(i) for i in page.items], page)


@bp.get(f"/interviews/<{ID}:interview_id>")
@operation("getInterview", "One online interview with its transcript", tag="interviews",
           responses={200: schemas.Interview}, public_read=True,
           description="The transcript lists the questions put to the officials (the asker's name masked, "
                       "personal data removed) and the answers with their files, in order.")
def get_interview(interview_id: int):
    """The announcement and the transcript so far."""
    interview = db.session.get(Interview, interview_id)
    if interview is None:
        raise ApiError(404)
    return answer(schemas.Interview(
        **_summary_json(interview), description=interview.description, summary=interview.summary,
        transcript=[_entry_json(e) for e in queries.transcript(interview.id)],
    ))


@bp.post(f"/interviews/<{ID}:interview_id>/questions")
@defer_write_lock
@limiter.limit(INTERVIEW_LIMIT)
@operation("createInterviewQuestion", "Send a question to an online interview", tag="interviews",
           responses={201: schemas.InterviewQuestionReceipt}, body=QuestionCreate, rate_limited=True,
           idempotent=True,
           description="Takes a question exactly like the form, before or during the interview (else 409). The "
                       "moderator chooses the questions put to the officials; a question not answered during "
                       "the interview becomes a tracked submission of the department when it ends, and the "
                       "tracking number and query code are sent to the contact given.")
@idempotent
def create_interview_question(interview_id: int):
    """Receive a question through the same service as the form."""
    interview = db.session.get(Interview, interview_id)
    if interview is None:
        raise ApiError(404)
    values = json_body(QuestionCreate)
    receipt = services.ask_question(
        interview, body=values.body, name=values.name, phone=values.phone or "", email=values.email or "",
        form_token=form_token(), locale=request_locale(), notify_by=values.notify_by,
    )
    if receipt.duplicate:
        raise ApiError(409, _("This question was already received."))
    return answer(schemas.InterviewQuestionReceipt(
        id=receipt.question.id, interview_id=interview.id, status="submitted",
        note=_("If the question is not answered during the interview, it is answered in writing; the tracking "
               "number is sent to the contact given."),
    ), 201, url_for("api.get_interview", interview_id=interview.id, _external=True))
