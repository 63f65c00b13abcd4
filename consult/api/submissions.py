"""Following a submission with its tracking number and query code: status, due date, answer, public timeline.

The code is best sent in the ``X-Query-Code`` header, which access logs do not record (``?code=`` works
too). A missing code, a wrong code and an unknown number answer the same 404 (same body, same work), and
the lookup is rate-limited like the lookup form, so codes cannot be guessed.
"""

import re
from typing import Annotated

from flask import request
from markupsafe import Markup
from flask_babel import gettext as _
from pydantic import Field, StringConstraints, ValidationError

from consult.api import bp, schemas
from consult.api.common import Query, answer, department_json
from consult.api.errors import ApiError
from consult.api.fields import TEXT_PATTERN
from consult.api.openapi import Header, operation
from consult.extensions import limiter
from consult.limits import LOOKUP_LIMIT
from consult.tracking import kind_details, services
from consult.tracking.models import Submission

HEADER = "X-Query-Code"
QueryCode = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=TEXT_PATTERN)]
TRACKING_NO = re.compile("[A-Za-z0-9-]{1,40}")


class CodeQuery(Query):
    code: QueryCode | None = Field(None, description=f"The query code from the receipt. Prefer the {HEADER} "
                                                     "header: a URL ends up in access logs.")


def not_found() -> ApiError:
    return ApiError(404, _("No submission matches this tracking number and query code."))


def public_view(submission: Submission) -> schemas.SubmissionStatus:
    """What the citizen may see: no staff names, no internal notes, no contact details."""
    answer_, published = services.answer_of(submission), kind_details.citizen_answer_for(submission)
    return schemas.SubmissionStatus(
        tracking_no=submission.tracking_no, kind=submission.kind, status=submission.status,
        status_label=str(services.STATUS_LABELS[submission.status]),
        department=department_json(submission.department), received_at=submission.received_at,
        due_on=submission.due_on, due_estimated=submission.estimated_due,
        answered_at=submission.answered_at, closed_at=submission.closed_at,
        answer=_published_answer(published) if answer_ is None and published is not None else None if answer_ is None else {
            "body": answer_.body, "body_html": answer_.body_html, "answered_at": answer_.reviewed_at,
        },
        dismissal_reason=submission.dismissal_reason or None,
        timeline=[
            {"at": event.created_at, "action": event.action, "from_status": event.from_status,
             "to_status": event.to_status, "actor_role": event.actor_role, "note": event.public_note}
            for event in services.public_events(submission)
        ],
    )


def _published_answer(published: kind_details.CitizenAnswer) -> dict:
    """An answer the kind published (a comment's disposition in the feedback report) as the API's answer."""
    lines = (Markup("<dt>{}</dt><dd>{}</dd>").format(fact.label, Markup('<a href="{}">{}</a>').format(fact.url, fact.value)
             if fact.url else fact.value) for fact in published.facts if fact.value)
    return {"body": published.as_text(), "body_html": str(Markup("<dl>{}</dl>").format(Markup("").join(lines))),
            "answered_at": published.given_at}


def _query_code() -> str | None:
    """The code from the header, else from ``?code=``; None when there is none, or either cannot be a code."""
    given = [code for code in (request.headers.get(HEADER), request.args.get("code")) if code is not None]
    try:
        codes = [CodeQuery.model_validate({"code": code}).code for code in given]
    except ValidationError:
        return None  # a malformed code finds nothing, like a wrong one
    return codes[0] if codes else None


@bp.get("/submissions/<tracking_no>")
@limiter.limit(LOOKUP_LIMIT)
@operation("getSubmission", "A submission's status, due date, answer and public timeline", tag="submissions",
           responses={200: schemas.SubmissionStatus}, query=CodeQuery, rate_limited=True, public_read=True,
           path={"tracking_no": {"type": "string", "pattern": f"^{TRACKING_NO.pattern}$",
                                 "description": "The tracking number, e.g. L-20261122-00042."}},
           headers=(Header(HEADER, QueryCode, "The query code from the receipt (preferred to `?code=`)."),),
           description=f"Needs the query code given on the receipt, best in the {HEADER} header. A missing or "
                       "wrong code and an unknown tracking number all answer 404 with the same body.")
def get_submission(tracking_no: str):
    """The citizen's view of one submission (never cached)."""
    code = _query_code()
    submission = services.find_submission(tracking_no, code) if code and TRACKING_NO.fullmatch(tracking_no) else None
    if submission is None:
        raise not_found()
    response = answer(public_view(submission))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
