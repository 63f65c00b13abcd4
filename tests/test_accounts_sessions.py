"""Login sessions live on the server: logging out, changing or resetting the password, ending a session
from the sessions page or disabling the account makes every copy of the old cookies worthless; anonymous
visitors never get a session record, and reading pages never writes one."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.accounts import services
from consult.accounts.models import LoginSession, User
from consult.database import utcnow
from consult.extensions import db
from consult.localtime import as_utc
from consult.notify.models import OutboxMessage
from tests.conftest import TEST_PASSWORD

HOST = "consult.test"


def cookies(client) -> dict[str, str]:
    """The client's cookies (session, remember-me), as a thief copying them would take them."""
    found = {}
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name, domain=HOST)
        if cookie is not None:
            found[name] = cookie.value
    return found


def client_with(app, copied: dict[str, str]):
    other = app.test_client()
    for name, value in copied.items():
        other.set_cookie(name, value, domain=HOST)
    return other


def logged_in(client, url: str = "/office/inbox") -> bool:
    response = client.get(url)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def login(app, email: str, **extra):
    client = app.test_client()
    response = client.post("/account/login", data={"email": email, "password": TEST_PASSWORD, **extra})
    assert response.status_code == 302
    return client


def records(app) -> list[LoginSession]:
    with app.app_context():
        return list(db.session.scalars(sa.select(LoginSession).order_by(LoginSession.id)))


@pytest.fixture
def officer(make_department, make_user) -> User:
    return make_user("officer", make_department(), email="officer@example.org")


def test_a_cookie_copied_before_logout_no_longer_opens_the_inbox(app, officer):
    browser = login(app, "officer@example.org")
    copied = cookies(browser)
    assert logged_in(client_with(app, copied))  # the copy works while the session lasts
    browser.post("/account/logout")
    assert not logged_in(browser)
    assert not logged_in(client_with(app, copied))
    assert records(app) == []


def test_a_remember_me_cookie_dies_with_its_session(app, officer):
    browser = login(app, "officer@example.org", remember="y")
    remember = {"remember_token": cookies(browser)["remember_token"]}
    assert logged_in(client_with(app, remember))  # alone, it logs in again
    browser.post("/account/logout")
    assert not logged_in(client_with(app, remember))


def test_cookies_of_an_ended_session_are_forgotten_by_the_next_answer(app, officer):
    browser = login(app, "officer@example.org", remember="y")
    copy = client_with(app, cookies(browser))
    browser.post("/account/logout")
    first = copy.get("/")
    assert any(c.startswith("remember_token=;") for c in first.headers.getlist("Set-Cookie"))
    assert "remember_token" not in cookies(copy)
    assert not copy.get("/").headers.getlist("Set-Cookie")  # nothing left to forget, nothing written


def test_changing_the_password_ends_every_other_session_and_keeps_this_one(app, officer):
    here, elsewhere = login(app, "officer@example.org"), login(app, "officer@example.org")
    wrong = here.post("/account/password", data={"current_password": "not it", "password": "new-pass-123",
                                                 "confirm": "new-pass-123"})
    assert wrong.status_code == 422 and logged_in(elsewhere)
    response = here.post("/account/password", data={"current_password": TEST_PASSWORD, "password": "new-pass-123",
                                                    "confirm": "new-pass-123"})
    assert response.status_code == 302
    assert logged_in(here) and not logged_in(elsewhere)
    with app.app_context():
        assert db.session.get(User, officer.id).check_password("new-pass-123")


def test_resetting_a_forgotten_password_ends_every_session(app, client, officer):
    elsewhere = login(app, "officer@example.org")
    client.post("/account/forgot-password", data={"email": "officer@example.org"})
    with app.app_context():
        message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.template == "password_reset"))
        link = re.search(r"https?://\S+(/account/reset-password/\S+)", message.body_text).group(1)
    assert client.post(link, data={"password": "new-pass-123", "confirm": "new-pass-123"}).status_code == 302
    assert not logged_in(elsewhere)
    assert client.get(link).status_code == 400  # the link worked once


def test_the_sessions_page_lists_sessions_and_ends_one_or_all_others(app, officer):
    chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
    here = app.test_client()
    here.post("/account/login", data={"email": "officer@example.org", "password": TEST_PASSWORD},
              headers={"User-Agent": chrome}, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    phone, tablet = login(app, "officer@example.org"), login(app, "officer@example.org")
    page = here.get("/account/sessions").get_data(as_text=True)
    assert "Chrome · Windows" in page and "203.0.113.7" in page and "This device" in page
    assert page.count("End this session") == 2
    phone_id = records(app)[1].id
    assert here.post(f"/account/sessions/{phone_id}/end").status_code == 302
    assert not logged_in(phone) and logged_in(tablet) and logged_in(here)
    assert here.post("/account/sessions/end-others").status_code == 302
    assert not logged_in(tablet) and logged_in(here)
    assert len(records(app)) == 1


def test_nobody_can_end_someone_elses_session(app, officer, make_user):
    make_user("citizen", email="citizen@example.org")
    victim, intruder = login(app, "officer@example.org"), login(app, "citizen@example.org")
    victim_id = records(app)[0].id
    assert intruder.post(f"/account/sessions/{victim_id}/end").status_code == 404
    assert logged_in(victim)


def test_citizens_manage_their_sessions_too(app, make_user):
    make_user("citizen", email="citizen@example.org")
    one, two = login(app, "citizen@example.org"), login(app, "citizen@example.org")
    assert one.get("/account/sessions").status_code == 200
    one.post("/account/sessions/end-others")
    assert not logged_in(two, "/my/submissions") and logged_in(one, "/my/submissions")


def test_disabling_an_account_ends_its_sessions(app, officer):
    browser = login(app, "officer@example.org")
    with app.test_request_context():
        user = db.session.get(User, officer.id)
        services.update_staff_user(user, display_name=user.display_name, role=user.role,
                                   department=user.department, active=False)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(LoginSession.id))) == 0
    assert not logged_in(browser)


def test_expired_sessions_are_refused_and_forgotten_by_the_daily_run(app, officer):
    browser = login(app, "officer@example.org")
    with app.app_context():
        db.session.execute(sa.update(LoginSession).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    assert not logged_in(browser)
    result = app.test_cli_runner().invoke(args=["remind"])
    assert "Expired login sessions forgotten: 1." in result.output
    assert records(app) == []


def test_anonymous_visitors_get_no_session_record_and_reading_pages_sets_no_cookie(app, client):
    client.get("/")
    for path in ("/drafts", "/mailboxes", "/stats", "/account/login"):
        response = client.get(path)
        assert response.status_code == 200
        assert not response.headers.getlist("Set-Cookie"), path
    assert records(app) == []


def test_reading_pages_never_writes_last_seen_and_changes_update_it_at_most_every_few_minutes(app, officer):
    browser = login(app, "officer@example.org")
    long_ago = utcnow() - timedelta(hours=1)
    with app.app_context():
        db.session.execute(sa.update(LoginSession).values(last_seen_at=long_ago))
        db.session.commit()
    for path in ("/office/inbox", "/account/sessions", "/"):
        assert browser.get(path).status_code == 200
    [record] = records(app)
    assert abs((as_utc(record.last_seen_at) - long_ago).total_seconds()) < 1
    browser.post("/account/sessions/end-others")  # a change: last seen moves to now
    [record] = records(app)
    assert utcnow() - as_utc(record.last_seen_at) < timedelta(minutes=1)
    touched = record.last_seen_at
    browser.post("/account/sessions/end-others")  # within the interval: no new write
    assert records(app)[0].last_seen_at == touched


def test_loading_the_logged_in_user_is_one_query(app, officer, sql):
    browser = login(app, "officer@example.org")
    with sql() as statements:
        assert browser.get("/").status_code == 200
    about_login = [s for s in statements if "login_sessions" in s or re.search(r"FROM users\b", s)]
    assert len(about_login) == 1, about_login
    assert "JOIN users" in about_login[0]
    assert not [s for s in statements if s.upper().startswith(("INSERT", "UPDATE", "DELETE"))]  # nothing written
