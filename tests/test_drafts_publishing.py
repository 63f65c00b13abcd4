"""Interpretation is published together with the policy (政策解读“三同步”): a draft without any goes for
review, or is approved, only when someone confirms it on purpose."""

import pytest
from tests.drafts_support import BODY, fields, get, make_draft

from consult.accounts.models import User
from consult.domain import DomainError
from consult.drafts import services
from consult.drafts.models import Draft
from consult.extensions import db

pytestmark = pytest.mark.usefixtures("request_ctx")
CHECKBOX = 'name="without_interpretation"'


def bare_draft(world, **extra) -> Draft:
    editor = db.session.get(User, world.editor.id)
    draft = services.create_draft(editor, body=BODY, **fields(world.dept.id, interpretation="", **extra))
    db.session.commit()
    return draft


def test_the_rule_lives_in_the_service(world):
    draft = bare_draft(world)
    editor, reviewer = db.session.get(User, world.editor.id), db.session.get(User, world.reviewer.id)
    with pytest.raises(DomainError) as refused:
        services.submit_for_review(draft, editor)
    assert refused.value.field == "without_interpretation" and draft.status == "draft"
    services.submit_for_review(draft, editor, without_interpretation=True)
    with pytest.raises(DomainError):
        services.approve_draft(draft, reviewer)
    assert draft.approved_at is None
    services.approve_draft(draft, reviewer, without_interpretation=True)
    assert draft.status == "open"


def test_questions_and_answers_count_as_interpretation(world):
    draft = bare_draft(world)
    services.set_qa_pairs(draft, [("为什么要设专区？", "方便群众查阅。")])
    services.submit_for_review(draft, db.session.get(User, world.editor.id))
    assert draft.status == "in_review"
    assert services.has_interpretation(draft)


def test_the_editor_confirms_on_the_form(world, client, auth):
    draft_id = bare_draft(world).id
    auth.login(world.editor)
    page = client.get(f"/office/drafts/{draft_id}").get_data(as_text=True)
    assert CHECKBOX in page and "No interpretation yet." in page
    assert f'href="/office/drafts/{draft_id}/interpretation"' in page

    refused = client.post(f"/office/drafts/{draft_id}/submit", follow_redirects=True)
    assert "This draft has no interpretation yet" in refused.get_data(as_text=True)
    assert get(Draft, draft_id).status == "draft"

    client.post(f"/office/drafts/{draft_id}/submit", data={"without_interpretation": "y"})
    assert get(Draft, draft_id).status == "in_review"


def test_the_reviewer_confirms_too(world, client, auth):
    draft = bare_draft(world)
    services.submit_for_review(draft, db.session.get(User, world.editor.id), without_interpretation=True)
    db.session.commit()
    auth.login(world.reviewer)
    page = client.get(f"/office/drafts/{draft.id}").get_data(as_text=True)
    assert CHECKBOX in page
    client.post(f"/office/drafts/{draft.id}/approve")
    assert get(Draft, draft.id).approved_at is None
    client.post(f"/office/drafts/{draft.id}/approve", data={"without_interpretation": "y"})
    assert get(Draft, draft.id).approved_at is not None


def test_a_draft_with_interpretation_asks_nothing(world, client, auth):
    draft_id = make_draft(world, status="draft")
    auth.login(world.editor)
    assert CHECKBOX not in client.get(f"/office/drafts/{draft_id}").get_data(as_text=True)
    client.post(f"/office/drafts/{draft_id}/submit")
    assert get(Draft, draft_id).status == "in_review"
