"""The JSON API at ``/api/v1`` (DESIGN.md §8), described by the OpenAPI document at ``/api/v1/openapi.json``.

Public endpoints are anonymous; officer endpoints take a personal bearer token. Nothing here reads the
session or cookies, so the blueprint is exempt from CSRF (a browser's cookies grant nothing here).
One module per resource: drafts, letters (and mailboxes), submissions, events, stats, office, practice (ratings
and rectification), appeals, compliance and calendar (administrators), each with the
pydantic models of its bodies and query strings; the answers' models are in schemas, their field types in
fields. The shared pieces are validation (reading requests), common (pages, answers, CORS), errors,
idempotency, tokens, staff (the token's user and department), and openapi (the document, generated from the
same models).
"""

from flask import Blueprint

from consult.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.record_once
def _add_id_converter(state):
    """The ``api_id`` path converter, known before the routes below are added."""
    from consult.api.common import IdConverter

    state.app.url_map.converters["api_id"] = IdConverter


@bp.before_request
def _start_request():
    """Small bodies only (the app's limit is for uploads); nobody is authenticated until a token check says so."""
    from flask import g, request

    from consult.api.validation import MAX_BODY_BYTES

    g.api_user = None
    request.max_content_length = MAX_BODY_BYTES


@bp.after_request
def _cors(response):
    from consult.api.common import add_cors_headers

    return add_cors_headers(response)


def _register_error_handlers() -> None:
    from consult.api import errors

    errors.register(bp)


_register_error_handlers()

from consult.api import (  # noqa: E402,F401  -- routes
    appeals, calendar, compliance, drafts, events, interviews, letters, office, openapi, practice, questionnaires,
    stats, submissions,
)
