"""The feedback report (意见采纳情况) as .docx or PDF: public once published (shared caches may keep it),
and for the lead department's staff while it is being written and reviewed (private)."""

from flask import abort, request
from flask_login import current_user

from consult.documents.responses import FORMATS, document_response
from consult.drafts import transitions
from consult.drafts.documents import feedback_report_document, report_filename
from consult.drafts.models import REPORT_PUBLISHED
from consult.drafts.queries import get_public_draft_or_404
from consult.drafts.views import bp
from consult.drafts.views.common import get_draft_for_staff_or_404
from consult.drafts.views.office_answers import answer_roles
from consult.public_pages import public_page


def _respond(draft, fmt: str, *, private: bool):
    if fmt not in FORMATS:
        abort(404)
    document = feedback_report_document(draft, annex=request.args.get("annex") == "1")
    return document_response(document, fmt, filename=report_filename(draft),
                             fallback=f"draft-{draft.id}-feedback-report", private=private)


@bp.get("/drafts/<int:draft_id>/report.<fmt>")
@public_page
def report_document(draft_id: int, fmt: str):
    """The published feedback report as a document (``?annex=1`` adds every comment, or points to the CSV)."""
    draft = get_public_draft_or_404(draft_id)
    if draft.status != REPORT_PUBLISHED:
        abort(404)
    return _respond(draft, fmt, private=False)


@bp.get("/office/drafts/<int:draft_id>/report.<fmt>")
@answer_roles
def office_report_document(draft_id: int, fmt: str):
    """The feedback report as it stands, for those who write and review it (before and after publication)."""
    draft = get_draft_for_staff_or_404(draft_id)
    if not transitions.may_answer(current_user, draft):
        abort(403)
    return _respond(draft, fmt, private=True)
