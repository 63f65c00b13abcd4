"""Admin pages for departments and staff accounts (under /admin)."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from consult.accounts import services as accounts
from consult.accounts.departments import in_official_order, next_sort_order, ordered_departments
from consult.accounts.forms import DepartmentForm, NewStaffUserForm, StaffUserForm
from consult.accounts.models import CITIZEN, ROLE_LABELS, Department, User
from consult.accounts.views import bp
from consult.authz import admin_required
from consult.domain import DomainError
from consult.errors import show_error
from consult.extensions import db
from consult.i18n import current_locale_code


FIELD_ALIASES = {"department": "department_id"}  # service field -> form field


def _department_choices():
    departments = ordered_departments()
    locale = current_locale_code()
    return [(0, _("— none —"))] + [(d.id, d.display_name(locale)) for d in departments]


@bp.get("/admin/departments")
@admin_required
def departments():
    """List departments in the official order, with their staff counts."""
    staff_count = (
        sa.select(sa.func.count(User.id)).where(User.department_id == Department.id).scalar_subquery()
    )
    rows = db.session.execute(in_official_order(sa.select(Department, staff_count))).all()
    return render_template("accounts/admin_departments.html", rows=rows)


@bp.route("/admin/departments/new", methods=["GET", "POST"])
@bp.route("/admin/departments/<int:department_id>", methods=["GET", "POST"])
@admin_required
def edit_department(department_id: int | None = None):
    """Create or edit a department."""
    if department_id:
        department = db.get_or_404(Department, department_id)
    else:
        department = Department(sort_order=next_sort_order())  # after every other department
    form = DepartmentForm(obj=department)
    if form.validate_on_submit():
        clash = db.session.scalar(
            sa.select(Department).where(
                sa.or_(Department.code == form.code.data, Department.name == form.name.data),
                Department.id != (department.id or 0),
            )
        )
        if clash is not None:
            form.code.errors.append(_("Another department already uses this code or name."))
        else:
            if form.sort_order.data is None:  # left empty: keep its place
                form.sort_order.data = department.sort_order
            form.populate_obj(department)
            department.contact_email = (department.contact_email or "").lower()
            db.session.add(department)
            flash(_("The department has been saved."), "success")
            return redirect(url_for("accounts.departments"))
    status = 422 if form.errors else 200
    return render_template("accounts/admin_department_form.html", form=form, department=department), status


@bp.get("/admin/users")
@admin_required
def users():
    """List staff accounts."""
    staff = db.session.scalars(
        sa.select(User)
        .where(User.role != CITIZEN)
        .options(sa.orm.joinedload(User.department))
        .order_by(User.role, User.email)
    ).all()
    return render_template("accounts/admin_users.html", staff=staff, role_labels=ROLE_LABELS)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    """Create a staff account."""
    form = NewStaffUserForm()
    form.department_id.choices = _department_choices()
    status = 200
    if form.validate_on_submit():
        department = db.session.get(Department, form.department_id.data) if form.department_id.data else None
        try:
            accounts.create_staff_user(
                form.email.data, form.display_name.data, form.password.data, form.role.data, department
            )
        except DomainError as error:
            status = show_error(error, form, aliases=FIELD_ALIASES)
        else:
            flash(_("The account has been created."), "success")
            return redirect(url_for("accounts.users"))
    elif form.errors:
        status = 422
    return render_template("accounts/admin_user_form.html", form=form, user=None), status


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    """Change a staff account's role, department or status."""
    user = db.get_or_404(User, user_id)
    form = StaffUserForm(obj=user, department_id=user.department_id or 0)
    form.department_id.choices = _department_choices()
    status = 200
    if form.validate_on_submit():
        department = db.session.get(Department, form.department_id.data) if form.department_id.data else None
        try:
            accounts.update_staff_user(
                user,
                display_name=form.display_name.data,
                role=form.role.data,
                department=department,
                active=form.active.data,
            )
        except DomainError as error:
            status = show_error(error, form, aliases=FIELD_ALIASES)
        else:
            flash(_("The account has been saved."), "success")
            return redirect(url_for("accounts.users"))
    elif form.errors:
        status = 422
    return render_template("accounts/admin_user_form.html", form=form, user=user), status
