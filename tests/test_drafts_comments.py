"""Commenting on drafts: tracked submissions, per-article comments, closing mid-typing, double submit,
sensitive words and pre-moderation, rejection notice, reports, cursor pagination, hostile comments."""

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from tests.drafts_support import add_comment, assert_safe_html, close_now, get, make_draft

from consult.accounts.models import User
from consult.database import utcnow
from consult.drafts import moderation, services
from consult.drafts.models import Article, Comment, Draft, SensitiveWord
from consult.extensions import db
from consult.localtime import local_date
from consult.notify.models import OutboxMessage
from consult.tracking.models import Submission
from consult.workdays import add_workdays

pytestmark = pytest.mark.usefixtures("request_ctx")


def _form(**extra):
    return {"body": "建议把公开时限改为五个工作日。", "article": "art-2", "name": "李四",
            "email": "lisi@example.org", "phone": "", "form_token": "comment-form-token-1", **extra}


def test_guest_comments_on_an_article_and_gets_tracking_number_code_and_due_date(world, client):
    draft_id = make_draft(world)
    response = client.post(f"/drafts/{draft_id}/comment", data=_form())
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    comment = db.session.scalar(sa.select(Comment))
    submission = comment.submission
    assert submission.kind == "comment" and submission.department_id == world.dept.id
    assert submission.tracking_no in page
    assert "Query code" in page or "查询码" in page
    draft = get(Draft, draft_id)
    # The answer clock starts when the consultation closes: 15 working days after the closing date.
    assert submission.clock_start_on == local_date(draft.closes_at)
    assert submission.due_on == add_workdays(local_date(draft.closes_at), 15)
    assert comment.article_anchor == "art-2" and comment.version_id == draft.current_version_id
    assert draft.comment_count == 1 and draft.received_count == 1
    art2 = db.session.scalar(sa.select(Article).where(Article.version_id == draft.current_version_id,
                                                      Article.anchor == "art-2"))
    assert art2.comment_count == 1
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == "lisi@example.org"))
    assert mail is not None and submission.tracking_no in mail.body_text
    public = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert "李*" in public and "lisi@example.org" not in public and "李四" not in public


def test_guest_must_give_a_name_and_a_way_to_reach_them(world, client):
    draft_id = make_draft(world)
    response = client.post(f"/drafts/{draft_id}/comment", data=_form(email="", phone=""))
    assert response.status_code == 422
    assert "建议把公开时限改为五个工作日。" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_logged_in_citizen_comments_on_the_whole_draft(world, client, auth):
    draft_id = make_draft(world)
    auth.login(world.citizen)
    response = client.post(f"/drafts/{draft_id}/comment", data=_form(article="", name="", email=""))
    assert response.status_code == 302
    comment = db.session.scalar(sa.select(Comment))
    assert comment.article_anchor == "" and comment.submission.user_id == world.citizen.id


def test_double_submit_creates_one_comment(world, client):
    draft_id = make_draft(world)
    first = client.post(f"/drafts/{draft_id}/comment", data=_form())
    second = client.post(f"/drafts/{draft_id}/comment", data=_form())
    assert first.status_code == second.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 1
    assert get(Draft, draft_id).comment_count == 1


def test_closing_while_typing_keeps_the_text_and_says_so(world, client):
    draft_id = make_draft(world)
    form_page = client.get(f"/drafts/{draft_id}/comment?article=art-2")
    assert form_page.status_code == 200
    draft = get(Draft, draft_id)
    draft.closes_at = utcnow() - timedelta(seconds=1)  # the window ends while the citizen types
    draft.opens_at = draft.closes_at - timedelta(days=30)
    db.session.commit()
    response = client.post(f"/drafts/{draft_id}/comment", data=_form())
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "建议把公开时限改为五个工作日。" in page and "closed" in page
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0
    client.get(f"/drafts/{draft_id}")
    assert get(Draft, draft_id).status == "closed"


def test_comments_stay_on_their_version_after_a_new_version(world):
    from consult.drafts import versions

    draft_id = make_draft(world)
    first = add_comment(draft_id, "关于第三条的意见", anchor="art-3")
    draft = get(Draft, draft_id)
    versions.add_version(draft, draft.current_version.body + "\n第五条 新增条款。", change_note="新增第五条")
    db.session.commit()
    second = add_comment(draft_id, "关于第五条的意见", anchor="art-5")
    assert get(Comment, first.id).version.number == 1
    assert get(Comment, second.id).version.number == 2


def test_sensitive_word_holds_the_comment_but_it_is_tracked(world, client):
    draft_id = make_draft(world)
    db.session.add(SensitiveWord(word="违禁词"))
    db.session.commit()
    client.post(f"/drafts/{draft_id}/comment", data=_form(body="这里有个ＷＥＩＪＩＮ 违禁词。"))
    comment = db.session.scalar(sa.select(Comment))
    assert comment.moderation == "held" and comment.submission.status == "received"
    assert "违禁词" not in client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert get(Draft, draft_id).comment_count == 0 and get(Draft, draft_id).received_count == 1


def test_sensitive_words_match_case_and_width_insensitively(world):
    draft_id = make_draft(world)
    db.session.add(SensitiveWord(word="spam"))
    db.session.commit()
    assert add_comment(draft_id, "Buy ＳＰＡＭ now").moderation == "held"
    assert add_comment(draft_id, "合理建议").moderation == "published"


def test_a_sensitive_word_added_in_this_worker_holds_the_next_comment_at_once(world):
    draft_id = make_draft(world)
    assert add_comment(draft_id, "建议增加广告位").moderation == "published"  # the words are now kept in the worker
    moderation.add_sensitive_words("广告")
    db.session.commit()
    assert add_comment(draft_id, "建议增加广告位。").moderation == "held"
    moderation.remove_sensitive_word(db.session.scalar(sa.select(SensitiveWord.id)))
    db.session.commit()
    assert add_comment(draft_id, "建议增加广告位！").moderation == "published"


@pytest.mark.parametrize("app_config", [{"CONSULT_SENSITIVE_WORDS_SECONDS": 1}])
def test_a_sensitive_word_added_by_another_worker_holds_comments_once_the_kept_words_expire(world):
    draft_id = make_draft(world)
    assert add_comment(draft_id, "建议增加广告位").moderation == "published"
    db.session.execute(sa.insert(SensitiveWord.__table__).values(word="广告"))  # as another worker's would
    db.session.commit()
    assert add_comment(draft_id, "建议增加广告位。").moderation == "published"  # this worker still keeps the old list
    time.sleep(1.1)
    assert add_comment(draft_id, "建议增加广告位！").moderation == "held"


def test_premoderated_draft_holds_until_a_reviewer_publishes(world, client, auth):
    draft_id = make_draft(world, premoderate=True)
    comment = add_comment(draft_id, "先审后发的意见", anchor="art-1")
    assert comment.moderation == "held"
    auth.login(world.reviewer)
    queue = client.get("/office/drafts/moderation").get_data(as_text=True)
    assert "先审后发的意见" in queue
    client.post(f"/office/drafts/comments/{comment.id}/moderate", data={"action": "approve"})
    assert get(Comment, comment.id).moderation == "published"
    assert get(Draft, draft_id).comment_count == 1
    assert "先审后发的意见" in client.get(f"/drafts/{draft_id}").get_data(as_text=True)


def test_rejection_dismisses_the_submission_and_tells_the_writer_why(world, client, auth):
    draft_id = make_draft(world, premoderate=True)
    comment = add_comment(draft_id, "广告内容", email="writer@example.org")
    auth.login(world.reviewer)
    client.post(f"/office/drafts/comments/{comment.id}/moderate", data={"action": "reject", "reason": "与草案无关的广告"})
    comment = get(Comment, comment.id)
    assert comment.moderation == "rejected"
    assert comment.submission.status == "dismissed" and comment.submission.dismissal_reason == "与草案无关的广告"
    mails = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == "writer@example.org"))
    assert any("与草案无关的广告" in m.body_text for m in mails)


def test_reviewer_of_another_department_cannot_moderate(world, client, auth):
    draft_id = make_draft(world, premoderate=True)
    comment = add_comment(draft_id, "待审意见")
    auth.login(world.other_reviewer)
    assert "待审意见" not in client.get("/office/drafts/moderation").get_data(as_text=True)
    assert client.post(f"/office/drafts/comments/{comment.id}/moderate", data={"action": "approve"}).status_code == 403


def test_visitors_report_a_comment_and_reviewers_remove_it(world, client, auth):
    draft_id = make_draft(world)
    comment = add_comment(draft_id, "人身攻击的内容")
    response = client.post(f"/drafts/{draft_id}/comments/{comment.id}/report", data={"reason": "辱骂"})
    assert response.status_code == 200 and get(Comment, comment.id).report_count == 1
    auth.login(world.reviewer)
    assert "人身攻击的内容" in client.get("/office/drafts/moderation").get_data(as_text=True)
    client.post(f"/office/drafts/comments/{comment.id}/moderate", data={"action": "reject", "reason": "含辱骂内容"})
    assert get(Draft, draft_id).comment_count == 0
    assert "人身攻击的内容" not in client.get(f"/drafts/{draft_id}").get_data(as_text=True)


def test_reported_but_acceptable_comment_is_kept(world):
    draft_id = make_draft(world)
    comment = add_comment(draft_id, "尖锐但合理的批评")
    moderation.report_comment(comment, "不喜欢")
    moderation.keep_comment(comment, db.session.merge(world.reviewer))
    assert get(Comment, comment.id).report_count == 0 and get(Comment, comment.id).moderation == "published"


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "<a href='javascript:alert(1)'>x</a>",
    '<div style="background:url(javascript:alert(1))">x</div>', "</li></ol><style>*{display:none}</style>",
])
def test_hostile_comments_are_shown_as_text(world, client, payload):
    draft_id = make_draft(world)
    add_comment(draft_id, payload, name=payload)
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert_safe_html(page)


def test_comments_are_cursor_paginated_newest_first_and_by_article(world, client):
    draft_id = make_draft(world)
    for i in range(25):
        add_comment(draft_id, f"意见{i:02d}", anchor="art-1" if i % 2 else "art-2")
    first = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert "意见24" in first and "意见04" not in first
    assert first.index("意见24") < first.index("意见23")
    cursor = first.split("cursor=")[1].split("&")[0].split('"')[0].split("#")[0]
    second = client.get(f"/drafts/{draft_id}?cursor={cursor}").get_data(as_text=True)
    assert "意见04" in second and "意见24" not in second
    only_art1 = client.get(f"/drafts/{draft_id}?article=art-1").get_data(as_text=True)
    assert "意见01" in only_art1 and "意见02" not in only_art1
    assert client.get(f"/drafts/{draft_id}?order=article").status_code == 200
    assert client.get(f"/drafts/{draft_id}?cursor=garbage").status_code == 400


def test_comment_form_is_not_offered_for_drafts_not_yet_public(world, client):
    draft_id = make_draft(world, status="draft")
    assert client.get(f"/drafts/{draft_id}/comment").status_code == 404
    assert client.post(f"/drafts/{draft_id}/comment", data=_form()).status_code == 404


def test_draft_page_shows_every_change_at_once_though_readers_share_it(world, client):
    """Below the header the page is rendered once per state of the draft and shared by its readers; a new
    comment, a rejected one, new interpretation material or the closing still show on the next view."""
    draft_id = make_draft(world)
    url = f"/drafts/{draft_id}"
    assert "No comments yet." in client.get(url).get_data(as_text=True)
    first = add_comment(draft_id, "建议增加夜间办理窗口。")
    assert "建议增加夜间办理窗口" in client.get(url).get_data(as_text=True)

    moderation.reject_comment(get(Comment, first.id), db.session.get(User, world.reviewer.id), "含有广告。")
    add_comment(draft_id, "另一条意见。")  # as many public comments as before the rejection
    page = client.get(url).get_data(as_text=True)
    assert "建议增加夜间办理窗口" not in page and "另一条意见" in page

    services.set_interpretation(get(Draft, draft_id), "本次修订的背景。", [("谁来执行？", "县司法局。")])
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "本次修订的背景" in page and "谁来执行" in page

    close_now(draft_id)
    assert "The consultation has closed" in client.get(url).get_data(as_text=True)


def test_a_draft_page_read_again_costs_no_query_but_its_stamp(app, world, client, sql):
    """Readers after the first get the kept page (consult.public_pages): the draft's stamp is read with the
    driver, and nothing through the ORM — no query for the draft, none for its comments."""
    draft_id = make_draft(world)
    for i in range(5):
        add_comment(draft_id, f"意见{i}")
    url = f"/drafts/{draft_id}"
    assert client.get(url).status_code == 200
    with sql() as statements:
        page = client.get(url).get_data(as_text=True)
    assert "意见4" in page
    assert statements.selects == []


def test_withdrawing_an_open_draft_closes_its_unanswered_comments_and_tells_each_writer(world, client, auth):
    draft_id = make_draft(world)
    db.session.add(SensitiveWord(word="违禁词"))
    db.session.commit()
    published = add_comment(draft_id, "建议延长过渡期。", email="a@example.org")
    held = add_comment(draft_id, "含有违禁词的意见", email="b@example.org")
    auth.login(world.editor)
    refused = client.post(f"/office/drafts/{draft_id}/withdraw", data={"note": "  "}, follow_redirects=True)
    assert "Please give a reason." in refused.get_data(as_text=True)
    assert get(Submission, published.submission_id).status == "received"

    client.post(f"/office/drafts/{draft_id}/withdraw", data={"note": "上级政策调整，另行起草。"})
    assert get(Draft, draft_id).status == "withdrawn"
    for comment in (published, held):
        submission = get(Submission, comment.submission_id)
        assert submission.status == "dismissed"
        assert "withdrawn" in submission.dismissal_reason and "上级政策调整" in submission.dismissal_reason
    dismissals = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == "submission_dismissed"))
    assert sorted(m.recipient for m in dismissals) == ["a@example.org", "b@example.org"]
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert "This draft has been withdrawn." in page and "上级政策调整" in page


def test_the_daily_run_closes_comments_the_withdrawal_left(world, runner, monkeypatch):
    draft_id = make_draft(world)
    comments = [add_comment(draft_id, f"意见{i}", email=f"w{i}@example.org") for i in range(3)]
    monkeypatch.setattr(services, "WITHDRAWAL_BATCH", 1)
    services.withdraw_draft(get(Draft, draft_id), db.session.get(User, world.editor.id), "停止征求意见。")
    db.session.commit()
    assert [get(Submission, c.submission_id).status for c in comments] == ["dismissed", "received", "received"]
    assert "Comments on withdrawn drafts closed: 2." in runner.invoke(args=["remind"]).output
    assert {get(Submission, c.submission_id).status for c in comments} == {"dismissed"}
    assert "Comments on withdrawn drafts closed: 0." in runner.invoke(args=["remind"]).output


def test_the_officer_sees_the_comments_draft_article_and_moderation_on_its_page(world, client, auth):
    draft_id = make_draft(world)
    db.session.add(SensitiveWord(word="违禁词"))
    db.session.commit()
    on_article = add_comment(draft_id, "第二条应当写明期限。", anchor="art-2")
    held = add_comment(draft_id, "这里有违禁词")
    auth.login(world.officer)
    page = client.get(f"/office/submissions/{on_article.submission_id}").get_data(as_text=True)
    heading = get(Article, on_article.article_id).heading
    assert get(Draft, draft_id).title in page and f"/office/drafts/{draft_id}" in page
    assert heading and heading in page and "Public" in page
    page = client.get(f"/office/submissions/{held.submission_id}").get_data(as_text=True)
    assert "Held for moderation (违禁词)" in page and "The whole draft" in page
