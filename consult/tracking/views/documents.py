"""A submission's documents as downloads: the receipt (受理回执) and the reply letter (答复意见书), as PDF.

The citizen gets them with the same access as the status page (looked up with the query code in this
session, or their own account); the receipt printed right after sending — from the confirmation page,
within ``PRINT_WINDOW`` — also carries the query code, which exists nowhere else. Staff get them from the
submission page of their own department. Every one of them is private: never kept by any cache.
"""


import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _

from consult.documents.responses import PDF, document_response
from consult.extensions import db
from consult.tracking import services
from consult.tracking.documents import receipt_document, reply_document
from consult.tracking.models import Submission
from consult.tracking.numbers import normalise_tracking_no
from consult.tracking.receipt import printable_receipt
from consult.tracking.views import bp
from consult.tracking.views.common import get_submission_for_officer_or_404, worker_required
from consult.tracking.views.public import _tracked_or_lookup

def _submission(tracking_no: str) -> Submission | None:
    return db.session.scalar(sa.select(Submission).where(Submission.tracking_no == normalise_tracking_no(tracking_no)))


def _no_referrer(response):
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _receipt_response(submission: Submission, query_code: str | None):
    document = receipt_document(submission, query_code)
    return _no_referrer(document_response(document, PDF, filename=_("Receipt %(no)s", no=submission.tracking_no),
                                      fallback=f"receipt-{submission.tracking_no}", private=True))


def _reply_response(submission: Submission):
    reply = services.answer_of(submission)
    if reply is None:
        abort(404)
    document = reply_document(submission, reply)
    return _no_referrer(document_response(document, PDF, filename=_("Reply %(no)s", no=submission.tracking_no),
                                      fallback=f"reply-{submission.tracking_no}", private=True))


@bp.get("/track/<tracking_no>/receipt.pdf")
def receipt_pdf(tracking_no: str):
    """The receipt as PDF, for the visitor who just sent it (with the query code) or who looked it up."""
    just_sent, query_code = printable_receipt(tracking_no)
    submission = _submission(tracking_no) if just_sent else None
    if submission is not None:
        return _receipt_response(submission, query_code)
    submission, lookup_redirect = _tracked_or_lookup(tracking_no)
    return lookup_redirect or _receipt_response(submission, None)


@bp.get("/track/<tracking_no>/reply.pdf")
def reply_pdf(tracking_no: str):
    """The reply letter of the answer as PDF, for the visitor who looked the submission up (or owns it)."""
    submission, lookup_redirect = _tracked_or_lookup(tracking_no)
    return lookup_redirect or _reply_response(submission)


@bp.get("/office/submissions/<int:submission_id>/receipt.pdf")
@worker_required
def office_receipt_pdf(submission_id: int):
    """The receipt as PDF (without the query code, which nobody keeps), for the department's staff."""
    return _receipt_response(get_submission_for_officer_or_404(submission_id), None)


@bp.get("/office/submissions/<int:submission_id>/reply.pdf")
@worker_required
def office_reply_pdf(submission_id: int):
    """The reply letter of the approved answer as PDF, for the department's staff (e.g. to post it)."""
    return _reply_response(get_submission_for_officer_or_404(submission_id))
