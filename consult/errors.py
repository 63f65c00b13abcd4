"""Error pages that answer HTML or RFC 9457 ``application/problem+json`` by ``Accept``.

Pages speak of pages and forms; the JSON API under ``/api/`` gets its own titles and details, which speak
of requests and resources.
"""

from flask import abort, flash, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from consult.domain import DomainError
from consult.extensions import db

TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please log in"),
    403: _l("You do not have permission to do this"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    409: _l("This conflicts with the current state"),
    413: _l("What you sent is too large"),
    422: _l("Some of the data is not valid"),
    429: _l("Too many requests"),
    500: _l("Something went wrong on our side"),
}

DETAILS = {
    400: _l("Please check what you entered and try again."),
    401: _l("You need to log in to see this page."),
    403: _l("Your account does not have access to this page. If you think it should, ask an administrator."),
    404: _l("The page or item you asked for does not exist, or is not public."),
    405: _l("Go back and try again from the page's own form."),
    409: _l("Reload the page to see its current state, then try again."),
    413: _l("Please send a shorter text or a smaller file."),
    422: _l("Please correct the highlighted fields."),
    429: _l("You have sent too many requests in a short time. Please wait a moment and try again."),
    500: _l("The error has been logged. Please try again later."),
}

API_TITLES = {
    400: _l("The request is malformed"),
    401: _l("Authentication is required"),
    403: _l("Not allowed with these credentials"),
    404: _l("Resource not found"),
    405: _l("Method not allowed on this resource"),
    409: _l("The request conflicts with the current data"),
    413: _l("The request body is too large"),
    415: _l("The request body is not JSON"),
    422: _l("The request does not match the API description"),
    429: _l("Too many requests"),
    500: _l("Internal server error"),
}
API_DETAILS = {
    400: _l("Check the JSON body, the query parameters and the headers against the API description."),
    401: _l("Send a valid personal API token: Authorization: Bearer <token>."),
    403: _l("The token's owner may not do this."),
    404: _l("The resource does not exist, or is not public."),
    405: _l("See the API description for the methods this resource allows."),
    409: _l("The request is well formed, but the current data does not allow it; see errors."),
    413: _l("Send a smaller request body."),
    415: _l("Send the body as JSON with the header Content-Type: application/json."),
    422: _l("Some fields of the request are not valid; see errors."),
    429: _l("Wait for the number of seconds in Retry-After, then try again."),
    500: _l("The error has been logged. Please try again later."),
}


def wants_json() -> bool:
    """Whether the client prefers JSON (API paths always do)."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "application/problem+json"])
    return best in {"application/json", "application/problem+json"}


def problem_response(status: int, detail: str | None = None, **extra):
    """Build an RFC 9457 problem+json response (with the API's wording on ``/api/`` paths)."""
    titles, details = (API_TITLES, API_DETAILS) if request.path.startswith("/api/") else (TITLES, DETAILS)
    body = {
        "type": "about:blank",
        "title": str(titles.get(status, _l("The request could not be completed"))),
        "status": status,
        "detail": detail or str(details.get(status, "")),
        **extra,
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def error_response(status: int, detail: str | None = None, headers=None):
    """Answer an error in the format the client asked for."""
    if wants_json():
        response = problem_response(status, detail)
    else:
        page = render_template(
            "errors/error.html",
            status=status,
            title=TITLES.get(status, _("Error")),
            detail=detail or DETAILS.get(status, ""),
        )
        response = make_response(page, status)
    if headers:
        for key, value in headers:
            if key.lower() in {"retry-after", "www-authenticate", "allow"}:
                response.headers[key] = value
    return response


def show_error(error: DomainError, form=None, *, aliases: dict[str, str] | None = None,
               summary: bool = False) -> int:
    """Show a service's refusal: undo what the failed action wrote, abort on 403/404, else put each message
    on the form field it names (unless the form's own check already marked that field). Messages about no
    field are flashed, or go into the form's error summary when ``summary`` is set (public forms).

    ``aliases`` maps a service's field name to the form's (``{"department": "department_id"}``). Returns the
    status to answer with: 409 for a conflict with the current state, else 422. Every view that catches a
    DomainError calls this, so a refused action never commits.
    """
    db.session.rollback()
    if error.status in (403, 404):
        abort(error.status)
    aliases = aliases or {}
    found = error.errors or {None: [error.message]}
    for name, messages in found.items():
        field = getattr(form, aliases.get(name, name), None) if form is not None and name else None
        if field is not None and hasattr(field, "errors"):
            if not field.errors:
                field.errors = [str(message) for message in messages]
        elif summary and form is not None:
            form.form_errors.extend(str(message) for message in messages)
        else:
            for message in messages:
                flash(str(message), "error")
    return 409 if error.status == 409 else 422


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def handle_csrf_error(error):
        return error_response(400, _("The form has expired or was not sent from this site. Please reload the page and try again."))

    @app.errorhandler(DataError)
    def handle_data_error(error: DataError):
        # Input the database cannot hold (e.g. NUL bytes in a multipart field on PostgreSQL).
        db.session.rollback()
        return error_response(400)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        db.session.rollback()
        status = error.code or 500
        # A description passed to abort() is shown; the class default is replaced by our own text.
        detail = error.description if error.description != type(error).description else None
        return error_response(status, detail, error.get_headers())

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        """A refusal no view caught: nothing of the action is kept, the page says why."""
        db.session.rollback()
        status = error.status if error.status in TITLES else 422
        return error_response(status, str(error.message))

    @app.errorhandler(Exception)
    def handle_unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(500)

