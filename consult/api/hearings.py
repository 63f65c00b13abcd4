"""Hearings and public meetings: applying to speak, the selection record and the published hearing record
(the same services as the pages). Listing them is ``GET /events?type=hearing|meeting`` (consult.api.events)."""

from typing import Literal

from flask import url_for
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field

from consult.api import bp, schemas
from consult.api.common import ID, answer, request_locale
from consult.api.events import file_json
from consult.api.errors import ApiError
from consult.api.fields import Email, Phone, text
from consult.api.idempotency import form_token, idempotent
from consult.api.openapi import operation
from consult.api.validation import json_body
from consult.database import defer_write_lock
from consult.events import hearings, materials
from consult.events.hearings import STATEMENT_MAX
from consult.events.models import CATEGORY_LABELS, HEARING_CATEGORIES, LOTTERY, Event
from consult.extensions import db, limiter
from consult.limits import EVENT_LIMIT
from consult.text import render_markdown


class SpeakerCreate(BaseModel):
    """An application to speak at a hearing (陈述人): whom the speaker speaks for, and the statement."""

    model_config = ConfigDict(strict=True, extra="forbid")

    name: text(80, required=True)
    category: Literal[HEARING_CATEGORIES] = Field(description="stakeholder 利益相关方, resident 群众代表, "
                                                              "expert 专家, other 其他; one with speaker places.")
    statement: text(STATEMENT_MAX, required=True)
    phone: Phone | None = Field(None, description="Needed when the event's `require_phone` is true (else 409).")
    email: Email | None = Field(None, description="Needed when the event's `require_email` is true (else 409).")


def _published_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or not event.published:
        raise ApiError(404)
    return event


@bp.post(f"/events/<{ID}:event_id>/speakers")
@defer_write_lock
@limiter.limit(EVENT_LIMIT)
@operation("createSpeakerApplication", "Apply to speak at a hearing", tag="events",
           responses={201: schemas.SpeakerReceipt}, body=SpeakerCreate, rate_limited=True, idempotent=True,
           description="Creates a tracked submission like the form: the receipt mail, a due date 15 working days "
                       "after the hearing, and an answer when the hearing record is published. Applications "
                       "closed, a category without places, a contact detail the event needs, or the same person "
                       "applying again answers 409. An event that is not a hearing answers 404.")
@idempotent
def create_speaker_application(event_id: int):
    """Apply to speak through the same service as the form."""
    event = _published_event(event_id)
    if not event.is_hearing:
        raise ApiError(404)
    values = json_body(SpeakerCreate)
    result = hearings.apply_to_speak(
        event.id, name=values.name, category=values.category, statement=values.statement, form_token=form_token(),
        phone=values.phone or "", email=values.email or "", locale=request_locale(),
    )
    if result.query_code is None:
        raise ApiError(409, _("This application had already been received; the query code was shown the first "
                              "time and sent by e-mail."))
    return answer(schemas.SpeakerReceipt(
        tracking_no=result.tracking_no, query_code=result.query_code, due_on=result.due_on, status="received",
        event_id=event.id, category=result.category,
    ), 201, url_for("api.get_submission", tracking_no=result.tracking_no, _external=True))


def _rule(event: Event) -> str:
    if event.is_hearing:
        return _("Each category has its own speaker places. A category with no more applications than places has "
                 "all of them chosen; in a category with more, the lottery decides.")
    if event.mode == LOTTERY:
        return _("Each category is drawn on its own, with the published seed followed by a colon and the "
                 "category's code.")
    return _("Each application is reviewed by the organising department, within the seats of its category.")


@bp.get(f"/events/<{ID}:event_id>/selection")
@operation("getSelectionRecord", "How a hearing's speakers or a meeting's attendees are chosen", tag="events",
           responses={200: schemas.SelectionRecord}, public_read=True,
           description="Per category: places, applications and how many were chosen, with the rule and the "
                       "published seed. Counts only. An open day answers 404.")
def get_selection_record(event_id: int):
    """The published selection record."""
    event = _published_event(event_id)
    if not event.categories:
        raise ApiError(404)
    seed = event.speakers_seed if event.is_hearing else event.lottery_seed
    return answer(schemas.SelectionRecord(
        event_id=event.id, event_type=event.event_type, rule=_rule(event), seed=seed,
        selected_at=event.speakers_selected_at if event.is_hearing else event.drawn_at,
        categories=[schemas.CategoryCount(category=row.category, label=str(CATEGORY_LABELS[row.category]),
                                          places=row.places, applied=row.applied, chosen=row.chosen, drawn=row.drawn)
                    for row in hearings.selection_record(event)],
    ))


@bp.get(f"/events/<{ID}:event_id>/record")
@operation("getHearingRecord", "A hearing's transcript, report and dispositions", tag="events",
           responses={200: schemas.HearingRecord}, public_read=True,
           description="The published record: the transcript (听证笔录), the hearing report, each statement's "
                       "disposition with its reason, names masked, and the files published with it. 404 until "
                       "it is published.")
def get_hearing_record(event_id: int):
    """The published hearing record."""
    event = _published_event(event_id)
    if not event.is_hearing or event.record_published_at is None:
        raise ApiError(404)
    return answer(schemas.HearingRecord(
        event_id=event.id, title=event.title, published_at=event.record_published_at,
        transcript=event.transcript, transcript_html=str(render_markdown(event.transcript)),
        report=event.hearing_report, report_html=str(render_markdown(event.hearing_report)),
        statements=[schemas.PublicStatement(number=s.number, speaker=s.masked_name, category=s.category,
                                            chosen=s.chosen, disposition=s.disposition, reason=s.reason)
                    for s in hearings.published_statements(event)],
        files=[file_json(row) for row in materials.public_files([event.id]).get(event.id, [])],
    ))
