"""Pages, languages, large text, errors, security headers, CSRF and hostile input."""

import re
from urllib.parse import urlencode

import pytest

from consult import create_app
from consult.accounts.models import User
from consult.extensions import db


@pytest.mark.parametrize("app_config", [{"CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_home_page_is_chinese_by_default(client):
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="zh-CN"' in page
    assert "跳到主要内容" in page  # the skip link


@pytest.mark.parametrize("app_config", [{"CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_language_switch_persists_across_pages(client):
    response = client.get("/preferences/language?locale=en&next=/account/login")
    assert response.status_code == 302
    assert response.location == "/account/login"
    assert "consult_lang=en" in response.headers["Set-Cookie"]
    for path in ("/", "/account/login", "/account/register"):
        page = client.get(path).get_data(as_text=True)
        assert '<html lang="en"' in page
        assert "Skip to main content" in page
    client.get("/preferences/language?locale=zh_CN")
    assert '<html lang="zh-CN"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_the_switches_are_plain_links_back_to_the_same_page(client):
    page = client.get("/drafts?domain=education").get_data(as_text=True)
    assert 'href="/preferences/language?locale=en&amp;next=/drafts?domain%3Deducation"' in page
    assert 'href="/preferences/large-text?on=1&amp;next=/drafts?domain%3Deducation"' in page
    response = client.get("/preferences/language?locale=en&next=/drafts?domain%3Deducation")
    assert response.location == "/drafts?domain=education"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("app_config", [{"CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_unknown_language_is_ignored(client):
    response = client.get("/preferences/language?locale=xx&next=/drafts")
    assert response.location == "/drafts"
    assert "Set-Cookie" not in response.headers
    assert '<html lang="zh-CN"' in client.get("/").get_data(as_text=True)
    client.set_cookie("consult_lang", "xx")
    assert '<html lang="zh-CN"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/preferences/language?locale=en", "/preferences/large-text?on=1"])
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_preference_links_refuse_open_redirects(client, path, target):
    response = client.get(f"{path}&{urlencode({'next': target})}")
    assert response.status_code == 302
    assert response.location == "/"


def test_language_switch_of_a_logged_in_user_keeps_the_mail_language(app, client, auth, make_user):
    user = make_user(email="li@example.org")
    auth.login(user)
    page = client.get("/").get_data(as_text=True)
    assert 'action="/preferences/language"' in page  # a form: it writes to the account
    response = client.post("/preferences/language", data={"locale": "zh_CN", "next": "/"})
    assert response.location == "/"
    assert '<html lang="zh-CN"' in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).locale == "zh_CN"


def test_large_text_mode_toggles_and_persists(client):
    assert 'class="large-text"' not in client.get("/").get_data(as_text=True)
    response = client.get("/preferences/large-text?on=1&next=/")
    assert response.location == "/"
    assert 'class="large-text"' in client.get("/").get_data(as_text=True)
    page = client.get("/account/login").get_data(as_text=True)
    assert 'class="large-text"' in page
    assert 'href="/preferences/large-text?on=0&amp;next=/account/login">Standard text</a>' in page
    client.get("/preferences/large-text?on=0")
    assert 'class="large-text"' not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("accept", ["application/json", "application/problem+json"])
def test_errors_answer_problem_json_when_asked(client, accept):
    response = client.get("/no-such-page", headers={"Accept": accept})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404
    assert body["title"]


def test_errors_answer_html_to_browsers(client):
    response = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "404" in response.get_data(as_text=True)


def test_forbidden_page_in_html_and_json(client, auth, make_user):
    auth.login(make_user(role="citizen"))
    assert client.get("/admin/").status_code == 403
    response = client.get("/admin/", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.get_json()["status"] == 403


def test_method_not_allowed(client):
    assert client.delete("/").status_code == 405


def test_server_error_is_a_clean_500(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "kaboom" not in response.get_data(as_text=True)
    json_response = client.get("/boom", headers={"Accept": "application/json"})
    assert json_response.get_json()["status"] == 500


def test_security_headers(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"]


def test_pages_have_no_inline_script(client):
    for path in ("/", "/account/login", "/account/register", "/account/forgot-password"):
        page = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), path
        assert not re.search(r"\son[a-z]+=", page), path


def test_session_cookie_is_http_only(client, auth, make_user):
    make_user(email="li@example.org")
    response = auth.login_form("li@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True, "CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_forms_without_csrf_token_are_rejected(app, client, make_user):
    make_user(email="li@example.org")
    posts = [
        ("/account/login", {"email": "li@example.org", "password": "correct horse 42"}),
        ("/account/register", {"display_name": "x", "email": "x@example.org", "password": "12345678", "confirm": "12345678"}),
        ("/account/forgot-password", {"email": "li@example.org"}),
        ("/preferences/language", {"locale": "en"}),
    ]
    for path, data in posts:
        response = client.post(path, data=data)
        assert response.status_code == 400, path
    assert '<html lang="zh-CN"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_forms_with_csrf_token_are_accepted(client, make_user):
    make_user(email="li@example.org")
    page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/account/login", data={"email": "li@example.org", "password": "correct horse 42", "csrf_token": token})
    assert response.status_code == 302


def test_empty_form_gets_messages_not_errors(client):
    client.post("/preferences/language", data={"locale": "en"})
    response = client.post("/account/register", data={})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please enter a name." in page
    assert "Please enter your e-mail address." in page


def test_huge_body_is_refused_cleanly(client):
    response = client.post("/account/login", data={"email": "a@example.org", "password": "x" * (10 * 1024 * 1024)})
    assert response.status_code == 413


def test_overlong_field_gets_a_message(client):
    client.post("/preferences/language", data={"locale": "en"})
    response = client.post("/account/register", data={"display_name": "名" * 5000, "email": "x@example.org",
                                                       "password": "12345678", "confirm": "12345678"})
    assert response.status_code == 422
    assert "At most 80 characters." in response.get_data(as_text=True)


def test_invalid_utf8_is_not_a_server_error(client):
    body = b"email=%ff%fe%fd&password=%c3%28"
    response = client.post("/account/login", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in {400, 422}
    response = client.get("/?q=%ff%fe")
    assert response.status_code == 200


def test_control_characters_in_email_are_rejected(client):
    response = client.post("/account/login", data={"email": "a\x00b@example.org", "password": "x"})
    assert response.status_code == 400
    response = client.post("/account/login", data={"email": "a\x07b@example.org", "password": "x"})
    assert response.status_code == 422


def test_create_app_reads_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    monkeypatch.setenv("CONSULT_TIMEZONE", "Asia/Urumqi")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    from consult.config import from_environment

    settings = from_environment(str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert settings["CONSULT_TIMEZONE"] == "Asia/Urumqi"
    assert settings["SECRET_KEY"] == "from-env"
    monkeypatch.delenv("DATABASE_URL")
    assert from_environment(str(tmp_path))["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_default_app_uses_sqlite_in_instance_with_wal(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3", "TESTING": True})
    from consult.extensions import db

    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
        db.engine.dispose()


def test_a_served_application_keeps_its_start_up_objects_out_of_later_collections(monkeypatch):
    """A full garbage collection in a worker walks only what requests made, not the 280,000 objects of the
    application itself (each such walk paused one request for 100-400 ms: see bench.workbench)."""
    import gc

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    gc.unfreeze()
    try:
        create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        assert gc.get_freeze_count() == 0  # the suite's applications stay collectable
        create_app({"TESTING": False, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "RATELIMIT_STORAGE_URI": "memory://",
                    "CONSULT_ENCRYPTION_KEYS": "kL0Hq1v1nqFqQe2mY8bX3u9pYw2f3XUl1mVQyqkq0s4="})
        assert gc.get_freeze_count() > 50_000
    finally:
        gc.unfreeze()


def test_a_served_application_loads_the_chinese_dictionary_before_its_first_request(monkeypatch):
    """A worker loads jieba's dictionary (about a second) as it starts, so no citizen's comment waits for it;
    a test application and a Flask command do not."""
    import gc

    import click

    from consult.tokens import loader

    served = {"TESTING": False, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
              "RATELIMIT_STORAGE_URI": "memory://", "CONSULT_ENCRYPTION_KEYS": "kL0Hq1v1nqFqQe2mY8bX3u9pYw2f3XUl1mVQyqkq0s4="}
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setattr(loader, "_segmenter", None)  # as in a worker that has not loaded it yet
    try:
        create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        assert loader._segmenter is None
        with click.Context(click.Command("remind")):  # a Flask command
            create_app(served)
        assert loader._segmenter is None
        create_app(served)
        assert loader._segmenter is not None
    finally:
        gc.unfreeze()
