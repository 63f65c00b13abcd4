"""The home page and other public pages that belong to no single domain."""

import sqlalchemy as sa
from flask import render_template

from consult.accounts.departments import ordered_departments
from consult.extensions import db
from consult.main.views import bp


@bp.get("/")
def index():
    """Home page: what Consult promises and where to start."""
    departments = ordered_departments()
    return render_template("main/index.html", departments=departments)


@bp.get("/healthz")
def healthz():
    """Liveness and database check for load balancers."""
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
