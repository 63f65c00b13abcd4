"""The public side of a draft as a newcomer meets it: articles named by their headings (never by their
internal anchors), the comment form reporting every problem at once and surviving a rate limit, a comment
sent again after going back, the receipt, the way back to the list and long comments folded."""

import csv
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from tests.drafts_support import add_comment, close_now, get, make_draft

from consult.drafts import grouping
from consult.drafts.models import Comment, Draft
from consult.extensions import db
from consult.notify.models import OutboxMessage
from consult.tracking.intake import DUPLICATE_WINDOW
from consult.tracking.models import Submission

pytestmark = pytest.mark.usefixtures("request_ctx")

LONG = "第二条规定的公开时限偏长。" * 40  # 520 characters


def _form(**extra) -> dict:
    return {"body": "建议把公开时限改为五个工作日。", "article": "art-2", "name": "李四", "email": "lisi@example.org",
            "phone": "", "form_token": "comment-form-token-1", **extra}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- article headings, never anchors ---------------------------------------------------------------------

def test_the_comment_form_names_every_part_by_its_heading(world, client):
    draft_id = make_draft(world)
    page = client.get(f"/drafts/{draft_id}/comment").get_data(as_text=True)
    options = dict(re.findall(r'<option (?:selected )?value="([^"]*)">([^<]*)</option>', page))
    assert options["preamble"] == "Preamble" and options["art-2"] == "第二条" and options[""] == "The whole draft"
    assert ">preamble<" not in page and ">art-2<" not in page


def test_a_comment_on_the_preamble_is_shown_and_mailed_with_the_heading(world, client, auth):
    draft_id = make_draft(world)
    preamble = add_comment(draft_id, "序言部分建议写明适用范围。", anchor="preamble")
    on_article = add_comment(draft_id, "第二条建议写明期限。", anchor="art-2")
    title = get(Draft, draft_id).title
    assert get(Submission, preamble.submission_id).subject == f"{title} · Preamble"
    assert get(Submission, on_article.submission_id).subject == f"{title} · 第二条"
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert ">Preamble</a>" in page and ">第二条</a>" in page and ">preamble</a>" not in page
    assert "Comments on Preamble" in client.get(f"/drafts/{draft_id}?article=preamble").get_data(as_text=True)
    auth.login(world.officer)
    staff = client.get(f"/office/submissions/{preamble.submission_id}").get_data(as_text=True)
    assert "<dd>Preamble</dd>" in staff


def test_the_office_group_page_the_report_and_the_export_name_articles_by_heading(world, client, auth):
    draft_id = make_draft(world)
    for n in range(2):
        add_comment(draft_id, "第二条的期限太长，建议缩短。", anchor="art-2", email=f"w{n}@example.org")
    add_comment(draft_id, "序言很清楚。", anchor="preamble")
    close_now(draft_id)
    grouping.group_comments(draft_id)
    db.session.commit()
    group_id = db.session.scalar(sa.select(Comment.group_id).where(Comment.article_anchor == "art-2"))
    auth.login(world.editor)
    group = client.get(f"/office/drafts/{draft_id}/answers/groups/{group_id}").get_data(as_text=True)
    assert "· 第二条 ·" in group and "art-2 ·" not in group
    export = client.get(f"/office/drafts/{draft_id}/comments.csv").get_data(as_text=True).lstrip("\ufeff")
    assert sorted(row["article"] for row in csv.DictReader(io.StringIO(export))) == ["Preamble", "第二条", "第二条"]
    report = client.get(f"/office/drafts/{draft_id}/report").get_data(as_text=True)
    assert '<th scope="row">第二条</th>' in report and '<th scope="row">Preamble</th>' in report


# --- the comment form: every problem at once, required fields marked, a rate limit on the form ----------

def test_a_guest_learns_every_missing_field_at_once_beside_each_field(world, client):
    draft_id = make_draft(world)
    response = client.post(f"/drafts/{draft_id}/comment", data=_form(body="", name="", email=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for field, message in [("body", "Please write your comment."), ("name", "Please enter your name."),
                           ("email", "Please give an e-mail address or a phone number.")]:
        assert f'<p class="error" id="{field}-error">{message}</p>' in page
        assert re.search(rf'id="{field}"[^>]*aria-describedby="[^"]*{field}-error', page) or \
            re.search(rf'aria-describedby="[^"]*{field}-error[^"]*"[^>]*id="{field}"', page)
        assert f'<a href="#{field}">' in page  # the summary at the top links to the field
    assert _count(Comment) == 0


def test_what_was_typed_stays_when_a_field_is_missing(world, client):
    draft_id = make_draft(world)
    page = client.post(f"/drafts/{draft_id}/comment", data=_form(name="")).get_data(as_text=True)
    assert "建议把公开时限改为五个工作日。" in page and 'value="lisi@example.org"' in page


def test_required_fields_are_marked_and_explained(world, client, auth):
    draft_id = make_draft(world)
    page = client.get(f"/drafts/{draft_id}/comment").get_data(as_text=True)
    assert "Fields marked * are required." in page
    for field in ("body", "name"):
        assert re.search(rf'<(?:input|textarea)[^>]*id="{field}"[^>]*required', page), field
    assert "An e-mail address or a phone number: at least one of them." in page
    auth.login(world.citizen)  # an account needs no name
    page = client.get(f"/drafts/{draft_id}/comment").get_data(as_text=True)
    assert 'id="name"' not in page


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_over_the_rate_limit_the_form_comes_back_in_chinese_with_the_text(world, client):
    draft_id = make_draft(world)
    for n in range(10):
        assert client.post(f"/drafts/{draft_id}/comment",
                           data=_form(body=f"第{n}条意见。", form_token=f"comment-form-token-{n:03d}")).status_code == 302
    response = client.post(f"/drafts/{draft_id}/comment", data=_form(body="这条意见不能丢。", form_token="comment-form-token-x"))
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "您在短时间内多次提交本表单" in page and "per 1 minute" not in page
    assert "这条意见不能丢。" in page and 'value="李四"' in page and "<form" in page
    assert _count(Comment) == 10


# --- the same comment sent again -----------------------------------------------------------------------

def test_going_back_and_sending_again_shows_the_first_receipt(world, client):
    draft_id = make_draft(world)
    client.post(f"/drafts/{draft_id}/comment", data=_form())
    first = client.get(f"/drafts/{draft_id}/comment/thanks").get_data(as_text=True)
    again = client.post(f"/drafts/{draft_id}/comment", data=_form(form_token="comment-form-token-2", body=" 建议把公开时限改为五个工作日。 "))
    assert again.status_code == 302
    [submission] = db.session.scalars(sa.select(Submission)).all()
    assert submission.tracking_no in client.get(again.location).get_data(as_text=True) and submission.tracking_no in first
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.template == "submission_receipt")) == 1
    assert get(Draft, draft_id).received_count == 1


def test_the_same_text_from_someone_else_or_on_another_draft_is_a_new_comment(world, client):
    draft_id, other_id = make_draft(world), make_draft(world)
    client.post(f"/drafts/{draft_id}/comment", data=_form())
    client.post(f"/drafts/{draft_id}/comment", data=_form(form_token="comment-form-token-2", name="王五", email="wangwu@example.org"))
    client.post(f"/drafts/{other_id}/comment", data=_form(form_token="comment-form-token-3"))
    assert _count(Comment) == 3


def test_the_same_text_after_the_window_is_a_new_comment(world, client, monkeypatch):
    draft_id = make_draft(world)
    client.post(f"/drafts/{draft_id}/comment", data=_form())
    submission = db.session.scalar(sa.select(Submission))
    submission.received_at = submission.received_at - DUPLICATE_WINDOW - timedelta(seconds=1)
    db.session.commit()
    client.post(f"/drafts/{draft_id}/comment", data=_form(form_token="comment-form-token-2"))
    assert _count(Comment) == 2


# --- receipt, way back, long comments ----------------------------------------------------------------------

@pytest.mark.parametrize("app_config", [{"CONSULT_DEFAULT_LOCALE": "zh_CN"}])
def test_the_receipt_shows_the_codes_what_happens_next_and_the_status_link(world, client):
    draft_id = make_draft(world)
    client.post(f"/drafts/{draft_id}/comment", data=_form())
    submission = db.session.scalar(sa.select(Submission))
    page = client.get(f"/drafts/{draft_id}/comment/thanks").get_data(as_text=True)
    assert 'class="panel receipt"' in page and '<span class="query-code">' in page
    assert re.search(r'<span class="query-code">[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}</span>', page)
    due = submission.due_on
    assert f"答复期限为 {due.year}年{due.month}月{due.day}日。" in page
    assert f'href="/track?tracking_no={submission.tracking_no}">查看办理状态</a>' in page


def test_the_draft_page_leads_back_to_the_list(world, client):
    page = client.get(f"/drafts/{make_draft(world)}").get_data(as_text=True)
    assert re.search(r'<nav class="breadcrumb"[^>]*>\s*<ol>\s*<li><a href="/drafts">', page)


def test_long_comments_fold_without_script_and_short_ones_do_not(world, client):
    draft_id = make_draft(world)
    add_comment(draft_id, LONG, anchor="art-2")
    add_comment(draft_id, "简短的意见。")
    page = client.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert page.count('<details class="comment-more">') == 1
    head, rest = page.split('<details class="comment-more">')
    assert "简短的意见。" in head and "<script" not in page
    shown, folded = head.rsplit('<div class="comment-body">', 1)[1], rest.split("</details>")[0]
    assert shown.count("第二条规定的公开时限偏长。") + folded.count("第二条规定的公开时限偏长。") == 40
    assert 0 < shown.count("第二条规定的公开时限偏长。") < 40


def test_the_status_page_shows_the_comment_its_draft_and_article(world, client):
    draft_id = make_draft(world)
    client.post(f"/drafts/{draft_id}/comment", data=_form())
    code = re.search(r'<span class="query-code">([^<]+)</span>',
                     client.get(f"/drafts/{draft_id}/comment/thanks").get_data(as_text=True)).group(1)
    tracking_no = db.session.scalar(sa.select(Submission.tracking_no))
    client.post("/track", data={"tracking_no": tracking_no, "code": code})
    page = client.get(f"/track/{tracking_no}").get_data(as_text=True)
    title = get(Draft, draft_id).title
    assert f'<dd><a href="/drafts/{draft_id}">{title}</a></dd>' in page
    assert "<dt>Which part</dt><dd>第二条</dd>" in page and "建议把公开时限改为五个工作日。" in page
