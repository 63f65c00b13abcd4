"""Open311 GeoReport v2 under ``/open311/v2/``: JSON or XML by the URL's extension.

Clients never authenticate with cookies (a POST carries an ``api_key``), so the blueprint is exempt from
CSRF (see :mod:`consult.open311.views`). Errors answer the spec's body: a list of ``{code, description}``.
"""

from flask import current_app, request, url_for
from werkzeug.exceptions import HTTPException

from consult.domain import DomainError
from consult.extensions import limiter
from consult.i18n import current_locale_code
from consult.open311 import services
from consult.open311.formats import error, respond
from consult.open311.keys import active_key
from consult.open311.views import bp

FMT = "<any(json, xml):fmt>"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2025-12-01T00:00:00+08:00"  # when the services or this interface last changed


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    fmt = (request.view_args or {}).get("fmt", "json")
    return error(fmt, exc.code or 500, exc.description or exc.name, headers=exc.get_headers()[1:])


@bp.errorhandler(services.Open311Error)
def _open311_error(exc: services.Open311Error):
    return error((request.view_args or {}).get("fmt", "json"), exc.status, str(exc.description))


@bp.get(f"/discovery.{FMT}")
def discovery(fmt: str):
    """Where the endpoint is and what it speaks."""
    changeset = current_app.config.get("CONSULT_OPEN311_CHANGESET", CHANGESET)
    data = {
        "changeset": changeset,
        "contact": current_app.config.get("CONSULT_OPEN311_CONTACT") or current_app.config.get("MAIL_DEFAULT_SENDER")
        or "",
        "key_service": current_app.config.get("CONSULT_OPEN311_KEY_SERVICE")
        or "Ask the site administrator for an api_key.",
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": url_for("open311.discovery", fmt=fmt, _external=True).rsplit("/", 1)[0],
            "changeset": changeset,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }
    return respond(fmt, data, root="discovery", item=None)


@bp.get(f"/services.{FMT}")
def service_list(fmt: str):
    """One service per category of each mailbox that accepts letters."""
    return respond(fmt, services.list_services(), root="services", item="service")


@bp.get(f"/services/<code>.{FMT}")
def service_definition(code: str, fmt: str):
    """A service's definition: letters need no attributes beyond the standard fields."""
    definition = services.service_definition(code)
    if definition is None:
        return error(fmt, 404, f"Unknown service_code: {code}")
    return respond(fmt, definition, root="service_definition", item=None)


@bp.get(f"/requests.{FMT}")
@limiter.limit("120 per minute")
def request_list(fmt: str):
    """Published letters, newest first: filters service_request_id, service_code, start_date, end_date,
    status; the last 90 days by default, at most 1000."""
    filters = services.RequestFilters.from_args(request.args)
    return respond(fmt, services.find_requests(filters, current_locale_code()), root="service_requests",
                   item="request")


@bp.post(f"/requests.{FMT}")
@limiter.limit("20 per minute")
def create_request(fmt: str):
    """File a letter for a client with a valid ``api_key`` (an ``Idempotency-Key`` header makes retries safe)."""
    key = active_key(request.values.get("api_key"))
    if key is None:
        return error(fmt, 403, "Invalid api_key")
    try:
        filed = services.file_request(key, request.values, idempotency_key=request.headers.get("Idempotency-Key"),
                                      locale=current_locale_code())
    except DomainError as exc:
        field = f"{exc.field}: " if exc.field else ""
        return error(fmt, exc.status if exc.status in (400, 409) else 400, f"{field}{exc.message}")
    data = [{
        "service_request_id": filed.tracking_no,
        "token": filed.token,
        "service_notice": f"Due on {filed.due_on.isoformat()}",
        "account_id": None,
        "query_code": filed.query_code,
    }]
    return respond(fmt, data, root="service_requests", item="request", status=200 if filed.duplicate else 201)


@bp.get(f"/requests/<request_id>.{FMT}")
def request_detail(request_id: str, fmt: str):
    """One published letter (a list of one, as the spec says); unpublished and private ones are not found."""
    found = services.find_request(request_id, current_locale_code())
    if found is None:
        return error(fmt, 404, f"Unknown service_request_id: {request_id}")
    return respond(fmt, [found], root="service_requests", item="request")


@bp.get(f"/tokens/<token>.{FMT}")
def token(token: str, fmt: str):
    """The service_request_id of a letter filed with POST, by the token that POST answered."""
    tracking_no = services.request_id_for_token(token)
    if tracking_no is None:
        return error(fmt, 404, f"Unknown token: {token}")
    return respond(fmt, [{"service_request_id": tracking_no, "token": token}], root="service_requests",
                   item="request")
