"""The annual openness report (政府信息公开工作年度报告): the application table with its balance check, the
proactive-disclosure counts and the hand-typed figures, as a page, CSV and XLSX.

Officers and reviewers see their own department's report; editors and admins any department or all
(``?department=all``). Editors and admins type in the figures the platform cannot count.
"""

from dataclasses import dataclass

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.departments import ordered_departments
from consult.accounts.models import ADMIN, EDITOR, OFFICER, REVIEWER, Department
from consult.authz import role_required
from consult.disclosure import exports
from consult.disclosure.figures import (
    FIGURE_GROUPS, FIGURES, figures_for, proactive_counts, report_years, save_figures,
)  # fmt: skip
from consult.disclosure.forms import figures_form_class
from consult.disclosure.models import ALL_DEPARTMENTS
from consult.disclosure.outcomes import (
    APPLICANT_LABELS, CATEGORIES, CATEGORY_LABELS, NATURAL_PERSON, ORGANISATION_TYPES, OUTCOMES,
)  # fmt: skip
from consult.disclosure.report import COLUMNS, TOTAL, application_table
from consult.disclosure.views import bp
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db
from consult.i18n import current_locale_code
from consult.localtime import local_today
from consult.urls import int_arg

REPORT_ROLES = (OFFICER, REVIEWER, EDITOR, ADMIN)
WIDE_ROLES = (EDITOR, ADMIN)  # may see every department and all together


@dataclass(frozen=True)
class OutcomeGroup:
    """The rows of one outcome category in the page's table."""

    category: str
    rows: list
    first: bool

    @property
    def size(self) -> int:
        return len(self.rows)

    @property
    def has_reasons(self) -> bool:
        return bool(self.rows[0][0].reason)


def _col_headers() -> dict[str, str]:
    """The ``headers`` attribute of a data cell in each column (the two-level column header)."""
    headers = {c: f"h-applicant h-org h-{c}" for c in ORGANISATION_TYPES}
    return {**headers, NATURAL_PERSON: "h-applicant h-natural_person", TOTAL: "h-applicant h-total"}


def _outcome_groups(table) -> list[OutcomeGroup]:
    return [
        OutcomeGroup(category, [(o, table.outcomes[o.key]) for o in OUTCOMES if o.category == category], i == 0)
        for i, category in enumerate(CATEGORIES)
    ]


@dataclass(frozen=True)
class Scope:
    year: int
    department: Department | None  # None: all departments

    @property
    def department_id(self) -> int | None:
        return self.department.id if self.department is not None else None

    @property
    def param(self) -> str:
        return str(self.department.id) if self.department is not None else ALL_DEPARTMENTS


def default_year() -> int:
    """Reports are written early in the year about the year before (due by 31 March)."""
    today = local_today()
    return today.year - 1 if today.month <= 3 else today.year


def _scope() -> Scope:
    """Year and department from the query string; 403 for a department the user may not see."""
    year = int_arg("year", minimum=2000, maximum=2100) or default_year()
    wanted = request.args.get("department", "")
    if current_user.role in WIDE_ROLES:
        if wanted in ("", ALL_DEPARTMENTS):
            return Scope(year, None)
        department_id = int_arg("department", minimum=1)
        department = db.session.get(Department, department_id) if department_id else None
        if department is None:
            abort(404)
        return Scope(year, department)
    own = current_user.department_id
    if own is None or wanted not in ("", str(own)):
        abort(403)
    return Scope(year, db.session.get(Department, own))


def _title(scope: Scope) -> str:
    name = scope.department.name if scope.department is not None else "全部部门"
    return f"{scope.year}年政府信息公开工作年度报告 · {name} · 收到和处理政府信息公开申请情况"


def _years(scope: Scope) -> list[int]:
    """The years to choose from: those with anything to report, and the one shown."""
    return sorted({*report_years(scope.department_id, local_today()), scope.year}, reverse=True)


@bp.get("/office/disclosure/report")
@role_required(*REPORT_ROLES)
def report():
    """The report page for a year and a department (or all)."""
    scope = _scope()
    locale = current_locale_code()
    departments = ordered_departments() if current_user.role in WIDE_ROLES else []
    table = application_table(scope.year, scope.department_id)
    return render_template(
        "disclosure/report.html", scope=scope, table=table, outcome_groups=_outcome_groups(table),
        counts=proactive_counts(scope.year, scope.department_id), figures=figures_for(scope.year, scope.department_id),
        figure_groups=FIGURE_GROUPS, column_labels={**APPLICANT_LABELS, TOTAL: _("Total")}, columns=COLUMNS,
        col_headers=_col_headers(), organisation_types=ORGANISATION_TYPES,
        category_labels=CATEGORY_LABELS, departments=departments, locale=locale,
        can_edit=current_user.role in WIDE_ROLES, years=_years(scope),
    )


def _download(scope: Scope, body: bytes, extension: str, mimetype: str) -> Response:
    name = f"disclosure-report-{scope.year}-{scope.param}.{extension}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                      "Cache-Control": "private, no-store"})


def _export_parts(scope: Scope):
    return (_title(scope), application_table(scope.year, scope.department_id),
            proactive_counts(scope.year, scope.department_id), figures_for(scope.year, scope.department_id))


@bp.get("/office/disclosure/report.csv")
@role_required(*REPORT_ROLES)
def report_csv():
    """The report as CSV (UTF-8 with BOM), official Chinese labels."""
    scope = _scope()
    return _download(scope, exports.to_csv(*_export_parts(scope)), "csv", "text/csv; charset=utf-8")


@bp.get("/office/disclosure/report.xlsx")
@role_required(*REPORT_ROLES)
def report_xlsx():
    """The report as an Excel workbook laid out like the official table."""
    scope = _scope()
    return _download(scope, exports.to_xlsx(*_export_parts(scope)), "xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/office/disclosure/report/figures", methods=["GET", "POST"])
@role_required(*WIDE_ROLES)
def report_figures():
    """Type in the figures of the year the platform cannot count (rules, decisions, fees, reviews, suits)."""
    scope = _scope()
    existing = figures_for(scope.year, scope.department_id)
    form = figures_form_class()(data={**(existing.figures if existing else {}),
                                      "notes": existing.notes if existing else ""})
    status = 200
    if form.validate_on_submit():
        try:
            save_figures(scope.year, scope.department_id, {f.key: form[f.key].data for f in FIGURES},
                         form.notes.data, actor=current_user._get_current_object())
        except DomainError as error:
            status = show_error(error, form)
        else:
            flash(_("The figures have been saved."), "success")
            return redirect(url_for("disclosure.report", year=scope.year, department=scope.param), 303)
    elif form.errors:
        status = 422
    return render_template("disclosure/figures.html", form=form, scope=scope, figure_groups=FIGURE_GROUPS), status
