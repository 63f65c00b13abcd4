"""The annual report (政府信息公开工作年度报告) as .docx and PDF, with the same scope rules as its page:
officers and reviewers their own department, editors and admins any department or all. Private downloads."""

from flask import abort, current_app

from consult.authz import role_required
from consult.disclosure.documents import annual_report_document
from consult.disclosure.views import bp
from consult.disclosure.views.office_report import REPORT_ROLES, _export_parts, _scope
from consult.documents.responses import FORMATS, document_response


@bp.get("/office/disclosure/report.<fmt>")
@role_required(*REPORT_ROLES)
def report_document(fmt: str):
    """The report of a year and a department (or all) in the official format."""
    if fmt not in FORMATS:
        abort(404)
    scope = _scope()
    _title, table, counts, figures = _export_parts(scope)
    if scope.department is not None:
        name = issuer = scope.department.name
    else:
        name = issuer = current_app.config.get("CONSULT_SITE_NAME") or "全部部门"
    document = annual_report_document(name, issuer, scope.year, table, counts, figures)
    return document_response(document, fmt, filename=document.title,
                             fallback=f"disclosure-report-{scope.year}-{scope.param}", private=True)
