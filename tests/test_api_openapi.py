"""The OpenAPI document: it covers exactly the routes under /api/v1, it is valid OpenAPI 3.1, and the API
answers what it says (property-based, with schemathesis against the served document, through WSGI)."""

import schemathesis
from api_support import API, api_world, bearer, boxes, letter_json, request_ctx, token_for, world  # noqa: F401
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from consult.api.openapi import OPERATIONS, api_rules, openapi_path

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
CHECKS = [
    checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
    checks.response_schema_conformance, checks.response_headers_conformance,
]


def test_every_api_route_is_documented_and_every_documented_operation_is_routed(app, client):
    document = client.get(f"{API}/openapi.json").get_json()
    documented = {(path, method) for path, item in document["paths"].items() for method in item if method in HTTP_METHODS}
    routed = {(openapi_path(rule), method.lower())
              for rule in api_rules(app) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed - documented == set(), "routes missing from the OpenAPI document (add @operation)"
    assert documented - routed == set(), "documented operations without a route"
    declared = {op.view_name for op in OPERATIONS}
    views = {app.view_functions[rule.endpoint].__name__ for rule in api_rules(app)}
    assert declared == views, "an @operation declaration is not attached to any route (or the reverse)"
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_the_document_is_openapi_3_1_with_bodies_from_the_validators(client):
    document = client.get(f"{API}/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    schemas = document["components"]["schemas"]
    letter = schemas["LetterCreate"]
    assert {"mailbox_id", "category", "subject", "body", "name", "phone", "email", "public"} <= set(letter["properties"])
    assert set(letter["required"]) == {"mailbox_id", "category", "subject", "body", "name"}
    assert set(schemas["CommentCreate"]["properties"]) >= {"body", "article_id", "name", "phone", "email"}
    assert set(schemas["RegistrationCreate"]["properties"]) >= {"name", "phone", "email"}
    inbox = document["paths"]["/api/v1/office/inbox"]["get"]
    assert inbox["security"] == [{"bearerAuth": []}] and "401" in inbox["responses"]
    assert document["paths"]["/api/v1/drafts"]["get"]["security"] == []
    letters = document["paths"]["/api/v1/letters"]["post"]
    assert {"201", "400", "413", "415", "422", "429"} <= set(letters["responses"])
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in letters["parameters"])
    # schemathesis validates the document itself when loading it; make sure it loads.
    assert schemathesis.openapi.from_dict(document).specification.version.startswith("3.1")


# --- property-based: no server errors, answers as documented ------------------------------------------
# (schemathesis' own pytest integration does not run under pytest 9 yet, so each operation gets a
# hypothesis test built here from the served document.)

SETTINGS = settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def served_schema(app, tag: str, include: bool):
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    return schema.include(tag=tag) if include else schema.exclude(tag=tag)


def known_requests(client, api_world, headers=None) -> dict[str, list[dict]]:
    """Requests aimed at real rows (random ids mostly find nothing), per operation label."""
    letter = client.post(f"{API}/letters", json=letter_json(api_world.boxes.county.id)).get_json()
    submission_id = client.get(f"{API}/office/inbox", headers=headers).get_json()["items"][0]["id"] if headers else 0
    draft, event = {"draft_id": api_world.draft_id}, {"event_id": api_world.event_id}
    return {
        "GET /api/v1/drafts/{draft_id}": [{"path_parameters": draft}],
        "GET /api/v1/drafts/{draft_id}/comments": [{"path_parameters": draft}],
        "POST /api/v1/drafts/{draft_id}/comments": [
            {"path_parameters": draft},
            {"path_parameters": draft, "body": {"body": "建议。", "name": "王五", "email": "w@example.org"}}],
        "POST /api/v1/events/{event_id}/registrations": [
            {"path_parameters": event},
            {"path_parameters": event, "body": {"name": "市民", "phone": "13800000009", "email": "s@example.org"}}],
        "POST /api/v1/letters": [{"body": letter_json(api_world.boxes.policy.id, category="enquiry")}],
        "GET /api/v1/submissions/{tracking_no}": [
            {"path_parameters": {"tracking_no": letter["tracking_no"]}, "query": {"code": letter["query_code"]}}],
        "GET /api/v1/office/submissions/{submission_id}": [{"path_parameters": {"submission_id": submission_id}}],
        "POST /api/v1/office/submissions/{submission_id}/replies": [
            {"path_parameters": {"submission_id": submission_id}}],
        "POST /api/v1/office/submissions/{submission_id}/transfer": [
            {"path_parameters": {"submission_id": submission_id}}],
    }


def check_operations(schema, known: dict[str, list[dict]], headers: dict | None = None, examples: int = 12) -> None:
    """Generate valid requests for every operation of ``schema`` (free, and aimed at real rows) and check each
    answer against the document."""
    failures, tested = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        strategy = st.one_of(operation.as_strategy(),
                             *(operation.as_strategy(**aimed) for aimed in known.get(operation.label, [])))

        @settings(SETTINGS, max_examples=examples)
        @given(case=strategy)
        def check(case):
            case.call_and_validate(checks=CHECKS, headers=headers)

        try:
            check()
        except Exception as error:  # collect every operation's failure, then report them together
            failures.append(f"{operation.label}:\n{error}")
        tested += 1
    assert tested > 0
    assert not failures, "\n\n".join(failures)


def test_public_endpoints_answer_as_documented(app, client, api_world):
    """With an open draft, mailboxes and an open day in the database: no 5xx, every answer as documented."""
    check_operations(served_schema(app, "office", include=False), known_requests(client, api_world))


def test_office_endpoints_answer_as_documented(app, client, api_world):
    headers = bearer(token_for(api_world.world.officer))
    check_operations(served_schema(app, "office", include=True), known_requests(client, api_world, headers), headers,
                     examples=8)
