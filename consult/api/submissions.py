"""Following a submission with its tracking number and query code: status, due date, answer, public timeline.

An unknown number and a wrong code answer the same 404 (same body, same work), and the lookup is
rate-limited like the lookup form, so codes cannot be guessed.
"""

from flask import make_response, request
from flask_babel import gettext as _

from consult.api import bp
from consult.api.common import department_json, iso
from consult.api.errors import ApiError
from consult.api.openapi import Param, operation
from consult.api.validation import storable_text
from consult.extensions import limiter
from consult.tracking import services
from consult.tracking.models import Submission
from consult.tracking.views.citizen import LOOKUP_LIMIT

TRACKING_NO = Param("tracking_no", {"type": "string", "pattern": "^[A-Za-z0-9-]{1,40}$"},
                    "The tracking number, e.g. L-20261122-00042.", location="path")
CODE = Param("code", {"type": "string", "minLength": 1, "maxLength": 40}, "The query code from the receipt.",
             required=True)


def not_found() -> ApiError:
    return ApiError(404, _("No submission matches this tracking number and query code."))


def public_view(submission: Submission) -> dict:
    """What the citizen may see: no staff names, no internal notes, no contact details."""
    answer = services.answer_of(submission)
    return {
        "tracking_no": submission.tracking_no, "kind": submission.kind, "status": submission.status,
        "status_label": str(services.STATUS_LABELS[submission.status]),
        "department": department_json(submission.department), "received_at": iso(submission.received_at),
        "due_on": iso(submission.due_on), "due_estimated": submission.estimated_due,
        "answered_at": iso(submission.answered_at), "closed_at": iso(submission.closed_at),
        "answer": None if answer is None else {
            "body": answer.body, "body_html": answer.body_html, "answered_at": iso(answer.reviewed_at),
        },
        "dismissal_reason": submission.dismissal_reason or None,
        "timeline": [
            {"at": iso(event.created_at), "action": event.action, "from_status": event.from_status,
             "to_status": event.to_status, "actor_role": event.actor_role, "note": event.public_note}
            for event in services.public_events(submission)
        ],
    }


@bp.get("/submissions/<tracking_no>")
@limiter.limit(LOOKUP_LIMIT)
@operation("getSubmission", "A submission's status, due date, answer and public timeline", tag="submissions",
           responses={200: "SubmissionStatus"}, params=[TRACKING_NO, CODE], rate_limited=True,
           public_read=True,
           description="Needs the query code given on the receipt. A wrong code and an unknown tracking number "
                       "both answer 404 with the same body.")
def get_submission(tracking_no: str):
    """The citizen's view of one submission (never cached)."""
    code = request.args.get("code", "")
    if not code:
        raise ApiError(400, errors={"code": [_("The query code is required.")]})
    if not (storable_text(tracking_no) and storable_text(code)) or len(tracking_no) > 40 or len(code) > 40:
        raise not_found()
    submission = services.find_submission(tracking_no, code)
    if submission is None:
        raise not_found()
    response = make_response(public_view(submission))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
