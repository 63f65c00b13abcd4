"""Public statistics (``/stats``) and their CSV."""

from datetime import date

from flask import Response, render_template, request

from consult.accounts.departments import ordered_departments
from consult.accounts.models import Department
from consult.extensions import db
from consult.i18n import current_locale_code
from consult.public_pages import public_page
from consult.stats.formulas import formulas
from consult.stats.presentation import (
    charts, departments_with_figures, kind_label, month_label, rate_labels, rate_rows, to_csv,
)  # fmt: skip
from consult.stats.services import published_stats
from consult.stats.views import bp
from consult.urls import int_arg

@bp.app_template_filter("percent")
def _percent(value) -> str:
    """A rate (0…1) as a percentage, or an en dash when there was nothing to count."""
    return "–" if value is None else f"{value * 100:.1f}%"


@bp.app_template_filter("maybe_number")
def _maybe_number(value) -> str:
    return "–" if value is None else f"{value:g}"


def _chosen_department() -> Department | None:
    """The department picked with ``?department=<id>`` (404 when unknown), or None for all."""
    department_id = int_arg("department")
    if department_id is None:
        return None
    return db.get_or_404(Department, department_id)


def _all_departments() -> list[Department]:
    return ordered_departments()


@bp.get("/stats")
@public_page
def index():
    """The 三率 (response, resolution, satisfaction) with their formulas, the on-time and reply rates and
    working days to answer, per department, kind, month and year.

    Departments with nothing received and nothing overdue are left out of the table unless ``?all=1``.
    """
    department = _chosen_department()
    stats = published_stats(department.id if department else None)
    show_all = request.args.get("all") == "1"
    shown = stats["departments"] if show_all or department else departments_with_figures(stats["departments"])
    texts = formulas(stats["response_hours"])
    return render_template(
        "stats/index.html", stats=stats, department=department, departments=_all_departments(),
        department_rows=shown, show_all=show_all, hidden=len(stats["departments"]) - len(shown),
        charts=charts(stats), month_label=month_label, kind_label=kind_label,
        rates=rate_rows(stats["totals"], texts), rate_labels=rate_labels(), formulas=texts,
        period_start=date.fromisoformat(stats["period"]["start"]),
        period_end=date.fromisoformat(stats["period"]["end"]),
    )


@bp.get("/stats.csv")
def csv():
    """The same figures as a CSV file."""
    department = _chosen_department()
    stats = published_stats(department.id if department else None)
    name = f"consult-stats-{stats['period']['end']}" + (f"-{department.code}" if department else "") + ".csv"
    return Response(
        to_csv(stats, current_locale_code(), formulas(stats["response_hours"])), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
