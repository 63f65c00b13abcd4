"""Department scoping: staff of another department get 404 for every page and action on a submission,
reply, extension request or reply template of this department (its existence is not revealed)."""

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from consult.extensions import db
from consult.tracking import services
from consult.tracking.models import ExtensionRequest, Reply, ReplyTemplate, Submission
from tests.tracking_views_support import act, assign, file, staff, submission


@pytest.fixture
def app_config():
    return {"CONSULT_DEFAULT_LOCALE": "en"}


@dataclass(frozen=True)
class Targets:
    submission_id: int
    reply_id: int
    extension_id: int
    template_id: int


@pytest.fixture
def targets(app, office) -> Targets:
    first, second = file(app, office.dept), file(app, office.dept)
    assign(app, first, office.officer)

    def prepare():
        officer = staff(office.officer)
        extension = services.request_extension(submission(first.id), actor=officer, workdays=5, reason="Survey")
        reply = services.create_reply(officer, [submission(second.id)], "Answer")
        services.submit_reply(reply, actor=officer)
        template = services.create_reply_template(officer, office.dept.id, "Lamps", "Fixed.")
        return Targets(first.id, reply.id, extension.id, template.id)

    return act(app, prepare)


# (method, url, form data, roles allowed) for every page and action on one department's things.
ROUTES = [
    ("GET", "/office/submissions/{s}", {}, "worker"),
    ("POST", "/office/submissions/{s}/assign", {"assignee_id": "{me}"}, "worker"),
    ("POST", "/office/submissions/{s}/transfer", {"department_id": "{other_dept}", "reason": "x"}, "worker"),
    ("POST", "/office/submissions/{s}/request-info", {"message": "x"}, "worker"),
    ("POST", "/office/submissions/{s}/info", {"text": "x"}, "worker"),
    ("POST", "/office/submissions/{s}/dismiss", {"reason": "x"}, "worker"),
    ("POST", "/office/submissions/{s}/extension", {"workdays": "3", "reason": "x"}, "worker"),
    ("GET", "/office/replies/new?submission={s}", {}, "worker"),
    ("POST", "/office/replies/new?submission={s}", {"body": "x"}, "worker"),
    ("GET", "/office/replies/{r}", {}, "worker"),
    ("POST", "/office/replies/{r}", {"body": "x"}, "worker"),
    ("POST", "/office/replies/{r}/submit", {}, "worker"),
    ("POST", "/office/replies/{r}/approve", {"note": ""}, "reviewer"),
    ("POST", "/office/replies/{r}/return", {"note": "x"}, "reviewer"),
    ("POST", "/office/extensions/{x}/decide", {"decision": "approve"}, "reviewer"),
    ("POST", "/office/reply-templates/{t}/delete", {}, "worker"),
]
ROUTE_IDS = [f"{method} {url}" for method, url, _data, _roles in ROUTES]


def _fill(text: str, targets: Targets, values: dict) -> str:
    return text.format(s=targets.submission_id, r=targets.reply_id, x=targets.extension_id,
                       t=targets.template_id, **values)


def _snapshot(app, targets: Targets) -> tuple:
    with app.app_context():
        found = db.session.get(Submission, targets.submission_id)
        return (
            found.status, found.department_id, found.assignee_id, found.due_on,
            db.session.get(Reply, targets.reply_id).status, db.session.get(Reply, targets.reply_id).body,
            db.session.get(ExtensionRequest, targets.extension_id).status,
            db.session.scalar(sa.select(sa.func.count(ReplyTemplate.id))),
            db.session.scalar(sa.select(sa.func.count(Reply.id))),
        )


@pytest.mark.parametrize("who", ["other_officer", "other_reviewer"])
@pytest.mark.parametrize(("method", "url", "data", "roles"), ROUTES, ids=ROUTE_IDS)
def test_staff_of_another_department_get_404_and_change_nothing(
    app, client, auth, office, targets, who, method, url, data, roles
):
    person = getattr(office, who)
    values = {"me": person.id, "other_dept": office.other_dept.id}
    before = _snapshot(app, targets)
    auth.login(person)
    response = client.open(_fill(url, targets, values), method=method,
                           data={k: _fill(v, targets, values) for k, v in data.items()})
    expected = 403 if roles == "reviewer" and person.role == "officer" else 404
    assert response.status_code == expected
    assert _snapshot(app, targets) == before


@pytest.mark.parametrize(("method", "url", "data", "roles"), ROUTES, ids=ROUTE_IDS)
def test_citizens_get_403(app, client, auth, office, targets, method, url, data, roles):
    auth.login(office.citizen)
    assert client.open(_fill(url, targets, {}), method=method).status_code == 403


@pytest.mark.parametrize(("method", "url", "data", "roles"), ROUTES, ids=ROUTE_IDS)
def test_anonymous_visitors_are_sent_to_log_in(app, client, targets, method, url, data, roles):
    response = client.open(_fill(url, targets, {}), method=method)
    assert response.status_code == 302 and "/account/login" in response.location


def test_review_queues_show_only_the_own_department(app, client, auth, office, targets):
    auth.login(office.other_reviewer)
    assert "/office/replies/" not in client.get("/office/review/replies").get_data(as_text=True)
    assert "/office/extensions/" not in client.get("/office/review/extensions").get_data(as_text=True)
    auth.login(office.reviewer)
    assert f"/office/replies/{targets.reply_id}" in client.get("/office/review/replies").get_data(as_text=True)
    assert f"/office/extensions/{targets.extension_id}/decide" in client.get(
        "/office/review/extensions").get_data(as_text=True)


def test_bulk_reply_refuses_a_foreign_submission_among_own_ones(app, client, auth, office):
    own, foreign = file(app, office.dept), file(app, office.other_dept)
    auth.login(office.officer)
    response = client.post(f"/office/replies/new?submission={own.id}&submission={foreign.id}", data={"body": "x"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Reply.id))) == 0


def test_admins_see_every_department(app, client, auth, office, targets):
    auth.login(office.admin)
    assert client.get(f"/office/submissions/{targets.submission_id}").status_code == 200
    assert client.get(f"/office/replies/{targets.reply_id}").status_code == 200
