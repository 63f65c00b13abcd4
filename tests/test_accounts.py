"""Citizens register, log in and out, and reset a forgotten password; login does not leak accounts."""

import re

import pytest
import sqlalchemy as sa

from consult.accounts import services
from consult.accounts.models import User
from consult.extensions import db
from consult.notify.models import OutboxMessage
from tests.conftest import TEST_PASSWORD


def register(client, **fields):
    data = {"display_name": "张三", "email": "zhang@example.org", "password": "secret-pass", "confirm": "secret-pass"}
    data.update(fields)
    return client.post("/account/register", data=data)


def test_citizen_registers_and_is_logged_in(client, app):
    response = register(client)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "张三" in page
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "zhang@example.org"))
        assert user.role == "citizen"
        assert user.password_hash != "secret-pass"
        assert user.check_password("secret-pass")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"display_name": ""}, "Please enter a name."),
        ({"email": "not-an-email"}, "Please enter a valid e-mail address."),
        ({"password": "short", "confirm": "short"}, "The password must be 8 to 128 characters long."),
        ({"confirm": "different-pass"}, "The two passwords do not match."),
    ],
)
def test_registration_rejects_bad_input_with_a_message(client, app, fields, message):
    client.post("/preferences/language", data={"locale": "en"})
    response = register(client, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_registration_with_a_taken_email_is_refused(client, make_user):
    make_user(email="zhang@example.org")
    client.post("/preferences/language", data={"locale": "en"})
    response = register(client)
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_login_and_logout(client, auth, make_user):
    user = make_user(email="li@example.org")
    response = auth.login_form("li@example.org")
    assert response.status_code == 302
    assert user.display_name in client.get("/").get_data(as_text=True)
    auth.logout()
    assert user.display_name not in client.get("/").get_data(as_text=True)


def test_login_email_is_case_insensitive(client, auth, make_user):
    make_user(email="li@example.org")
    assert auth.login_form("  LI@Example.org ").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(client, auth, make_user):
    make_user(email="li@example.org")
    wrong_password = auth.login_form("li@example.org", "wrong password")
    unknown_email = auth.login_form("nobody@example.org", "wrong password")
    assert wrong_password.status_code == unknown_email.status_code == 422

    def message(response):
        return re.search(r'class="error"[^>]*>([^<]+)<', response.get_data(as_text=True)).group(1)

    assert message(wrong_password) == message(unknown_email)


def test_disabled_account_cannot_log_in(client, auth, make_user):
    make_user(email="old@example.org", active=False)
    assert auth.login_form("old@example.org").status_code == 422


def test_login_redirects_only_to_local_next(client, auth, make_user):
    make_user(email="li@example.org")
    assert auth.login_form("li@example.org", next="/account/register").location == "/account/register"
    client.post("/account/logout")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = auth.login_form("li@example.org", next=target)
        assert "evil" not in response.location
        client.post("/account/logout")


def test_login_rotates_the_session(client, auth, make_user):
    make_user(email="li@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login_form("li@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")


def reset_link(app) -> str:
    with app.app_context():
        message = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        assert message.template == "password_reset"
        return re.search(r"https?://\S+/account/reset-password/\S+", message.body_text).group(0)


def test_password_reset_by_mailed_link(client, app, auth, make_user):
    make_user(email="li@example.org")
    response = client.post("/account/forgot-password", data={"email": "li@example.org"})
    assert response.status_code == 302
    link = reset_link(app).replace("http://consult.test", "")
    response = client.post(link, data={"password": "brand-new-pass", "confirm": "brand-new-pass"})
    assert response.status_code == 302
    assert auth.login_form("li@example.org", TEST_PASSWORD).status_code == 422
    assert auth.login_form("li@example.org", "brand-new-pass").status_code == 302
    # The link works only once.
    assert client.get(link).status_code == 400


def test_password_reset_for_unknown_email_says_the_same_and_sends_nothing(client, app, make_user):
    make_user(email="li@example.org")
    known = client.post("/account/forgot-password", data={"email": "li@example.org"}, follow_redirects=True)
    unknown = client.post("/account/forgot-password", data={"email": "no@example.org"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    flash = re.compile(r'class="flash[^"]*"[^>]*>([^<]+)<')
    assert flash.search(known.get_data(as_text=True)).group(1) == flash.search(unknown.get_data(as_text=True)).group(1)
    with app.app_context():
        recipients = db.session.scalars(sa.select(OutboxMessage.recipient)).all()
        assert recipients == ["li@example.org"]


def test_expired_or_forged_reset_token_is_refused(client, app, make_user):
    user = make_user(email="li@example.org")
    with app.test_request_context():
        token = services.make_reset_token(db.session.get(User, user.id))
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    assert client.get(f"/account/reset-password/{token}").status_code == 400
    app.config["PASSWORD_RESET_MAX_AGE"] = 3600
    assert client.get(f"/account/reset-password/{token}").status_code == 200
    assert client.get(f"/account/reset-password/{token[:-3]}xyz").status_code == 400
    assert client.get("/account/reset-password/not-a-token").status_code == 400


def test_password_change_logs_out_other_sessions(client, app, auth, make_user):
    user = make_user(email="li@example.org")
    auth.login(user)
    assert user.display_name in client.get("/").get_data(as_text=True)
    with app.app_context():
        db.session.get(User, user.id).set_password("another-pass-1")
        db.session.commit()
    assert user.display_name not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_login_is_rate_limited(client, auth, make_user):
    make_user(email="li@example.org")
    statuses = [auth.login_form("li@example.org", "wrong").status_code for _ in range(12)]
    assert statuses[:10] == [422] * 10
    assert statuses[-1] == 429
    response = auth.login_form("li@example.org")
    assert response.status_code == 429
    assert "Retry-After" in response.headers
