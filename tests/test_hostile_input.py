"""Hostile input at every public form and every API endpoint: a clear 4xx or a clean save, never a 500,
nothing stored half-way, nothing executed when the pages show it again. Text payloads and ids too large for a
column run on both databases (PostgreSQL refuses NUL characters, over-long text and integers past its column
types where SQLite stores them); upload names, zip bombs and forged tokens never reach SQL in a way that
differs, so they run on SQLite only."""

import io
import pathlib
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from tests.api_support import API, bearer, letter_json
from tests.drafts_support import assert_safe_html
from flask import g
from tests.hostile_payloads import (
    FORGED_TOKENS, FORM_PAYLOADS, HUGE_IDS, ID_QUERY_PARAMS, INVALID_UTF8, MARKERS, OVERSIZED_BYTES, TEXT_PAYLOADS,
    UPLOAD_NAMES, ZIP_BOMBS, zip_bomb,
)  # fmt: skip
from tests.test_authz import PUBLIC_ENDPOINTS
from tests.tracking_support import file_submission

from consult.drafts.models import Comment
from consult.events.models import Registration
from consult.extensions import db
from consult.mailbox.models import Letter
from consult.pagination import encode_cursor
from consult.tracking.models import Submission, TimelineEvent
from tests.conftest import Auth


class _FormFields(HTMLParser):
    """The fields of the page's first POST form (in ``<main>``: the header's language and large-text forms do
    not count): text-like inputs, hidden values, selects' first option, file inputs."""

    def __init__(self):
        super().__init__()
        self.text, self.hidden, self.selects, self.files = [], {}, {}, []
        self._select, self._in_post_form, self._done, self._in_main = None, False, False, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._in_main = self._in_main or tag == "main"
        if tag == "form" and (a.get("method") or "").lower() == "post" and not self._done and self._in_main:
            self._in_post_form = True
        if not self._in_post_form or not a.get("name"):
            if tag == "option" and self._select and self._select not in self.selects:
                self.selects[self._select] = a.get("value", "")
            return
        kind = (a.get("type") or "text").lower()
        if tag == "textarea" or (tag == "input" and kind in ("text", "email", "tel", "search", "password", "url")):
            self.text.append(a["name"])
        elif tag == "input" and kind == "hidden":
            self.hidden[a["name"]] = a.get("value", "")
        elif tag == "input" and kind == "file":
            self.files.append(a["name"])
        elif tag == "select":
            self._select = a["name"]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "form" and self._in_post_form:
            self._in_post_form, self._done = False, True


def _form_fields(page: str) -> _FormFields:
    parser = _FormFields()
    parser.feed(page)
    return parser


def _public_form_urls(app, world_) -> dict[str, str]:
    """Every public endpoint that takes a POST, with its URL arguments filled from the test world."""
    from consult.tracking.models import Submission as S

    tracking_no = db.session.scalar(sa.select(S.tracking_no).limit(1))
    comment_id = db.session.scalar(sa.select(Comment.id).limit(1))
    values = {"draft_id": world_.draft_id, "event_id": world_.event_id, "comment_id": comment_id,
              "tracking_no": tracking_no, "token": "forged-token"}
    urls = {}
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint not in PUBLIC_ENDPOINTS or rule.endpoint == "accounts.logout":
            continue
        if any(values.get(arg) is None for arg in rule.arguments):
            continue
        urls[rule.endpoint] = rule.build({arg: values[arg] for arg in rule.arguments}, append_unknown=False)[1]
    return urls


def _integrity() -> None:
    """Nothing half-way: every submission has its timeline and its kind's detail row, and the reverse."""
    subs = db.session.execute(sa.select(Submission.id, Submission.kind)).all()
    with_events = set(db.session.scalars(sa.select(TimelineEvent.submission_id)))
    letters = set(db.session.scalars(sa.select(Letter.submission_id)))
    comments = set(db.session.scalars(sa.select(Comment.submission_id)))
    for sid, kind in subs:
        assert sid in with_events, f"submission {sid} without timeline"
        if kind == "letter":
            assert sid in letters, f"letter submission {sid} without its letter row"
        if kind == "comment":
            assert sid in comments, f"comment submission {sid} without its comment row"
    ids = {sid for sid, _ in subs}
    assert letters <= ids and comments <= ids


def _assert_nothing_executes(page: str) -> None:
    assert_safe_html(page)
    for marker in MARKERS:
        assert marker not in page


def test_every_public_form_survives_every_payload(app, client, api_world):
    from tests.drafts_support import add_comment

    add_comment(api_world.draft_id, "已有的一条意见。")
    urls = _public_form_urls(app, api_world)
    assert {"drafts.comment", "mailbox.write", "events.register", "accounts.login"} <= set(urls)
    for n_endpoint, (endpoint, url) in enumerate(sorted(urls.items())):
        page = client.get(url)
        fields = _form_fields(page.get_data(as_text=True)) if page.status_code == 200 else _FormFields()
        names = fields.text or ["body", "name", "email", "subject", "code", "tracking_no"]
        for n, payload in enumerate(FORM_PAYLOADS):
            data = {**fields.hidden, **fields.selects, **{name: payload for name in names}}
            if "form_token" in data:
                data["form_token"] = f"hostile-{n_endpoint:02d}-{n:04d}-0123456789abcdef"
            response = client.post(url, data=data)
            assert response.status_code < 500, (endpoint, payload[:40], response.status_code)
            if response.status_code == 200 or response.status_code >= 400:
                _assert_nothing_executes(response.get_data(as_text=True))
        for n, huge in enumerate(HUGE_IDS):  # every choice (mailbox, department, …) set to an impossible id
            data = {**fields.hidden, **{name: str(huge) for name in fields.selects}, **{name: "同意。" for name in names}}
            if "form_token" in data:
                data["form_token"] = f"hostile-{n_endpoint:02d}-huge-{n:02d}-0123456789abcdef"
            assert client.post(url, data=data).status_code < 500, (endpoint, huge)
        db.session.expire_all()
        _integrity()
    for url in (f"/drafts/{api_world.draft_id}", "/mailboxes/letters", f"/events/{api_world.event_id}", "/drafts"):
        _assert_nothing_executes(client.get(url).get_data(as_text=True))


@pytest.mark.sqlite_only
def test_upload_names_cannot_escape_or_disguise(client, api_world, app):
    from tests.mailbox_support import PDF, form_data

    for n, name in enumerate(UPLOAD_NAMES):
        data = form_data(api_world.boxes.county, form_token=f"hostile-upload-{n:04d}-0123456789")
        data["attachments"] = (io.BytesIO(PDF), name)
        response = client.post("/mailboxes/write", data=data, content_type="multipart/form-data")
        assert response.status_code < 500, name
    from consult.uploads import Attachment

    upload_dir = app.config["CONSULT_UPLOAD_DIR"]
    for attachment in db.session.scalars(sa.select(Attachment)):
        stored = getattr(attachment, "storage_key", None) or getattr(attachment, "path", "") or ""
        assert ".." not in stored and not stored.startswith(("/", "\\"))
        assert not re.search(r"\.(exe|php|html?)$", attachment.original_filename.lower()) or \
            attachment.content_type in ("application/pdf", "application/octet-stream")
    assert upload_dir  # files only ever land under the configured upload folder
    db.session.expire_all()
    _integrity()


@pytest.mark.sqlite_only
def test_every_upload_form_refuses_every_zip_bomb(app, client, api_world):
    from tests.disclosure_support import file_request
    from tests.mailbox_support import form_data

    from consult.uploads import Attachment

    public = [url for url in _public_form_urls(app, api_world).values()
              if _form_fields(client.get(url).get_data(as_text=True)).files]
    assert public == ["/mailboxes/write"], "a new public upload form: add it below"
    request_id = file_request(api_world.world).request.submission_id
    forms = [(None, "/mailboxes/write", "attachments"),
             (api_world.world.admin, f"/office/drafts/{api_world.draft_id}/files", "file"),
             (api_world.world.officer, f"/office/disclosure/{request_id}/outcome", "attachments")]
    for n, kind in enumerate(ZIP_BOMBS):
        for user, url, field in forms:
            visitor = app.test_client()
            if user is None:
                data = form_data(api_world.boxes.county, form_token=f"hostile-bomb-{n:02d}-0123456789")
            else:
                Auth(visitor).login(user)
                data = {"caption": "图1", "outcome": "disclosed", "answer": "予以公开。"}
            data[field] = (io.BytesIO(zip_bomb(kind)), "说明.docx")
            g.pop("_login_user", None)  # the test's request context shares g: forget the last request's user
            with visitor.post(url, data=data, content_type="multipart/form-data", follow_redirects=True) as response:
                assert response.status_code < 500, (url, kind)
                assert "expands to an unreasonable size" in response.get_data(as_text=True), (url, kind)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    _integrity()


API_POSTS = {
    "letters": lambda w: (f"{API}/letters", letter_json(w.boxes.county.id)),
    "comments": lambda w: (f"{API}/drafts/{w.draft_id}/comments",
                           {"body": "同意。", "name": "王五", "email": "w@example.org"}),
    "registrations": lambda w: (f"{API}/events/{w.event_id}/registrations",
                                {"name": "王五", "phone": "13800138000", "email": "w@example.org"}),
}


@pytest.mark.parametrize("kind", sorted(API_POSTS))
def test_api_posts_answer_4xx_or_201_never_500(client, api_world, kind):
    url, valid = API_POSTS[kind](api_world)
    for field in valid:
        for payload in TEXT_PAYLOADS + [12345, None, ["list"], {"x": 1}, True]:
            body = {**valid, field: payload}
            response = client.post(url, json=body)
            assert response.status_code in (201, 400, 409, 413, 415, 422), (field, str(payload)[:40], response.status_code)
            assert response.mimetype in ("application/json", "application/problem+json")
    for raw in INVALID_UTF8 + [b"{not json", b"[]", b"null", b'{"body": "\\ud800"}']:
        response = client.post(url, data=raw, content_type="application/json")
        assert 400 <= response.status_code < 500, (raw, response.status_code)
    assert client.post(url, data=b"x" * OVERSIZED_BYTES, content_type="application/json").status_code == 413
    assert client.post(url, data="body=hello", content_type="application/x-www-form-urlencoded").status_code in (
        400, 415, 422)
    db.session.expire_all()
    _integrity()
    listed = client.get(f"{API}/drafts/{api_world.draft_id}/comments").get_data(as_text=True)
    assert "<script>" not in listed  # JSON carries text; it is never served as HTML
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) <= 1  # capacity 1: one seat given


@pytest.mark.sqlite_only
def test_every_api_endpoint_refuses_forged_bearer_tokens(app, client, api_world):
    office = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(f"{API}/office")]
    assert office
    for rule in office:
        url = rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for token in FORGED_TOKENS:
                response = client.open(url, method=method, headers=bearer(token), json={})
                assert response.status_code in (401, 403), (url, method, token, response.status_code)
    for token in FORGED_TOKENS:
        response = client.get(f"{API}/submissions/L-20260101-00001", query_string={"code": token})
        assert response.status_code in (400, 404)  # missing code: 400; wrong code: 404, like an unknown number


def test_hostile_query_strings_on_public_pages(client, api_world):
    for payload in TEXT_PAYLOADS[:12] + ["%00", "../../etc/passwd", "!!notbase64!!"]:
        for url in ("/drafts", f"/drafts/{api_world.draft_id}", "/mailboxes/letters", "/events", "/track",
                    f"{API}/drafts", f"{API}/drafts/{api_world.draft_id}/comments"):
            response = client.get(url, query_string={"q": payload, "cursor": payload, "article": payload,
                                                     "tracking_no": payload, "code": payload, "limit": payload})
            assert response.status_code < 500, (url, payload[:30])
            if response.mimetype == "text/html":
                _assert_nothing_executes(response.get_data(as_text=True))


def _url_with(rule, huge: int) -> str:
    """The rule's URL with every ``<int:…>`` set to ``huge`` and any other argument to a harmless value."""
    url = re.sub(r"<int(?:\([^)]*\))?:[^>]+>", str(huge), rule.rule)
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: {"fmt": "csv", "filename": "a.pdf"}.get(m.group(1), "x"), url)


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_ids_no_column_can_hold_answer_404_on_every_route(app, client, auth, api_world, huge):
    rules = [rule for rule in app.url_map.iter_rules() if "<int" in rule.rule]
    assert len(rules) > 60
    for user in (None, api_world.world.admin, api_world.world.officer):
        if user is not None:
            auth.login(user)
        for rule in rules:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(_url_with(rule, huge), method=method)
                assert response.status_code == 404, (rule.rule, method, getattr(user, "role", None))


def test_ids_in_query_strings_no_column_can_hold_answer_404(client, auth, api_world):
    draft_id, submission = api_world.draft_id, file_submission(api_world.world).submission.id
    pages = [("/stats", "department"), ("/stats.csv", "department"), ("/drafts", "department"),
             ("/mailboxes/letters", "department"), ("/mailboxes/letters", "year"), ("/mailboxes/write", "mailbox"),
             ("/disclosure", "department"), (f"/drafts/{draft_id}/versions", "to"),
             (f"/drafts/{draft_id}/versions", "from"), ("/admin/outbox", "before"), ("/office/dashboard", "department"),
             ("/office/inbox", "department"), ("/office/disclosure/report", "year"),
             ("/office/disclosure/report", "department"), ("/office/replies/new", "template"),
             ("/office/replies/new", "submission")]
    auth.login(api_world.world.admin)
    for huge in HUGE_IDS:
        for url, name in pages:
            response = client.get(url, query_string={"submission": submission, name: str(huge)})
            assert response.status_code == 404, (url, name, huge, response.status_code)


def test_no_page_answers_500_for_huge_numbers_in_its_query_string_or_cursor(app, client, auth, api_world):
    auth.login(api_world.world.admin)
    values = {"draft_id": api_world.draft_id, "event_id": api_world.event_id}
    huge = HUGE_IDS[-1]
    queries = [{name: str(huge) for name in ID_QUERY_PARAMS}] + [
        {"cursor": encode_cursor(values)} for values in ([huge], [2**31] * 2, [huge] * 3, ["x", huge], [huge, "x"])]
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or any(arg not in values for arg in rule.arguments) or rule.endpoint == "static":
            continue
        url = rule.build({arg: values[arg] for arg in rule.arguments}, append_unknown=False)[1]
        for query in queries:
            response = client.get(url, query_string=query)
            response.get_data()  # run streamed downloads to the end
            response.close()
            assert response.status_code < 500, (url, query, response.status_code)


def test_pages_read_numbers_from_the_query_string_through_one_helper():
    """``request.args.get(..., type=int)`` would pass any size of number to a query: pages use int_arg."""
    root = pathlib.Path(__file__).resolve().parent.parent / "consult"
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py")
                 if path.parts[-2] != "api" and re.search(r"args\.get(list)?\([^)]*type=int", path.read_text())]
    assert offenders == []
