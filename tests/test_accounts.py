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
    data = {"display_name": "张三", "email": "zhang@example.org"}
    data.update(fields)
    return client.post("/account/register", data=data)


def outbox(app, template: str) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == template)))


def registration_link(app) -> str:
    [message] = outbox(app, "account_create_link")
    return re.search(r"https?://\S+(/account/register/\S+)", message.body_text).group(1)


def users(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(User.email).order_by(User.id)))


def test_citizen_registers_through_the_mailed_link_and_is_logged_in(client, app):
    response = register(client)
    assert response.status_code == 302 and response.location == "/account/register/sent"
    assert users(app) == []  # nothing exists until the link is opened
    link = registration_link(app)
    assert "zhang@example.org" in client.get(link).get_data(as_text=True)
    response = client.post(link, data={"password": "secret-pass", "confirm": "secret-pass"})
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "张三" in page
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "zhang@example.org"))
        assert user.role == "citizen" and user.display_name == "张三"
        assert user.password_hash != "secret-pass"
        assert user.check_password("secret-pass")
    # The link works once.
    assert client.get(link).status_code == 400


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"display_name": ""}, "Please enter a name."),
        ({"email": "not-an-email"}, "Please enter a valid e-mail address."),
    ],
)
def test_registration_rejects_bad_input_with_a_message(client, app, fields, message):
    client.post("/preferences/language", data={"locale": "en"})
    response = register(client, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert users(app) == [] and outbox(app, "account_create_link") == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "short", "confirm": "short"}, "The password must be 8 to 128 characters long."),
        ({"confirm": "different-pass"}, "The two passwords do not match."),
    ],
)
def test_choosing_a_bad_password_through_the_link_is_refused(client, app, fields, message):
    register(client)
    response = client.post(registration_link(app), data={"password": "secret-pass", "confirm": "secret-pass", **fields})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert users(app) == []


def test_a_forged_or_expired_registration_link_is_refused(client, app):
    register(client)
    link = registration_link(app)
    assert client.get(link[:-3] + "xyz").status_code == 400
    app.config["REGISTRATION_LINK_MAX_AGE"] = -1
    assert client.post(link, data={"password": "secret-pass", "confirm": "secret-pass"}).status_code == 400
    assert users(app) == []


def test_registration_answers_the_same_for_a_known_address_and_mails_its_owner(client, app, make_user):
    make_user(email="zhang@example.org")
    known = register(client, email="Zhang@Example.org")
    unknown = register(client, email="li@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known.location == unknown.location
    assert known.get_data() == unknown.get_data()
    assert client.get(known.location).status_code == 200
    # Nobody was created for the known address; its owner heard of the attempt, the new address got a link.
    assert users(app) == ["zhang@example.org"]
    [warning] = outbox(app, "account_exists")
    assert warning.recipient == "zhang@example.org"
    assert "/account/login" in warning.body_text and "/account/forgot-password" in warning.body_text
    [link] = outbox(app, "account_create_link")
    assert link.recipient == "li@example.org"


def test_repeated_registrations_send_one_mail_an_hour_per_address(client, app, make_user):
    make_user(email="zhang@example.org")
    for _ in range(3):
        assert register(client).status_code == 302
        assert register(client, email="li@example.org").status_code == 302
    assert len(outbox(app, "account_exists")) == 1 and len(outbox(app, "account_create_link")) == 1


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


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_login_is_rate_limited(client, auth, make_user):
    make_user(email="li@example.org")
    statuses = [auth.login_form("li@example.org", "wrong").status_code for _ in range(12)]
    assert statuses[:10] == [422] * 10
    assert statuses[-1] == 429
    response = auth.login_form("li@example.org")
    assert response.status_code == 429
    assert "Retry-After" in response.headers
