"""A questionnaire attached to a draft is linked from the draft's public page while it is open or once its
results are published — a plain link, the same bytes for every anonymous reader, showing at once through
the kept page — and listed on the draft's office page for the staff who may see it."""

import re

import pytest
from flask import request

from consult.accounts.models import User
from consult.extensions import db
from consult.surveys import services
from consult.surveys.models import Questionnaire

from tests.drafts_support import make_draft
from tests.surveys_support import answer, close, ids, make_questionnaire

pytestmark = pytest.mark.usefixtures("request_ctx")


def _links(page: str, qid: int) -> list[str]:
    return re.findall(rf'href="(/questionnaires/{qid}[^"]*)"', page)


def test_the_public_draft_page_links_an_open_questionnaire_and_then_its_results(world, app, client):
    draft_id = make_draft(world)
    qid = make_questionnaire(world, draft_id=draft_id)
    path = f"/drafts/{draft_id}"
    first, other = client.get(path), app.test_client().get(path)
    page = first.get_data(as_text=True)
    assert _links(page, qid) == [f"/questionnaires/{qid}", f"/questionnaires/{qid}/answer"]
    assert "Answer the questionnaire" in page and "社区政务公开专区问卷" in page
    assert first.get_data() == other.get_data() and "Set-Cookie" not in first.headers  # no per-visitor token
    assert "csrf_token" not in page
    qids, o = ids(qid)
    answer(qid, {qids[0]: o["是"]})
    assert client.get(path).headers["ETag"] == first.headers["ETag"]  # an answer changes nothing here
    close(qid)
    closed = client.get(path).get_data(as_text=True)
    assert _links(closed, qid) == [f"/questionnaires/{qid}", f"/questionnaires/{qid}/results"]
    assert "See the results" in closed


def test_a_questionnaire_not_approved_or_with_internal_results_is_not_linked(world, client):
    draft_id = make_draft(world)
    waiting = make_questionnaire(world, status="in_review", draft_id=draft_id)
    internal = make_questionnaire(world, draft_id=draft_id, results_visibility="internal")
    close(internal)
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert _links(page, waiting) == [] and _links(page, internal) == []
    assert 'id="draft-questionnaires-heading"' not in page


def test_approving_a_questionnaire_shows_on_the_kept_draft_page_at_once(world, app, client):
    draft_id = make_draft(world)
    qid = make_questionnaire(world, status="in_review", draft_id=draft_id)
    path = f"/drafts/{draft_id}"
    seen = []
    app.before_request(lambda: seen.append(request.path))
    before = client.get(path)
    assert app.test_client().get(path).get_data() == before.get_data() and seen == [path]  # kept
    services.approve(db.session.get(Questionnaire, qid), db.session.get(User, world.reviewer.id))
    db.session.commit()
    after = client.get(path)
    assert seen == [path, path] and _links(after.get_data(as_text=True), qid)


def test_the_office_draft_page_lists_its_questionnaires_for_those_who_may_see_them(world, client, auth):
    draft_id = make_draft(world)
    qid = make_questionnaire(world, status="draft", draft_id=draft_id)
    auth.login(world.editor)
    page = client.get(f"/office/drafts/{draft_id}").get_data(as_text=True)
    assert f'href="/office/questionnaires/{qid}"' in page and "Being written" in page
    assert f'href="/office/questionnaires/new?draft={draft_id}"' in page
    auth.login(world.other_reviewer)  # another department's reviewer: sees the published draft, not the questionnaire
    response = client.get(f"/office/drafts/{draft_id}")
    assert response.status_code == 200
    assert f'href="/office/questionnaires/{qid}"' not in response.get_data(as_text=True)
    assert "/office/questionnaires/new" not in response.get_data(as_text=True)
