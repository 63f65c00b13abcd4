"""The OpenAPI 3.1 document, generated from the code.

Each API view declares its operation with :func:`operation` (summary, query parameters, request body,
responses by status); the document walks the app's URL map, so every route under ``/api/v1`` appears
with the methods it really answers, path parameters taken from the route's converters, and request
schemas taken from the same :class:`~consult.api.validation.Body` declarations that validate the bodies.
``tests/test_api_openapi.py`` fails when a route has no declaration or a declaration has no route.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, jsonify

from consult.api import bp, schemas
from consult.api.validation import MAX_ID, Body

API_PREFIX = "/api/v1/"
_RULE_ARG = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
STANDARD_TITLES = {
    400: "Malformed request (bad JSON, bad query parameter or cursor)",
    401: "No valid bearer token",
    403: "The token's role may not do this",
    404: "Not found (or not visible to you)",
    409: "Conflicts with the current state",
    413: "Body too large",
    415: "Body is not JSON",
    422: "Invalid fields (see `errors`)",
    429: "Too many requests (see Retry-After)",
}


@dataclass(frozen=True)
class Param:
    """A query (or header, or path-override) parameter."""

    name: str
    schema: dict
    description: str = ""
    required: bool = False
    location: str = "query"

    def spec(self) -> dict:
        spec = {"name": self.name, "in": self.location, "required": self.required or self.location == "path",
                "schema": self.schema}
        if self.description:
            spec["description"] = self.description
        return spec


CURSOR = Param("cursor", {"type": "string", "maxLength": 1000},
               "Opaque cursor from the `next` link of the previous page.")
LIMIT = Param("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "Items per page (default 20).")
IDEMPOTENCY_KEY = Param(
    "Idempotency-Key", {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
    "A unique value per logical request (e.g. a UUID). Sending the same request again with the same key "
    "returns the first answer instead of creating a second record.", location="header",
)


@dataclass
class Operation:
    """What one view does, for the document."""

    operation_id: str
    summary: str
    tag: str
    responses: dict[int, str | None]
    description: str = ""
    params: list[Param] = field(default_factory=list)
    request: Body | None = None
    public_read: bool = False  # anonymous GET: CORS allowed
    auth: bool = False  # bearer token required
    rate_limited: bool = False
    idempotent: bool = False
    view_name: str = ""

    def spec(self, rule) -> dict:
        params = _path_params(rule, self.params) + [p.spec() for p in self.params if p.location != "path"]
        if self.idempotent:
            params.append(IDEMPOTENCY_KEY.spec())
        spec: dict[str, Any] = {
            "operationId": self.operation_id, "summary": self.summary, "tags": [self.tag],
            "responses": self._responses(rule),
        }
        if self.description:
            spec["description"] = self.description
        if params:
            spec["parameters"] = params
        if self.request is not None:
            spec["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{self.request.name}"}}}}
        spec["security"] = [{"bearerAuth": []}] if self.auth else []
        return spec

    def _responses(self, rule) -> dict:
        responses: dict[str, Any] = {}
        for status, schema_name in sorted(self.responses.items()):
            described: dict[str, Any] = {"description": schemas.RESPONSE_TITLES.get(status, "OK")}
            if schema_name is not None:
                described["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}
            if schema_name and schema_name.endswith("Page"):
                described["headers"] = {"Link": {"description": 'The next page: `<url>; rel="next"`.',
                                                 "schema": {"type": "string"}}}
            if status == 201:
                described["headers"] = {"Location": {"description": "Where the new resource can be read.",
                                                     "schema": {"type": "string"}}}
            responses[str(status)] = described
        errors = {400}
        if rule.arguments:
            errors.add(404)
        if self.request is not None:
            errors |= {409, 413, 415, 422}
        if self.auth:
            errors |= {401, 403}
        if self.rate_limited:
            errors.add(429)
        for status in sorted(errors - set(self.responses)):
            described = {"description": STANDARD_TITLES[status], "content": PROBLEM}
            if status == 429:
                described["headers"] = {"Retry-After": {"description": "Seconds to wait.",
                                                        "schema": {"type": "integer"}}}
            if status == 401:
                described["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
            responses[str(status)] = described
        return responses


OPERATIONS: list[Operation] = []


def operation(operation_id: str, summary: str, *, tag: str, responses: dict[int, str | None], **options):
    """Declare a view's operation for the OpenAPI document (apply it below the route decorator)."""

    def decorator(view):
        declared = Operation(operation_id, summary, tag, responses, view_name=view.__name__, **options)
        OPERATIONS.append(declared)
        view.openapi = declared
        return view

    return decorator


def _path_params(rule, overrides: list[Param]) -> list[dict]:
    given = {p.name: p for p in overrides if p.location == "path"}
    params = []
    for converter, name in ((c or "default", n) for c, n in _RULE_ARG.findall(rule.rule)):
        if name in given:
            params.append(given[name].spec())
            continue
        schema = {"type": "integer", "minimum": 0, "maximum": MAX_ID} if converter == "int" else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def openapi_path(rule) -> str:
    """``/api/v1/drafts/<int(max=…):draft_id>`` → ``/api/v1/drafts/{draft_id}``."""
    return _RULE_ARG.sub(lambda m: "{" + m.group(2) + "}", rule.rule)


def api_rules(app):
    """The URL rules served by the API blueprint."""
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")]


def build_document(app) -> dict:
    """The whole OpenAPI 3.1 document of the app's ``/api/v1`` routes."""
    paths: dict[str, dict] = {}
    bodies: dict[str, Body] = {}
    for rule in sorted(api_rules(app), key=lambda r: r.rule):
        declared = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if declared is None:
            continue  # the document test names such a route
        if declared.request is not None:
            bodies[declared.request.name] = declared.request
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(openapi_path(rule), {})[method.lower()] = declared.spec(rule)
    components = {name: body.schema() for name, body in sorted(bodies.items())}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Consult API",
            "version": "1.0.0",
            "description": schemas.API_DESCRIPTION,
        },
        "servers": [{"url": "/"}],
        "tags": schemas.TAGS,
        "paths": paths,
        "components": {
            "schemas": {**schemas.SCHEMAS, **components},
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "A personal API token from /account/api-tokens (staff only).",
            }},
        },
    }


@bp.get("/openapi.json")
@operation("getOpenApiDocument", "This OpenAPI document", tag="meta", responses={200: "OpenApiDocument"},
           public_read=True)
def openapi_document():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(build_document(current_app))
