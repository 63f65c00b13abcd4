"""Mailboxes and letters: the list of mailboxes, and writing a letter (the same service as the form)."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from consult.api import bp
from consult.api.common import created, department_json, iso, json_body, list_response, page_of, request_locale
from consult.api.errors import ApiError
from consult.api.idempotency import form_token, idempotent
from consult.api.openapi import CURSOR, LIMIT, operation
from consult.api.validation import Body, Boolean, Integer, String
from consult.extensions import db, limiter
from consult.mailbox.models import CATEGORIES, Mailbox
from consult.mailbox.services import BODY_MAX, NAME_MAX, SUBJECT_MAX, submit_letter
from consult.mailbox.views import WRITE_LIMIT

LETTER_BODY = Body("LetterCreate", {
    "mailbox_id": Integer(required=True, minimum=1, description="A mailbox `id` from GET /mailboxes."),
    "category": String(required=True, enum=CATEGORIES,
                       description="One of the mailbox's categories: enquiry 咨询, complaint 投诉, suggestion 建议, "
                                   "report 举报 (never published), topic 点题公开."),
    "subject": String(required=True, max_length=SUBJECT_MAX),
    "body": String(required=True, max_length=BODY_MAX),
    "name": String(required=True, max_length=NAME_MAX),
    "phone": String(max_length=32, description="A mainland China mobile or landline number."),
    "email": String(max_length=254, format="email"),
    "public": Boolean(description="The letter and its answer may be published (name masked). Never for reports."),
}, description="A letter to a mailbox. Give a phone number or an e-mail address (or both).")


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
@operation("listMailboxes", "Mailboxes citizens can write to", tag="mailboxes", responses={200: "MailboxPage"},
           public_read=True, params=[CURSOR, LIMIT])
def list_mailboxes():
    """Every mailbox with its categories, answer window and counters (in id order)."""
    stmt = sa.select(Mailbox).options(sa.orm.joinedload(Mailbox.department))
    page = page_of(stmt, (Mailbox.id,))
    return list_response([mailbox_json(m) for m in page.items], page)


@bp.post("/letters")
@limiter.limit(WRITE_LIMIT)
@operation("createLetter", "Write a letter to a mailbox", tag="mailboxes", responses={201: "LetterReceipt"},
           request=LETTER_BODY, rate_limited=True, idempotent=True,
           description="Creates a tracked submission exactly like the letter form: same checks, same receipt "
                       "mail, same due date (the mailbox's answer window in working days).")
@idempotent
def create_letter():
    """Receive a letter through the same service as the form."""
    values = json_body(LETTER_BODY)
    mailbox = db.session.get(Mailbox, values["mailbox_id"])
    if mailbox is None:
        raise ApiError(422, _("There is no mailbox with this id."), errors={"mailbox_id": [_("Unknown mailbox.")]})
    receipt = submit_letter(
        mailbox, category=values["category"], subject=values["subject"], body=values["body"],
        form_token=form_token(), name=values["name"], phone=values["phone"], email=values["email"],
        public=values["public"], locale=request_locale(),
    )
    if receipt.duplicate:
        raise ApiError(409, _("This letter was already received."))
    submission = receipt.letter.submission
    return created({
        "tracking_no": submission.tracking_no, "query_code": receipt.query_code, "due_on": iso(submission.due_on),
        "status": submission.status, "mailbox_id": mailbox.id, "public": submission.is_public,
    }, url_for("api.get_submission", tracking_no=submission.tracking_no, _external=True))
