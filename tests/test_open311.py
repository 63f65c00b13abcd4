"""Open311 GeoReport v2: discovery, services, requests (GET filters and limits, POST with a key),
requests/{id}, tokens/{token}; JSON and XML with the spec's element names; error bodies; private letters,
phone numbers and e-mail addresses never appear."""

import json
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from tests.mailbox_support import WRITER_EMAIL, WRITER_PHONE, answer, file_letter, login_as

from consult.database import utcnow
from consult.extensions import db
from consult.mailbox.models import Letter
from consult.notify.models import OutboxMessage
from consult.open311 import keys
from consult.open311.models import Open311Key
from consult.tracking.models import Submission
import sqlalchemy as sa

pytestmark = pytest.mark.usefixtures("request_ctx")
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "en"}


@pytest.fixture
def api_key(world) -> str:
    new = keys.create_key("12345 hotline app", created_by=world.admin)
    db.session.commit()
    return new.secret


def _json(response, status: int = 200):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def _xml(response, status: int = 200) -> ElementTree.Element:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "text/xml"
    return ElementTree.fromstring(response.get_data())


def _recent(when=None):
    moment = (when or utcnow()) - timedelta(days=2)
    return moment


def _published(boxes, world, **fields) -> Letter:
    """A letter received two days ago, opted in, answered."""
    letter = file_letter(boxes.county, public=True, received_at=_recent(), **fields)
    answer(letter, world, body=f"已处理。请勿回复 {WRITER_EMAIL}。")
    return letter


# --- discovery and services -------------------------------------------------------------------------------

def test_discovery_in_json_and_xml(client):
    data = _json(client.get("/open311/v2/discovery.json"))
    assert set(data) >= {"changeset", "contact", "key_service", "endpoints"}
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = _xml(client.get("/open311/v2/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    assert root.findtext("endpoints/endpoint/type") == "production"


def test_one_service_per_category_of_each_accepting_mailbox(client, boxes):
    services = _json(client.get("/open311/v2/services.json"))
    codes = {s["service_code"] for s in services}
    assert f"{boxes.policy.id}-enquiry" in codes and f"{boxes.policy.id}-suggestion" in codes
    assert f"{boxes.policy.id}-complaint" not in codes
    assert len([c for c in codes if c.startswith(f"{boxes.county.id}-")]) == 5
    first = services[0]
    assert set(first) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    assert first["metadata"] is False and first["type"] == "realtime"
    root = _xml(client.get("/open311/v2/services.xml"))
    assert root.tag == "services"
    assert len(root.findall("service")) == len(services)
    assert root.find("service/metadata").text == "false"


def test_service_definition_and_an_unknown_service(client, boxes):
    code = f"{boxes.county.id}-complaint"
    assert _json(client.get(f"/open311/v2/services/{code}.json")) == {"service_code": code, "attributes": []}
    root = _xml(client.get(f"/open311/v2/services/{code}.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == code
    errors = _json(client.get(f"/open311/v2/services/{boxes.policy.id}-complaint.json"), 404)
    assert errors == [{"code": 404, "description": f"Unknown service_code: {boxes.policy.id}-complaint"}]
    root = _xml(client.get("/open311/v2/services/nonsense.xml"), 404)
    assert root.tag == "errors" and root.findtext("error/code") == "404" and root.findtext("error/description")


# --- reading requests -------------------------------------------------------------------------------------

def test_published_letters_are_requests_without_personal_data(client, boxes, world):
    letter = _published(boxes, world, subject="工地夜间施工扰民")
    requests = _json(client.get("/open311/v2/requests.json"))
    assert len(requests) == 1
    request = requests[0]
    assert set(request) == REQUEST_FIELDS
    assert request["service_request_id"] == letter.submission.tracking_no
    assert request["status"] == "closed"
    assert request["service_code"] == f"{boxes.county.id}-complaint"
    assert request["description"].startswith("工地夜间施工扰民")
    assert "已处理" in request["status_notes"]
    assert request["requested_datetime"].endswith("+08:00")
    assert request["agency_responsible"] == "Justice Bureau"
    text = json.dumps(requests, ensure_ascii=False)
    for secret in (WRITER_PHONE, WRITER_EMAIL, "欧阳娜娜"):
        assert secret not in text
    xml = client.get("/open311/v2/requests.xml").get_data(as_text=True)
    root = ElementTree.fromstring(xml.encode())
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == letter.submission.tracking_no
    assert {child.tag for child in root.find("request")} == REQUEST_FIELDS
    assert WRITER_PHONE not in xml and WRITER_EMAIL not in xml


def test_private_unanswered_and_report_letters_never_appear(client, boxes, world):
    private = file_letter(boxes.county, public=False, received_at=_recent())
    answer(private, world)
    report = file_letter(boxes.county, category="report", received_at=_recent())
    answer(report, world)
    unanswered = file_letter(boxes.county, public=True, received_at=_recent())
    closed_box = file_letter(boxes.private, public=True, received_at=_recent())
    answer(closed_box, world)
    assert _json(client.get("/open311/v2/requests.json")) == []
    for letter in (private, report, unanswered, closed_box):
        number = letter.submission.tracking_no
        assert _json(client.get(f"/open311/v2/requests/{number}.json"), 404)[0]["code"] == 404
        assert _json(client.get(f"/open311/v2/requests.json?service_request_id={number}")) == []


def test_one_request_by_its_tracking_number(client, boxes, world):
    letter = _published(boxes, world)
    number = letter.submission.tracking_no
    found = _json(client.get(f"/open311/v2/requests/{number}.json"))
    assert [r["service_request_id"] for r in found] == [number]
    root = _xml(client.get(f"/open311/v2/requests/{number}.xml"))
    assert root.findtext("request/service_request_id") == number
    assert _xml(client.get("/open311/v2/requests/L-20250101-99999.xml"), 404).tag == "errors"


def test_filters_by_id_list_service_code_status_and_dates(client, boxes, world):
    first = _published(boxes, world)
    second = _published(boxes, world, category="suggestion")
    older = file_letter(boxes.county, public=True, received_at=utcnow() - timedelta(days=120))
    answer(older, world)
    numbers = [first.submission.tracking_no, second.submission.tracking_no]

    def ids(query: str) -> list[str]:
        return sorted(r["service_request_id"] for r in _json(client.get(f"/open311/v2/requests.json?{query}")))

    assert ids("") == sorted(numbers)  # the last 90 days by default
    assert ids(f"service_request_id={numbers[0]},{older.submission.tracking_no}") == sorted(
        [numbers[0], older.submission.tracking_no])  # ids ignore the date range
    assert ids(f"service_code={boxes.county.id}-suggestion") == [numbers[1]]
    assert ids("status=closed") == sorted(numbers)
    assert ids("status=open") == []
    start = (utcnow() - timedelta(days=130)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (utcnow() - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"start_date={start}&end_date={end}") == [older.submission.tracking_no]
    assert ids(f"start_date={start}") == [older.submission.tracking_no]  # 90 days from the start


@pytest.mark.parametrize(("query", "message"), [
    ("status=pending", "status must be open or closed."),
    ("start_date=yesterday", "start_date must be a date and time"),
    ("start_date=2025-01-01T00:00:00Z&end_date=2025-06-01T00:00:00Z", "more than 90 days"),
    ("start_date=2025-06-01T00:00:00Z&end_date=2025-05-01T00:00:00Z", "end_date must not be before"),
    ("service_code=complaint", "Unknown service_code"),
])
def test_bad_filters_answer_the_spec_error_body(client, query, message):
    errors = _json(client.get(f"/open311/v2/requests.json?{query}"), 400)
    assert errors[0]["code"] == 400 and message in errors[0]["description"]
    root = _xml(client.get(f"/open311/v2/requests.xml?{query}"), 400)
    assert root.tag == "errors" and message in root.findtext("error/description")


def test_at_most_1000_requests(client, boxes, world, monkeypatch):
    from consult.open311 import services

    monkeypatch.setattr(services, "MAX_REQUESTS", 2)
    for _ in range(3):
        _published(boxes, world)
    assert len(_json(client.get("/open311/v2/requests.json"))) == 2


# --- filing letters ---------------------------------------------------------------------------------------

def _post(client, boxes, fmt="json", **overrides):
    data = {
        "service_code": f"{boxes.county.id}-complaint", "description": "路灯坏了\n小区东门的路灯坏了两周。",
        "first_name": "三", "last_name": "张", "phone": "13900139000", "email": "zhang@example.org",
    }
    data.update(overrides)
    headers = {"Idempotency-Key": data.pop("idempotency_key")} if "idempotency_key" in data else {}
    return client.post(f"/open311/v2/requests.{fmt}", data={k: v for k, v in data.items() if v is not None},
                       headers=headers)


def test_post_with_a_valid_key_files_a_letter_like_the_form(client, boxes, api_key):
    created = _json(_post(client, boxes, api_key=api_key), 201)
    assert set(created[0]) >= {"service_request_id", "token", "service_notice", "account_id"}
    number = created[0]["service_request_id"]
    letter = db.session.scalar(sa.select(Letter).join(Letter.submission).where(Submission.tracking_no == number))
    assert letter.mailbox_id == boxes.county.id and letter.category == "complaint"
    assert letter.submission.subject == "路灯坏了"
    assert letter.submission.submitter_name == "张三"
    assert letter.submission.is_public is False
    assert db.session.scalar(sa.select(OutboxMessage.template).where(
        OutboxMessage.recipient == "zhang@example.org")) == "submission_receipt"
    key = db.session.scalar(sa.select(Open311Key))
    db.session.refresh(key)
    assert key.request_count == 1 and key.last_used_at is not None
    # The token leads to the tracking number; the letter itself stays private.
    token = created[0]["token"]
    assert _json(client.get(f"/open311/v2/tokens/{token}.json")) == [{"service_request_id": number, "token": token}]
    assert _xml(client.get(f"/open311/v2/tokens/{token}.xml")).findtext("request/service_request_id") == number
    assert _json(client.get(f"/open311/v2/requests/{number}.json"), 404)


def test_post_in_xml(client, boxes, api_key):
    root = _xml(_post(client, boxes, "xml", api_key=api_key), 201)
    assert root.tag == "service_requests" and root.findtext("request/service_request_id")


def test_a_retry_with_the_same_idempotency_key_files_one_letter(client, boxes, api_key):
    first = _json(_post(client, boxes, api_key=api_key, idempotency_key="retry-1"), 201)
    again = _json(_post(client, boxes, api_key=api_key, idempotency_key="retry-1"), 200)
    assert first[0]["service_request_id"] == again[0]["service_request_id"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == 1


@pytest.mark.parametrize("key", [None, "", "o311_wrong", "not-a-key"])
def test_post_without_a_valid_key_is_refused(client, boxes, api_key, key):
    errors = _json(_post(client, boxes, api_key=key), 403)
    assert errors == [{"code": 403, "description": "Invalid api_key"}]
    assert _xml(_post(client, boxes, "xml", api_key=key), 403).findtext("error/code") == "403"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == 0


def test_a_revoked_key_no_longer_works(client, boxes, api_key):
    keys.revoke_key(db.session.scalar(sa.select(Open311Key)))
    db.session.commit()
    assert _post(client, boxes, api_key=api_key).status_code == 403


@pytest.mark.parametrize(("overrides", "status", "message"), [
    ({"service_code": "999-complaint"}, 404, "Unknown service_code"),
    ({"description": ""}, 400, "subject"),
    ({"first_name": None, "last_name": None}, 400, "name"),
    ({"phone": None, "email": None}, 400, "phone"),
    ({"email": "not an address"}, 400, "email"),
    ({"category": "x", "service_code": "{county}-report", "public": "true"}, 400, "public"),
])
def test_post_with_bad_fields_answers_the_spec_error_body(client, boxes, api_key, overrides, status, message):
    overrides = {k: v.format(county=boxes.county.id) if isinstance(v, str) else v for k, v in overrides.items()}
    errors = _json(_post(client, boxes, api_key=api_key, **overrides), status)
    assert errors[0]["code"] == status and message in errors[0]["description"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == 0


def test_unknown_tokens(client):
    assert _json(client.get("/open311/v2/tokens/o311-unknown.json"), 404)[0]["code"] == 404
    assert _xml(client.get("/open311/v2/tokens/test-form-token-000001.xml"), 404).tag == "errors"


def test_posting_needs_no_csrf_token(app, boxes, api_key):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    assert _post(client, boxes, api_key=api_key).status_code == 201


# --- the admin's key page -----------------------------------------------------------------------------------

def test_an_admin_creates_a_key_shown_once_and_revokes_it(client, auth, world, boxes):
    login_as(auth, world.admin)
    page = client.post("/admin/open311-keys", data={"name": "市民热线"}).get_data(as_text=True)
    secret = page.split('<code class="secret">')[1].split("</code>")[0]
    assert secret.startswith("o311_")
    key = db.session.scalar(sa.select(Open311Key))
    assert key.key_hash != secret and secret not in key.key_hash
    listing = client.get("/admin/open311-keys").get_data(as_text=True)
    assert "市民热线" in listing and secret not in listing
    assert _post(client, boxes, api_key=secret).status_code == 201
    assert client.post(f"/admin/open311-keys/{key.id}/revoke").status_code == 302
    assert _post(client, boxes, api_key=secret).status_code == 403


def test_only_admins_manage_keys(client, auth, world):
    assert client.get("/admin/open311-keys").status_code == 302
    login_as(auth, world.officer)
    assert client.get("/admin/open311-keys").status_code == 403
    login_as(auth, world.admin)
    assert client.post("/admin/open311-keys", data={"name": ""}).status_code == 422
