"""Open311's two faces, each on its own blueprint.

``bp`` (``open311``, under ``/open311/v2``) speaks the GeoReport v2 protocol to other programs: no cookies,
so it is exempt from CSRF, and errors answer in the protocol's own body (see :mod:`.public`). ``admin_bp``
(``open311_admin``, under ``/admin/open311-keys``) holds the admin's pages for client keys, with the site's
CSRF protection and error pages. A protocol face is the one case where a domain has a second blueprint:
the JSON API (:mod:`consult.api`) is kept apart the same way.
"""

from flask import Blueprint

from consult.extensions import csrf

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
csrf.exempt(bp)
admin_bp = Blueprint("open311_admin", __name__, url_prefix="/admin/open311-keys")

from consult.open311.views import admin, public  # noqa: E402,F401  -- register the routes
