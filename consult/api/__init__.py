"""The JSON API at ``/api/v1`` (DESIGN.md §8), described by the OpenAPI document at ``/api/v1/openapi.json``.

Public endpoints are anonymous; officer endpoints take a personal bearer token. Nothing here reads the
session or cookies, so the blueprint is exempt from CSRF (a browser's cookies grant nothing here).
One module per resource: drafts, letters (and mailboxes), submissions, events, stats, office; the shared
pieces are common (bodies, pages, CORS), validation, errors, idempotency, tokens and openapi.
"""

from flask import Blueprint

from consult.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.before_request
def _start_request():
    """Small bodies only; nobody is authenticated until a view's token check says so."""
    from flask import g

    from consult.api.common import limit_body_size

    g.api_user = None
    limit_body_size()


@bp.after_request
def _cors(response):
    from consult.api.common import add_cors_headers

    return add_cors_headers(response)


def _register_error_handlers() -> None:
    from consult.api import errors

    errors.register(bp)


_register_error_handlers()

from consult.api import drafts, events, letters, office, openapi, stats, submissions  # noqa: E402,F401  -- routes
