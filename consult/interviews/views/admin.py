"""Announcing online interviews (under /admin/interviews): every interview with its questions counted, and
the announcement's form — topic, department, time and officials. Editors and admins announce interviews for
every department, as they do open days; the department's staff moderate them (views/office.py)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from consult.accounts.departments import ordered_departments
from consult.authz import EVENT_EDIT_ROLES, admin_required, role_required
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db
from consult.i18n import current_locale_code
from consult.interviews import queries, services
from consult.interviews.forms import InterviewForm
from consult.interviews.models import STATUS_LABELS, Interview
from consult.interviews.views import bp
from consult.localtime import from_local, to_local_naive
from consult.pagination import page_or_400


@bp.get("/admin/interviews")
@admin_required
def admin_list():
    """Every online interview, latest first, with how many questions were answered, set aside and tracked."""
    page = page_or_400(queries.managed_interviews, current_user, cursor=request.args.get("cursor"))
    counts = queries.question_counts([i.id for i in page.items])
    return render_template("interviews/admin_list.html", page=page, counts=counts, status_labels=STATUS_LABELS)


@bp.route("/admin/interviews/new", methods=["GET", "POST"])
@bp.route("/admin/interviews/<int:interview_id>/edit", methods=["GET", "POST"])
@role_required(*EVENT_EDIT_ROLES)
def edit(interview_id: int | None = None):
    """Announce an interview, or edit its announcement."""
    interview = db.get_or_404(Interview, interview_id) if interview_id else None
    form = InterviewForm(obj=interview)
    form.department_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(d.id, d.display_name(current_locale_code())) for d in ordered_departments()]
    if interview is not None and request.method == "GET":
        form.starts_at.data, form.ends_at.data = to_local_naive(interview.starts_at), to_local_naive(interview.ends_at)
        form.officials.data = "\n".join(f"{o.name}，{o.title}" if o.title else o.name for o in interview.officials)
    status = 200
    if request.method == "POST":
        values = {"title": form.title.data or "", "description": form.description.data or "",
                  "department_id": form.department_id.data or None,
                  "starts_at": from_local(form.starts_at.data), "ends_at": from_local(form.ends_at.data)}
        officials = services.parse_officials(form.officials.data or "")
        valid = form.validate_on_submit()
        try:
            if valid:
                saved = services.save_interview(interview, values, officials, actor=current_user)
                announced = interview is None
                flash(_("The interview has been announced.") if announced else _("The announcement has been saved."),
                      "success")
                return redirect(url_for("interviews.console", interview_id=saved.id))
            services.check_announcement(values, officials)
            status = 422
        except DomainError as error:
            status = show_error(error, form)
    return render_template("interviews/edit.html", form=form, interview=interview), status
