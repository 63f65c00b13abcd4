"""The OpenAPI document: it covers exactly the routes under /api/v1, it is valid OpenAPI 3.1, and the API
answers what it says. schemathesis runs every phase (examples, coverage, fuzzing, stateful) with every check
against the served document, over HTTP on a local port, on SQLite only (the rules under test do not depend
on the database, and one run takes about a minute and a half)."""

import threading

import pytest
import schemathesis
from tests.api_support import API, bearer, letter_json, token_for
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from werkzeug.serving import make_server

from consult.api.openapi import OPERATIONS, api_rules, openapi_path

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
SEED = 20261122  # a fixed seed: the run is the same on every machine; change it to explore further


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


def test_the_document_is_openapi_3_1_with_the_rules_the_server_enforces(client):
    document = client.get(f"{API}/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    schemas = document["components"]["schemas"]
    letter = schemas["LetterCreate"]
    assert set(letter["properties"]) == {"mailbox_id", "category", "subject", "body", "name", "phone", "email",
                                         "public", "notify_by"}
    assert letter["properties"]["notify_by"]["anyOf"][0]["enum"] == ["mail", "sms"]
    assert set(letter["required"]) == {"mailbox_id", "category", "subject", "body", "name"}
    assert letter["additionalProperties"] is False
    comment = schemas["CommentCreate"]
    assert set(comment["required"]) == {"body", "name"} and comment["properties"]["body"]["pattern"]
    contact = comment["allOf"][0]["anyOf"]
    assert [branch["required"] for branch in contact] == [["email"], ["phone"]]
    for name, field in [("ReplyCreate", "body"), ("TransferCreate", "reason"), ("RegistrationCreate", "name"),
                        ("LetterCreate", "subject")]:
        assert "pattern" in schemas[name]["properties"][field], f"{name}.{field} must refuse blank text"
    inbox = document["paths"]["/api/v1/office/inbox"]["get"]
    assert inbox["security"] == [{"bearerAuth": []}] and "401" in inbox["responses"]
    assert document["paths"]["/api/v1/drafts"]["get"]["security"] == []
    letters = document["paths"]["/api/v1/letters"]["post"]
    assert {"201", "400", "409", "413", "415", "422", "429"} <= set(letters["responses"])
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in letters["parameters"])
    lookup = document["paths"]["/api/v1/submissions/{tracking_no}"]["get"]
    assert {(p["name"], p["in"]) for p in lookup["parameters"]} >= {("X-Query-Code", "header"), ("code", "query")}
    # schemathesis validates the document itself when loading it; make sure it loads.
    assert schemathesis.openapi.from_dict(document).specification.version.startswith("3.1")


# --- schemathesis, every check --------------------------------------------------------------------------

# Refusals of schema-valid data that no JSON Schema can foresee, both documented: a well-formed cursor this
# API never gave (cursors are opaque), and an Idempotency-Key used before for another request.
ALLOWED_REFUSALS = {(400, "cursor"), (422, "Idempotency-Key")}


def _not_a_documented_refusal(context, failure, case, response) -> bool:
    """Keep every failure except the two documented refusals above (a problem naming that field alone)."""
    if failure.title != "Schema-valid request rejected":
        return True
    errors = list((response.json() or {}).get("errors") or {})
    return len(errors) != 1 or (response.status_code, errors[0]) not in ALLOWED_REFUSALS


def run_schemathesis(base_url: str, headers: dict, parameters: dict, examples: int) -> tuple[int, int, list[str]]:
    """Every phase and check on the served document; returns operations, test cases and the failures."""
    config = SchemathesisConfig()
    config.update(seed=SEED, max_failures=None)
    project = config.projects.override
    project.checks.update(included_check_names=["all"])
    project.generation.update(max_examples=examples)
    project.headers = headers
    project.parameters = parameters
    schema = schemathesis.openapi.from_url(f"{base_url}{API}/openapi.json", config=config)
    schema.hook("filter_failure")(_not_a_documented_refusal)
    operations, cases, failures = set(), 0, []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            operations.add(event.recorder.label)
            for checks in event.recorder.checks.values():
                cases += 1
                failures += [f"{event.recorder.label}: {node.name}: {node.failure_info.failure.title}\n"
                             f"{node.failure_info.failure.message}\n{node.failure_info.code_sample}"
                             for node in checks if node.status == Status.FAILURE]
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            failures.append(f"error: {event.info.message}")
    return len(operations), cases, failures


@pytest.mark.sqlite_only
def test_schemathesis_finds_nothing_with_every_check(app, client, api_world, capsys):
    """An open draft, mailboxes, an open day, a letter and an officer's token in the database; schemathesis
    aims at those rows and generates everything else: no 5xx, every answer and every refusal as documented."""
    letter = client.post(f"{API}/letters", json=letter_json(api_world.boxes.county.id)).get_json()
    submission_id = client.get(f"{API}/office/inbox", headers=bearer(token_for(api_world.world.officer))
                               ).get_json()["items"][0]["id"]
    parameters = {"draft_id": api_world.draft_id, "event_id": api_world.event_id, "submission_id": submission_id,
                  "tracking_no": letter["tracking_no"], "X-Query-Code": letter["query_code"]}
    headers = bearer(token_for(api_world.world.officer))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        operations, cases, failures = run_schemathesis(f"http://127.0.0.1:{server.server_port}", headers,
                                                       parameters, examples=15)
    finally:
        server.shutdown()
        thread.join()
    with capsys.disabled():
        print(f"\nschemathesis: {operations} scenarios, {cases} test cases, {len(failures)} failures")
    assert operations >= 14 and not failures, "\n\n".join(failures)
