"""Attacks on sessions and on other people's things: fixation, open redirects, password guessing, forged
CSRF tokens, and reaching someone else's submission, attachment or registration by guessing its id. On SQLite
only: sessions, redirects, rate limits, CSRF and the ownership checks are the same code on either database
(ids too large for a column are tried on both, in test_hostile_input.py)."""

import io
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from tests.api_support import API
from tests.hostile_payloads import FORGED_TOKENS
from tests.mailbox_support import PDF, form_data

from consult.events import allocation
from consult.extensions import db
from consult.mailbox.models import Letter
from consult.uploads import Attachment

pytestmark = pytest.mark.sqlite_only

PASSWORD = "correct horse 42"
EVIL = ["https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)",
        "http:/evil.example", " //evil.example", "https:evil.example", "/%2F%2Fevil.example"]


def test_login_starts_a_fresh_session(client, api_world):
    client.set_cookie("consult_lang", "en")  # display preferences live in their own cookie
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"  # session fixation: state set before login
    response = client.post("/account/login", data={"email": "citizen@example.org", "password": PASSWORD})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")
    assert client.get_cookie("consult_lang").value == "en"  # and survive logging in


@pytest.mark.parametrize("target", EVIL)
def test_login_never_redirects_off_site(client, api_world, target):
    response = client.post(f"/account/login?next={target}",
                           data={"email": "citizen@example.org", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert urlsplit(location).netloc in ("", "consult.test") and not urlsplit(location).scheme.startswith("javascript")


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_password_guessing_is_rate_limited(client, api_world, app_config):
    codes = [client.post("/account/login", data={"email": "citizen@example.org", "password": f"guess{n}"}).status_code
             for n in range(12)]
    assert 429 in codes, codes
    assert codes.index(429) <= 10
    # Even the right password is refused while the limit holds: guessing gains nothing.
    right = client.post("/account/login", data={"email": "citizen@example.org", "password": PASSWORD})
    assert right.status_code == 429


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_forged_csrf_tokens_are_refused_and_nothing_is_stored(client, api_world, app_config):
    before = db.session.scalar(sa.select(sa.func.count(Letter.id)))
    for token in FORGED_TOKENS:
        data = form_data(api_world.boxes.county, csrf_token=token)
        response = client.post("/mailboxes/write", data=data)
        assert response.status_code == 400, token
        login = client.post("/account/login", data={"email": "citizen@example.org", "password": PASSWORD,
                                                    "csrf_token": token})
        assert login.status_code == 400
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Letter.id))) == before


def _write_letter_with_file(client, box) -> tuple[str, str]:
    """A guest writes a letter with a PDF; returns (tracking number, query code) from the thanks page."""
    data = form_data(box, form_token="idor-letter-token-0001")
    data["attachments"] = (io.BytesIO(PDF), "证明.pdf")
    response = client.post("/mailboxes/write", data=data, content_type="multipart/form-data")
    assert response.status_code in (302, 303)
    letter = db.session.scalar(sa.select(Letter).order_by(Letter.id.desc()))
    return letter.submission.tracking_no, letter


def test_tracking_numbers_and_attachments_are_not_guessable(app, client, api_world):
    tracking_no, letter = _write_letter_with_file(client, api_world.boxes.county)
    attachment = db.session.scalar(sa.select(Attachment))
    stranger = app.test_client()
    page = stranger.get(f"/track/{tracking_no}")  # a number alone shows nothing
    assert page.status_code in (302, 303, 404)
    assert "噪音" not in page.get_data(as_text=True)
    for code in ["WRONG-CODE-0000", "' OR 1=1 --", ""]:
        response = stranger.get(f"{API}/submissions/{tracking_no}", query_string={"code": code})
        assert response.status_code in (400, 404)
    unknown = stranger.get(f"{API}/submissions/L-20200101-99999", query_string={"code": "WRONG-CODE-0000"})
    wrong = stranger.get(f"{API}/submissions/{tracking_no}", query_string={"code": "WRONG-CODE-0000"})
    assert unknown.status_code == wrong.status_code == 404  # a wrong code looks like an unknown number
    assert stranger.get(f"/files/{attachment.id}").status_code in (403, 404)
    assert stranger.get(f"/files/{attachment.id}/../../etc/passwd").status_code in (403, 404)
    assert stranger.get(f"/mailboxes/letters/{letter.id}").status_code in (403, 404)


def test_registrations_are_reachable_only_by_their_owner(app, client, auth, api_world):
    w = api_world.world
    registration = allocation.register(api_world.event_id, name="张三", phone="13800138000",
                                       email="zhangsan@example.org", user=db.session.get(type(w.citizen), w.citizen.id))
    db.session.commit()
    other = app.test_client()
    from tests.conftest import Auth

    Auth(other).login(w.officer)  # staff of the department, but not the owner: /events/mine is personal
    assert other.get(f"/events/mine/{registration.id}").status_code == 404
    assert other.post(f"/events/mine/{registration.id}/cancel").status_code == 404
    for token in FORGED_TOKENS[:4] + [str(registration.id)]:
        if token:
            assert client.get(f"/events/r/{token}").status_code == 404
            assert client.post(f"/events/r/{token}/cancel").status_code in (400, 404)
    db.session.expire_all()
    assert db.session.get(type(registration), registration.id).status == "confirmed"
