"""Errors of the JSON API, always RFC 9457 ``application/problem+json``.

Views raise :class:`ApiError` and let a service's :class:`~consult.domain.DomainError` through (inside
:func:`field_names` where the API names a field otherwise than the service); the handlers here turn them into
problems with an ``errors`` member mapping each field to its messages. HTTP errors
(404, 405, 413, 429 …) are answered as problems by :mod:`consult.errors`, with the API's own titles.

422 means the request does not match the OpenAPI document (:mod:`consult.api.validation` says so before
any service runs); so when a service still refuses a field, the field was well formed and the current
data says no (a category this mailbox does not take, a registration that exists already): 409.
"""

from contextlib import contextmanager

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
    """A service's refusal as a problem: 404 as the service says (without its words, which could confirm what
    exists), 403 with its reason, otherwise 409 naming every field at fault (``aliases``: service name → API name)."""
    status = error.status if error.status in (403, 404) else 409
    if status == 404:
        return problem(404)
    if status == 403:
        return problem(403, str(error.message))
    names = aliases or {}
    errors = {names.get(name, name): [str(message) for message in messages]
              for name, messages in error.errors.items()}
    return problem(status, str(error.message), errors or None)


@contextmanager
def field_names(**aliases: str):
    """Inside, a service's refusal names its fields as the API's body does (``department="department_id"``).

    Without it a refusal is answered all the same, by the blueprint's handler, under the service's names.
    """
    try:
        yield
    except DomainError as error:
        raise AliasedRefusal(error, aliases) from None


class AliasedRefusal(Exception):
    """A service's refusal, with the API's names of its fields."""

    def __init__(self, error: DomainError, aliases: dict[str, str]):
        super().__init__(str(error))
        self.error, self.aliases = error, aliases


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

    @bp.errorhandler(AliasedRefusal)
    def handle_aliased_refusal(refusal: AliasedRefusal):
        db.session.rollback()
        return domain_problem(refusal.error, refusal.aliases)
