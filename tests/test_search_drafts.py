"""Search on drafts and their comments: the drafts list, a draft's public comments, the staff's comment
search (held and rejected comments, contact details) and the API."""

import re

import pytest
from tests.drafts_support import add_comment, make_draft
from consult.drafts.models import HELD, Comment
from consult.extensions import db


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def text(response) -> str:
    """The page without tags (highlighting splits words with <mark>)."""
    return re.sub(r"<[^>]+>", "", html(response))


@pytest.fixture
def draft_id(world):
    draft = make_draft(world, title="城区停车管理办法(征求意见稿)", summary="规范城区机动车停车秩序。")
    add_comment(draft, "建议增加夜间停车位，老旧小区停车难。", name="王五", phone="13912345678")
    add_comment(draft, "反对收费标准过高。", name="赵六")
    return draft


def test_the_drafts_list_finds_drafts_by_title_and_summary(client, world, draft_id):
    make_draft(world, title="农村生活垃圾治理方案(征求意见稿)", summary="垃圾分类与清运。")
    page = html(client.get("/drafts", query_string={"q": "停车"}))
    assert "<mark>停车</mark>" in page and "垃圾" not in page
    assert "农村生活" in html(client.get("/drafts", query_string={"q": "垃圾分类"}))
    assert "No drafts match" in html(client.get("/drafts", query_string={"q": "航空航天"}))
    listed = client.get("/api/v1/drafts", query_string={"q": "停车"}).get_json()
    assert [d["id"] for d in listed["items"]] == [draft_id]


def test_the_public_comment_list_is_searchable_without_contact_details(client, world, draft_id):
    page = html(client.get(f"/drafts/{draft_id}", query_string={"q": "停车位"}))
    assert "<mark>停车位</mark>" in page and "收费标准" not in page
    assert "收费标准" in text(client.get(f"/drafts/{draft_id}", query_string={"q": "收费"}))
    assert "收费标准" not in text(client.get(f"/drafts/{draft_id}", query_string={"q": "管理办法"}))  # not the title
    for private in ("13912345678", "5678", "王五"):
        assert "夜间停车位" not in text(client.get(f"/drafts/{draft_id}", query_string={"q": private})), private
    found = client.get(f"/api/v1/drafts/{draft_id}/comments", query_string={"q": "收费"}).get_json()
    assert [c["body"] for c in found["items"]] == ["反对收费标准过高。"]
    assert client.get(f"/api/v1/drafts/{draft_id}/comments", query_string={"q": "5678"}).get_json()["items"] == []


def test_staff_search_every_comment_with_contact_details(client, auth, world, draft_id):
    held = add_comment(draft_id, "停车场应当向社会开放。", name="钱七")
    db.session.get(Comment, held.id).moderation = HELD
    db.session.commit()
    url = f"/office/drafts/{draft_id}/comments"
    auth.login(world.officer)
    page = text(client.get(url, query_string={"q": "停车"}))
    assert "夜间停车位" in page and "停车场应当" in page and "收费标准" not in page
    assert "夜间停车位" in text(client.get(url, query_string={"q": "5678"}))  # a phone number's last digits
    assert "Please search for at most" in html(client.get(url, query_string={"q": "停" * 101}))
    auth.login(world.other_reviewer)  # a reviewer of another department
    assert client.get(url, query_string={"q": "停车"}).status_code == 403
    auth.login(world.citizen)
    assert client.get(url).status_code in (302, 403)
