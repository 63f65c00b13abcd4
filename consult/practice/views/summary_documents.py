"""The monthly summary (月度通报) as .docx and PDF, for the same administrators as its page (private)."""

from flask import abort

from consult.documents.responses import FORMATS, document_response
from consult.practice.documents import summary_document
from consult.practice.views import bp
from consult.authz import admin_required
from consult.practice.compliance import rule_titles
from consult.practice.views.compliance import _summary
from consult.stats.presentation import rate_rows
from consult.stats.formulas import formulas


@bp.get("/admin/compliance/summary.<fmt>")
@admin_required
def compliance_summary_document(fmt: str):
    """The monthly summary of a month (default: the previous one) in the official layout."""
    if fmt not in FORMATS:
        abort(404)
    summary, _today = _summary()
    document = summary_document(summary, rule_titles(), rate_rows(summary.figures, formulas(summary.response_hours)))
    return document_response(document, fmt, filename=document.title, fallback=f"monthly-summary-{summary.label}",
                             private=True)
