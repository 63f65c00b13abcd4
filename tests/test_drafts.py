"""Drafts: editing and the review workflow, scheduled opening and closing, the 30-day rule, articles with
stable anchors, versions with a readable diff, and the public pages."""

import re
from datetime import timedelta

import pytest
from tests.drafts_support import BODY, add_comment, assert_safe_html, close_now, fields, get, make_draft

from consult.database import utcnow
from consult.domain import DomainError
from consult.drafts import models as draft_models
from consult.drafts import services
from consult.drafts.articles import chinese_number, split_articles
from consult.drafts.models import Draft
from consult.extensions import db

pytestmark = pytest.mark.usefixtures("request_ctx")


def test_articles_get_anchors_from_their_number_or_heading():
    articles = split_articles(BODY)
    assert [a.anchor for a in articles] == [
        "preamble", "sec-一-总体要求", "art-1", "art-2", "sec-二-主要任务", "art-3", "art-4",
    ]
    assert articles[2].heading == "第一条"
    assert chinese_number("一百零五") == 105 and chinese_number("十二") == 12 and chinese_number("二十") == 20


def test_anchors_survive_rewording_and_duplicates_stay_unique():
    reworded = split_articles("第二条 完全不同的措辞。\n\n第二条 重复的编号。")
    assert [a.anchor for a in reworded] == ["art-2", "art-2-2"]


def test_window_shorter_than_30_days_needs_a_public_reason(world, client):
    editor = db.session.merge(world.editor)
    with pytest.raises(DomainError) as error:
        services.create_draft(editor, body=BODY, **fields(world.dept.id, days=20))
    assert error.value.field == "short_window_reason"
    draft = services.create_draft(editor, body=BODY, **fields(world.dept.id, days=20,
                                                               short_window_reason="上级文件要求年内出台"))
    services.submit_for_review(draft, editor)
    services.approve_draft(draft, db.session.merge(world.reviewer))
    db.session.commit()
    page = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    assert "上级文件要求年内出台" in page


def _time_passes(draft_id: int, delta: timedelta) -> None:
    """Move the draft's window back by ``delta``, as if that much time had passed."""
    draft = get(Draft, draft_id)
    draft.opens_at, draft.closes_at = draft.opens_at - delta, draft.closes_at - delta
    if draft.approved_at is not None:
        draft.approved_at -= delta
    db.session.commit()


def test_reviewer_approval_opens_the_draft_at_its_scheduled_time(world, client, auth):
    draft_id = make_draft(world, status="in_review", starts_in=timedelta(days=2))
    assert client.get(f"/drafts/{draft_id}").status_code == 404  # not public before opening
    auth.login(world.reviewer)
    assert client.post(f"/office/drafts/{draft_id}/approve").status_code == 302
    draft = get(Draft, draft_id)
    assert draft.status == "in_review" and draft.approved_at is not None
    office = client.get(f"/office/drafts/{draft_id}").get_data(as_text=True)
    assert "Approved; comments open on" in office and "In review" not in office
    auth.logout()
    assert client.get(f"/drafts/{draft_id}").status_code == 404
    # The opening time passes; nobody clicks anything and nothing has run yet: its own link, asked first of all
    # pages, answers at once, and takes comments.
    _time_passes(draft_id, timedelta(days=2, seconds=1))
    page = client.get(f"/drafts/{draft_id}")
    assert page.status_code == 200 and "Open for comment" in page.get_data(as_text=True)
    assert get(Draft, draft_id).recorded_status == "in_review"  # the page recorded nothing
    add_comment(draft_id, "开放第一秒的意见。")
    # The daily run records the opening afterwards, dated when it happened, once.
    opened, _closed = services.advance_drafts(utcnow())
    db.session.commit()
    assert opened == [draft_id] and get(Draft, draft_id).recorded_status == "open"
    assert services.advance_drafts(utcnow()) == ([], [])
    history = services.draft_history(get(Draft, draft_id))
    assert [e.action for e in history] == ["opened"]
    assert abs(history[0].happened_at.replace(tzinfo=None) - get(Draft, draft_id).opens_at.replace(tzinfo=None)) < timedelta(seconds=1)


def test_a_draft_that_opened_on_schedule_is_listed_with_the_open_ones(world, client, monkeypatch):
    closed_id = make_draft(world)
    close_now(closed_id)
    scheduled_id = make_draft(world, status="in_review", starts_in=timedelta(days=2))
    services.approve_draft(get(Draft, scheduled_id), db.session.merge(world.reviewer))
    db.session.commit()
    # Three days on, in the same long-running worker: the list's order reads the clock of each request.
    later = utcnow() + timedelta(days=3)
    monkeypatch.setattr(draft_models, "utcnow", lambda: later)
    page = client.get("/drafts").get_data(as_text=True)
    assert page.index(f'href="/drafts/{scheduled_id}"') < page.index(f'href="/drafts/{closed_id}"')


@pytest.mark.parametrize("app_config", [{"CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_office_says_when_an_approved_draft_opens_in_chinese(world, client, auth):
    draft_id = make_draft(world, status="in_review", starts_in=timedelta(days=2))
    services.approve_draft(get(Draft, draft_id), db.session.merge(world.reviewer))
    db.session.commit()
    auth.login(world.editor)
    for page in ("/office/drafts", f"/office/drafts/{draft_id}"):
        text = client.get(page).get_data(as_text=True)
        assert "已批准，将于" in text and "开始征集" in text


def test_an_open_draft_is_closed_at_its_closing_time_without_anything_written(world, client, auth, runner):
    draft_id = make_draft(world)
    _time_passes(draft_id, timedelta(days=30, minutes=1))
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert "The consultation has closed" in page
    assert client.get(f"/api/v1/drafts/{draft_id}").get_json()["status"] == "closed"
    assert get(Draft, draft_id).recorded_status == "open" and get(Draft, draft_id).closed_at is None
    with pytest.raises(DomainError) as refused:
        add_comment(draft_id, "截止之后的意见。")
    assert refused.value.status == 409
    db.session.rollback()
    assert "Drafts opened: 0, closed: 1." in runner.invoke(args=["remind"]).output
    draft = get(Draft, draft_id)
    assert draft.recorded_status == "closed" and draft.closed_at is not None
    assert [e.action for e in services.draft_history(draft)] == ["opened", "closed"]
    auth.login(world.editor)
    office = client.get(f"/office/drafts/{draft_id}").get_data(as_text=True)
    assert "Opened for comment" in office and "Consultation closed" in office


def test_remind_style_sweep_opens_and_closes_every_due_draft(world):
    due_open = make_draft(world, status="in_review", starts_in=timedelta(hours=1))
    services.approve_draft(get(Draft, due_open), db.session.merge(world.reviewer))
    due_close = make_draft(world)
    opened, closed = services.advance_drafts(utcnow() + timedelta(days=31))
    assert due_open in opened and due_close in closed and due_open in closed


def test_unapproved_drafts_never_open(world):
    draft_id = make_draft(world, status="in_review")
    assert services.advance_drafts(utcnow() + timedelta(days=1)) == ([], [])
    assert get(Draft, draft_id).status == "in_review"


def test_reviewer_of_another_department_cannot_approve(world, client, auth):
    draft_id = make_draft(world, status="in_review")
    auth.login(world.other_reviewer)
    # Not published yet: to another department the draft does not exist (test_drafts_office_scoping.py).
    assert client.post(f"/office/drafts/{draft_id}/approve").status_code == 404
    assert get(Draft, draft_id).approved_at is None


def test_returned_draft_goes_back_to_the_editor_with_the_note(world, client, auth):
    draft_id = make_draft(world, status="in_review")
    auth.login(world.reviewer)
    client.post(f"/office/drafts/{draft_id}/return", data={"note": "请补充法律依据"})
    draft = get(Draft, draft_id)
    assert draft.status == "draft" and draft.review_note == "请补充法律依据"


def test_editor_creates_a_draft_through_the_form(world, client, auth):
    auth.login(world.editor)
    data = {
        "title": "测试草案", "summary": "摘要", "department_id": world.dept.id, "domain": "budgets",
        "legal_basis": "依据", "opens_at": "2030-01-01T09:00", "closes_at": "2030-01-10T09:00",
        "short_window_reason": "", "body": BODY,
    }
    response = client.post("/office/drafts/new", data=data)
    assert response.status_code == 422
    assert "needs a reason" in response.get_data(as_text=True)
    data["closes_at"] = "2030-02-15T09:00"
    assert client.post("/office/drafts/new", data=data).status_code == 302
    draft = db.session.scalar(db.select(Draft).where(Draft.title == "测试草案"))
    assert draft.opens_at.hour == 1  # 09:00 in Shanghai is 01:00 UTC
    assert len(draft.current_version.articles) == 7


def test_editing_an_open_draft_makes_a_new_version_and_keeps_old_comments(world, client, auth):
    from tests.drafts_support import add_comment

    draft_id = make_draft(world)
    old = add_comment(draft_id, "第二条的期限太短。", anchor="art-2")
    auth.login(world.editor)
    draft = get(Draft, draft_id)
    new_body = BODY.replace("十日前", "十五日前")
    form = {**{k: v for k, v in fields(world.dept.id).items() if k not in ("opens_at", "closes_at")},
            "body": new_body, "opens_at": "2030-01-01T09:00", "closes_at": "2030-03-01T09:00"}
    response = client.post(f"/office/drafts/{draft_id}/edit", data=form)
    assert response.status_code == 422  # a change note is required
    form["change_note"] = "根据意见延长公开期限"
    assert client.post(f"/office/drafts/{draft_id}/edit", data=form).status_code == 302
    draft = get(Draft, draft_id)
    assert [v.number for v in draft.versions] == [1, 2] and draft.current_version.number == 2
    assert draft.closes_at.year != 2030  # the window of an open draft did not move
    comment = get(type(old), old.id)
    assert comment.version.number == 1 and comment.article.anchor == "art-2"
    art2 = next(a for a in draft.current_version.articles if a.anchor == "art-2")
    assert art2.comment_count == 1  # counted per stable anchor across versions
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert "根据意见延长公开期限" in page and "on an earlier version" in page
    diff = client.get(f"/drafts/{draft_id}/versions?from=1&to=2").get_data(as_text=True)
    assert "十<ins>五</ins>日前" in diff and "diff-same" in diff


def test_public_list_puts_open_drafts_first_and_filters(world, client):
    closed_id = make_draft(world, title="已结束的草案")
    get(Draft, closed_id).status = "closed"
    db.session.commit()
    open_id = make_draft(world, title="正在征求意见的停车管理草案", domain="budgets")
    make_draft(world, status="draft", title="尚未公开的草案")
    page = client.get("/drafts").get_data(as_text=True)
    assert page.index("正在征求意见的停车管理草案") < page.index("已结束的草案")
    assert "尚未公开的草案" not in page
    page = client.get("/drafts?domain=budgets").get_data(as_text=True)
    assert "正在征求意见的停车管理草案" in page and "已结束的草案" not in page
    page = client.get("/drafts?q=停车").get_data(as_text=True)
    assert "<mark>停车</mark>" in page  # the title is shown as a snippet with the match marked
    page = re.sub(r"<[^>]+>", "", page)
    assert "征求意见的停车管理草案" in page and "已结束的草案" not in page
    assert "已结束" not in client.get("/drafts?q=%25").get_data(as_text=True)  # % is searched literally
    assert client.get(f"/drafts?status=closed&department={world.dept.id}").status_code == 200
    assert open_id


def test_draft_page_shows_articles_counts_interpretation_and_countdown(world, client):
    draft_id = make_draft(world)
    draft = get(Draft, draft_id)
    draft.interpretation = "## 为什么要制定\n本方案落实上级要求。"
    services.set_qa_pairs(draft, [("哪些单位适用？", "全县各乡镇。")])
    db.session.commit()
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert 'id="art-2"' in page and "/comment?article=art-2" in page
    assert "为什么要制定" in page and "哪些单位适用" in page
    assert "days" in page and "hours left" in page
    assert "No comments yet." in page


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "<a href='javascript:alert(1)'>x</a>",
    '<style>body{background:url("http://evil")}</style>',
    '<p style="position:fixed;top:0">x</p>',
    '<svg onload="alert(1)"></svg>',
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_markdown_never_reaches_the_page(world, client, payload):
    """Hostile input may show up as harmless escaped text, never as markup a browser would act on."""
    draft_id = make_draft(world, body=f"第一条 {payload}\n\n第二条 正常内容。")
    draft = get(Draft, draft_id)
    draft.interpretation = payload
    services.set_qa_pairs(draft, [("问题", payload)])
    db.session.commit()
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert_safe_html(page)
    assert "正常内容" in page
