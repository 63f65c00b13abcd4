"""Errors of the JSON API, always RFC 9457 ``application/problem+json``.

Views raise :class:`ApiError` (or let a service's :class:`~consult.domain.DomainError` through); the handlers
here turn them into problems with an ``errors`` member mapping each field to its messages. HTTP errors
(404, 405, 413, 429 …) are answered as problems by :mod:`consult.errors`, with the API's own titles.

422 means the request does not match the OpenAPI document (:mod:`consult.api.validation` says so before
any service runs); so when a service still refuses a field, the field was well formed and the current
data says no (a category this mailbox does not take, a registration that exists already): 409.
"""

from consult.domain import DomainError
from consult.errors import problem_response
from consult.extensions import db


class ApiError(Exception):
    """An error answered as a problem: ``status``, an optional ``detail``, field ``errors`` and headers."""

    def __init__(self, status: int, detail: str | None = None, *, errors: dict[str, list[str]] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail or status)
        self.status, self.detail, self.errors, self.headers = status, detail, errors, headers or {}


def problem(status: int, detail: str | None = None, errors: dict[str, list[str]] | None = None,
            headers: dict[str, str] | None = None):
    """A problem+json response; ``errors`` (field → messages) is added when given."""
    extra = {"errors": errors} if errors else {}
    response = problem_response(status, str(detail) if detail else None, **extra)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def domain_problem(error: DomainError, aliases: dict[str, str] | None = None):
    """A service's refusal as a problem (403/404 as the service says, otherwise 409), on the field it names."""
    status = error.status if error.status in (403, 404) else 409
    if status in (403, 404):
        return problem(status)
    errors = None
    if error.field:
        name = (aliases or {}).get(error.field, error.field)
        errors = {name: [str(error.message)]}
    return problem(status, str(error.message), errors)


def register(bp) -> None:
    """Answer the API's own exceptions as problems (the transaction is rolled back at the edge)."""

    @bp.errorhandler(ApiError)
    def handle_api_error(error: ApiError):
        db.session.rollback()
        return problem(error.status, error.detail, error.errors, error.headers)

    @bp.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        db.session.rollback()
        return domain_problem(error)
