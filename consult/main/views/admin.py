"""The one administration home (``/admin``): what there is to administer, each domain's admin pages
linked through :data:`consult.navigation.ADMIN_NAV`."""

import sqlalchemy as sa
from flask import render_template

from consult.accounts.models import CITIZEN, Department, User
from consult.authz import admin_required
from consult.extensions import db
from consult.main.views import bp


@bp.get("/admin/")
@admin_required
def admin():
    """Administration overview."""
    counts = {
        "departments": db.session.scalar(sa.select(sa.func.count()).select_from(Department)),
        "staff": db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.role != CITIZEN)),
    }
    return render_template("main/admin.html", counts=counts)
