"""The OpenAPI 3.1 document, generated from the same pydantic models that check requests and build answers.

Each API view declares its operation with :func:`operation`: summary, the query model, the body model, the
answer model by status, and whether it is a public read, needs a token, is rate-limited or idempotent.
The document walks the app's URL map, so every route under ``/api/v1`` appears with the methods it really
answers and the path parameters of its converters; the models' JSON Schemas become the components.
``tests/test_api_openapi.py`` fails when a route has no declaration, and runs schemathesis against it.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, jsonify
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from consult.api import bp, schemas
from consult.api.fields import MAX_ID
from consult.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from consult.api.idempotency import IdempotencyKey

_RULE_ARG = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
REF = "#/components/schemas/{model}"
PROBLEM = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
ERRORS = {
    400: "Malformed request: bad JSON, a body nested too deeply, a bad query parameter or cursor",
    401: "No valid bearer token",
    403: "The token's role may not do this",
    404: "Not found (or not visible to you)",
    409: "Valid, but conflicts with the current data (see `errors`)",
    413: "Body too large",
    414: "URL too long (answered by the web server in front of the application)",
    415: "Body is not JSON",
    422: "The body does not match this document (see `errors`)",
    429: "Too many requests (see Retry-After)",
}
ERROR_HEADERS = {401: "WWW-Authenticate", 429: "Retry-After"}
HEADER_SCHEMAS = {
    "Link": ('The next page: `<url>; rel="next"`.', {"type": "string"}),
    "Location": ("Where the new resource can be read.", {"type": "string"}),
    "Retry-After": ("Seconds to wait.", {"type": "integer"}),
    "WWW-Authenticate": ("The authentication scheme: Bearer.", {"type": "string"}),
    "Idempotent-Replayed": ("`true` when this is the remembered answer to an earlier request with the same "
                            "Idempotency-Key.", {"type": "string", "enum": ["true"]}),
}


@dataclass(frozen=True)
class Header:
    """A request header parameter, its value described by a pydantic type."""

    name: str
    type: Any
    description: str

    def spec(self) -> dict:
        return {"name": self.name, "in": "header", "required": False, "description": self.description,
                "schema": _plain(TypeAdapter(self.type).json_schema(schema_generator=Generator))}


@dataclass
class Operation:
    """What one view does, for the document."""

    operation_id: str
    summary: str
    tag: str
    responses: dict[int, type[BaseModel] | None]
    description: str = ""
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    headers: tuple[Header, ...] = ()
    path: dict[str, dict] = field(default_factory=dict)  # path parameters' schemas beyond their converters
    public_read: bool = False  # anonymous GET: CORS allowed
    auth: bool = False  # bearer token required
    rate_limited: bool = False
    idempotent: bool = False
    media_type: str | None = None  # an answer that is not JSON (e.g. text/csv): its responses' model is None
    view_name: str = ""


OPERATIONS: list[Operation] = []
IDEMPOTENCY_KEY = Header(IDEMPOTENCY_HEADER, IdempotencyKey,
                         "A unique value per logical request (e.g. a UUID). Sending the same request again with the "
                         "same key returns the first answer (without its one-time secrets) instead of creating a "
                         "second record; the same key with another request answers 422. Keys are per token owner; "
                         "anonymous keys are shared, so use random ones.")


def operation(operation_id: str, summary: str, *, tag: str, responses: dict[int, type[BaseModel] | None], **options):
    """Declare a view's operation for the document (apply it below the route decorator)."""

    def decorator(view):
        declared = Operation(operation_id, summary, tag, responses, view_name=view.__name__, **options)
        OPERATIONS.append(declared)
        view.openapi = declared
        return view

    return decorator


class Generator(GenerateJsonSchema):
    """JSON Schema without the titles pydantic derives from Python names (they only repeat the name)."""

    def field_title_should_be_set(self, schema) -> bool:
        return False

    def generate(self, schema, mode="validation"):
        document = super().generate(schema, mode)
        document.pop("title", None)
        return document


def _plain(schema: dict) -> dict:
    """A parameter's schema: a query string has no null, and an absent parameter needs no default."""
    options = [option for option in schema.get("anyOf", []) if option.get("type") != "null"]
    if len(options) == 1:
        schema = {**{k: v for k, v in schema.items() if k != "anyOf"}, **options[0]}
    return {k: v for k, v in schema.items() if k not in ("title",) and not (k == "default" and v is None)}


def _query_params(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema(schema_generator=Generator)
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema["properties"].items():
        spec = {"name": name, "in": "query", "required": name in required, "schema": _plain(prop)}
        if "description" in prop:
            spec["description"] = spec["schema"].pop("description")
        params.append(spec)
    return params


def _path_params(rule, given: dict[str, dict]) -> list[dict]:
    params = []
    for converter, name in _RULE_ARG.findall(rule.rule):
        number = converter in ("int", "api_id")
        schema = {"type": "integer", "minimum": 0, "maximum": MAX_ID} if number else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": given.get(name, schema)})
    return params


def _responses(op: Operation, rule, refs: dict) -> dict:
    responses: dict[str, Any] = {}
    for status, model in sorted(op.responses.items()):
        described: dict[str, Any] = {"description": "Created" if status == 201 else "OK"}
        if model is not None:
            described["content"] = {"application/json": {"schema": refs[(model, "serialization")]}}
        elif op.media_type and status < 300:
            described["content"] = {op.media_type: {"schema": {"type": "string"}}}
        headers = (["Link"] if model is not None and model.__name__.endswith("Page") else []) + (
            ["Location"] if status == 201 else []) + (["Idempotent-Replayed"] if op.idempotent else [])
        if headers:
            described["headers"] = {name: _header(name) for name in headers}
        responses[str(status)] = described
    errors = {400}
    if rule.arguments:
        errors.add(404)
    if op.query is not None or op.headers:
        errors.add(414)
    if op.body is not None:
        errors |= {409, 413, 415, 422}
    if op.auth:
        errors |= {401, 403}
    if op.rate_limited:
        errors.add(429)
    for status in sorted(errors - set(op.responses)):
        described = {"description": ERRORS[status]}
        if status != 414:  # the front web server's own page, not ours
            described["content"] = PROBLEM
        if status in ERROR_HEADERS:
            described["headers"] = {ERROR_HEADERS[status]: _header(ERROR_HEADERS[status])}
        responses[str(status)] = described
    return responses


def _header(name: str) -> dict:
    description, schema = HEADER_SCHEMAS[name]
    return {"description": description, "schema": schema}


def _spec(op: Operation, rule, refs: dict) -> dict:
    headers = [*op.headers, IDEMPOTENCY_KEY] if op.idempotent else op.headers
    params = _path_params(rule, op.path) + (_query_params(op.query) if op.query else []) + [h.spec() for h in headers]
    spec: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary, "tags": [op.tag],
                            "responses": _responses(op, rule, refs),
                            "security": [{"bearerAuth": []}] if op.auth else []}
    if op.description:
        spec["description"] = op.description
    if params:
        spec["parameters"] = params
    if op.body is not None:
        body = {"schema": refs[(op.body, "validation")]}
        spec["requestBody"] = {"required": True, "content": {"application/json": body}}
    return spec


def openapi_path(rule) -> str:
    """``/api/v1/drafts/<int(max=…):draft_id>`` → ``/api/v1/drafts/{draft_id}``."""
    return _RULE_ARG.sub(lambda m: "{" + m.group(2) + "}", rule.rule)


def api_rules(app):
    """The URL rules served by the API blueprint."""
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")]


def build_document(app) -> dict:
    """The whole OpenAPI 3.1 document of the app's ``/api/v1`` routes."""
    routed = []
    for rule in sorted(api_rules(app), key=lambda r: r.rule):
        declared = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if declared is not None:  # the document test names a route without one
            routed.append((rule, declared))
    models = {(schemas.Problem, "serialization")}
    for _rule, op in routed:
        models |= {(model, "serialization") for model in op.responses.values() if model is not None}
        if op.body is not None:
            models.add((op.body, "validation"))
    refs, definitions = models_json_schema(sorted(models, key=lambda m: m[0].__name__), ref_template=REF,
                                           schema_generator=Generator)
    paths: dict[str, dict] = {}
    for rule, op in routed:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(openapi_path(rule), {})[method.lower()] = _spec(op, rule, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Consult API", "version": "1.1.0", "description": API_DESCRIPTION},
        "servers": [{"url": "/"}],
        "tags": TAGS,
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "A personal API token from /account/api-tokens (staff only).",
            }},
        },
    }


API_DESCRIPTION = (
    "The JSON API of Consult: drafts for comment, mailboxes, tracked submissions, open days, online interviews "
    "and statistics. Public endpoints need no authentication; officer endpoints (`/office/…`) and administrators' "
    "endpoints (`/admin/…`) need a personal API token (`Authorization: Bearer <token>`). Errors are RFC 9457 "
    "`application/problem+json`: 422 when a body does not match this document, 409 when it does but the current "
    "data says no; both name the fields in `errors`. "
    "Request bodies may hold only the members described here. Lists are cursor-paginated (follow `next`). "
    "See docs/api.md."
)
TAGS = [
    {"name": "drafts", "description": "Drafts published for comment (决策草案预公开)."},
    {"name": "mailboxes", "description": "Mailboxes and letters (意见箱 / 领导信箱)."},
    {"name": "submissions", "description": "Following a submission with its tracking number and query code."},
    {"name": "events", "description": "Open days (政务开放日) and registration."},
    {"name": "questionnaires", "description": "Questionnaires (问卷调查) and their published results."},
    {"name": "interviews", "description": "Online interviews (在线访谈): announcements, transcripts, questions."},
    {"name": "stats", "description": "Public statistics per department (政务公开)."},
    {"name": "office", "description": "Officers' work with a personal API token."},
    {"name": "admin", "description": "Administrators' work with a personal API token: the compliance self-check "
                                     "(合规自查) and monthly summary (月度通报), appeals against ratings (申诉复核), "
                                     "the State Council's holiday notice."},
    {"name": "meta", "description": "This document."},
]


@bp.get("/openapi.json")
@operation("getOpenApiDocument", "This OpenAPI document", tag="meta", responses={200: schemas.OpenApiDocument},
           public_read=True)
def openapi_document():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(build_document(current_app))
