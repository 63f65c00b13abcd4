"""Before publication a draft is seen only by editors, admins and the lead department's officers and
reviewers: every office draft route answers 404 to staff of other departments (its existence, text and
review notes are not revealed) and changes nothing; roles a route is not for get 403, as everywhere."""

import io
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from tests.drafts_support import close_now, get, make_draft
from werkzeug.datastructures import FileStorage

from consult import uploads
from consult.accounts.models import ADMIN, EDITOR, OFFICER, REVIEWER, User
from consult.drafts import services
from consult.drafts.models import Draft, DraftFile
from consult.extensions import db

pytestmark = pytest.mark.usefixtures("request_ctx")

PDF = b"%PDF-1.4\n%demo\n"
REVIEW_NOTE = "内部意见：第三条的补贴标准需与财政局再议"
STAFF, EDITORS, REVIEWERS = (EDITOR, ADMIN, REVIEWER, OFFICER), (EDITOR, ADMIN), (REVIEWER, ADMIN)

# (method, url, form data, roles the route is for) — every office route that names a draft.
ROUTES = [
    ("GET", "/office/drafts/{d}", {}, STAFF),
    ("GET", "/office/drafts/{d}/edit", {}, EDITORS),
    ("POST", "/office/drafts/{d}/edit", {"title": "改名"}, EDITORS),
    ("GET", "/office/drafts/{d}/interpretation", {}, EDITORS),
    ("POST", "/office/drafts/{d}/interpretation", {"interpretation": "解读"}, EDITORS),
    ("POST", "/office/drafts/{d}/files", {"caption": "图"}, EDITORS),
    ("POST", "/office/drafts/{d}/files/{f}/delete", {}, EDITORS),
    ("POST", "/office/drafts/{d}/submit", {}, EDITORS),
    ("POST", "/office/drafts/{d}/withdraw", {"note": "撤回"}, EDITORS),
    ("POST", "/office/drafts/{d}/approve", {}, REVIEWERS),
    ("POST", "/office/drafts/{d}/return", {"note": "退回"}, REVIEWERS),
    ("POST", "/office/drafts/{d}/report/approve", {}, REVIEWERS),
    ("POST", "/office/drafts/{d}/report/return", {"note": "退回"}, REVIEWERS),
    ("GET", "/office/drafts/{d}/answers", {}, STAFF),
    ("POST", "/office/drafts/{d}/answers/group", {}, STAFF),
    ("GET", "/office/drafts/{d}/report", {}, STAFF),
    ("POST", "/office/drafts/{d}/report", {"summary": "总结"}, STAFF),
    ("GET", "/office/drafts/{d}/comments.csv", {}, STAFF),
    ("GET", "/office/drafts/{d}/comments.json", {}, STAFF),
    ("GET", "/files/{a}", {}, STAFF),
]
ROUTE_IDS = [f"{method} {url}" for method, url, _data, _roles in ROUTES]
INSIDERS = ["editor", "admin", "officer", "reviewer"]  # may see the unpublished draft
OUTSIDERS = ["other_officer", "outsider"]  # an officer and a reviewer of another department


@dataclass(frozen=True)
class Target:
    draft_id: int
    file_id: int
    attachment_id: int


@pytest.fixture
def people(world) -> dict[str, User]:
    return {"editor": world.editor, "admin": world.admin, "officer": world.officer, "reviewer": world.reviewer,
            "other_officer": world.other_officer, "outsider": world.other_reviewer, "citizen": world.citizen}


def make_target(world) -> Target:
    """A draft sent back by its reviewer with an internal note, with an interpretation file: unpublished."""
    draft_id = make_draft(world, status="in_review")
    draft = get(Draft, draft_id)
    services.return_draft(draft, db.session.get(User, world.reviewer.id), REVIEW_NOTE)
    attachment = uploads.save_upload(FileStorage(io.BytesIO(PDF), "说明.pdf"), owner="draft")
    draft_file = services.attach_file(draft, attachment, "说明")
    db.session.commit()
    return Target(draft_id, draft_file.id, attachment.id)


@pytest.fixture
def target(world) -> Target:
    return make_target(world)


def _url(url: str, target: Target) -> str:
    return url.format(d=target.draft_id, f=target.file_id, a=target.attachment_id)


def _snapshot(target: Target) -> tuple:
    draft = get(Draft, target.draft_id)
    files = db.session.scalar(sa.select(sa.func.count(DraftFile.id)).where(DraftFile.draft_id == target.draft_id))
    return draft.status, draft.title, draft.review_note, draft.interpretation, draft.report_summary, files


def _open(client, method, url, data, target) -> tuple[int, str]:
    """Status and text of the answer (files are read and closed)."""
    if url.endswith("/files"):
        data = {**data, "file": (io.BytesIO(PDF), "新.pdf")}
    response = client.open(_url(url, target), method=method, data=data)
    text = response.get_data(as_text=not url.startswith("/files/"))
    response.close()
    return response.status_code, text if isinstance(text, str) else ""


@pytest.mark.parametrize(("method", "url", "data", "roles"), ROUTES, ids=ROUTE_IDS)
def test_staff_of_another_department_get_404_and_change_nothing(client, auth, people, target, method, url, data,
                                                                 roles):
    before = _snapshot(target)
    for who in OUTSIDERS:
        person = people[who]
        auth.login(person)
        status, text = _open(client, method, url, data, target)
        assert status == (404 if person.role in roles else 403), who
        assert REVIEW_NOTE not in text
        assert _snapshot(target) == before


@pytest.mark.parametrize(("method", "url", "data", "roles"), ROUTES, ids=ROUTE_IDS)
def test_editors_admins_and_the_lead_department_may_use_the_routes_of_their_role(client, auth, world, people, method,
                                                                                 url, data, roles):
    for who in INSIDERS:
        person = people[who]
        auth.login(person)
        status, _text = _open(client, method, url, data, make_target(world))  # a fresh draft for each
        if person.role in roles:
            assert status not in (403, 404), (who, status)
        else:
            assert status == 403, (who, status)


@pytest.mark.parametrize(("method", "url", "data", "roles"), ROUTES, ids=ROUTE_IDS)
def test_citizens_get_403_and_anonymous_visitors_log_in(client, auth, people, target, method, url, data, roles):
    anonymous = client.open(_url(url, target), method=method)
    if url.startswith("/files/"):
        assert anonymous.status_code == 404  # a file of an unpublished draft does not exist for the public
    else:
        assert anonymous.status_code == 302 and "/account/login" in anonymous.location
    auth.login(people["citizen"])
    status, _text = _open(client, method, url, data, target)
    assert status == (404 if url.startswith("/files/") else 403)


def test_the_office_list_shows_other_departments_drafts_only_once_published(client, auth, world, people, target):
    title = get(Draft, target.draft_id).title
    for who in INSIDERS:
        auth.login(people[who])
        assert title in client.get("/office/drafts").get_data(as_text=True), who
    for who in OUTSIDERS:
        auth.login(people[who])
        page = client.get("/office/drafts").get_data(as_text=True)
        assert title not in page and f"/office/drafts/{target.draft_id}" not in page, who
    published = make_draft(world, status="open", title="已公开的草案")
    close_now(published)
    auth.login(people["other_officer"])
    assert "已公开的草案" in client.get("/office/drafts").get_data(as_text=True)
    assert client.get(f"/office/drafts/{published}").status_code == 200
    assert client.get(f"/office/drafts/{published}/answers").status_code == 403  # answering stays with the lead
