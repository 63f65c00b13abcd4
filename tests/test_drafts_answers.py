"""After closing: grouping near-identical comments, one reply for a group, dispositions, the feedback report,
and streamed exports."""

import csv
import io
import json

import pytest
import sqlalchemy as sa
from tests.drafts_support import add_comment, close_now, get, make_draft, publish_report

from consult.domain import DomainError
from consult.drafts import grouping, report
from consult.drafts.models import Comment, Draft
from consult.extensions import db
from consult.tracking import services as tracking
from consult.tracking.models import Reply

pytestmark = pytest.mark.usefixtures("request_ctx")

CAMPAIGN = "强烈建议将政务公开专区延伸到每个村（社区），方便老年人就近查阅政策文件。"


def _closed_draft_with_comments(world) -> tuple[int, list[Comment]]:
    draft_id = make_draft(world)
    made = [
        add_comment(draft_id, CAMPAIGN, anchor="art-3"),
        add_comment(draft_id, CAMPAIGN.replace("，", ",  "), anchor="art-3"),  # identical once normalised
        add_comment(draft_id, CAMPAIGN.replace("强烈建议", "建议"), anchor="art-3"),  # near-identical
        add_comment(draft_id, "第四条的开放日次数太少，建议每季度一次。", anchor="art-4"),
        add_comment(draft_id, "整体支持。"),
    ]
    close_now(draft_id)
    return draft_id, made


def test_similarity_measures_identical_and_near_identical_text():
    a, b = grouping.signature(CAMPAIGN), grouping.signature(CAMPAIGN.replace("强烈建议", "建议"))
    c = grouping.signature("第四条的开放日次数太少，建议每季度一次。")
    assert grouping.text_hash(CAMPAIGN) == grouping.text_hash(CAMPAIGN.replace("，", ", "))
    assert grouping.similarity(a, a) == 1.0
    assert grouping.similarity(a, b) >= grouping.THRESHOLD
    assert grouping.similarity(a, c) < 0.3


@pytest.mark.sqlite_only
def test_signature_is_bit_for_bit_the_formula_for_any_text():
    """Comments stored before and after the vectorised signature must group together: same bytes."""
    import random

    rng = random.Random(18)
    alphabet = CAMPAIGN + "abcXYZ0123 ，。！？、\n\t😀𠀀"
    texts = ["", "。", "一", "一二", "一二三", "一二三四", CAMPAIGN, CAMPAIGN * 40]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 600))) for _ in range(150)]
    for text in texts:
        assert grouping.signature(text) == grouping.signature_reference(text), text


def test_editor_groups_comments_and_sees_counts(world, client, auth):
    draft_id, made = _closed_draft_with_comments(world)
    auth.login(world.editor)
    client.post(f"/office/drafts/{draft_id}/answers/group")
    groups = grouping.group_summaries(draft_id)
    assert groups[0][1] == 3 and groups[0][0] == made[0].id
    assert sorted(size for _g, size, _c in groups) == [1, 1, 3]
    page = client.get(f"/office/drafts/{draft_id}/answers").get_data(as_text=True)
    assert "<td>3</td>" in page


def test_one_reply_answers_every_comment_in_the_group(world, client, auth):
    draft_id, made = _closed_draft_with_comments(world)
    grouping.group_comments(draft_id)
    db.session.commit()
    auth.login(world.officer)
    response = client.post(f"/office/drafts/{draft_id}/answers/groups/{made[0].id}",
                           data={"what": "reply", "r-body": "感谢建议，我们将在全县推广政务公开专区。"})
    assert response.status_code == 302
    reply = db.session.scalar(sa.select(Reply))
    assert reply.status == "pending_review" and len(reply.submissions) == 3
    tracking.approve_reply(reply, reviewer=db.session.merge(world.reviewer))
    db.session.commit()
    statuses = [get(Comment, c.id).submission.status for c in made]
    assert statuses[:3] == ["answered"] * 3 and statuses[3:] == ["received", "received"]


def test_comments_cannot_be_answered_while_the_consultation_is_open(world):
    draft_id = make_draft(world)
    comment = add_comment(draft_id, "意见")
    with pytest.raises(DomainError):
        report.set_disposition(get(Draft, draft_id), [comment], "noted", "已收悉", db.session.merge(world.editor))


def test_dispositions_report_approval_and_publication(world, client, auth):
    draft_id, made = _closed_draft_with_comments(world)
    grouping.group_comments(draft_id)
    db.session.commit()
    auth.login(world.editor)
    group_url = f"/office/drafts/{draft_id}/answers/groups/{made[0].id}"
    client.post(group_url, data={"what": "disposition", "d-disposition": "adopted", "d-reason": "已在第三条中增加村级专区"})
    assert [get(Comment, c.id).disposition for c in made[:3]] == ["adopted"] * 3
    # Sending the report with undecided comments is refused.
    response = client.post(f"/office/drafts/{draft_id}/report", data={"summary": "共收到意见5条。"})
    assert response.status_code == 409 and get(Draft, draft_id).report_state == ""
    draft = get(Draft, draft_id)
    editor = db.session.merge(world.editor)
    report.set_disposition(draft, [get(Comment, made[3].id)], "not_adopted", "上级规定每年至少两次，已满足要求", editor)
    report.set_disposition(draft, [get(Comment, made[4].id)], "noted", "感谢支持", editor)
    db.session.commit()
    assert client.post(f"/office/drafts/{draft_id}/report", data={"summary": "共收到意见5条。"}).status_code == 302
    assert get(Draft, draft_id).report_state == "pending_review"
    assert client.get(f"/drafts/{draft_id}/report").status_code == 404  # not public before approval
    auth.login(world.reviewer)
    publish_report(client, draft_id)
    draft = get(Draft, draft_id)
    assert draft.status == "report_published" and draft.report_published_at is not None
    page = client.get(f"/drafts/{draft_id}/report").get_data(as_text=True)
    assert "已在第三条中增加村级专区" in page and "上级规定每年至少两次" in page
    assert "共收到意见5条。" in page
    figures = report.report_figures(draft)
    assert figures.by_disposition["adopted"] == 3 and figures.by_disposition["not_adopted"] == 1
    assert figures.total == 5
    by_anchor = {part.anchor: part.by_disposition for part in figures.by_article}
    assert by_anchor["art-3"]["adopted"] == 3 and by_anchor["art-4"]["not_adopted"] == 1 and by_anchor[""]["noted"] == 1


def test_reviewer_can_return_the_report(world, client, auth):
    draft_id, made = _closed_draft_with_comments(world)
    draft = get(Draft, draft_id)
    report.set_disposition(draft, [get(Comment, c.id) for c in made], "noted", "已收悉", db.session.merge(world.editor))
    report.submit_report(draft, db.session.merge(world.editor), "")
    db.session.commit()
    auth.login(world.reviewer)
    client.post(f"/office/drafts/{draft_id}/report/return", data={"note": "请逐条说明理由"})
    draft = get(Draft, draft_id)
    assert draft.report_state == "" and draft.status == "closed" and draft.review_note == "请逐条说明理由"


def test_exports_stream_every_comment_with_its_disposition(world, client, auth, monkeypatch):
    monkeypatch.setattr(report, "EXPORT_BATCH", 2)  # several keyset batches
    draft_id, made = _closed_draft_with_comments(world)
    draft = get(Draft, draft_id)
    report.set_disposition(draft, [get(Comment, c.id) for c in made], "partly_adopted", "部分采纳",
                           db.session.merge(world.editor))
    db.session.commit()
    auth.login(world.editor)
    response = client.get(f"/office/drafts/{draft_id}/comments.csv")
    assert response.is_streamed and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 5 and {r["disposition"] for r in rows} == {"partly_adopted"}
    assert rows[0]["tracking_no"] == made[0].submission.tracking_no
    data = json.loads(client.get(f"/office/drafts/{draft_id}/comments.json").get_data(as_text=True))
    assert [d["comment"] for d in data][3] == "第四条的开放日次数太少，建议每季度一次。"
    assert "wangwu@example.org" not in response.get_data(as_text=True)
    assert client.get(f"/drafts/{draft_id}/report/comments.csv").status_code == 404  # report not published


def test_export_reads_in_batches_without_loading_everything(world, monkeypatch):
    monkeypatch.setattr(report, "EXPORT_BATCH", 2)
    draft_id, _made = _closed_draft_with_comments(world)
    rows = report.export_rows(get(Draft, draft_id), public=False)
    first = next(rows)
    assert first["comment"] == CAMPAIGN  # a generator: rows come before the whole result is read
    assert len(list(rows)) == 4


def test_office_pages_render_for_their_roles(world, client, auth):
    from consult.drafts.models import SensitiveWord

    draft_id, made = _closed_draft_with_comments(world)
    grouping.group_comments(draft_id)
    db.session.add(SensitiveWord(word="广告"))
    db.session.commit()
    auth.login(world.editor)
    for url in ["/office/drafts", f"/office/drafts/{draft_id}", f"/office/drafts/{draft_id}/edit",
                f"/office/drafts/{draft_id}/interpretation", f"/office/drafts/{draft_id}/answers",
                f"/office/drafts/{draft_id}/answers/groups/{made[0].id}", f"/office/drafts/{draft_id}/report",
                "/office/drafts/new", "/office/drafts?status=closed"]:
        assert client.get(url).status_code == 200, url
    auth.login(world.reviewer)
    assert client.get("/office/drafts/moderation").status_code == 200
    auth.login(world.other_reviewer)  # a reviewer of another department may not answer this draft's comments
    assert client.get(f"/office/drafts/{draft_id}/answers").status_code == 403
    auth.login(world.admin)
    page = client.get("/admin/sensitive-words")
    assert page.status_code == 200 and "广告" in page.get_data(as_text=True)
    assert "applies to new comments within 5 seconds" in page.get_data(as_text=True)  # how soon every server has it
    client.post("/admin/sensitive-words", data={"words": "垃圾\n  ＳＰＡＭ  \n"})
    words = set(db.session.scalars(sa.select(SensitiveWord.word)))
    assert {"广告", "垃圾", "spam"} <= words
