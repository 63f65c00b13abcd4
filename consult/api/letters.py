"""Mailboxes and letters: the list of mailboxes, and writing a letter (the same service as the form)."""

from typing import Literal, Self

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from consult.database import defer_write_lock
from consult.api import bp, schemas
from consult.api.common import PageQuery, answer, department_json, list_response, page_of, request_locale
from consult.api.drafts import CONTACT_RULE
from consult.api.errors import ApiError
from consult.api.fields import Email, Id, Phone, text
from consult.api.idempotency import form_token, idempotent
from consult.api.openapi import operation
from consult.api.validation import json_body, query_args
from consult.extensions import limiter
from consult.limits import LETTER_LIMIT
from consult.mailbox.models import CATEGORIES, PRIVATE_CATEGORIES, Mailbox
from consult.mailbox.services import BODY_MAX, NAME_MAX, SUBJECT_MAX, mailbox_to_write_to, submit_letter

PRIVATE_RULE = {"not": {"required": ["category", "public"], "properties": {
    "category": {"enum": sorted(PRIVATE_CATEGORIES)}, "public": {"const": True}}}}


class LetterCreate(BaseModel):
    """A letter to a mailbox: a name, and a phone number or an e-mail address (or both)."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"allOf": [CONTACT_RULE, PRIVATE_RULE]})

    mailbox_id: Id = Field(description="A mailbox `id` from GET /mailboxes.")
    category: Literal[CATEGORIES] = Field(description="One of the mailbox's categories: enquiry 咨询, complaint "
                                                      "投诉, suggestion 建议, report 举报 (never published), topic 点题公开.")
    subject: text(SUBJECT_MAX, required=True)
    body: text(BODY_MAX, required=True)
    name: text(NAME_MAX, required=True)
    phone: Phone | None = None
    email: Email | None = None
    public: bool = Field(False, description="The letter and its answer may be published (name masked). "
                                            "Never for reports.")
    notify_by: Literal["mail", "sms"] | None = Field(None, description="How to tell the sender of progress: "
                                                      "`sms` to the mobile number (never with the query code), "
                                                      "`mail`; left out: e-mail if an address is given, else SMS.")

    @model_validator(mode="after")
    def _rules(self) -> Self:
        if not (self.email or self.phone):
            raise PydanticCustomError("contact_required", "a phone number or an e-mail address", {"field": "phone"})
        if self.public and self.category in PRIVATE_CATEGORIES:
            raise PydanticCustomError("report_public", "reports are never published", {"field": "public"})
        return self


def mailbox_json(mailbox: Mailbox) -> dict:
    return {
        "id": mailbox.id, "name": mailbox.name, "description": mailbox.description,
        "department": department_json(mailbox.department),
        "categories": [{"code": code, "label": str(label)} for code, label in mailbox.category_choices],
        "window_workdays": mailbox.window_workdays, "accepting": mailbox.active,
        "publishes_answers": mailbox.offers_publication, "letter_count": mailbox.letter_count,
        "answered_count": mailbox.answered_count,
    }


@bp.get("/mailboxes")
@operation("listMailboxes", "Mailboxes citizens can write to", tag="mailboxes",
           responses={200: schemas.MailboxPage}, public_read=True, query=PageQuery)
def list_mailboxes():
    """Every mailbox with its categories, answer window and counters (in id order)."""
    query = query_args(PageQuery)
    stmt = sa.select(Mailbox).options(sa.orm.joinedload(Mailbox.department))
    page = page_of(stmt, (Mailbox.id,), query)
    return list_response(schemas.MailboxPage, [mailbox_json(m) for m in page.items], page)


@bp.post("/letters")
@defer_write_lock
@limiter.limit(LETTER_LIMIT)
@operation("createLetter", "Write a letter to a mailbox", tag="mailboxes", responses={201: schemas.LetterReceipt},
           body=LetterCreate, rate_limited=True, idempotent=True,
           description="Creates a tracked submission exactly like the letter form: same checks, same receipt "
                       "mail, same due date (the mailbox's answer window in working days). A mailbox that does "
                       "not exist, is closed or does not take the category answers 409.")
@idempotent
def create_letter():
    """Receive a letter through the same service as the form."""
    values = json_body(LetterCreate)
    mailbox = mailbox_to_write_to(values.mailbox_id)
    if mailbox is None:
        raise ApiError(409, _("There is no mailbox with this id."), errors={"mailbox_id": [_("Unknown mailbox.")]})
    receipt = submit_letter(  # its refusals of well-formed fields answer 409 (consult.api.errors)
        mailbox, category=values.category, subject=values.subject, body=values.body, form_token=form_token(),
        name=values.name, phone=values.phone or "", email=values.email or "", public=values.public,
        locale=request_locale(), notify_by=values.notify_by,
    )
    if receipt.duplicate:
        raise ApiError(409, _("This letter was already received."))
    submission = receipt.letter.submission
    return answer(schemas.LetterReceipt(
        tracking_no=submission.tracking_no, query_code=receipt.query_code, due_on=submission.due_on,
        status=submission.status, mailbox_id=mailbox.id, public=submission.is_public,
    ), 201, url_for("api.get_submission", tracking_no=submission.tracking_no, _external=True))
