"""The home page and other public pages that belong to no single domain."""

import sqlalchemy as sa
from flask import render_template

from consult.accounts.departments import ordered_departments
from consult.events.models import EVENT_TYPE_LABELS
from consult.events.services import hearings_and_meetings_stamp, upcoming_hearings_and_meetings
from consult.extensions import db
from consult.main.views import bp
from consult.public_pages import keep_page, public_page


@bp.get("/")
@public_page
def index():
    """Home page: what Consult promises, where to start, and the next hearings and public meetings (kept whole
    for anonymous readers while no hearing or meeting changes; a renamed department shows within
    ``CONSULT_PAGE_CACHE_SECONDS``)."""
    keep_page(hearings_and_meetings_stamp)
    return render_template("main/index.html", departments=ordered_departments(),
                           events=upcoming_hearings_and_meetings(), type_labels=EVENT_TYPE_LABELS)


@bp.get("/healthz")
def healthz():
    """Liveness and database check for load balancers."""
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
