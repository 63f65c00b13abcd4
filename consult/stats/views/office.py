"""The officers' dashboard (``/office/dashboard``): their own work and their department's figures."""

from flask import render_template
from flask_login import current_user

from consult.accounts.models import STAFF_ROLES
from consult.authz import role_required
from consult.localtime import local_today
from consult.practice.rectification import department_task_counts
from consult.stats import dashboard as board
from consult.stats.formulas import formulas
from consult.stats.presentation import charts, kind_label, month_label, rate_labels, rate_rows
from consult.stats.services import compute_stats
from consult.stats.views import bp
from consult.tracking.kinds import KIND_LABELS
from consult.tracking.views.common import working_department


@bp.get("/office/dashboard")
@role_required(*STAFF_ROLES)
def dashboard():
    """My overdue and due-soon submissions, work awaiting review, and my department's figures."""
    department, choices = working_department()
    today = local_today()
    department_id = department.id if department else None
    stats = compute_stats(department_id) if department is not None else None
    texts = formulas(stats["response_hours"]) if stats else {}
    return render_template(
        "stats/dashboard.html", department=department, departments=choices, today=today,
        overdue=board.my_overdue(current_user, today), due_soon=board.my_due_soon(current_user, today),
        review=board.awaiting_review(current_user, department_id),
        extensions=board.extensions_awaiting(current_user, department_id),
        open_counts=board.department_open_counts(department_id, today) if department else None,
        rectifications=department_task_counts(department_id, today) if department else None,
        stats=stats, kind_labels=KIND_LABELS, month_label=month_label, kind_label=kind_label,
        rates=rate_rows(stats["totals"], texts) if stats else [], charts=charts(stats) if stats else None,
        rate_labels=rate_labels(),
    )
