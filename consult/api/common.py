"""Request and response plumbing shared by the API views: JSON bodies, query parameters, cursor pages,
CORS for public reads, and small serialisers."""

from datetime import date, datetime

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge

from consult.api.errors import ApiError
from consult.api.validation import MAX_ID, Body, storable_text
from consult.i18n import LOCALES
from consult.pagination import InvalidCursor, Page, paginate
from consult.extensions import db
from consult.tracking.clock import as_utc

MAX_BODY_BYTES = 64 * 1024
DEFAULT_LIMIT, MAX_LIMIT = 20, 100
ID = "int(max=2147483647)"  # path converter: ids a 32-bit column can hold (bigger ones answer 404)
CORS_HEADERS = "Accept, Accept-Language"


# --- bodies ---------------------------------------------------------------------------------------------

def json_body(body: Body) -> dict:
    """The request's JSON object checked against ``body``: 415 unless JSON, 400 if malformed, 422 if invalid."""
    if not request.is_json:
        raise ApiError(415, _("Send the body as JSON with the header Content-Type: application/json."))
    length = request.content_length
    if length is not None and length > MAX_BODY_BYTES:
        raise RequestEntityTooLarge()
    try:
        data = request.get_json()
    except BadRequest:
        raise ApiError(400, _("The body is not valid JSON.")) from None
    return body.validate(data)


def limit_body_size() -> None:
    """Keep JSON bodies small (the app's limit is for uploads); a bigger body answers 413."""
    request.max_content_length = MAX_BODY_BYTES


# --- query parameters -----------------------------------------------------------------------------------

def query_text(name: str, max_length: int = 200) -> str:
    """A text query parameter, stripped and cut; 400 if it holds characters that cannot be stored."""
    value = request.args.get(name, "")
    if not storable_text(value):
        raise ApiError(400, errors={name: [_("Contains characters that are not allowed.")]})
    return value.strip()[:max_length]


def query_int(name: str, default: int | None = None, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """An integer query parameter within bounds; 400 with a field error otherwise."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, errors={name: [_("Must be a whole number.")]}) from None
    if not minimum <= value <= maximum:
        raise ApiError(400, errors={name: [_("Must be between %(low)s and %(high)s.", low=minimum, high=maximum)]})
    return value


def query_choice(name: str, choices, default: str = "") -> str:
    value = request.args.get(name, default)
    if value and value not in choices:
        raise ApiError(400, errors={name: [_("Must be one of: %(values)s.", values=", ".join(choices))]})
    return value


# --- pages ----------------------------------------------------------------------------------------------

def page_of(stmt, order_by, per_page: int | None = None) -> Page:
    """One cursor page of ``stmt`` from ``?cursor=`` with ``?limit=`` items (400 for a bad cursor)."""
    limit = per_page or query_int("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    cursor = query_text("cursor", 1000) or None
    try:
        return paginate(db.session, stmt, order_by, cursor, per_page=limit)
    except InvalidCursor:
        raise ApiError(400, _("The cursor is not valid; start again from the first page."),
                       errors={"cursor": [_("Not a cursor given by this API.")]}) from None


def next_link(page: Page) -> str | None:
    """The absolute URL of the next page (same parameters, new cursor), or None on the last page."""
    if page.next_cursor is None:
        return None
    args = {**request.args.to_dict(), "cursor": page.next_cursor}
    return url_for(request.endpoint, **(request.view_args or {}), **args, _external=True)


def list_response(items: list[dict], page: Page):
    """``{"items": […], "next": url|null}`` with a ``Link: <…>; rel="next"`` header when there is more."""
    following = next_link(page)
    response = jsonify({"items": items, "next": following})
    if following:
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response


def created(payload: dict, location: str | None = None):
    response = jsonify(payload)
    response.status_code = 201
    if location:
        response.headers["Location"] = location
    return response


# --- CORS -----------------------------------------------------------------------------------------------

def _public_read_endpoint(path: str) -> bool:
    """Whether ``path`` is served by a GET operation marked as a public read."""
    adapter = current_app.url_map.bind("")
    try:
        endpoint, _args = adapter.match(path, method="GET")
    except HTTPException:  # NotFound, MethodNotAllowed, RequestRedirect
        return False
    view = current_app.view_functions.get(endpoint)
    operation = getattr(view, "openapi", None)
    return operation is not None and operation.public_read


def add_cors_headers(response):
    """``Access-Control-Allow-Origin: *`` on public GET endpoints (and their preflight) only.

    POST and officer endpoints never get it, so a browser page elsewhere cannot write with a visitor's
    identity, nor read what a token shows.
    """
    method = request.method
    if method == "OPTIONS":
        wanted = request.headers.get("Access-Control-Request-Method", "GET").upper()
        if wanted not in ("GET", "HEAD") or not _public_read_endpoint(request.path):
            return response
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
        response.headers["Access-Control-Max-Age"] = "86400"
    elif method not in ("GET", "HEAD") or not _public_read_endpoint(request.path):
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "Link, Retry-After"
    return response


# --- serialisers ----------------------------------------------------------------------------------------

def iso(moment: datetime | date | None) -> str | None:
    """A stored time as ISO 8601 with its UTC offset, a date as YYYY-MM-DD, None as null."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return as_utc(moment).isoformat()
    return moment.isoformat()


def request_locale() -> str | None:
    """The client's language from ``Accept-Language`` (for the mails it will receive), else None."""
    if not request.accept_languages:
        return None
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
    if best is None:
        return None
    code = "en" if best == "en" else "zh_CN"
    return code if code in LOCALES else None


def department_json(department) -> dict:
    return {"id": department.id, "name": department.name, "name_en": department.name_en or None}
