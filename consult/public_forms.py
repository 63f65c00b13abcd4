"""What every public form shares (comment, letter, information request, open-day registration and question).

* Every problem is reported at once, beside its field: the form's own validators and the service's checks
  (which the API runs too) are merged, one message per field; anything not about one field goes into the
  error summary above the form.
* A rate limit is answered on the form itself: the page comes back (status 429) with a message in the
  visitor's language and everything they typed, instead of an error page that loses the text.

A view uses it like this::

    @bp.route("/things/new", methods=["GET", "POST"])
    @form_rate_limit("5 per minute")
    def new_thing():
        form = ThingForm()
        result, status = submit_form(form, submit=lambda: services.create(...), check=lambda: services.check(...))
        if result is not None:
            return redirect(...)
        return render_template("things/new.html", form=form), status
"""

from collections.abc import Callable
from typing import TypeVar

from flask import g, make_response, request
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded

from consult.domain import DomainError
from consult.errors import error_response, show_error, wants_json
from consult.extensions import db, limiter
from consult.security import FORM_TYPES

T = TypeVar("T")

RATE_LIMITED = _l("You have sent this form several times in a short time, so it has not been sent this time. "
                  "Please wait a little and send it again: what you typed is still below.")


def form_rate_limit(limit: str):
    """Rate-limit a public form's POSTs; over the limit the form comes back with a message, the values kept."""

    def decorate(view):
        limited = limiter.limit(limit, methods=["POST"])(view)
        limited.unlimited_form_view = view  # what the 429 handler renders instead of an error page
        return limited

    return decorate


def rate_limited() -> bool:
    """Whether this request is over its form's rate limit (the view then only shows the form again)."""
    return bool(g.get("form_rate_limited"))


def submit_form(form, *, submit: Callable[[], T], check: Callable[[], object] | None = None) -> tuple[T | None, int]:
    """Handle a public form's POST: ``(result, 200)`` when ``submit()`` succeeded, else ``(None, status)``
    with every problem on the form.

    When the form's own validators fail, ``check()`` (the service's checks, which write nothing) still runs
    so the visitor learns about every field in one round trip. Over the rate limit nothing is checked or
    sent: the form comes back with the message (429).
    """
    if rate_limited():
        form.form_errors.append(str(RATE_LIMITED))
        return None, 429
    valid = form.validate_on_submit()
    try:
        if valid:
            return submit(), 200
        if check is not None:
            check()
    except DomainError as error:
        return None, show_error(error, form, summary=True)
    return None, 422


def init_app(app) -> None:
    @app.errorhandler(RateLimitExceeded)
    def answer_on_the_form(error: RateLimitExceeded):
        """A public form over its limit shows itself again; anything else gets the 429 page (or problem)."""
        db.session.rollback()
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        form_view = getattr(view, "unlimited_form_view", None)
        # The limit is checked before the app's own input check runs (consult.security): never show such input.
        unchecked = request.method != "POST" or (
            request.mimetype in FORM_TYPES and any("\x00" in value for value in request.form.values()))
        if form_view is None or unchecked or wants_json():
            detail = error.description if wants_json() else None  # the page says it in the visitor's language
            return error_response(429, detail, error.get_headers())
        g.form_rate_limited = True
        response = make_response(app.ensure_sync(form_view)(**(request.view_args or {})))  # the form, with 429
        for key, value in error.get_headers():
            if key.lower() == "retry-after":
                response.headers[key] = value
        return response
