"""Admin pages of the compliance self-check (合规自查): the board, each rule's items, the annual report's
publication record, and the monthly summary (月度通报) as HTML and CSV."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.authz import admin_required
from consult.domain import DomainError
from consult.practice import compliance
from consult.practice.forms import AnnualReportForm
from consult.practice.summary import monthly_summary, parse_month, summary_csv
from consult.practice.views import bp
from consult.stats.formulas import formulas
from consult.stats.presentation import rate_rows
from consult.stats.services import month_starts
from consult.localtime import local_today
from consult.errors import show_error


def _render_board(form=None, status: int = 200):
    today = local_today()
    due_year = compliance.annual_report_due(today)
    form = form or AnnualReportForm(formdata=None, year=due_year or today.year - 1)
    return render_template("practice/compliance.html", findings=compliance.check(today), today=today, form=form,
                           due_year=due_year), status


@bp.get("/admin/compliance")
@admin_required
def compliance_board():
    """Every rule with its count and first items; each row links to all its items."""
    return _render_board()


@bp.get("/admin/compliance/rules/<code>")
@admin_required
def compliance_rule(code: str):
    """All the items one rule finds today."""
    if code not in compliance.RULES_BY_CODE:
        abort(404)
    return render_template("practice/compliance_rule.html", finding=compliance.finding(code, local_today()))


@bp.post("/admin/compliance/annual-report")
@admin_required
def record_annual_report():
    """Record when and where the year's annual report was published."""
    form = AnnualReportForm()
    if not form.validate_on_submit():
        return _render_board(form, 422)
    try:
        compliance.record_annual_report(form.year.data, form.published_on.data, form.url.data or "", current_user)
    except DomainError as error:
        return _render_board(form, show_error(error, form))
    flash(_("The publication of the annual report has been recorded."), "success")
    return redirect(url_for("practice.compliance_board"), 303)


def _summary():
    today = local_today()
    year, month = parse_month(request.args.get("month"), today)
    return monthly_summary(year, month, today), today


@bp.get("/admin/compliance/summary")
@admin_required
def compliance_summary():
    """The monthly summary (月度通报) of a month (default: the previous one)."""
    summary, today = _summary()
    texts = formulas(summary.response_hours)
    return render_template("practice/summary.html", summary=summary, rates=rate_rows(summary.figures, texts),
                           months=month_starts(today, 12)[::-1], titles=compliance.rule_titles())


@bp.get("/admin/compliance/summary.csv")
@admin_required
def compliance_summary_csv():
    """The monthly summary as CSV."""
    summary, _today = _summary()
    return Response(summary_csv(summary, compliance.rule_titles()), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="consult-monthly-summary-{summary.label}.csv"'})
