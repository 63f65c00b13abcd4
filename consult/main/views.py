"""The home page and other public pages that belong to no single domain."""

import sqlalchemy as sa
from flask import Blueprint, render_template

from consult.accounts.models import Department
from consult.extensions import db

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Home page: what Consult promises and where to start."""
    departments = db.session.scalars(sa.select(Department).order_by(Department.code)).all()
    return render_template("main/index.html", departments=departments)


@bp.get("/healthz")
def healthz():
    """Liveness and database check for load balancers."""
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
