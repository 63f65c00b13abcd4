"""JSON Schemas of the API's responses (request bodies are declared beside their views with
:class:`~consult.api.validation.Body`). The serialisers in the view modules produce exactly these shapes;
``tests/test_api_schemathesis.py`` checks real answers against them."""

from consult.drafts.models import PUBLIC_STATUSES, WITHDRAWN
from consult.events.models import MODES, STATUSES as REGISTRATION_STATUSES
from consult.mailbox.models import CATEGORIES
from consult.tracking.models import KINDS, REPLY_STATUSES, STATUSES

API_DESCRIPTION = (
    "The JSON API of Consult: drafts for comment, mailboxes, tracked submissions, open days and statistics. "
    "Public endpoints need no authentication; officer endpoints (`/office/…`) need a personal API token "
    "(`Authorization: Bearer <token>`). Errors are RFC 9457 `application/problem+json`; lists are "
    "cursor-paginated (follow `next`). See docs/api.md."
)
TAGS = [
    {"name": "drafts", "description": "Drafts published for comment (决策草案预公开)."},
    {"name": "mailboxes", "description": "Mailboxes and letters (意见箱 / 领导信箱)."},
    {"name": "submissions", "description": "Following a submission with its tracking number and query code."},
    {"name": "events", "description": "Open days (政务开放日) and registration."},
    {"name": "stats", "description": "Public statistics per department (政务公开)."},
    {"name": "office", "description": "Officers' work with a personal API token."},
    {"name": "meta", "description": "This document."},
]
RESPONSE_TITLES = {200: "OK", 201: "Created"}

STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
MOMENT = {"type": "string", "format": "date-time"}


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, required: list[str] | None = None) -> dict:
    """An object whose listed members are all present (every serialiser writes each key)."""
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required}


def page(item: str) -> dict:
    return obj({"items": {"type": "array", "items": ref(item)},
                "next": nullable({"type": "string", "format": "uri"})})


def receipt(extra: dict) -> dict:
    """What creating a tracked submission answers."""
    return obj({
        "tracking_no": STR, "query_code": {"type": "string", "description": "Shown once: keep it to follow the submission."},
        "due_on": DATE, "status": {"type": "string", "enum": list(STATUSES)}, **extra,
    })


DEPARTMENT = obj({"id": INT, "name": STR, "name_en": nullable(STR)})
DRAFT_SUMMARY = {
    "id": INT, "title": STR, "summary": STR, "status": {"type": "string", "enum": [*PUBLIC_STATUSES, WITHDRAWN]},
    "domain": STR, "department": ref("Department"), "opens_at": MOMENT, "closes_at": MOMENT,
    "accepting_comments": BOOL, "comment_count": INT, "url": {"type": "string", "format": "uri"},
}
SUBMISSION_STATUS = {"type": "string", "enum": list(STATUSES)}
INBOX_ITEM = {
    "id": INT, "tracking_no": STR, "kind": {"type": "string", "enum": list(KINDS)}, "status": SUBMISSION_STATUS,
    "subject": STR, "received_at": MOMENT, "due_on": DATE, "due_soon": BOOL, "overdue": BOOL, "very_overdue": BOOL,
    "assignee": nullable(obj({"id": INT, "name": STR})), "department": ref("Department"),
}

SCHEMAS = {
    "Problem": obj({
        "type": STR, "title": STR, "status": INT, "detail": STR,
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": STR},
                   "description": "Messages per request field."},
    }, required=["type", "title", "status"]),
    "Department": DEPARTMENT,
    "DraftSummary": obj(DRAFT_SUMMARY),
    "DraftPage": page("DraftSummary"),
    "Article": obj({"id": INT, "anchor": STR, "heading": STR, "body": {"type": "string", "description": "Markdown."},
                    "comment_count": INT}),
    "Draft": obj({
        **DRAFT_SUMMARY, "legal_basis": STR, "interpretation": {"type": "string", "description": "Markdown (解读)."},
        "version": INT, "articles": {"type": "array", "items": ref("Article")},
        "questions": {"type": "array", "items": obj({"question": STR, "answer": STR})},
    }),
    "Comment": obj({"id": INT, "public_name": {"type": "string", "description": "Masked, e.g. 张*."}, "body": STR,
                    "article_anchor": nullable(STR), "created_at": MOMENT}),
    "CommentPage": page("Comment"),
    "CommentReceipt": receipt({"comment_id": INT, "moderation": {"type": "string", "enum": ["published", "held"]}}),
    "Mailbox": obj({
        "id": INT, "name": STR, "description": STR, "department": ref("Department"),
        "categories": {"type": "array", "items": obj({"code": {"type": "string", "enum": list(CATEGORIES)},
                                                      "label": STR})},
        "window_workdays": INT, "accepting": BOOL, "publishes_answers": BOOL, "letter_count": INT,
        "answered_count": INT,
    }),
    "MailboxPage": page("Mailbox"),
    "LetterReceipt": receipt({"mailbox_id": INT, "public": BOOL}),
    "TimelineEntry": obj({"at": MOMENT, "action": STR, "from_status": nullable(STR), "to_status": nullable(STR),
                          "actor_role": STR, "note": STR}),
    "SubmissionStatus": obj({
        "tracking_no": STR, "kind": {"type": "string", "enum": list(KINDS)}, "status": SUBMISSION_STATUS,
        "status_label": STR, "department": ref("Department"), "received_at": MOMENT, "due_on": DATE,
        "due_estimated": BOOL, "answered_at": nullable(MOMENT), "closed_at": nullable(MOMENT),
        "answer": nullable(obj({"body": STR, "body_html": STR, "answered_at": nullable(MOMENT)})),
        "dismissal_reason": nullable(STR), "timeline": {"type": "array", "items": ref("TimelineEntry")},
    }),
    "Event": obj({
        "id": INT, "title": STR, "description": STR, "department": ref("Department"), "venue": STR, "address": STR,
        "starts_at": MOMENT, "ends_at": MOMENT, "registration_opens_at": MOMENT, "registration_closes_at": MOMENT,
        "registration_open": BOOL, "mode": {"type": "string", "enum": list(MODES)}, "capacity": INT,
        "seats_left": INT, "waitlist_count": INT, "require_phone": BOOL, "require_email": BOOL,
        "ask_id_card": BOOL, "url": {"type": "string", "format": "uri"},
    }),
    "EventPage": page("Event"),
    "RegistrationReceipt": obj({
        "id": INT, "event_id": INT, "status": {"type": "string", "enum": list(REGISTRATION_STATUSES)},
        "waitlist_place": nullable({"type": "integer", "description": "1-based place on the waiting list."}),
        "manage_url": {"type": "string", "format": "uri", "description": "The registrant's own page (cancel, QR)."},
    }),
    "Figures": {"type": "object", "properties": {
        **{name: INT for name in ("received", "answered", "on_time", "overdue_now", "rated", "satisfied")},
        **{name: nullable({"type": "number"}) for name in ("answer_rate", "on_time_rate", "satisfaction_rate",
                                                           "median_workdays_to_answer")},
    }, "required": ["received", "answered", "answer_rate", "on_time", "on_time_rate", "median_workdays_to_answer",
                    "rated", "satisfied", "satisfaction_rate"]},
    "Stats": obj({
        "period": obj({"start": DATE, "end": DATE, "months": INT, "timezone": STR}),
        "department_id": nullable(INT),
        "totals": ref("Figures"),
        "departments": {"type": "array", "items": {"type": "object"}},
        "kinds": {"type": "array", "items": {"allOf": [ref("Figures"), obj({"kind": STR})]}},
        "months": {"type": "array", "items": {"type": "object", "required": ["month"]}},
    }),
    "InboxItem": obj(INBOX_ITEM),
    "InboxPage": page("InboxItem"),
    "OfficeTimelineEntry": obj({
        "at": MOMENT, "action": STR, "from_status": nullable(STR), "to_status": nullable(STR), "actor_role": STR,
        "actor": STR, "public_note": STR, "internal_note": STR,
    }),
    "Reply": obj({"id": INT, "status": {"type": "string", "enum": list(REPLY_STATUSES)}, "body": STR,
                  "body_html": STR, "author_id": INT, "submission_ids": {"type": "array", "items": INT},
                  "created_at": MOMENT}),
    "OfficeSubmission": obj({
        **INBOX_ITEM, "body": STR, "is_public": BOOL, "answered_at": nullable(MOMENT),
        "submitter": obj({"name": STR, "email": STR, "phone": STR}),
        "timeline": {"type": "array", "items": ref("OfficeTimelineEntry")},
        "replies": {"type": "array", "items": ref("Reply")},
    }),
    "TransferResult": obj({"id": INT, "tracking_no": STR, "status": SUBMISSION_STATUS,
                           "department": ref("Department"), "due_on": DATE}),
    "OpenApiDocument": {"type": "object", "required": ["openapi", "paths"]},
}
