"""Public pages a crowd and a cache in front can share: every anonymous reader gets the same bytes (no
session, no per-visitor token), with ETag, Last-Modified, 304s and ``Cache-Control: public``; a logged-in
user never gets that page and never gets a shareable one; a change shows at once."""

import re
from datetime import timedelta

import flask_babel
import pytest
from flask import request
from tests.drafts_support import add_comment, get, make_draft

from consult.drafts.models import Draft
from consult.extensions import db

pytestmark = pytest.mark.usefixtures("request_ctx")
HOST = "consult.test"


def _public_paths(draft_id: int) -> list[str]:
    return ["/", "/drafts", f"/drafts/{draft_id}", f"/drafts/{draft_id}?article=art-2", "/mailboxes",
            "/mailboxes/letters", "/events", "/stats"]


def _directives(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",") if part.strip()}


def test_anonymous_readers_get_the_same_bytes_without_a_session_or_a_token(world, app, client):
    draft_id = make_draft(world)
    other = app.test_client()
    for path in _public_paths(draft_id):
        first, second = client.get(path), other.get(path)
        assert first.status_code == 200, path
        assert "Set-Cookie" not in first.headers, path
        page = first.get_data(as_text=True)
        assert "csrf_token" not in page and 'method="post"' not in page, path
        assert first.get_data() == second.get_data(), path
        assert first.headers["ETag"] == second.headers["ETag"], path
    assert client.get_cookie("session", domain=HOST) is None and other.get_cookie("session", domain=HOST) is None


@pytest.mark.parametrize("app_config", [{"CONSULT_CACHE_MAX_AGE": 30, "CONSULT_CACHE_S_MAXAGE": 120}])
def test_public_pages_say_a_shared_cache_may_keep_them(world, client):
    draft_id = make_draft(world)
    for path in _public_paths(draft_id):
        response = client.get(path)
        assert _directives(response) == {"public", "max-age=30", "s-maxage=120"}, path
        assert "Cookie" in response.headers["Vary"], path  # the page depends on the preference cookies
        assert response.headers["ETag"] and response.headers["Last-Modified"], path


def test_a_conditional_request_for_a_current_copy_is_answered_304(world, client):
    draft_id = make_draft(world)
    path = f"/drafts/{draft_id}"
    first = client.get(path)
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    since = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_new_comment_an_edit_and_a_status_change_show_at_once(world, client):
    draft_id = make_draft(world)
    path = f"/drafts/{draft_id}"
    before = client.get(path)
    add_comment(draft_id, "建议第三条写明专区的开放时间。", anchor="art-3")
    after = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert "建议第三条写明专区的开放时间。" in after.get_data(as_text=True)
    draft = db.session.get(Draft, draft_id)
    draft.title = "修改后的标题"
    draft.updated_at += timedelta(seconds=1)
    db.session.commit()
    assert "修改后的标题" in client.get(path).get_data(as_text=True)
    draft = db.session.get(Draft, draft_id)
    draft.status = "withdrawn"
    draft.updated_at += timedelta(seconds=1)
    db.session.commit()
    assert "This draft has been withdrawn." in client.get(path).get_data(as_text=True)


def test_a_logged_in_user_never_gets_the_anonymous_copy(world, app, client, auth):
    draft_id = make_draft(world)
    path = f"/drafts/{draft_id}"
    anonymous = app.test_client().get(path)  # now in the worker's page cache
    auth.login(world.citizen)
    mine = client.get(path, headers={"If-None-Match": anonymous.headers["ETag"]})
    assert mine.status_code == 200
    assert _directives(mine) == {"private", "no-store"}
    assert "ETag" not in mine.headers
    page = mine.get_data(as_text=True)
    assert world.citizen.display_name in page and "Log out" in page


def test_an_anonymous_reader_never_gets_a_logged_in_users_copy(world, app, client, auth):
    draft_id = make_draft(world)
    auth.login(world.citizen)
    for path in _public_paths(draft_id):
        assert _directives(client.get(path)) == {"private", "no-store"}, path
    anonymous = app.test_client().get(f"/drafts/{draft_id}")
    page = anonymous.get_data(as_text=True)
    assert world.citizen.display_name not in page and "Log out" not in page and "Log in" in page
    assert "public" in _directives(anonymous)


def test_language_and_text_size_give_their_own_copies(world, app, client):
    app.before_request(flask_babel.refresh)  # the tests' requests share one context, where Babel keeps the locale
    draft_id = make_draft(world)
    path = f"/drafts/{draft_id}"
    english = client.get(path)
    client.get("/preferences/language?locale=zh_CN")
    chinese = client.get(path)
    client.get("/preferences/large-text?on=1")
    large = client.get(path)
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert '<html lang="zh-CN">' in chinese.get_data(as_text=True)
    assert '<html lang="zh-CN" class="large-text">' in large.get_data(as_text=True)
    assert len({english.headers["ETag"], chinese.headers["ETag"], large.headers["ETag"]}) == 3
    assert "public" in _directives(large) and "Set-Cookie" not in large.headers


def test_a_page_showing_a_message_for_this_visitor_is_private(world, client):
    draft_id = make_draft(world)
    with client.session_transaction() as session:
        session["_flashes"] = [("error", "Only for this visitor")]
    response = client.get(f"/drafts/{draft_id}")
    assert "Only for this visitor" in response.get_data(as_text=True)
    assert _directives(response) == {"private", "no-store"}
    after = client.get(f"/drafts/{draft_id}")
    assert "Only for this visitor" not in after.get_data(as_text=True)


def test_every_article_links_to_the_comment_page_which_carries_the_tokens(world, client):
    draft_id = make_draft(world)
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    for anchor in ("art-1", "art-2", "art-3", "art-4"):
        assert f'href="/drafts/{draft_id}/comment?article={anchor}"' in page
    form = client.get(f"/drafts/{draft_id}/comment?article=art-3")
    assert _directives(form) == {"private", "no-store"}
    assert re.search(r'<option selected value="art-3">', form.get_data(as_text=True))


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_the_comment_page_has_its_token_and_the_draft_page_has_none(world, client):
    draft_id = make_draft(world)
    assert "csrf_token" not in client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert client.get_cookie("session", domain=HOST) is None
    form = client.get(f"/drafts/{draft_id}/comment?article=art-3").get_data(as_text=True)
    assert 'name="csrf_token"' in form
    assert client.get_cookie("session", domain=HOST) is not None


def test_a_missing_draft_is_404_and_not_shareable(world, client):
    response = client.get("/drafts/999999")
    assert response.status_code == 404
    assert _directives(response) == {"private", "no-store"}


@pytest.mark.parametrize("app_config", [{"CONSULT_PAGE_CACHE_SECONDS": 0}])
def test_without_the_page_cache_the_headers_are_the_same(world, client):
    draft_id = make_draft(world)
    first = client.get(f"/drafts/{draft_id}")
    assert "public" in _directives(first)
    assert client.get(f"/drafts/{draft_id}", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert get(Draft, draft_id).title in first.get_data(as_text=True)


def _count_flask_requests(app) -> list[str]:
    seen = []
    app.before_request(lambda: seen.append(request.full_path.rstrip("?")))
    return seen


def test_a_kept_page_is_served_before_the_app_runs_until_its_draft_changes(world, app, client):
    draft_id = make_draft(world)
    path = f"/drafts/{draft_id}"
    seen = _count_flask_requests(app)
    first = client.get(path)
    again = app.test_client().get(path)
    assert seen == [path]  # the second reader got the kept copy
    assert again.get_data() == first.get_data()
    assert sorted(again.headers.items()) == sorted(first.headers.items())
    assert client.head(path).headers["ETag"] == first.headers["ETag"] and seen == [path]
    not_modified = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304 and not_modified.get_data() == b"" and seen == [path]
    add_comment(draft_id, "建议第一条写明适用范围。")
    changed = client.get(path)
    assert seen == [path, path]
    assert "建议第一条写明适用范围。" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] != first.headers["ETag"]


def test_readers_with_a_session_are_never_served_a_kept_page(world, app, client, auth):
    draft_id = make_draft(world)
    path = f"/drafts/{draft_id}"
    seen = _count_flask_requests(app)
    app.test_client().get(path)
    auth.login(world.citizen)
    client.get(path)
    client.get(path, headers={"Authorization": "Bearer something"})
    assert seen == [path, path, path]


@pytest.mark.parametrize("app_config", [{"CONSULT_PAGE_CACHE_SECONDS": 0}])
def test_with_the_page_cache_off_every_request_reaches_the_app(world, app, client):
    draft_id = make_draft(world)
    seen = _count_flask_requests(app)
    client.get(f"/drafts/{draft_id}")
    client.get(f"/drafts/{draft_id}")
    assert len(seen) == 2
