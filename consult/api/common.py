"""Request and response plumbing shared by the API views: the paging query, cursor pages, answers built from
the models, CORS for public reads, and the client's language."""

from typing import Annotated, Literal

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import IntegerConverter

from consult.api.errors import ApiError
from consult.api.fields import MAX_ID, text, whole_number
from consult.extensions import db
from consult.i18n import LOCALES
from consult.pagination import InvalidCursor, Page, paginate
from consult.search.matching import SORTS
from consult.search.query import MAX_QUERY_LENGTH, QueryTooLong, SearchQuery, parse

ID = "api_id"  # path converter of the API's ids: see IdConverter
CORS_HEADERS = "Accept, Accept-Language, X-Query-Code"
DEFAULT_LIMIT, MAX_LIMIT = 20, 100
CURSOR_PATTERN = "^[A-Za-z0-9_-]{1,500}$"

Cursor = Annotated[str, StringConstraints(pattern=CURSOR_PATTERN), Field(
    description="Opaque: the `cursor` of the `next` link of the previous page. A value this API did not give "
                "answers 400.")]


class IdConverter(IntegerConverter):
    """An id in a path: a bigger number than a 32-bit column holds names nothing, so 404 whatever the method
    (a converter's ``max`` would let the router answer 405 where a route of another method shares the path)."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound()
        return number


class Query(BaseModel):
    """Base of the query-string models: values arrive as text; unknown parameters are ignored."""

    model_config = ConfigDict(extra="ignore")


class PageQuery(Query):
    cursor: Cursor | None = None
    limit: whole_number(1, MAX_LIMIT) = Field(DEFAULT_LIMIT, description="Items per page.")


class SearchPageQuery(PageQuery):
    """A list that can be searched: ``q`` and ``sort`` besides the page."""

    q: text(MAX_QUERY_LENGTH) | None = Field(None, description=(
        "Full-text search. Chinese is segmented into words; tracking numbers, phone number fragments and Latin "
        "words are found too; every word must match; a phrase in double quotes is found exactly. Search "
        "syntax is not interpreted: `*`, `-`, `:`, `NEAR` and parentheses are ordinary characters."))
    sort: Literal[SORTS] | None = Field(None, description=(
        "With `q`: `relevance` (the default: best match first) or `date` (the list's usual order)."))


def search_of(query: SearchPageQuery) -> SearchQuery:
    """The parsed ``q`` of a searchable list (400 when it is refused)."""
    try:
        return parse(query.q)
    except QueryTooLong as error:
        raise ApiError(400, str(error.message), errors={"q": [str(error.message)]}) from None


def cursor_error() -> ApiError:
    return ApiError(400, _("The cursor is not valid; start again from the first page."),
                    errors={"cursor": [_("Not a cursor given by this API.")]})


def page_of(stmt, order_by, query: PageQuery) -> Page:
    """One cursor page of ``stmt`` from the query's cursor and limit (400 for a cursor we did not give)."""
    try:
        return paginate(db.session, stmt, order_by, query.cursor, per_page=query.limit)
    except InvalidCursor:
        raise cursor_error() from None


def next_link(page: Page) -> str | None:
    """The absolute URL of the next page (same parameters, new cursor), or None on the last page."""
    if page.next_cursor is None:
        return None
    args = {**request.args.to_dict(), "cursor": page.next_cursor}
    return url_for(request.endpoint, **(request.view_args or {}), **args, _external=True)


def list_response(model: type[BaseModel], items: list, page: Page):
    """``{"items": […], "next": url|null}`` with a ``Link: <…>; rel="next"`` header when there is more."""
    following = next_link(page)
    response = answer(model(items=items, next=following))
    if following:
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response


def answer(payload: BaseModel, status: int = 200, location: str | None = None):
    """A JSON answer built from one of the models in :mod:`consult.api.schemas`."""
    response = jsonify(payload.model_dump(mode="json"))
    response.status_code = status
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
