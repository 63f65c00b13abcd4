"""A refused action keeps nothing: whatever a service wrote before it said no is undone, also when the
page then redirects (a redirect commits the request)."""

import pytest
import sqlalchemy as sa
from tests.drafts_support import get, make_draft

from consult.accounts.models import Department
from consult.domain import DomainError
from consult.drafts import services
from consult.drafts.models import Draft
from consult.extensions import db


def _refuse_after_writing(draft_id: int):
    def refuse(*args, **kwargs):
        db.session.get(Draft, draft_id).title = "half-written"
        db.session.add(Department(code="GHOST", name="不该存在的局", name_en="Ghost", contact_email="g@example.org"))
        db.session.flush()
        raise DomainError("Not now.")

    return refuse


def test_a_refused_approval_redirects_and_keeps_nothing_it_wrote(client, auth, world, monkeypatch):
    draft_id = make_draft(world, status="in_review")
    title = get(Draft, draft_id).title
    monkeypatch.setattr(services, "approve_draft", _refuse_after_writing(draft_id))
    auth.login(world.reviewer)

    response = client.post(f"/office/drafts/{draft_id}/approve", data={})

    assert response.status_code == 302
    assert get(Draft, draft_id).title == title
    assert db.session.scalar(sa.select(Department).where(Department.code == "GHOST")) is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not now." in page


def test_a_refusal_no_view_catches_is_a_page_that_keeps_nothing(app, client, auth, world, monkeypatch):
    draft_id = make_draft(world, status="in_review")
    title = get(Draft, draft_id).title

    @app.get("/test-refusal")
    def refusing_view():
        _refuse_after_writing(draft_id)()

    response = client.get("/test-refusal")

    assert response.status_code == 400
    assert "Not now." in response.get_data(as_text=True)
    assert get(Draft, draft_id).title == title
    assert db.session.scalar(sa.select(Department).where(Department.code == "GHOST")) is None


@pytest.mark.parametrize("status, answer", [(409, 409), (400, 422), (422, 422)])
def test_a_refusal_answers_conflict_or_unprocessable(app, request_ctx, status, answer):  # noqa: F811
    from consult.errors import show_error

    assert show_error(DomainError("No.", status=status)) == answer
