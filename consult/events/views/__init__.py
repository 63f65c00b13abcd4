"""The ``events`` blueprint (``/events``): open days, hearings and public meetings for the public and their
registrants, and the staff's pages for events, registrations, decisions, the draw, check-in, speakers and the
hearing record."""

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")


@bp.app_template_global("files_page_shown")
def _files_page_shown(event) -> bool:
    from consult.events.materials import files_page_shown

    return files_page_shown(event)


from consult.events.views import (  # noqa: E402,F401  -- the routes
    office, office_hearings, office_materials, public, public_hearings,
)
